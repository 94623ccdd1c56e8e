"""``Airflow``: the whole install in one construct, composed of the component constructs."""

from __future__ import annotations

from typing import Annotated, Any

from constructs import Construct
from pydantic import Tag, field_validator, model_validator

from .components.admin_user import AdminUser
from .components.api_server import ApiServer, ApiServerProps
from .components.dag_processor import DagProcessor, DagProcessorProps
from .components.edge import EdgeWorkers
from .components.execution_api import ExecutionApi
from .components.fab_teams import FabTeams
from .components.flower import Flower, FlowerProps
from .components.kerberos import Kerberos, KerberosProps, add_kerberos, kerberos_config
from .components.keycloak_setup import KeycloakSetup
from .components.kubernetes_executor import KubernetesExecutorPods
from .components.maintenance import (
    DbClean,
    DbCleanProps,
    FernetKeyRotation,
    Pool,
    Pools,
    PostgresBackup,
    PostgresBackupProps,
)
from .components.migrations import Migrations, MigrationsProps
from .components.scheduler import Scheduler, SchedulerProps
from .components.statsd import MetricsProps, StatsdExporter, metrics_config
from .components.triggerer import Triggerer, TriggererProps
from .components.workers import CeleryWorkers
from .core.exposure import with_base_url
from .core.external_secret import ExternalSecret, ExternalSecretProps, check_external_secrets
from .core.kube import require_namespace, service_host
from .core.openshift import drop_fixed_ids
from .core.pod import KubeObject, SecretRef
from .core.pod_defaults import with_pod_defaults
from .core.props import PropsError, kind_discriminator, parse_props, register_union_tags
from .core.secrets import GeneratedKey
from .core.validators import repeated
from .flow_declarations import Composition, network_graph
from .network.policies import NetworkPolicies
from .network.props import NetworkPolicyProps
from .runtime.airflow_runtime import AirflowRuntime, check_name_from_id
from .runtime.auth import FabAuth
from .runtime.executors import CeleryExecutor, EdgeExecutor, KubernetesExecutor
from .runtime.extra_objects import add_extra_objects, check_extra_objects
from .runtime.keycloak import KeycloakAuth
from .runtime.runtime_props import RuntimeProps
from .services.database import DatabaseConnection, EmbeddedPostgres, ExternalDatabase
from .services.embedded import generated_secret_name
from .services.pgbouncer import PgBouncer, PgBouncerProps
from .services.postgres import Postgres
from .services.redis import BrokerConnection, EmbeddedRedis, Redis, external_broker
from .services.release_service import Release

Database = Annotated[
    Annotated[EmbeddedPostgres, Tag("embedded-postgres")] | Annotated[ExternalDatabase, Tag("external")],
    kind_discriminator(
        "database", "embedded-postgres", "expected kind 'embedded-postgres' (the default) or 'external'"
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
    flower: FlowerProps = FlowerProps()
    """Flower, the Celery monitoring UI (off by default; needs CeleryExecutor)."""
    pgbouncer: PgBouncerProps = PgBouncerProps()
    """PgBouncer between Airflow and PostgreSQL (off by default; recommended with an external database)."""
    db_clean: DbCleanProps = DbCleanProps()
    """The ``airflow db clean`` CronJob (on by default, 90 days)."""
    backup: PostgresBackupProps = PostgresBackupProps()
    """pg_dump backups of the embedded PostgreSQL (off by default)."""
    pools: list[Pool] = []
    """Pools applied by a Job whenever they change."""
    external_secrets: list[ExternalSecretProps] = []
    """Secrets produced by the External Secrets Operator from a secret manager; ``SecretRef``s name them."""
    kerberos: KerberosProps = KerberosProps()
    """A sidecar renewing a Kerberos ticket cache for the pods whose tasks use Kerberos (off by default)."""
    openshift: bool = False
    """Leave runAsUser/runAsGroup/fsGroup to OpenShift's restricted-v2 SCC (Airflow runs as any UID, GID 0)."""
    metrics: MetricsProps = MetricsProps()
    """Metrics: a StatsD exporter every process sends to (with a ServiceMonitor), or OpenTelemetry."""
    network_policies: NetworkPolicyProps = NetworkPolicyProps()
    """Default-deny NetworkPolicies plus the flows the component graph needs (on by default)."""
    extra_objects: list[KubeObject] = []
    """Plain manifests added as given, in the release's namespace, checked like ours (strict schema,
    restricted PSS, no Secret data, no cluster-scoped kind: see ``runtime/extra_objects.py``)."""

    @field_validator("extra_objects", mode="before")
    @classmethod
    def _extra_objects(cls, value: Any) -> Any:
        return check_extra_objects(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _database_features(self) -> AirflowProps:
        db = self.database
        if isinstance(db, ExternalDatabase):
            if self.pgbouncer.enabled and db.dialect == "mysql":
                raise ValueError(
                    "pgbouncer.enabled is true but database.dialect is 'mysql': PgBouncer is for PostgreSQL"
                )
            if self.pgbouncer.enabled and db.url is not None:
                raise ValueError(
                    "pgbouncer.enabled is true but the database is a URL Secret: PgBouncer needs host, user, "
                    "database and password"
                )
            if self.backup.enabled:
                raise ValueError("backup.enabled is true but the database is external: back it up where it runs")
        if dupes := repeated([pool.name for pool in self.pools]):
            raise ValueError(f"pools repeat {', '.join(dupes)}: each pool name may appear once")
        return self

    @model_validator(mode="after")
    def _dag_processor_in_airflow3(self) -> AirflowProps:
        if not self.dag_processor.enabled and not self.image.airflow2:
            raise ValueError(
                f"dag_processor.enabled is false but the image runs Airflow {self.image.version}: "
                "Airflow 3 parses DAGs only in the dag-processor"
            )
        return self

    @model_validator(mode="after")
    def _one_issued_secret_per_service(self) -> AirflowProps:
        # cert-manager writes an issued Secret with a certificate for one Service: sharing it with
        # any other TLS setting would hand that one the wrong certificate.
        celery = self.find_executor(CeleryExecutor)
        broker_path = "executor.broker.tls"
        if celery is not None and isinstance(self.executor, list):
            broker_path = f"executor[{self.executors.index(celery)}].broker.tls"
        # (field of the Secret's name, that name, whether cert-manager issues it)
        settings: list[tuple[str, str, bool]] = [
            (f"{path}.secret", tls.secret, tls.issuer is not None)
            for path, tls in (
                ("api_server.tls", self.api_server.tls),
                ("database.tls", self.database.tls if isinstance(self.database, EmbeddedPostgres) else None),
                (broker_path, celery.broker.tls if celery and isinstance(celery.broker, EmbeddedRedis) else None),
                ("pgbouncer.tls", self.pgbouncer.tls),
            )
            if tls is not None
        ]
        settings += [
            (f"{path}.tls_secret", expose.tls_secret, expose.issuer is not None)
            for path, expose in (("api_server.expose", self.api_server.expose), ("flower.expose", self.flower.expose))
            if expose is not None and expose.tls_secret is not None
        ]
        for i, (field, secret, issued) in enumerate(settings):
            for other, other_secret, other_issued in settings[:i]:
                if secret == other_secret and (issued or other_issued):
                    raise ValueError(
                        f"{field} {secret!r} is also {other}, and cert-manager issues it for "
                        f"{(field if issued else other).rsplit('.', 1)[0]} alone: give each its own Secret"
                    )
        return self

    @model_validator(mode="after")
    def _flower_needs_celery(self) -> AirflowProps:
        if self.flower.enabled and self.find_executor(CeleryExecutor) is None:
            kinds = ", ".join(e.kind for e in self.executors)
            raise ValueError(f"flower.enabled is true but the executors are {kinds}: Flower needs CeleryExecutor")
        return self


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
        # Every component's pod options with the release-wide placement filled in where they set none.
        p = with_pod_defaults(self.props, self.props.pod_defaults)
        instance = p.name or check_name_from_id(id)
        runtime_props = self._runtime_props(p, instance)
        self._release = Release(instance=instance, version=p.image.version, image_pull_secrets=p.image_pull_secrets)
        """What each service construct of the release (PostgreSQL, Redis, PgBouncer, StatsD exporter) takes."""
        connection, broker = self._backing_services(p)
        extra_keys: list[GeneratedKey] = []
        flower_auth = p.flower.basic_auth
        if p.flower.enabled and flower_auth is None:
            flower_auth = SecretRef(generated_secret_name(instance), "flower-basic-auth")
            extra_keys.append(GeneratedKey(flower_auth.name, flower_auth.key, "basic-auth", {"user": "admin"}))

        self.pgbouncer: PgBouncer | None = None
        if p.pgbouncer.enabled:
            self.pgbouncer = PgBouncer(self, "pgbouncer", release=self._release, database=connection, props=p.pgbouncer)
        self.runtime = AirflowRuntime(
            self,
            "runtime",
            standalone_dag_processor=p.dag_processor.enabled,
            database=connection,
            broker=broker,
            generated=extra_keys,
            props=runtime_props,
            pooled_database=self.pgbouncer.connection if self.pgbouncer else None,
            api_tls=p.api_server.tls,
            separate_execution_api=p.api_server.execution_api is not None,
        )
        self._airflow_components(p, flower_auth)
        self._jobs_and_extras(p, instance, connection)
        self.kerberos: Kerberos | None = add_kerberos(self) if p.kerberos.enabled else None
        # Last: the policies are derived from every part above.
        self.network_policies: NetworkPolicies | None = None
        if p.network_policies.enabled:
            graph = network_graph(self.composition, p.network_policies)
            self.network_policies = NetworkPolicies(self, "network-policies", graph=graph, runtime=self.runtime)
        self.extra_objects = add_extra_objects(self, p.extra_objects)
        if p.openshift:
            k8s = self.kubernetes_executor
            drop_fixed_ids(self, {k8s.config_map: k8s.pod_template_yaml} if k8s else None)

    def _runtime_props(self, p: AirflowProps, instance: str) -> RuntimeProps:
        """Check what spans several props, and derive the runtime's props (metrics and Kerberos config)."""
        check_external_secrets(p, p.external_secrets, generated_secret_name(instance))
        if p.api_server.execution_api is not None and (p.image.airflow2 or p.api_server.tls is not None):
            why = f"the image runs Airflow {p.image.version}" if p.image.airflow2 else "with api_server.tls"
            raise PropsError(
                f"AirflowProps.api_server.execution_api: a separate Execution API needs Airflow 3 and plain HTTP "
                f"inside the cluster; not {why}"
            )
        if p.api_server.tls is not None and p.image.airflow2:
            raise PropsError(
                f"AirflowProps.api_server.tls: in-cluster TLS uses Airflow 3's [api] ssl_cert; the image runs "
                f"Airflow {p.image.version}"
            )
        statsd_host = (
            service_host(f"{instance}-statsd", require_namespace(self, instance)) if p.metrics.statsd else None
        )
        config = metrics_config(with_base_url(p.config, p.api_server.expose, p.image.airflow2), p.metrics, statsd_host)
        config = kerberos_config(config, p.kerberos)
        return RuntimeProps.model_validate(
            {name: getattr(p, name) for name in RuntimeProps.model_fields} | {"name": instance, "config": config}
        )

    def _backing_services(self, p: AirflowProps) -> tuple[DatabaseConnection, BrokerConnection | None]:
        """The embedded PostgreSQL and Redis when asked for; the database and broker connections."""
        self.postgres: Postgres | None = None
        if isinstance(p.database, EmbeddedPostgres):
            self.postgres = Postgres(self, "postgres", release=self._release, props=p.database)
            connection = self.postgres.connection
        else:
            connection = p.database.connection()

        celery = p.find_executor(CeleryExecutor)
        self.redis: Redis | None = None
        broker: BrokerConnection | None = None
        if celery is not None:
            if isinstance(celery.broker, EmbeddedRedis):
                self.redis = Redis(self, "redis", release=self._release, props=celery.broker)
                broker = self.redis.connection
            else:
                broker = external_broker(celery.broker)
        return connection, broker

    def _airflow_components(self, p: AirflowProps, flower_auth: SecretRef | None) -> None:
        """The Airflow processes, each on the shared runtime."""
        celery = p.find_executor(CeleryExecutor)
        self.migrations = Migrations(self, "migrations", runtime=self.runtime, props=p.migrations)
        self.api_server = ApiServer(self, "api-server", runtime=self.runtime, props=p.api_server)
        self.execution_api: ExecutionApi | None = None
        if p.api_server.execution_api is not None:
            self.execution_api = ExecutionApi(
                self, "execution-api", runtime=self.runtime, props=p.api_server.execution_api
            )

        kubernetes = p.find_executor(KubernetesExecutor)
        self.kubernetes_executor: KubernetesExecutorPods | None = None
        if kubernetes is not None:
            self.kubernetes_executor = KubernetesExecutorPods(
                self, "kubernetes-executor", runtime=self.runtime, props=kubernetes
            )
        self.scheduler = Scheduler(
            self, "scheduler", runtime=self.runtime, props=p.scheduler, launches_pods=self.kubernetes_executor
        )
        self.dag_processor: DagProcessor | None = None
        if p.dag_processor.enabled:
            self.dag_processor = DagProcessor(self, "dag-processor", runtime=self.runtime, props=p.dag_processor)
        self.admin_user: AdminUser | None = None
        # FAB keeps users in the database: a Job creates the admin (not with LDAP/OAuth users).
        if self.runtime.fab and (not isinstance(p.auth, FabAuth) or p.auth.database_users):
            self.admin_user = AdminUser(self, "admin-user", runtime=self.runtime, username=p.admin_user)
        self.fab_teams: FabTeams | None = None
        if isinstance(p.auth, FabAuth) and p.auth.teams:
            self.fab_teams = FabTeams(self, "fab-teams", runtime=self.runtime, auth=p.auth)
        self.keycloak_setup: KeycloakSetup | None = None
        if isinstance(p.auth, KeycloakAuth) and p.auth.setup is not None:
            self.keycloak_setup = KeycloakSetup(self, "keycloak-setup", runtime=self.runtime, auth=p.auth)
        self.triggerer = Triggerer(self, "triggerer", runtime=self.runtime, props=p.triggerer)

        self.workers: list[CeleryWorkers] = []
        if celery is not None:
            fab = self.api_server.webserver_config
            self.workers = [
                CeleryWorkers(self, f"worker-{ws.name}", runtime=self.runtime, props=ws, webserver_config=fab)
                for ws in celery.worker_sets
            ]
        self.flower: Flower | None = None
        if p.flower.enabled:
            assert flower_auth is not None
            self.flower = Flower(self, "flower", runtime=self.runtime, basic_auth=flower_auth, props=p.flower)
        edge = p.find_executor(EdgeExecutor)
        self.edge_workers: list[EdgeWorkers] = []
        if edge is not None:
            self.edge_workers = [
                EdgeWorkers(self, f"edge-{ws.name}", runtime=self.runtime, props=ws) for ws in edge.worker_sets
            ]

    def _jobs_and_extras(self, p: AirflowProps, instance: str, connection: DatabaseConnection) -> None:
        """Maintenance jobs, the StatsD exporter and the ExternalSecrets."""
        self.db_clean: DbClean | None = None
        if p.db_clean.enabled:
            self.db_clean = DbClean(self, "db-clean", runtime=self.runtime, props=p.db_clean)
        self.backup: PostgresBackup | None = None
        if p.backup.enabled and isinstance(p.database, EmbeddedPostgres):
            self.backup = PostgresBackup(
                self,
                "backup",
                instance=instance,
                labels=self.runtime.labels("postgres-backup"),
                database=connection,
                postgres=p.database,
                props=p.backup,
                image_pull_secrets=p.image_pull_secrets,
                pod_options=p.pod_defaults.options(),
            )
        self.fernet_rotation: FernetKeyRotation | None = None
        if len(self.runtime.fernet_keys) > 1:
            self.fernet_rotation = FernetKeyRotation(self, "rotate-fernet-key", runtime=self.runtime)
        self.pools: Pools | None = None
        if p.pools:
            self.pools = Pools(self, "pools", runtime=self.runtime, pools=p.pools)
        self.statsd: StatsdExporter | None = None
        if p.metrics.statsd:
            self.statsd = StatsdExporter(self, "statsd", release=self._release, props=p.metrics)
        self.external_secrets = [
            ExternalSecret(self, f"external-secret-{e.name}", labels=self.runtime.labels("secrets"), props=e)
            for e in p.external_secrets
        ]

    @property
    def composition(self) -> Composition:
        """Its parts, as the network gathering reads them (``flow_declarations.network_graph``)."""
        return Composition(
            props=self.props,
            runtime=self.runtime,
            api_server=self.api_server,
            scheduler=self.scheduler,
            triggerer=self.triggerer,
            migrations=self.migrations,
            workers=self.workers,
            edge_workers=self.edge_workers,
            kubernetes_executor=self.kubernetes_executor,
            pgbouncer=self.pgbouncer,
            dag_processor=self.dag_processor,
            flower=self.flower,
            db_clean=self.db_clean,
            pools=self.pools,
            admin_user=self.admin_user,
            fernet_rotation=self.fernet_rotation,
            execution_api=self.execution_api,
            keycloak_setup=self.keycloak_setup,
            fab_teams=self.fab_teams,
            statsd=self.statsd,
            postgres=self.postgres,
            redis=self.redis,
            backup=self.backup,
        )
