"""The embedded Redis that brokers Celery messages: a one-pod StatefulSet, password from a Secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cdk8s import ApiObject
from pydantic import Field

from ..core.image import Image
from ..core.network_flow import Connection, connect
from ..core.pod import PodOptions, SecretRef, container, empty_dir
from ..core.props import Props
from ..core.resources import Resources
from ..core.secrets import EnvConnection
from ..core.tls import SERVER_MOUNT, SERVER_TLS_DIR, ServiceTls, ca_volume, reloader, server_volume
from .embedded import EmbeddedService, claim_spec

REDIS_PORT = 6379
REDIS_UID = 999
"""UID and GID of the ``redis`` user in the official Debian-based redis image."""
BROKER_ENV = "AIRFLOW__CELERY__BROKER_URL"
PASSWORD_ENV = "REDIS_PASSWORD"
CLIENT_TLS_DIR = "/opt/airflow/broker-tls"


class EmbeddedRedis(Props):
    """A single Redis pod inside the release as the Celery broker (StatefulSet, optional PVC)."""

    kind: Literal["embedded-redis"] = "embedded-redis"
    """Discriminator for the ``broker`` choice."""
    image: Image = Image(repository="redis", tag="7.4.2-bookworm")
    """Redis image (official Debian-based image; runs as its ``redis`` user, UID 999)."""
    persistence: bool = False
    """Keep Redis data on a PVC (the broker holds only queued messages; they can be re-sent)."""
    storage_size: str = Field(default="1Gi", pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")
    """Size of the data volume when ``persistence`` is on."""
    storage_class: str | None = None
    """StorageClass of the data volume (None: the cluster default)."""
    resources: Resources = Resources(cpu_request="100m", memory_request="128Mi", cpu_limit="500m", memory_limit="512Mi")
    """Requests and limits of the Redis container."""
    password: SecretRef | None = None
    """Password Redis requires; None: generated in-cluster into ``<name>-generated``."""
    tls: ServiceTls | None = None
    """Serve TLS only (``rediss://``); Airflow's Celery clients verify the certificate."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the Redis pod."""


class ExternalBroker(Props):
    """A Celery broker outside the release; the URL (with its password) comes from a Secret."""

    kind: Literal["external"] = "external"
    """Discriminator for the ``broker`` choice."""
    url: SecretRef
    """Secret key holding the broker URL, e.g. ``rediss://:pw@redis.example.com:6380/0``."""


@dataclass(frozen=True)
class BrokerConnection(EnvConnection):
    """How Airflow processes reach the Celery broker; ``env`` ends with the broker URL."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    """Volumes every Airflow pod needs to connect (the broker's CA)."""
    mounts: list[dict[str, Any]] = field(default_factory=list)
    """Mounts of those volumes in every Airflow container."""


def external_broker(props: ExternalBroker) -> BrokerConnection:
    """The connection to a broker given by a URL in a Secret."""
    return BrokerConnection(env=[props.url.env(BROKER_ENV)], host=None, port=REDIS_PORT)


class Redis(EmbeddedService[EmbeddedRedis]):
    """ServiceAccount, headless Service and a one-pod StatefulSet running ``redis-server``.

    The password reaches Redis as ``--requirepass $(REDIS_PASSWORD)`` (Kubernetes expands it from
    the Secret-backed env var), and Airflow's broker URL is assembled the same way.
    """

    component = "redis"
    props_class = EmbeddedRedis

    def _compose(self, props: EmbeddedRedis) -> None:
        self._serve("redis", REDIS_PORT, props.password)
        password = self.password
        tls = props.tls
        main = _redis(props, password)
        volumes = [empty_dir("tmp", "64Mi"), *([server_volume(tls)] if tls else [])]
        containers = [main]
        if tls is not None:
            # Setting the tls-* options makes Redis load the files again. --insecure: this loopback
            # call must work even when the CA was rotated before the server's certificate is reloaded.
            reload = (
                'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --tls --insecure CONFIG SET '
                f"tls-cert-file {SERVER_TLS_DIR}/tls.crt tls-key-file {SERVER_TLS_DIR}/tls.key "
                f"tls-ca-cert-file {SERVER_TLS_DIR}/ca.crt | grep -q OK"
            )
            env = [password.env(PASSWORD_ENV)]
            containers.append(reloader(props.image.ref, props.image.pull_policy, reload, mounts=[], env=env))
        if not props.persistence:
            volumes.append(empty_dir("data", "1Gi"))
        template = self._service_pod(
            containers, options=props.pod, uid=REDIS_UID, volumes=volumes, termination_grace_period=30
        )
        claim = claim_spec(props.storage_size, props.storage_class) if props.persistence else None
        self.workload = self._statefulset(template, claim)
        self.connection = self._client_connection(props)

    def _client_connection(self, props: EmbeddedRedis) -> BrokerConnection:
        """How Airflow reaches this broker (and, with TLS, the server certificate)."""
        password = self.password
        tls = props.tls
        scheme = "rediss" if tls else "redis"
        url = f"{scheme}://:$({PASSWORD_ENV})@{self.host}:{REDIS_PORT}/0"
        env = [password.env(PASSWORD_ENV), {"name": BROKER_ENV, "value": url}]
        self.certificate: ApiObject | None = None
        if tls is not None:
            # Airflow's Celery settings: verify the server against the CA, no client certificate.
            env += [
                {"name": "AIRFLOW__CELERY__SSL_ACTIVE", "value": "True"},
                {"name": "AIRFLOW__CELERY__SSL_CACERT", "value": f"{CLIENT_TLS_DIR}/ca.crt"},
                {"name": "AIRFLOW__CELERY__SSL_MUTUAL_TLS", "value": "False"},
            ]
            self.certificate = self._certificate(tls)
        return BrokerConnection(
            env=env,
            host=self.host,
            port=REDIS_PORT,
            generated=self.generated,
            volumes=[ca_volume(tls, "broker-tls")] if tls else [],
            mounts=[{"mountPath": CLIENT_TLS_DIR, "name": "broker-tls", "readOnly": True}] if tls else [],
        )


def _redis(props: EmbeddedRedis, password: SecretRef) -> dict[str, Any]:
    """The Redis container: password from env, no persistence unless asked, TLS-only with ``tls``."""
    tls = props.tls
    cli_tls = f" --tls --cacert {SERVER_TLS_DIR}/ca.crt" if tls else ""
    ping = f'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli{cli_tls} ping | grep -q PONG'
    probe = {"exec": {"command": ["sh", "-c", ping]}}
    # With TLS the plain port is closed and clients are not asked for certificates (one-way TLS).
    listen: list[str] = []
    if tls is not None:
        listen = [
            *("--port", "0"),
            *("--tls-port", str(REDIS_PORT)),
            *("--tls-cert-file", f"{SERVER_TLS_DIR}/tls.crt"),
            *("--tls-key-file", f"{SERVER_TLS_DIR}/tls.key"),
            *("--tls-ca-cert-file", f"{SERVER_TLS_DIR}/ca.crt"),
            *("--tls-auth-clients", "no"),
        ]
    return container(
        "redis",
        props.image.ref,
        props.image.pull_policy,
        resources=props.resources,
        command=["redis-server"],
        args=[
            "--requirepass",
            f"$({PASSWORD_ENV})",
            *listen,
            "--dir",
            "/data",
            "--appendonly",
            "yes" if props.persistence else "no",
            "--save",
            "",
        ],
        env=[password.env(PASSWORD_ENV)],
        ports=[{"containerPort": REDIS_PORT, "name": "redis", "protocol": "TCP"}],
        probes={
            "livenessProbe": {**probe, "failureThreshold": 5, "periodSeconds": 20, "timeoutSeconds": 5},
            "readinessProbe": {**probe, "periodSeconds": 5, "timeoutSeconds": 5},
        },
        volume_mounts=[
            {"mountPath": "/data", "name": "data"},
            {"mountPath": "/tmp", "name": "tmp"},
            *([SERVER_MOUNT] if tls else []),
        ],
    )


def declare_flows(users: Sequence[str], redis: Sequence[str]) -> list[Connection]:
    """The Celery broker's clients ``users`` reach the embedded Redis ``redis`` (a pod name, if any),
    else the peer outside the release ``broker`` (where ``network_policies.broker`` says it is)."""
    if redis:
        return connect(users, redis[0], [REDIS_PORT], "Celery broker")
    return connect(users, "broker", [REDIS_PORT], "external Celery broker")
