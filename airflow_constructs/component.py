"""What every Airflow component construct shares: its ServiceAccount, workload and Service.

A component (api-server, scheduler, dag-processor, triggerer) is an ``AirflowComponent``: it gets
the shared ``AirflowRuntime`` and its own props, and creates a ServiceAccount with no token, a
Deployment or StatefulSet selecting on the recommended labels, and, where others connect to it,
a Service.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cdk8s import ApiObject
from constructs import Construct
from pydantic import Field

from .kube import api_object
from .pod import PodOptions
from .props import Props
from .resources import Resources
from .runtime import AirflowRuntime


class ComponentProps(Props):
    """Options every Airflow component accepts."""

    replicas: int = Field(default=1, ge=0, le=100)
    """Number of pods."""
    resources: Resources = Resources()
    """Requests and limits of the component's main container."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the component's pods."""


def jobs_check(job_type: str) -> dict[str, Any]:
    """An exec probe asking the metadata DB whether this pod's job is alive and heartbeating."""
    return {
        "exec": {"command": ["airflow", "jobs", "check", "--job-type", job_type, "--local"]},
        "failureThreshold": 5,
        "initialDelaySeconds": 10,
        "periodSeconds": 60,
        "timeoutSeconds": 30,
    }


class AirflowComponent(Construct):
    """Base of the component constructs; ``name`` is ``<release>-<component>``."""

    component: ClassVar[str]
    """The ``app.kubernetes.io/component`` label value and the object name suffix."""

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime) -> None:
        super().__init__(scope, id)
        self.runtime = runtime
        self.name = f"{runtime.instance}-{self.component}"
        self.labels = runtime.labels(self.component)
        self.selector = runtime.selector(self.component)
        self.service: ApiObject | None = None
        self.service_account = api_object(
            self,
            "service-account",
            api_version="v1",
            kind="ServiceAccount",
            name=self.name,
            labels=self.labels,
            body={"automountServiceAccountToken": False},
        )

    def _service(self, ports: list[dict[str, Any]], *, headless: bool = False) -> ApiObject:
        spec: dict[str, Any] = {"ports": ports, "selector": self.selector, "type": "ClusterIP"}
        if headless:
            spec["clusterIP"] = "None"
        self.service = api_object(
            self,
            "service",
            api_version="v1",
            kind="Service",
            name=self.name,
            labels=self.labels,
            body={"spec": spec},
        )
        return self.service

    def _deployment(self, replicas: int, template: dict[str, Any], strategy: dict[str, Any]) -> ApiObject:
        return api_object(
            self,
            "deployment",
            api_version="apps/v1",
            kind="Deployment",
            name=self.name,
            labels=self.labels,
            body={
                "spec": {
                    "replicas": replicas,
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": self.selector},
                    "strategy": strategy,
                    "template": template,
                }
            },
        )

    def _statefulset(self, replicas: int, template: dict[str, Any], service_name: str) -> ApiObject:
        return api_object(
            self,
            "statefulset",
            api_version="apps/v1",
            kind="StatefulSet",
            name=self.name,
            labels=self.labels,
            body={
                "spec": {
                    "podManagementPolicy": "Parallel",
                    "replicas": replicas,
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": self.selector},
                    "serviceName": service_name,
                    "template": template,
                    "updateStrategy": {"type": "RollingUpdate"},
                }
            },
        )
