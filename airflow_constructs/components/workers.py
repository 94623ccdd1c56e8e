"""Celery worker sets: each a StatefulSet consuming its queues, with a headless log-server Service."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from constructs import Construct

from ..core.network_flow import Connection, serve
from ..core.props import PropsError
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.auth import WebserverConfig
from ..runtime.executors import CeleryWorkerSet, EdgeWorkerSet
from ..runtime.release_pods import ReleasePods
from .component import AirflowComponent, ceil_div

LOG_SERVER_PORT = 8793
CELERY_APP = "airflow.providers.celery.executors.celery_executor.app"


def keda_query(
    queues: list[str],
    concurrency: int,
    is_default: bool,
    several_executors: bool,
    dialect: str = "postgresql",
    executor: str = "CeleryExecutor",
) -> str:
    """Pods needed for the queued + running task instances of these queues (ceil(tasks / concurrency))."""
    queue_list = ", ".join(f"'{q}'" for q in queues)
    where = f"state IN ('queued', 'running') AND queue IN ({queue_list})"
    if several_executors:
        # Tasks with no executor set go to the default executor.
        owner = f"(executor IS NULL OR executor = '{executor}')" if is_default else f"executor = '{executor}'"
        where += f" AND {owner}"
    return f"SELECT {ceil_div('COUNT(*)', concurrency, dialect)} FROM task_instance WHERE {where}"


def queue_query(executors: Sequence[str], p: CeleryWorkerSet | EdgeWorkerSet, executor: str) -> Callable[[str], str]:
    """The KEDA query (by database dialect) of a worker set of ``executor`` in an install running
    ``executors`` (its ``[core] executor`` list): see ``keda_query``."""
    default, several = executors[0] == executor, len(executors) > 1
    return lambda dialect: keda_query(p.queues, p.concurrency, default, several, dialect, executor=executor)


class CeleryWorkers(AirflowComponent):
    """One worker set: ``airflow celery worker --queues ... --concurrency N`` in a StatefulSet.

    Stopping a worker sends SIGTERM through dumb-init: Celery stops taking tasks and finishes the
    running ones (warm shutdown) within ``termination_grace_period_seconds``.
    """

    component = "worker"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        props: CeleryWorkerSet,
        task_executors: list[str] | None = None,
        webserver_config: WebserverConfig | None = None,
    ) -> None:
        """``task_executors``: the ``[core] executor`` list of the install whose tasks this set runs,
        when it is not this runtime's (a workers-only set): KEDA counts only the tasks Celery runs there.
        ``webserver_config``: the api-server's FAB file, which Airflow 2's worker needs to find in place."""
        super().__init__(scope, id, runtime=runtime, component=f"worker-{props.name}")
        self.props = p = props
        ping = f'exec timeout 50 celery --app {CELERY_APP} inspect ping --timeout 20 --destination "celery@$(hostname)"'
        main = runtime.airflow_container(
            "worker",
            ["celery", "worker", "--queues", ",".join(p.queues), "--concurrency", str(p.concurrency)],
            resources=p.resources,
            reads_dags=True,
            ports=[{"containerPort": LOG_SERVER_PORT, "name": "task-logs", "protocol": "TCP"}],
            probes={
                "livenessProbe": {
                    "exec": {"command": ["sh", "-c", ping]},
                    "failureThreshold": 5,
                    "initialDelaySeconds": 30,
                    "periodSeconds": 60,
                    "timeoutSeconds": 60,
                }
            },
        )
        recycling = self._recycling_env(runtime, p)
        if recycling:
            main["env"] = [*main["env"], recycling]
        volumes = []
        if webserver_config is not None and runtime.airflow2:
            main["volumeMounts"] = sorted([*main["volumeMounts"], webserver_config.mount], key=lambda m: m["mountPath"])
            volumes = [webserver_config.file_volume]
        template = self._pod_template(
            p,
            reads_dags=True,
            groom_logs=True,
            containers=[main],
            init_containers=[runtime.wait_for_migrations()],
            volumes=volumes,
            termination_grace_period=p.termination_grace_period_seconds,
        )
        self._service(
            [{"name": "task-logs", "port": LOG_SERVER_PORT, "protocol": "TCP", "targetPort": "task-logs"}],
            headless=True,
        )
        replicas = None if p.autoscaling else p.replicas
        self.workload = self._statefulset(replicas, template, self.name)
        self._finish(p, "worker")
        executors = task_executors or [e.kind for e in runtime.props.executors]
        self._autoscale(p.autoscaling, f"worker set {p.name!r}", queue_query(executors, p, "CeleryExecutor"))

    def _recycling_env(self, runtime: AirflowRuntime, p: CeleryWorkerSet) -> dict[str, str] | None:
        """``[celery] extra_celery_config`` of this set: the config's own JSON plus the set's recycling."""
        ours = p.celery_config()
        if not ours:
            return None
        given = runtime.props.config.get("celery", {}).get("extra_celery_config")
        merged: dict[str, Any] = {}
        if given is not None:
            try:
                merged = json.loads(given)
            except ValueError:
                merged = None  # type: ignore[assignment]
            if not isinstance(merged, dict):
                raise PropsError(
                    f"AirflowProps.config: celery.extra_celery_config {given!r} is not a JSON object: worker set "
                    f"{p.name!r} adds its max_tasks_per_child / max_memory_per_child to it"
                )
        value = json.dumps({**merged, **ours}, sort_keys=True)
        return {"name": "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG", "value": value}


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """The api-server fetches the logs of running tasks from each Celery worker's log server (their broker
    use: ``redis.declare_flows``)."""
    return serve(pods.api, pods.workers, [LOG_SERVER_PORT], "task logs served by the Celery worker")
