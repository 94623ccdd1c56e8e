"""Edge workers (EdgeExecutor, provider ``apache-airflow-providers-edge3``) running in the cluster."""

from __future__ import annotations

from constructs import Construct

from ..core.network_flow import Connection, connect
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import API_PORT
from ..runtime.executors import EdgeWorkerSet
from ..runtime.release_pods import ReleasePods
from .component import AirflowComponent
from .workers import queue_query


class EdgeWorkers(AirflowComponent):
    """A Deployment running ``airflow edge worker``, which pulls tasks from the api-server's Edge API.

    Edge workers keep no state the cluster must preserve, so a Deployment fits; they stop taking
    jobs on SIGTERM and finish running ones within the grace period.
    """

    component = "edge"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, props: EdgeWorkerSet) -> None:
        super().__init__(scope, id, runtime=runtime, component=f"edge-{props.name}")
        self.props = p = props
        main = runtime.airflow_container(
            "edge-worker",
            ["edge", "worker", "--queues", ",".join(p.queues), "--concurrency", str(p.concurrency)],
            resources=p.resources,
            reads_dags=True,
        )
        template = self._pod_template(
            p,
            containers=[main],
            init_containers=[runtime.wait_for_migrations()],
            termination_grace_period=600,
            reads_dags=True,
            groom_logs=True,
        )
        self.workload = self._deployment(None if p.autoscaling else p.replicas, template, {"type": "RollingUpdate"})
        self._finish(p, "edge-worker")
        executors = [e.kind for e in runtime.props.executors]
        self._autoscale(p.autoscaling, f"edge worker set {p.name!r}", queue_query(executors, p, "EdgeExecutor"))


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """Edge workers pull their work from the api-server's Edge API."""
    return connect(pods.edge, pods.api, [API_PORT], "Edge worker API")
