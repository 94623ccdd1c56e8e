"""The metadata database: an embedded PostgreSQL for trials, or an external one from Secrets.

Either way the result is a ``DatabaseConnection``: the env vars that give every Airflow process
``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` without a password in the manifests (Kubernetes expands
``$(VAR)`` references from earlier env vars read from Secrets).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..core.image import Image
from ..core.network_flow import Connection
from ..core.pod import PodOptions, SecretRef
from ..core.props import Props
from ..core.resources import Resources
from ..core.secrets import EnvConnection
from ..core.tls import ServiceTls
from ..core.validators import dns_subdomain_validator

PASSWORD_ENV = "AIRFLOW_DB_PASSWORD"
CONN_ENV = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
POSTGRES_PORT = 5432
MYSQL_PORT = 3306
POSTGRES_UID = 999
"""UID and GID of the ``postgres`` user in the official Debian-based postgres image."""


@dataclass(frozen=True)
class ClientTls:
    """How a client connects with TLS: its URL options and the files it mounts (``tls_client``)."""

    mode: str
    """libpq ``sslmode`` (for MySQL, the ``ssl_mode`` it maps to)."""
    query: str
    """``?sslmode=...`` and the file options, for the end of the URL."""
    volumes: list[dict[str, Any]]
    """The volume holding the files (none when there is no file)."""
    mounts: list[dict[str, Any]]
    """Its mount."""
    ca_file: str | None
    """Path of the CA certificate the server is verified with, when there is one."""
    client_cert_files: tuple[str, str] | None
    """Paths of the client certificate and its key, when the client presents one."""


@dataclass(frozen=True)
class DatabaseConnection(EnvConnection):
    """How Airflow processes reach the metadata database; ``env`` ends with the SQLAlchemy URL."""

    user: str | None = None
    """User name, when known (not when the URL comes whole from a Secret)."""
    name: str | None = None
    """Database name, when known."""
    password: SecretRef | None = None
    """Secret key of the password, when known."""
    embedded: bool = False
    """True for the embedded PostgreSQL of the release."""
    dialect: str = "postgresql"
    """``postgresql`` or ``mysql``."""
    tls: ClientTls | None = None
    """TLS of the connection, when configured."""

    @property
    def volumes(self) -> list[dict[str, Any]]:
        """Volumes every Airflow pod needs to connect (TLS files)."""
        return self.tls.volumes if self.tls else []

    @property
    def mounts(self) -> list[dict[str, Any]]:
        """Mounts of those volumes in every Airflow container."""
        return self.tls.mounts if self.tls else []

    @property
    def tls_mode(self) -> str | None:
        return self.tls.mode if self.tls else None

    @property
    def ca_file(self) -> str | None:
        return self.tls.ca_file if self.tls else None

    @property
    def client_cert_files(self) -> tuple[str, str] | None:
        return self.tls.client_cert_files if self.tls else None

    @property
    def has_parts(self) -> bool:
        """True when host, user, database and password are known separately (KEDA needs them)."""
        return None not in (self.host, self.user, self.name, self.password)


_K8S_STORAGE = r"^[0-9]+(Mi|Gi|Ti)$"


class EmbeddedPostgres(Props):
    """A single PostgreSQL pod (StatefulSet + PVC) inside the release: for trials and small installs.

    It has no replication, no backups and no tuning; production installs use ``ExternalDatabase``
    (a managed PostgreSQL service or an operator-run cluster).
    """

    kind: Literal["embedded-postgres"] = "embedded-postgres"
    """Discriminator for the ``database`` choice."""
    image: Image = Image(repository="postgres", tag="17.6-bookworm")
    """PostgreSQL image (official Debian-based image; runs as its ``postgres`` user, UID 999)."""
    storage_size: str = "8Gi"
    """Size of the data volume."""
    storage_class: str | None = None
    """StorageClass of the data volume (None: the cluster default). Pick an encrypted class for
    encryption at rest."""
    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of the PostgreSQL container."""
    password: SecretRef | None = None
    """Password of the ``airflow`` role; None: generated in-cluster into ``<name>-generated``."""
    tls: ServiceTls | None = None
    """Serve TLS only (``hostssl`` in ``pg_hba.conf``); every client connects with ``verify-full``."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the PostgreSQL pod."""

    @field_validator("storage_size")
    @classmethod
    def _storage_size(cls, value: str) -> str:
        if not re.match(_K8S_STORAGE, value) or int(re.sub(r"\D", "", value)) == 0:
            raise ValueError("expected a positive size in Mi, Gi or Ti, such as '8Gi'")
        return value

    _storage_class = dns_subdomain_validator("storage_class", what="storage_class")


TLS_DIR = "/opt/airflow/db-tls"


class DatabaseTls(Props):
    """TLS to an external database: the server's CA, and optionally a client certificate."""

    mode: Literal["require", "verify-ca", "verify-full"] | None = None
    """``require`` encrypts only; ``verify-ca`` also checks the CA; ``verify-full`` also checks the host
    name. Default: ``verify-full`` when ``ca`` is given, else ``require``."""
    ca: SecretRef | None = None
    """Secret key holding the CA certificate (PEM) that signed the server's certificate."""
    client_cert: SecretRef | None = None
    """Secret key holding a client certificate (PEM), for certificate authentication."""
    client_key: SecretRef | None = None
    """Secret key holding the client certificate's private key (PEM)."""

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseTls:
        if self.mode in ("verify-ca", "verify-full") and self.ca is None:
            raise ValueError(f"mode {self.mode!r} verifies the server against a CA: set ca")
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("client_cert and client_key go together: set both or neither")
        return self

    @property
    def effective_mode(self) -> str:
        return self.mode or ("verify-full" if self.ca is not None else "require")

    def files(self) -> list[tuple[str, SecretRef]]:
        """(file name, source) of each file mounted under ``/opt/airflow/db-tls``."""
        return [
            (n, r)
            for n, r in (("ca.crt", self.ca), ("tls.crt", self.client_cert), ("tls.key", self.client_key))
            if r is not None
        ]


class ExternalDatabase(Props):
    """A PostgreSQL (or MySQL 8) database outside the release.

    Give either ``url`` (a Secret key holding the full SQLAlchemy URL), or ``host``, ``user``,
    ``database`` and ``password`` (a Secret key), from which the URL is assembled in the pod. In the
    second form the password must be URL-safe (letters, digits, ``-._~``); otherwise use ``url``.
    """

    kind: Literal["external"] = "external"
    """Discriminator for the ``database`` choice."""
    dialect: Literal["postgresql", "mysql"] = "postgresql"
    """``postgresql`` (recommended) or ``mysql`` (MySQL 8)."""
    url: SecretRef | None = None
    """Secret key with the whole URL, e.g. ``postgresql+psycopg2://user:pw@host:5432/airflow``."""
    host: str | None = None
    """Database host name."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Database port (default 5432 for PostgreSQL, 3306 for MySQL)."""
    user: str | None = None
    """Database user."""
    database: str | None = None
    """Database name."""
    password: SecretRef | None = None
    """Secret key with the user's password."""
    tls: DatabaseTls | None = None
    """TLS to the database (with host/user/database/password; a ``url`` carries its own TLS options)."""

    @model_validator(mode="after")
    def _one_form(self) -> ExternalDatabase:
        parts = {n: getattr(self, n) for n in ("host", "user", "database", "password")}
        given = sorted(n for n, v in parts.items() if v is not None)
        if self.url is not None and given:
            raise ValueError(
                f"url is set together with {', '.join(given)}: give either url, or host, user, database and password"
            )
        if self.url is None and len(given) != len(parts):
            missing = sorted(set(parts) - set(given))
            raise ValueError(
                f"missing {', '.join(missing)}: give either url, or all of host, user, database and password"
            )
        if self.url is not None and self.tls is not None:
            raise ValueError("tls is set together with url: put the TLS options in the URL, or give the parts")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (POSTGRES_PORT if self.dialect == "postgresql" else MYSQL_PORT)

    def connection(self) -> DatabaseConnection:
        """The env vars (and TLS files) that connect Airflow to this database."""
        port = self.effective_port
        if self.url is not None:
            return DatabaseConnection(env=[self.url.env(CONN_ENV)], host=None, port=port, dialect=self.dialect)
        assert self.password is not None
        scheme = "postgresql+psycopg2" if self.dialect == "postgresql" else "mysql+mysqldb"
        url = f"{scheme}://{self.user}:$({PASSWORD_ENV})@{self.host}:{port}/{self.database}"
        tls = tls_client(self.dialect, self.tls) if self.tls else None
        return DatabaseConnection(
            env=[self.password.env(PASSWORD_ENV), {"name": CONN_ENV, "value": url + (tls.query if tls else "")}],
            host=self.host,
            port=port,
            user=self.user,
            name=self.database,
            password=self.password,
            dialect=self.dialect,
            tls=tls,
        )


def tls_client(dialect: str, tls: DatabaseTls, *, volume: str = "db-tls", directory: str = TLS_DIR) -> ClientTls:
    """How a client connects with ``tls``: its files in ``directory``, from the volume named ``volume``."""
    files = tls.files()
    if dialect == "postgresql":
        query = [("sslmode", tls.effective_mode)]
        names = {"ca.crt": "sslrootcert", "tls.crt": "sslcert", "tls.key": "sslkey"}
    else:
        mysql_modes = {"require": "REQUIRED", "verify-ca": "VERIFY_CA", "verify-full": "VERIFY_IDENTITY"}
        query = [("ssl_mode", mysql_modes[tls.effective_mode])]
        names = {"ca.crt": "ssl_ca", "tls.crt": "ssl_cert", "tls.key": "ssl_key"}
    query += [(names[f], f"{directory}/{f}") for f, _ in files]
    # One projected directory, not subPath mounts: Kubernetes refreshes it when a Secret changes (a
    # renewed client certificate, a rotated CA), and libpq reads the files on every new connection.
    sources = [{"secret": {"items": [{"key": ref.key, "path": name}], "name": ref.name}} for name, ref in files]
    volumes = [{"name": volume, "projected": {"defaultMode": 0o440, "sources": sources}}] if sources else []
    mounts = [{"mountPath": directory, "name": volume, "readOnly": True}] if sources else []
    present = dict(files)
    return ClientTls(
        mode=tls.effective_mode,
        query="?" + "&".join(f"{k}={v}" for k, v in query),
        volumes=volumes,
        mounts=mounts,
        ca_file=f"{directory}/ca.crt" if "ca.crt" in present else None,
        client_cert_files=(f"{directory}/tls.crt", f"{directory}/tls.key") if "tls.crt" in present else None,
    )


def verify_full_client(secret: str, *, volume: str = "db-tls", directory: str = TLS_DIR) -> ClientTls:
    """A PostgreSQL client of a service of the release: ``verify-full`` against ``secret``'s ``ca.crt``."""
    return tls_client(
        "postgresql",
        DatabaseTls(mode="verify-full", ca=SecretRef(secret, "ca.crt")),
        volume=volume,
        directory=directory,
    )


def database_endpoint(postgres: Sequence[str], port: int) -> tuple[str, tuple[int, ...]]:
    """The metadata database as the end of a flow, with its ports: the embedded PostgreSQL's pods, or
    the peer outside the release ``database`` (where ``network_policies.database`` says it is)."""
    return (postgres[0], (POSTGRES_PORT,)) if postgres else ("database", (port,))


def database_client_flows(
    clients: Sequence[str], database: tuple[str, tuple[int, ...]], reason: str
) -> list[Connection]:
    """``clients`` connecting to the metadata database ``database`` (see ``database_endpoint``)."""
    name, ports = database
    return [Connection(client, name, ports, reason) for client in clients]
