"""What every Airflow component construct shares: its ServiceAccount, workload and Service.

A component (api-server, scheduler, dag-processor, triggerer) is an ``AirflowComponent``: it gets
the shared ``AirflowRuntime`` and its own props, and creates a ServiceAccount with no token, a
Deployment or StatefulSet selecting on the recommended labels, and, where others connect to it,
a Service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from cdk8s import ApiObject
from constructs import Construct
from pydantic import Field

from ..core.autoscaling import VerticalAutoscaling, vertical_pod_autoscaler
from ..core.kube import api_object, deployment, pod_disruption_budget, service_account
from ..core.pod import PodOptions
from ..core.props import Props
from ..core.resources import Resources

if TYPE_CHECKING:  # the runtime imports the executors, which import ComponentProps from here
    from ..runtime.airflow_runtime import AirflowRuntime


class ComponentProps(Props):
    """Options every Airflow component accepts."""

    replicas: int = Field(default=1, ge=0, le=100)
    """Number of pods."""
    resources: Resources = Resources()
    """Requests and limits of the component's main container."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the component's pods."""
    spread_across_nodes: bool = True
    """Prefer putting replicas on different nodes (a ``ScheduleAnyway`` topology spread constraint);
    ignored when ``pod.topology_spread_constraints`` is given."""
    anti_affinity: Literal["none", "preferred", "required"] = "none"
    """Pod anti-affinity between replicas on the same node: ``required`` never co-locates them."""
    disruption_budget: bool = True
    """Create a PodDisruptionBudget allowing one pod at a time to be evicted (node drains)."""
    vpa: VerticalAutoscaling | None = None
    """A VerticalPodAutoscaler for the component (needs VPA installed in the cluster)."""


def availability(props: ComponentProps, template: dict[str, Any], selector: dict[str, str]) -> dict[str, Any]:
    """Apply the spread and anti-affinity options to a pod template (returns it)."""
    spec = template["spec"]
    if props.spread_across_nodes and "topologySpreadConstraints" not in spec:
        spec["topologySpreadConstraints"] = [
            {
                "labelSelector": {"matchLabels": selector},
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
            }
        ]
    if props.anti_affinity != "none":
        term: dict[str, Any] = {"labelSelector": {"matchLabels": selector}, "topologyKey": "kubernetes.io/hostname"}
        affinity = dict(spec.get("affinity") or {})
        rule: dict[str, Any]
        if props.anti_affinity == "required":
            rule = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        else:
            rule = {"preferredDuringSchedulingIgnoredDuringExecution": [{"podAffinityTerm": term, "weight": 100}]}
        affinity["podAntiAffinity"] = {**affinity.get("podAntiAffinity", {}), **rule}
        spec["affinity"] = affinity
    return template


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

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, component: str | None = None) -> None:
        super().__init__(scope, id)
        self.runtime = runtime
        self.component_name = component or type(self).component
        """This instance's component label (worker sets add their name)."""
        self.name = f"{runtime.instance}-{self.component_name}"
        self.labels = runtime.labels(self.component_name)
        self.selector = runtime.selector(self.component_name)
        self.service: ApiObject | None = None
        self.workload: ApiObject
        self.service_account = service_account(self, "service-account", name=self.name, labels=self.labels)

    def _pod_template(self, props: ComponentProps, **kwargs: Any) -> dict[str, Any]:
        """The runtime's pod template for this component, with the availability options applied."""
        template = self.runtime.pod_template(
            self.component_name, options=props.pod, service_account=self.name, **kwargs
        )
        return availability(props, template, self.selector)

    def _finish(self, props: ComponentProps, container: str) -> None:
        """Add the PodDisruptionBudget and VerticalPodAutoscaler the props ask for."""
        self.pod_disruption_budget: ApiObject | None = None
        if props.disruption_budget:
            self.pod_disruption_budget = pod_disruption_budget(
                self, "pdb", name=self.name, labels=self.labels, selector=self.selector
            )
        self.vertical_pod_autoscaler: ApiObject | None = None
        if props.vpa is not None:
            self.vertical_pod_autoscaler = vertical_pod_autoscaler(
                self, name=self.name, labels=self.labels, target=self.workload, container=container, props=props.vpa
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

    def _deployment(self, replicas: int | None, template: dict[str, Any], strategy: dict[str, Any]) -> ApiObject:
        return deployment(
            self,
            "deployment",
            name=self.name,
            labels=self.labels,
            selector=self.selector,
            replicas=replicas,
            template=template,
            strategy=strategy,
        )

    def _statefulset(self, replicas: int | None, template: dict[str, Any], service_name: str) -> ApiObject:
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
