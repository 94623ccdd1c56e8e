"""``Airflow``: the whole install in one construct, composed of the component constructs."""

from __future__ import annotations

from typing import Annotated, Any

from constructs import Construct
from pydantic import Discriminator, Tag

from .api_server import ApiServer, ApiServerProps
from .dag_processor import DagProcessor, DagProcessorProps
from .database import EmbeddedPostgres, ExternalDatabase, Postgres
from .migrations import Migrations, MigrationsProps
from .props import parse_props, register_union_tags
from .runtime import AirflowRuntime, RuntimeProps, check_name_from_id
from .scheduler import Scheduler, SchedulerProps
from .triggerer import Triggerer, TriggererProps


def _database_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("kind", "embedded-postgres"))
    return getattr(value, "kind", None)


Database = Annotated[
    Annotated[EmbeddedPostgres, Tag("embedded-postgres")] | Annotated[ExternalDatabase, Tag("external")],
    Discriminator(
        _database_kind,
        custom_error_type="invalid_database_kind",
        custom_error_message="expected kind 'embedded-postgres' (the default) or 'external'",
    ),
]
register_union_tags("embedded-postgres", "external")


class AirflowProps(RuntimeProps):
    """Everything one Airflow install is made of. Every field has a production-minded default."""

    database: Database = EmbeddedPostgres()
    """The metadata database: ``EmbeddedPostgres()`` (trials, small installs) or ``ExternalDatabase``."""
    api_server: ApiServerProps = ApiServerProps()
    """The api-server (UI, REST API, execution API)."""
    scheduler: SchedulerProps = SchedulerProps()
    """The scheduler."""
    dag_processor: DagProcessorProps = DagProcessorProps()
    """The dag-processor."""
    triggerer: TriggererProps = TriggererProps()
    """The triggerer."""
    migrations: MigrationsProps = MigrationsProps()
    """The schema migration Job."""


class Airflow(Construct):
    """An Apache Airflow 3 install: database, migrations, api-server, scheduler, dag-processor,
    triggerer, with config and secrets shared through one ``AirflowRuntime``.

    Example::

        Airflow(chart, "airflow", database=ExternalDatabase(url=SecretRef("airflow-db", "url")))

    Each part is exposed (``runtime``, ``database``, ``migrations``, ``api_server``, ``scheduler``,
    ``dag_processor``, ``triggerer``) with its ``workload``, ``service`` and ``service_account``.
    """

    def __init__(self, scope: Construct, id: str, props: AirflowProps | None = None, **kwargs: Any) -> None:
        super().__init__(scope, id)
        self.props = parse_props(AirflowProps, props, kwargs)
        p = self.props
        instance = p.name or check_name_from_id(id)
        runtime_props = RuntimeProps.model_validate(
            {name: getattr(p, name) for name in RuntimeProps.model_fields} | {"name": instance}
        )
        self.postgres: Postgres | None = None
        if isinstance(p.database, EmbeddedPostgres):
            self.postgres = Postgres(
                self,
                "postgres",
                instance=instance,
                version=p.image.version,
                props=p.database,
                image_pull_secrets=p.image_pull_secrets,
            )
            connection = self.postgres.connection
        else:
            connection = p.database.connection()
        self.runtime = AirflowRuntime(self, "runtime", database=connection, props=runtime_props)
        self.migrations = Migrations(self, "migrations", runtime=self.runtime, props=p.migrations)
        self.api_server = ApiServer(self, "api-server", runtime=self.runtime, props=p.api_server)
        self.scheduler = Scheduler(self, "scheduler", runtime=self.runtime, props=p.scheduler)
        self.dag_processor = DagProcessor(self, "dag-processor", runtime=self.runtime, props=p.dag_processor)
        self.triggerer = Triggerer(self, "triggerer", runtime=self.runtime, props=p.triggerer)
