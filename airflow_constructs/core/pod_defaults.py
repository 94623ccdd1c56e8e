"""Release-wide pod placement (``PodDefaults``): what every pod of a release gets unless it sets its own.

A dedicated node pool is usually tainted and labelled once for the whole release; without a default,
each component, worker set, Job and CronJob would need the same toleration and node selector, and a
pod the library writes with no options of its own (the secrets bootstrap Job, a housekeeping CronJob)
could not be placed at all. ``with_pod_defaults`` resolves the defaults into every ``PodOptions`` of
the props before anything is built; ``PodDefaults.options`` gives the options of a pod that has none.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from .pod import KubeObject, PodOptions, Toleration
from .props import Props
from .values import DnsSubdomain, Labels

M = TypeVar("M", bound=BaseModel)

PLACEMENT_FIELDS = ("node_selector", "tolerations", "affinity", "priority_class_name")
"""The ``PodOptions`` fields a ``PodDefaults`` gives (same names, same types)."""


class PodDefaults(Props):
    """Placement every pod of the release gets: components, worker sets, task pods, migrations and every
    other Job and CronJob, and the embedded services (PostgreSQL, Redis, PgBouncer, StatsD).

    Field by field, a pod's own ``pod`` option replaces the default when it is set (not empty): a
    scheduler with its own ``pod.tolerations`` gets those and not these, and still gets this
    ``node_selector`` if it sets none. Nothing is merged: a list or map of the pod's own is its whole value.
    """

    node_selector: Labels = {}
    """Node labels every pod must be scheduled on, unless its own ``pod.node_selector`` is set."""
    tolerations: list[Toleration] = []
    """Taints every pod tolerates, unless its own ``pod.tolerations`` is set."""
    affinity: KubeObject | None = None
    """Kubernetes ``Affinity`` object of every pod, unless its own ``pod.affinity`` is set; a component's
    ``anti_affinity`` rule joins it as it joins the component's own."""
    priority_class_name: DnsSubdomain | None = None
    """PriorityClass of every pod, unless its own ``pod.priority_class_name`` is set."""

    def options(self, own: PodOptions | None = None) -> PodOptions:
        """``own`` (by default no options) with each placement field it leaves empty taken from here."""
        own = own if own is not None else PodOptions()
        update = {name: getattr(self, name) for name in PLACEMENT_FIELDS if not getattr(own, name)}
        update = {name: value for name, value in update.items() if value}
        return own.model_copy(update=update) if update else own


def with_pod_defaults(props: M, defaults: PodDefaults) -> M:
    """``props`` with ``defaults`` resolved into every ``PodOptions`` it holds, however deep (worker
    sets in lists included); ``props`` itself when the defaults are empty."""
    if not any(getattr(defaults, name) for name in PLACEMENT_FIELDS):
        return props
    return _resolved(props, defaults)


def _resolved(model: M, defaults: PodDefaults) -> M:
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        new = _value(value, defaults)
        if new is not value:
            update[name] = new
    return model.model_copy(update=update) if update else model


def _value(value: Any, defaults: PodDefaults) -> Any:
    if isinstance(value, PodOptions):
        return defaults.options(value)
    if isinstance(value, PodDefaults):
        return value
    if isinstance(value, BaseModel):
        return _resolved(value, defaults)
    if isinstance(value, list):
        items = [_value(item, defaults) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value
