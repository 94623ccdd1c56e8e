"""PgBouncer: a connection pooler between Airflow and PostgreSQL (recommended with an external database).

Airflow opens many short-lived connections (every task, every scheduler loop); PgBouncer keeps a
small pool of server connections instead. Its config holds no secret: an init container writes the
auth file from the Secret-backed password inside the pod. The migration Job connects directly.
With ``tls``, PgBouncer accepts TLS connections only and Airflow verifies its certificate; it talks
to the database with the database's own TLS settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from cdk8s import ApiObject
from constructs import Construct
from pydantic import Field, model_validator

from ..core.image import Image
from ..core.kube import CONFIG_CHECKSUM, config_map, service, short_hash, surge_one
from ..core.network_flow import Connection, Declared, Outside, dns_lookups
from ..core.network_peer import NetworkPeer
from ..core.pod import container, empty_dir
from ..core.resources import Resources
from ..core.tls import (
    RELOAD_EVERY_SECONDS,
    SERVER_MOUNT,
    SERVER_TLS_DIR,
    ServiceTls,
    server_volume,
)
from ..core.workload import ComponentProps, availability
from .database import (
    CONN_ENV,
    PASSWORD_ENV,
    TLS_DIR,
    DatabaseConnection,
    database_client_flows,
    verify_full_client,
)
from .release_service import Release, ReleaseService

PGBOUNCER_PORT = 6432
CLIENT_TLS_DIR = "/opt/airflow/pgbouncer-tls"
DB_TLS_DIR = "/etc/pgbouncer-tls"
"""Where PgBouncer finds the database's TLS files (CA, client certificate)."""
EXPORTER_PORT = 9127
PGBOUNCER_UID = 65534
"""PgBouncer runs as ``nobody``: it needs no file of its own beyond its config."""


class PgBouncerProps(ComponentProps):
    """Options of PgBouncer."""

    enabled: bool = False
    """Deploy PgBouncer and connect Airflow through it (PostgreSQL only)."""
    image: Image = Image(repository="apache/airflow", tag="airflow-pgbouncer-2025.03.05-1.23.1")
    """PgBouncer image (the one the Apache Airflow project publishes)."""
    pool_mode: Literal["transaction", "session"] = "transaction"
    """``transaction`` shares server connections between clients between transactions."""
    max_client_conn: int = Field(default=1000, ge=10, le=100000)
    """Client connections PgBouncer accepts."""
    default_pool_size: int = Field(default=20, ge=1, le=10000)
    """Server connections per database/user pair."""
    max_db_connections: int = Field(default=50, ge=1, le=10000)
    """Upper bound on server connections to the database."""
    resources: Resources = Resources(cpu_request="50m", memory_request="64Mi", cpu_limit="500m", memory_limit="256Mi")
    """Requests and limits of the PgBouncer container."""
    metrics_exporter: bool = False
    """Add a Prometheus exporter sidecar (port 9127)."""
    exporter_image: Image = Image(repository="apache/airflow", tag="airflow-pgbouncer-exporter-2025.03.05-0.18.0")
    """Exporter image."""
    tls: ServiceTls | None = None
    """Accept TLS connections only (``client_tls_sslmode = require``); Airflow connects with
    ``verify-full`` against the Secret's ``ca.crt``, and PgBouncer loads a renewed certificate."""

    @model_validator(mode="after")
    def _tls_needs_pgbouncer(self) -> PgBouncerProps:
        if self.tls is not None and not self.enabled:
            raise ValueError("tls is set but enabled is false: TLS is served by the PgBouncer it would deploy")
        return self


def _serve_and_reload(watched: list[str]) -> str:
    """PgBouncer as a child of a small shell that sends it SIGHUP (PgBouncer's reload, which
    re-reads its TLS files) when one of the ``watched`` files changes, and passes on Kubernetes'
    SIGTERM as if PgBouncer were the container's own process. If PgBouncer dies, its liveness
    probe fails and the container restarts."""
    files = " ".join(watched)
    return (
        "pgbouncer /etc/pgbouncer/pgbouncer.ini & pid=$!; stop=; trap 'stop=1; kill -TERM $pid' TERM; "
        f'last="$(cat {files} | cksum)"; '
        'while [ -z "$stop" ] && kill -0 "$pid" 2>/dev/null; do '
        f"sleep {RELOAD_EVERY_SECONDS} & wait $!; "
        f'now="$(cat {files} | cksum)"; '
        'if [ -z "$stop" ] && [ "$now" != "$last" ]; then kill -HUP "$pid" && last="$now"; fi; done; '
        'wait "$pid"'
    )


class PgBouncer(ReleaseService[PgBouncerProps]):
    """ConfigMap, ServiceAccount, Service and Deployment of PgBouncer in front of ``database``.

    ``connection`` is what Airflow components use instead of the direct one.
    """

    component = "pgbouncer"
    props_class = PgBouncerProps

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        release: Release,
        database: DatabaseConnection,
        props: PgBouncerProps | None = None,
        **kwargs: Any,
    ) -> None:
        """``database``: the connection PgBouncer pools, with its host, user, name and password."""
        assert database.host and database.user and database.name and database.password
        self.database = database
        super().__init__(scope, id, release=release, props=props, **kwargs)

    def _compose(self, p: PgBouncerProps) -> None:
        database, labels, selector = self.database, self.labels, self.selector
        ini = _ini(p, database)
        self.config_map = config_map(self, "config", name=self.name, labels=labels, data={"pgbouncer.ini": ini})
        self._service_account()
        ports = [{"name": "pgbouncer", "port": PGBOUNCER_PORT, "protocol": "TCP", "targetPort": "pgbouncer"}]
        if p.metrics_exporter:
            ports.append({"name": "metrics", "port": EXPORTER_PORT, "protocol": "TCP", "targetPort": "metrics"})
        self.service = service(
            self, name=self.name, labels=labels, spec={"ports": ports, "selector": selector, "type": "ClusterIP"}
        )
        template = availability(p, self._pgbouncer_pod(p, database, ini), selector)
        self.workload = self._deployment(p.replicas, template, surge_one())
        if p.disruption_budget:
            self._pod_disruption_budget()
        self.connection = self._client_connection(p, database)

    def _pgbouncer_pod(self, p: PgBouncerProps, database: DatabaseConnection, ini: str) -> dict[str, Any]:
        """The pod: an init container writing the auth file, PgBouncer, and its exporter if wanted."""
        assert database.user and database.password
        password_env = database.password.env("DB_PASSWORD")
        # The password reaches the auth file inside the pod only; printf keeps it off the command line.
        write_auth = 'umask 077 && printf \'"%s" "%s"\\n\' "$DB_USER" "$DB_PASSWORD" > /etc/pgbouncer-auth/users.txt'
        init = container(
            "write-auth-file",
            p.image.ref,
            p.image.pull_policy,
            resources=p.resources,
            command=["sh", "-c", write_auth],
            env=[{"name": "DB_USER", "value": database.user}, password_env],
            volume_mounts=[{"mountPath": "/etc/pgbouncer-auth", "name": "auth"}],
        )
        containers = [_pgbouncer(p, database)]
        if p.metrics_exporter:
            containers.append(_exporter(p, database.user, password_env))
        return self._service_pod(
            containers,
            annotations={CONFIG_CHECKSUM: short_hash(ini, length=64)},
            init_containers=[init],
            uid=PGBOUNCER_UID,
            options=p.pod,
            termination_grace_period=30,
            volumes=[
                {"configMap": {"name": self.name}, "name": "config"},
                empty_dir("auth", "1Mi"),
                empty_dir("tmp", "16Mi"),
                *database.volumes,
                *([server_volume(p.tls)] if p.tls else []),
            ],
        )

    def _client_connection(self, p: PgBouncerProps, database: DatabaseConnection) -> DatabaseConnection:
        """What Airflow components use instead of the direct connection (and PgBouncer's certificate)."""
        assert database.password
        host = self.host
        url = f"postgresql+psycopg2://{database.user}:$({PASSWORD_ENV})@{host}:{PGBOUNCER_PORT}/{database.name}"
        self.certificate: ApiObject | None = None
        tls = None
        if p.tls is not None:
            tls = verify_full_client(p.tls.secret, volume="pgbouncer-tls", directory=CLIENT_TLS_DIR)
            self.certificate = self._certificate(p.tls)
        return DatabaseConnection(
            env=[database.password.env(PASSWORD_ENV), {"name": CONN_ENV, "value": url + (tls.query if tls else "")}],
            host=host,
            port=PGBOUNCER_PORT,
            user=database.user,
            name=database.name,
            password=database.password,
            dialect="postgresql",
            tls=tls,
        )


def _ini(p: PgBouncerProps, database: DatabaseConnection) -> str:
    """``pgbouncer.ini``: one database, SCRAM auth from the auth file, TLS on either side when set."""
    server_tls = database.tls_mode or ("disable" if database.embedded else "prefer")
    return "\n".join(
        [
            "[databases]",
            f"{database.name} = host={database.host} port={database.port} dbname={database.name}",
            "",
            "[pgbouncer]",
            "auth_file = /etc/pgbouncer-auth/users.txt",
            "auth_type = scram-sha-256",
            *(
                [
                    f"client_tls_cert_file = {SERVER_TLS_DIR}/tls.crt",
                    f"client_tls_key_file = {SERVER_TLS_DIR}/tls.key",
                    "client_tls_sslmode = require",
                ]
                if p.tls
                else []
            ),
            f"default_pool_size = {p.default_pool_size}",
            "ignore_startup_parameters = extra_float_digits",
            "listen_addr = *",
            f"listen_port = {PGBOUNCER_PORT}",
            f"max_client_conn = {p.max_client_conn}",
            f"max_db_connections = {p.max_db_connections}",
            f"pool_mode = {p.pool_mode}",
            f"server_tls_sslmode = {server_tls}",
            *([f"server_tls_ca_file = {DB_TLS_DIR}/ca.crt"] if database.ca_file is not None else []),
            *(
                [f"server_tls_cert_file = {DB_TLS_DIR}/tls.crt", f"server_tls_key_file = {DB_TLS_DIR}/tls.key"]
                if database.client_cert_files is not None
                else []
            ),
            f"stats_users = {database.user}",
            "unix_socket_dir =",
            "",
        ]
    )


def _pgbouncer(p: PgBouncerProps, database: DatabaseConnection) -> dict[str, Any]:
    """The PgBouncer container; reloaded (SIGHUP) when a TLS file behind it changes."""
    tls_mounts = [{**m, "mountPath": m["mountPath"].replace(TLS_DIR, DB_TLS_DIR)} for m in database.mounts]
    # PgBouncer reads its TLS files at start and on SIGHUP: reload when a Secret behind them changes.
    watched = [f"{SERVER_TLS_DIR}/{name}" for name in ("ca.crt", "tls.crt", "tls.key")] if p.tls else []
    if database.ca_file is not None:
        watched.append(f"{DB_TLS_DIR}/ca.crt")
    if database.client_cert_files is not None:
        watched += [f"{DB_TLS_DIR}/tls.crt", f"{DB_TLS_DIR}/tls.key"]
    serve = ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
    tcp = {"tcpSocket": {"port": "pgbouncer"}}
    return container(
        "pgbouncer",
        p.image.ref,
        p.image.pull_policy,
        resources=p.resources,
        command=["sh", "-c", _serve_and_reload(watched)] if watched else serve,
        ports=[{"containerPort": PGBOUNCER_PORT, "name": "pgbouncer", "protocol": "TCP"}],
        probes={
            "livenessProbe": {**tcp, "periodSeconds": 20, "timeoutSeconds": 5},
            "readinessProbe": {**tcp, "periodSeconds": 10, "timeoutSeconds": 5},
        },
        volume_mounts=[
            {"mountPath": "/etc/pgbouncer", "name": "config", "readOnly": True},
            {"mountPath": "/etc/pgbouncer-auth", "name": "auth", "readOnly": True},
            {"mountPath": "/tmp", "name": "tmp"},
            *tls_mounts,
            *([SERVER_MOUNT] if p.tls else []),
        ],
    )


def _exporter(p: PgBouncerProps, user: str, password_env: dict[str, Any]) -> dict[str, Any]:
    """The Prometheus exporter sidecar, reading PgBouncer's stats over the pod's loopback."""
    return container(
        "metrics-exporter",
        p.exporter_image.ref,
        p.exporter_image.pull_policy,
        resources=Resources(cpu_request="10m", memory_request="32Mi", cpu_limit="100m", memory_limit="64Mi"),
        env=[
            password_env,
            {
                "name": "DATABASE_URL",
                # Loopback inside the pod: encrypted when PgBouncer requires TLS, not verified.
                "value": f"postgresql://{user}:$(DB_PASSWORD)@127.0.0.1:{PGBOUNCER_PORT}/pgbouncer"
                f"?sslmode={'require' if p.tls else 'disable'}",
            },
        ],
        ports=[{"containerPort": EXPORTER_PORT, "name": "metrics", "protocol": "TCP"}],
    )


def declare_flows(
    pod: str, props: PgBouncerProps, database: tuple[str, tuple[int, ...]], prometheus: Sequence[NetworkPeer]
) -> list[Declared]:
    """PgBouncer's own flows: DNS, its server connections to ``database``, Prometheus scraping its exporter.

    Its clients (the Airflow processes) declare their side (``runtime.airflow_runtime``).
    """
    out: list[Declared] = [
        *dns_lookups([pod]),
        *database_client_flows([pod], database, "PgBouncer's server connections"),
    ]
    if props.metrics_exporter:
        out += [
            Outside("prometheus", tuple(prometheus)),
            Connection("prometheus", pod, (EXPORTER_PORT,), "Prometheus scrapes metrics"),
        ]
    return out
