"""The scheduler: decides what runs when; with LocalExecutor it also runs the tasks."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..core.network_flow import Connection, serve
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.executors import LocalExecutor
from ..runtime.release_pods import ReleasePods
from .component import Component
from .kubernetes_executor import KubernetesExecutorPods

LOG_SERVER_PORT = 8793


class SchedulerProps(ComponentProps):
    """Options of the scheduler."""

    resources: Resources = Resources(cpu_request="500m", memory_request="1Gi", cpu_limit="2", memory_limit="2Gi")
    """Requests and limits of the scheduler container (with LocalExecutor, tasks run in it too)."""


class Scheduler(Component[SchedulerProps]):
    """Deployment plus a headless Service for its task-log server (port 8793).

    The pods set ``subdomain`` to the headless Service, so each pod's hostname (what Airflow records
    as the task's host) resolves, and the api-server can fetch logs of tasks run in it.
    """

    component = "scheduler"
    props_class = SchedulerProps

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        props: SchedulerProps | None = None,
        launches_pods: KubernetesExecutorPods | None = None,
        **kwargs: Any,
    ) -> None:
        """``launches_pods``: the KubernetesExecutor's pod template and Role, when it runs tasks in pods."""
        self.launches_pods = launches_pods
        super().__init__(scope, id, runtime=runtime, props=props, **kwargs)

    def _compose(self, runtime: AirflowRuntime, p: SchedulerProps) -> None:
        launches_pods = self.launches_pods
        # Only with LocalExecutor do tasks run (and write logs) here, so only then does the scheduler
        # serve task logs, and need a port and a headless Service that gives its pods DNS names.
        serves_logs = runtime.props.find_executor(LocalExecutor) is not None
        template = self._job_template(
            p,
            "SchedulerJob",
            reads_dags=runtime.runs_tasks_locally,
            ports=[{"containerPort": LOG_SERVER_PORT, "name": "task-logs", "protocol": "TCP"}] if serves_logs else None,
            extra_mounts=[launches_pods.volume_mount] if launches_pods else None,
            subdomain=self.name if serves_logs else None,
            volumes=[launches_pods.volume] if launches_pods else None,
            # The KubernetesExecutor calls the API server: the only Airflow pod with a token.
            automount_token=launches_pods is not None,
        )
        if serves_logs:
            self._service(
                [{"name": "task-logs", "port": LOG_SERVER_PORT, "protocol": "TCP", "targetPort": "task-logs"}],
                headless=True,
            )
        # Recreate: two schedulers of different versions must not run side by side during an upgrade.
        self.workload = self._deployment(p.replicas, template, {"type": "Recreate"})
        self._finish(p, "scheduler")
        if launches_pods is not None:
            launches_pods.grant_launch(self.name)


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """With the LocalExecutor the scheduler runs tasks: the api-server fetches their logs from it."""
    if not pods.local:
        return []
    return serve(pods.api, [pods.scheduler], [LOG_SERVER_PORT], "task logs served by the scheduler (LocalExecutor)")
