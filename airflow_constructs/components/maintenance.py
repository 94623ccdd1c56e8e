"""Database care: ``airflow db clean`` on a schedule, pg_dump backups of the embedded PostgreSQL,
and pools applied by a Job whenever they change."""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct
from pydantic import Field

from ..core.cron import CronSchedule
from ..core.kube import api_object, config_map, cron_job, service_account, short_hash
from ..core.network_flow import Connection, dns_lookups
from ..core.pod import PodOptions, container, empty_dir, pod_template
from ..core.props import Props
from ..core.resources import Resources
from ..core.security import PodSecurity
from ..core.validators import dns_subdomain_validator
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import AIRFLOW_HOME, INIT_RESOURCES
from ..runtime.release_pods import ReleasePods
from ..services.database import POSTGRES_UID, DatabaseConnection, EmbeddedPostgres, database_client_flows
from ..services.embedded import claim_spec
from .airflow_job import job_account

JOB_RESOURCES = Resources(cpu_request="100m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")


class DbCleanProps(Props):
    """``airflow db clean`` as a CronJob: purge old rows (task instances, logs, the audit ``log`` table...)."""

    enabled: bool = True
    """Create the CronJob. Airflow's audit log (the ``log`` table) is kept for ``retention_days``."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Rows older than this many days are deleted."""
    schedule: CronSchedule = "0 3 * * *"
    """Cron schedule (cluster time zone)."""
    resources: Resources = JOB_RESOURCES
    """Requests and limits of the job's container."""


class PostgresBackupProps(Props):
    """``pg_dump`` of the embedded PostgreSQL to a PVC on a schedule (embedded database only)."""

    enabled: bool = False
    """Create the CronJob and its PVC."""
    schedule: CronSchedule = "0 2 * * *"
    """Cron schedule."""
    keep: int = Field(default=7, ge=1, le=1000)
    """How many dumps to keep."""
    storage_size: str = Field(default="10Gi", pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")
    """Size of the backup volume."""
    storage_class: str | None = None
    """StorageClass of the backup volume (pick an encrypted one for encryption at rest)."""

    _class = dns_subdomain_validator("storage_class", what="a storage class")


class Pool(Props):
    """An Airflow pool, applied with ``airflow pools import``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,256}$")
    """Pool name."""
    slots: int = Field(ge=-1)
    """Slots (-1: unlimited)."""
    description: str = ""
    """Description shown in the UI."""
    include_deferred: bool = False
    """Count deferred tasks against the pool's slots."""


class DbClean(Construct):
    """CronJob ``<release>-db-clean`` running ``airflow db clean --clean-before-timestamp <now - N days> --yes``."""

    component = "db-clean"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, props: DbCleanProps) -> None:
        super().__init__(scope, id)
        self.name = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        service_account(self, "service-account", name=self.name, labels=labels)
        main = runtime.airflow_container("db-clean", [], resources=props.resources, direct_db=True)
        # The cutoff is computed when the job runs, so the manifest stays the same every day.
        main["command"] = [
            "bash",
            "-c",
            (
                f'cutoff="$(date -u -d "{props.retention_days} days ago" +%Y-%m-%dT%H:%M:%S+00:00)" && '
                'exec airflow db clean --clean-before-timestamp "$cutoff" --yes --skip-archive'
            ),
        ]
        main.pop("args", None)
        template = runtime.pod_template(
            self.component,
            containers=[main],
            options=runtime.props.pod_defaults.options(),
            service_account=self.name,
            restart_policy="Never",
        )
        self.cron_job = cron_job(
            self, "cronjob", name=self.name, labels=labels, schedule=props.schedule, template=template
        )


class PostgresBackup(Construct):
    """CronJob ``<release>-postgres-backup`` writing ``pg_dump -Fc`` files to its own PVC (``pod_options``:
    where its pods run; default none)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        instance: str,
        labels: dict[str, str],
        database: DatabaseConnection,
        postgres: EmbeddedPostgres,
        props: PostgresBackupProps,
        image_pull_secrets: list[str],
        pod_options: PodOptions | None = None,
    ) -> None:
        super().__init__(scope, id)
        assert database.password is not None
        self.name = f"{instance}-postgres-backup"
        api_object(
            self,
            "claim",
            api_version="v1",
            kind="PersistentVolumeClaim",
            name=self.name,
            labels=labels,
            body={"spec": claim_spec(props.storage_size, props.storage_class)},
        )
        service_account(self, "service-account", name=self.name, labels=labels)
        main = _pg_dump(database, postgres, props)
        template = pod_template(
            labels=labels,
            annotations={},
            service_account=self.name,
            automount_token=False,
            containers=[main],
            security=PodSecurity(run_as_user=POSTGRES_UID, run_as_group=POSTGRES_UID, fs_group=POSTGRES_UID),
            options=pod_options or PodOptions(),
            image_pull_secrets=image_pull_secrets,
            restart_policy="Never",
            volumes=[
                {"name": "backups", "persistentVolumeClaim": {"claimName": self.name}},
                empty_dir("tmp", "64Mi"),
                *database.volumes,
            ],
        )
        self.cron_job = cron_job(
            self, "cronjob", name=self.name, labels=labels, schedule=props.schedule, template=template
        )


POOLS_CHECKSUM = "airflow-constructs.io/pools-checksum"
"""Pod-template annotation: a change to the pools changes the pools Job's template, so its name."""


class Pools(Construct):
    """ConfigMap with ``pools.json`` and a Job ``<release>-pools-<hash>`` that imports it (idempotent:
    import creates or updates each pool). A change to the pools gives a new Job name, so it re-runs."""

    component = "pools"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, pools: list[Pool]) -> None:
        super().__init__(scope, id)
        base = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        document = {
            p.name: {"description": p.description, "include_deferred": p.include_deferred, "slots": p.slots}
            for p in sorted(pools, key=lambda p: p.name)
        }
        text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        config_map(self, "config", name=base, labels=labels, data={"pools.json": text})
        service_account(self, "service-account", name=base, labels=labels)
        folder = f"{AIRFLOW_HOME}/pools"
        main = runtime.airflow_container(
            "import-pools",
            ["pools", "import", f"{folder}/pools.json"],
            resources=INIT_RESOURCES,
            extra_mounts=[{"mountPath": folder, "name": "pools", "readOnly": True}],
        )
        template = runtime.job_pod_template(
            self.component, main, base, [{"configMap": {"name": base}, "name": "pools"}]
        )
        template["metadata"]["annotations"][POOLS_CHECKSUM] = short_hash(text, length=64)
        self.job = runtime.one_shot_job(self, base, labels, template)


def _pg_dump(database: DatabaseConnection, postgres: EmbeddedPostgres, props: PostgresBackupProps) -> dict[str, Any]:
    """The container dumping the database to a new file and keeping the newest ``props.keep``.

    pg_dump writes ``<file>.partial``, renamed to ``<file>.dump`` only when it succeeded. When it fails
    the script exits with its code (a failed Job), the partial file is removed (the trap) and no older
    dump is pruned. ``pg_dump`` is a plain command under ``set -e``: in ``pg_dump && mv`` a failure
    would not end the script."""
    assert database.password is not None
    script = (
        'set -eu; f="/backups/airflow-$(date -u +%Y%m%dT%H%M%SZ).dump"; '
        """trap 'rm -f -- "$f.partial"' EXIT; """
        f"pg_dump --host={database.host} --port={database.port} --username={database.user} "
        f'--dbname={database.name} --format=custom --file="$f.partial"; mv -- "$f.partial" "$f"; '
        f"ls -1t /backups/*.dump | tail -n +{props.keep + 1} | xargs -r rm --"
    )
    tls_env = []
    if database.tls_mode is not None:
        tls_env = [{"name": "PGSSLMODE", "value": database.tls_mode}]
    if database.ca_file is not None:
        tls_env.append({"name": "PGSSLROOTCERT", "value": database.ca_file})
    return container(
        "pg-dump",
        postgres.image.ref,
        postgres.image.pull_policy,
        resources=JOB_RESOURCES,
        command=["bash", "-c", script],
        env=[database.password.env("PGPASSWORD"), *tls_env],
        volume_mounts=[
            {"mountPath": "/backups", "name": "backups"},
            {"mountPath": "/tmp", "name": "tmp"},
            *database.mounts,
        ],
    )


class FernetKeyRotation(Construct):
    """Job ``<release>-rotate-fernet-key-<hash>`` re-encrypting every connection and variable with the
    newest Fernet key (``airflow rotate-fernet-key``), while ``[core] fernet_key`` holds ``new,old``.

    The pod reads every key of the set, so the Job's name (the hash of its spec) changes with the key
    set: each new set rotates once; re-applying the same set changes nothing.
    """

    component = "rotate-fernet-key"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime) -> None:
        super().__init__(scope, id)
        base, labels = job_account(self, runtime, self.component)
        main = runtime.airflow_container(self.component, ["rotate-fernet-key"], resources=JOB_RESOURCES)
        template = runtime.job_pod_template(self.component, main, base)
        self.job = runtime.one_shot_job(self, base, labels, template)


def declare_flows(pods: ReleasePods, database: tuple[str, tuple[int, ...]]) -> list[Connection]:
    """The backup CronJob resolves and dumps the metadata database ``database`` (see ``database_endpoint``)."""
    return [*dns_lookups(pods.backup), *database_client_flows(pods.backup, database, "pg_dump")]
