"""A construct whose objects share one name, its recommended labels and a selector (an Airflow
component, a service of the release): the builders of its objects fill them in."""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject
from constructs import Construct

from .kube import ObjectMeta, deployment, pod_disruption_budget, service_account


class Labelled(Construct):
    """Base of the constructs named ``<instance>-<component>``; each sets the three below."""

    name: str
    """The name of its objects (and of its ServiceAccount)."""
    labels: dict[str, str]
    """The recommended labels of its objects."""
    selector: dict[str, str]
    """The labels its pods are selected by (no version in them)."""

    @property
    def meta(self) -> ObjectMeta:
        """Its name and labels, as every object builder takes them (``**self.meta``)."""
        return ObjectMeta(name=self.name, labels=self.labels)

    def _service_account(self) -> ApiObject:
        """Its ServiceAccount ``service_account`` (construct id ``service-account``), with no API token."""
        self.service_account = service_account(self, "service-account", **self.meta)
        return self.service_account

    def _deployment(self, replicas: int | None, template: dict[str, Any], strategy: dict[str, Any]) -> ApiObject:
        """Its Deployment (construct id ``deployment``) running ``template``."""
        return deployment(
            self,
            "deployment",
            selector=self.selector,
            replicas=replicas,
            template=template,
            strategy=strategy,
            **self.meta,
        )

    def _pod_disruption_budget(self) -> ApiObject:
        """Its PodDisruptionBudget (construct id ``pdb``): node drains evict one of its pods at a time."""
        return pod_disruption_budget(self, "pdb", selector=self.selector, **self.meta)
