"""The Execution API as its own Deployment and Service (``airflow api-server --apps execution``).

With ``api_server.execution_api`` set, the api-server serves the UI and REST API only (``--apps
core``) and every task process (workers, the scheduler's LocalExecutor tasks, KubernetesExecutor
task pods, Edge workers) reaches ``<release>-execution-api`` instead, so task traffic and UI
traffic scale and fail apart. The network policies follow: only pods that run tasks may reach it,
and the ingress controller never does.
"""

from __future__ import annotations

from typing import Any

from ..core.kube import surge_one
from ..core.network_flow import Connection, connect
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import API_PORT
from ..runtime.release_pods import ReleasePods
from .component import Component

EXECUTION_PORT = 8081
"""The container port (the Service still answers on 8080): a port of its own lets the core
api-server and the Execution API run side by side on one host (the e2e harness)."""
EXECUTION_HEALTH_PATH = "/execution/health"


class ExecutionApiProps(ComponentProps):
    """Options of the separate Execution API server."""

    resources: Resources = Resources(cpu_request="250m", memory_request="1Gi", cpu_limit="1", memory_limit="2Gi")
    """Requests and limits of its container."""


class ExecutionApi(Component[ExecutionApiProps]):
    """Deployment + Service ``<release>-execution-api`` on port 8080, path ``/execution/``."""

    component = "execution-api"
    props_class = ExecutionApiProps

    def _compose(self, runtime: AirflowRuntime, p: ExecutionApiProps) -> None:
        assert self.name == runtime.execution_api_service_name
        http_get = {"path": EXECUTION_HEALTH_PATH, "port": "api", "scheme": "HTTP"}
        main = runtime.airflow_container(
            "execution-api",
            ["api-server", "--port", str(EXECUTION_PORT), "--apps", "execution"],
            resources=p.resources,
            ports=[{"containerPort": EXECUTION_PORT, "name": "api", "protocol": "TCP"}],
            probes={
                "livenessProbe": _probe(http_get, failures=5, period=15),
                "readinessProbe": _probe(http_get, failures=3, period=10),
                "startupProbe": _probe(http_get, failures=30, period=5),
            },
        )
        template = self._pod_template(
            p, containers=[main], init_containers=[runtime.wait_for_migrations()], termination_grace_period=30
        )
        self._service([{"name": "http", "port": API_PORT, "protocol": "TCP", "targetPort": "api"}])
        self.workload = self._deployment(p.replicas, template, surge_one())
        self._finish(p, "execution-api")


def _probe(http_get: dict[str, Any], *, failures: int, period: int) -> dict[str, Any]:
    return {"failureThreshold": failures, "httpGet": http_get, "periodSeconds": period, "timeoutSeconds": 10}


def declare_flows(pods: ReleasePods, airflow2: bool) -> list[Connection]:
    """Airflow 3's task processes call the Execution API: this server when there is one, else the
    api-server (which Edge workers reach already, see ``edge.declare_flows``)."""
    if airflow2:
        return []
    separate = bool(pods.execution)
    server, port = (pods.execution[0], EXECUTION_PORT) if separate else (pods.api, API_PORT)
    clients = [pod for pod in pods.runs_tasks if separate or pod not in pods.edge]
    return connect(clients, server, [port], "execution API (task processes)")
