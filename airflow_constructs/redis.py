"""The embedded Redis that brokers Celery messages: a one-pod StatefulSet, password from a Secret."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from .embedded import EmbeddedService, claim_spec
from .executors import EmbeddedRedis, ExternalBroker
from .pod import container, empty_dir, pod_template
from .secrets import GeneratedKey
from .security import PodSecurity

REDIS_PORT = 6379
REDIS_UID = 999
"""UID and GID of the ``redis`` user in the official Debian-based redis image."""
BROKER_ENV = "AIRFLOW__CELERY__BROKER_URL"
PASSWORD_ENV = "REDIS_PASSWORD"


@dataclass(frozen=True)
class BrokerConnection:
    """How Airflow processes reach the Celery broker."""

    env: list[dict[str, Any]]
    """Env vars, in order, ending with the broker URL."""
    host: str | None
    """Host name (None when the URL comes whole from a Secret)."""
    port: int
    """TCP port."""
    generated: list[GeneratedKey] = field(default_factory=list)
    """Secret keys the bootstrap Job must create."""


def external_broker(props: ExternalBroker) -> BrokerConnection:
    """The connection to a broker given by a URL in a Secret."""
    return BrokerConnection(env=[props.url.env(BROKER_ENV)], host=None, port=REDIS_PORT)


class Redis(EmbeddedService):
    """ServiceAccount, headless Service and a one-pod StatefulSet running ``redis-server``.

    The password reaches Redis as ``--requirepass $(REDIS_PASSWORD)`` (Kubernetes expands it from
    the Secret-backed env var), and Airflow's broker URL is assembled the same way.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        instance: str,
        version: str,
        props: EmbeddedRedis,
        image_pull_secrets: list[str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            instance=instance,
            component="redis",
            version=version,
            port_name="redis",
            port=REDIS_PORT,
            password=props.password,
        )
        self.props = props
        password = self.password
        probe = {"exec": {"command": ["sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping | grep -q PONG']}}
        main = container(
            "redis",
            props.image.ref,
            props.image.pull_policy,
            resources=props.resources,
            command=["redis-server"],
            args=[
                "--requirepass",
                f"$({PASSWORD_ENV})",
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
            volume_mounts=[{"mountPath": "/data", "name": "data"}, {"mountPath": "/tmp", "name": "tmp"}],
        )
        volumes = [empty_dir("tmp", "64Mi")]
        if not props.persistence:
            volumes.append(empty_dir("data", "1Gi"))
        template = pod_template(
            labels=self.labels,
            annotations={},
            service_account=self.name,
            automount_token=False,
            containers=[main],
            options=props.pod,
            image_pull_secrets=image_pull_secrets or [],
            security=PodSecurity(run_as_user=REDIS_UID, run_as_group=REDIS_UID, fs_group=REDIS_UID),
            termination_grace_period=30,
            volumes=volumes,
        )
        claim = claim_spec(props.storage_size, props.storage_class) if props.persistence else None
        self.workload = self._statefulset(template, claim)
        url = f"redis://:$({PASSWORD_ENV})@{self.host}:{REDIS_PORT}/0"
        self.connection = BrokerConnection(
            env=[password.env(PASSWORD_ENV), {"name": BROKER_ENV, "value": url}],
            host=self.host,
            port=REDIS_PORT,
            generated=self.generated,
        )
