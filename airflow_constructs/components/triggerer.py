"""The triggerer: runs deferred tasks' triggers in an asyncio loop."""

from __future__ import annotations

from ..core.autoscaling import Autoscaling
from ..core.network_flow import Connection, serve
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.release_pods import ReleasePods
from .component import Component, ceil_div

LOG_SERVER_PORT = 8794
DEFAULT_CAPACITY = "1000"
"""Airflow's default ``[triggerer] capacity``: triggers one triggerer runs at once."""


def triggers_query(capacity: int, dialect: str) -> str:
    """Triggerers needed for every trigger in the database (each deferred task has one)."""
    return f"SELECT {ceil_div('COUNT(*)', capacity, dialect)} FROM trigger"


class TriggererProps(ComponentProps):
    """Options of the triggerer."""

    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of the triggerer container."""
    autoscaling: Autoscaling | None = None
    """HPA (CPU/memory), or KEDA on the number of triggers to run (ceil(triggers / ``[triggerer]
    capacity``), 1000 per triggerer unless ``config`` sets it); None: fixed replicas."""


class Triggerer(Component[TriggererProps]):
    """StatefulSet (stable hostnames for its log server on port 8794) plus a headless Service."""

    component = "triggerer"
    props_class = TriggererProps

    def _compose(self, runtime: AirflowRuntime, p: TriggererProps) -> None:
        template = self._job_template(
            p,
            "TriggererJob",
            reads_dags=True,
            ports=[{"containerPort": LOG_SERVER_PORT, "name": "trigger-logs", "protocol": "TCP"}],
        )
        self._service(
            [{"name": "trigger-logs", "port": LOG_SERVER_PORT, "protocol": "TCP", "targetPort": "trigger-logs"}],
            headless=True,
        )
        self.workload = self._statefulset(None if p.autoscaling else p.replicas, template, self.name)
        self._finish(p, "triggerer")
        capacity = int(runtime.props.config.get("triggerer", {}).get("capacity", DEFAULT_CAPACITY))
        self._autoscale(p.autoscaling, "triggerer", lambda dialect: triggers_query(capacity, dialect))


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """The api-server fetches the logs of running triggers from the triggerer's log server."""
    return serve(pods.api, [pods.triggerer], [LOG_SERVER_PORT], "trigger logs served by the triggerer")
