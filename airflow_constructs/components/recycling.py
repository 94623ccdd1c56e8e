"""Recycling long-running processes: a periodic rollout restart of a Deployment.

``PeriodicRestart`` on a component's props adds a CronJob that does what ``kubectl rollout restart``
does (a new ``kubectl.kubernetes.io/restartedAt`` annotation on the pod template), so the
Deployment replaces its pods under its own rolling strategy. The CronJob's Role may only ``get``
and ``patch`` that one Deployment. Celery workers recycle their task processes instead
(``CeleryWorkerSet.max_tasks_per_child`` / ``max_memory_per_child``).
"""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject
from constructs import Construct

from ..core.cron import CronSchedule
from ..core.kube import api_object, config_map, cron_job, service_account
from ..core.network_flow import Connection, connect
from ..core.props import Props
from ..core.shipped_scripts import shipped_script
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.release_pods import ReleasePods


class PeriodicRestart(Props):
    """A rollout restart on a schedule: new pods come up (and pass readiness) before old ones go."""

    schedule: CronSchedule
    """Cron schedule (cluster time zone), e.g. ``'0 4 * * *'`` for every day at 04:00."""


def restart_script() -> str:
    """Source of the restart CronJob's script (shipped inside the package)."""
    return shipped_script("restart_deployment.py")


def restart_rules(deployment: str) -> list[dict[str, object]]:
    """Read and patch exactly one Deployment: nothing else, not even listing."""
    return [
        {"apiGroups": ["apps"], "resourceNames": [deployment], "resources": ["deployments"], "verbs": ["get", "patch"]}
    ]


class RolloutRestart(Construct):
    """CronJob ``<deployment>-restart`` with its ServiceAccount, Role, RoleBinding and script ConfigMap."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        deployment: str,
        component: str,
        props: PeriodicRestart,
    ) -> None:
        super().__init__(scope, id)
        self.component = f"{component}-restart"
        self.name = f"{deployment}-restart"
        labels = runtime.labels(self.component)
        rbac = "rbac.authorization.k8s.io/v1"
        self.service_account = service_account(self, "service-account", name=self.name, labels=labels)
        config_map(self, "script", name=self.name, labels=labels, data={"restart_deployment.py": restart_script()})
        self.role = api_object(
            self,
            "role",
            api_version=rbac,
            kind="Role",
            name=self.name,
            labels=labels,
            body={"rules": restart_rules(deployment)},
        )
        api_object(
            self,
            "role-binding",
            api_version=rbac,
            kind="RoleBinding",
            name=self.name,
            labels=labels,
            body={
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": self.name},
                "subjects": [{"kind": "ServiceAccount", "name": self.name, "namespace": runtime.namespace}],
            },
        )
        template = _restart_pod(runtime, self.name, labels, deployment)
        self.cron_job: ApiObject = cron_job(
            self,
            "cronjob",
            name=self.name,
            labels=labels,
            schedule=props.schedule,
            template=template,
            ttl_seconds_after_finished=3600,
        )


def _restart_pod(runtime: AirflowRuntime, name: str, labels: dict[str, str], deployment: str) -> dict[str, Any]:
    """The CronJob's pod: the script in the Airflow image, with the token of its ServiceAccount."""
    command = [
        "python",
        "/opt/restart/restart_deployment.py",
        "--namespace",
        runtime.namespace,
        "--deployment",
        deployment,
    ]
    return runtime.script_pod_template(name, labels, "restart", "/opt/restart", command)


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """Each restart CronJob asks the Kubernetes API for a rollout restart (on the ports
    ``network_policies`` gives for it)."""
    return connect(pods.restarts, "kubernetes-api", [], "rollout restart of its Deployment")
