"""What every long-running workload accepts: replicas, resources, pod options, spread and disruption.

``ComponentProps`` is the props base of the Airflow components and of PgBouncer; ``availability``
applies its spread and anti-affinity options to a pod template.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .autoscaling import VerticalAutoscaling
from .pod import PodOptions
from .props import Props
from .resources import Resources


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
