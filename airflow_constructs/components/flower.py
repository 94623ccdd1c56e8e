"""Flower: the Celery monitoring UI, behind basic auth whose credentials come from a Secret."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..core.exposure import Exposure
from ..core.network_flow import Connection, serve
from ..core.pod import SecretRef
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.release_pods import ReleasePods
from .component import Component

FLOWER_PORT = 5555
BASIC_AUTH_ENV = "AIRFLOW__CELERY__FLOWER_BASIC_AUTH"


class FlowerProps(ComponentProps):
    """Options of Flower (only with CeleryExecutor)."""

    enabled: bool = False
    """Deploy Flower."""
    basic_auth: SecretRef | None = None
    """Secret key holding ``user:password`` (comma-separated for several users); None: generated
    in-cluster into ``<name>-generated`` key ``flower-basic-auth`` with user ``admin``."""
    resources: Resources = Resources(cpu_request="100m", memory_request="256Mi", cpu_limit="500m", memory_limit="512Mi")
    """Requests and limits of the Flower container."""
    expose: Exposure | None = None
    """Serve Flower outside the cluster: an Ingress or HTTPRoute for a host (or path), with TLS."""


class Flower(Component[FlowerProps]):
    """Deployment + Service on port 5555 running ``airflow celery flower``."""

    component = "flower"
    props_class = FlowerProps

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        basic_auth: SecretRef,
        props: FlowerProps | None = None,
        **kwargs: Any,
    ) -> None:
        """``basic_auth``: the Secret key holding Flower's ``user:password`` list."""
        self.basic_auth = basic_auth
        super().__init__(scope, id, runtime=runtime, props=props, **kwargs)

    def _compose(self, runtime: AirflowRuntime, p: FlowerProps) -> None:
        main = runtime.airflow_container(
            "flower",
            ["celery", "flower", "--port", str(FLOWER_PORT)],
            resources=p.resources,
            ports=[{"containerPort": FLOWER_PORT, "name": "flower", "protocol": "TCP"}],
            probes={
                "livenessProbe": {"periodSeconds": 20, "tcpSocket": {"port": "flower"}, "timeoutSeconds": 5},
                "readinessProbe": {"periodSeconds": 10, "tcpSocket": {"port": "flower"}, "timeoutSeconds": 5},
            },
        )
        main["env"] = [*main["env"], self.basic_auth.env(BASIC_AUTH_ENV)]
        if p.expose is not None and p.expose.path != "/":
            main["env"].append({"name": "AIRFLOW__CELERY__FLOWER_URL_PREFIX", "value": p.expose.path.strip("/")})
        template = self._pod_template(p, containers=[main], termination_grace_period=30)
        self._service([{"name": "http", "port": FLOWER_PORT, "protocol": "TCP", "targetPort": "flower"}])
        self.exposed = self._expose(p.expose, FLOWER_PORT)
        self.workload = self._deployment(p.replicas, template, {"type": "RollingUpdate"})
        self._finish(p, "flower")


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """Flower's UI, opened through the ingress controller (its broker use: ``redis.declare_flows``)."""
    return serve("ingress-controller", pods.flower, [FLOWER_PORT], "Flower UI through the ingress controller")
