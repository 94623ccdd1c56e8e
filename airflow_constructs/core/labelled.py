"""A construct whose objects share one name, its recommended labels and a selector (an Airflow
component, a service of the release): the builders of its objects fill them in."""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject
from constructs import Construct

from .kube import deployment, pod_disruption_budget, service_account


class Labelled(Construct):
    """Base of the constructs named ``<instance>-<component>``; each sets the three below."""

    name: str
    """The name of its objects (and of its ServiceAccount)."""
    labels: dict[str, str]
    """The recommended labels of its objects."""
    selector: dict[str, str]
    """The labels its pods are selected by (no version in them)."""

    def _service_account(self) -> ApiObject:
        """Its ServiceAccount ``service_account`` (construct id ``service-account``), with no API token."""
        self.service_account = service_account(self, "service-account", name=self.name, labels=self.labels)
        return self.service_account

    def _deployment(self, replicas: int | None, template: dict[str, Any], strategy: dict[str, Any]) -> ApiObject:
        """Its Deployment (construct id ``deployment``) running ``template``."""
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

    def _pod_disruption_budget(self) -> ApiObject:
        """Its PodDisruptionBudget (construct id ``pdb``): node drains evict one of its pods at a time."""
        return pod_disruption_budget(self, "pdb", name=self.name, labels=self.labels, selector=self.selector)
