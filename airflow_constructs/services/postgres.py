"""The embedded PostgreSQL (``EmbeddedPostgres``): a one-pod StatefulSet with its claim, for trials.

Its password comes from a Secret (generated in-cluster by default); with ``tls`` it serves TLS only
over the network, with a sidecar that reloads the certificate, and its clients verify it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdk8s import ApiObject

from ..core.kube import config_map
from ..core.network_flow import Connection
from ..core.pod import container, empty_dir
from ..core.tls import SERVER_MOUNT, SERVER_TLS_DIR, reloader, server_volume
from .database import (
    CONN_ENV,
    PASSWORD_ENV,
    POSTGRES_PORT,
    POSTGRES_UID,
    DatabaseConnection,
    EmbeddedPostgres,
    verify_full_client,
)
from .embedded import EmbeddedService, claim_spec

PG_HBA_TLS = """\
# Written by airflow-constructs: TLS only over the network; the pod's own socket for its init scripts.
local   all  all       trust
hostssl all  all  all  scram-sha-256
"""
HBA_DIR = "/etc/postgresql/hba"
PROBE = ["pg_isready", "--host=127.0.0.1", f"--port={POSTGRES_PORT}", "--username=airflow", "--dbname=airflow"]
RUN_MOUNT = {"mountPath": "/var/run/postgresql", "name": "run"}


class Postgres(EmbeddedService[EmbeddedPostgres]):
    """The embedded PostgreSQL: ServiceAccount, headless Service and a one-pod StatefulSet."""

    component = "postgres"
    props_class = EmbeddedPostgres

    def _compose(self, p: EmbeddedPostgres) -> None:
        self._serve("postgres", POSTGRES_PORT, p.password)
        mounts: list[dict[str, Any]] = [
            {"mountPath": "/var/lib/postgresql/data", "name": "data"},
            RUN_MOUNT,
            {"mountPath": "/tmp", "name": "tmp"},
        ]
        volumes = [empty_dir("run", "16Mi"), empty_dir("tmp", "256Mi")]
        self.certificate: ApiObject | None = None
        args = self._tls(p, mounts, volumes) if p.tls is not None else []
        containers = [self._postgres(p, args, mounts)]
        if p.tls is not None:
            # Over the pod's own socket (``local trust``): the superuser re-reads the certificate files.
            reload = "psql -h /var/run/postgresql -U airflow -d airflow -qAtc 'select pg_reload_conf()' >/dev/null"
            containers.append(reloader(p.image.ref, p.image.pull_policy, reload, mounts=[RUN_MOUNT], env=[]))
        template = self._service_pod(
            containers, options=p.pod, uid=POSTGRES_UID, volumes=volumes, termination_grace_period=60
        )
        self.workload = self._statefulset(template, claim_spec(p.storage_size, p.storage_class))
        self.connection = self._client_connection(p)

    def _tls(self, p: EmbeddedPostgres, mounts: list[dict[str, Any]], volumes: list[dict[str, Any]]) -> list[str]:
        """The pg_hba ConfigMap and the certificate; adds their mounts and volumes, returns the server args."""
        assert p.tls is not None
        mounts += [SERVER_MOUNT, {"mountPath": HBA_DIR, "name": "hba", "readOnly": True}]
        volumes += [server_volume(p.tls), {"configMap": {"name": self.name}, "name": "hba"}]
        config_map(self, "hba", name=self.name, labels=self.labels, data={"pg_hba.conf": PG_HBA_TLS})
        self.certificate = self._certificate(p.tls)
        # The image's entrypoint passes these to both its init-time server and the real one.
        return [
            "postgres",
            *("-c", "ssl=on"),
            *("-c", f"ssl_cert_file={SERVER_TLS_DIR}/tls.crt"),
            *("-c", f"ssl_key_file={SERVER_TLS_DIR}/tls.key"),
            *("-c", f"hba_file={HBA_DIR}/pg_hba.conf"),
        ]

    def _postgres(self, p: EmbeddedPostgres, args: list[str], mounts: list[dict[str, Any]]) -> dict[str, Any]:
        """The PostgreSQL container, probed with ``pg_isready``."""
        return container(
            "postgres",
            p.image.ref,
            p.image.pull_policy,
            resources=p.resources,
            args=args or None,
            env=[
                {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                {"name": "POSTGRES_DB", "value": "airflow"},
                self.password.env("POSTGRES_PASSWORD"),
                {"name": "POSTGRES_USER", "value": "airflow"},
            ],
            ports=[{"containerPort": POSTGRES_PORT, "name": "postgres", "protocol": "TCP"}],
            probes={
                "livenessProbe": {
                    "exec": {"command": PROBE},
                    "failureThreshold": 6,
                    "periodSeconds": 20,
                    "timeoutSeconds": 5,
                },
                "readinessProbe": {"exec": {"command": PROBE}, "periodSeconds": 5, "timeoutSeconds": 5},
                "startupProbe": {
                    "exec": {"command": PROBE},
                    "failureThreshold": 60,
                    "periodSeconds": 5,
                    "timeoutSeconds": 5,
                },
            },
            volume_mounts=mounts,
        )

    def _client_connection(self, p: EmbeddedPostgres) -> DatabaseConnection:
        """How Airflow reaches this database: the URL from the password Secret, verified TLS with ``tls``."""
        password = self.password
        url = f"postgresql+psycopg2://airflow:$({PASSWORD_ENV})@{self.host}:{POSTGRES_PORT}/airflow"
        tls = verify_full_client(p.tls.secret) if p.tls else None
        return DatabaseConnection(
            env=[password.env(PASSWORD_ENV), {"name": CONN_ENV, "value": url + (tls.query if tls else "")}],
            host=self.host,
            port=POSTGRES_PORT,
            generated=self.generated,
            user="airflow",
            name="airflow",
            password=password,
            embedded=True,
            tls=tls,
        )


def declare_flows(postgres: Sequence[str], keda_scaled: bool) -> list[Connection]:
    """KEDA's PostgreSQL scaler queries the embedded PostgreSQL ``postgres`` (a pod name, if any) when a
    workload is scaled by KEDA; the peer ``keda`` is where ``network_policies.keda`` says it is."""
    if not (postgres and keda_scaled):
        return []
    return [Connection("keda", postgres[0], (POSTGRES_PORT,), "KEDA's PostgreSQL scaler counts queued tasks")]
