"""The release-wide placement values, ``pod_defaults.*``, beside every component's ``<component>.pod.*``.

A component's ``node_selector``, ``tolerations``, ``affinity`` or ``priority_class_name`` value that
is empty falls back to the release-wide one, as ``PodDefaults`` fills a pod option left empty: the
template writes the field from ``(default .Values.pod_defaults.<field> <the component's value>)``
(``ValueLeaf.or_else``). Pods with no options of their own (the Jobs and CronJobs, whatever the
app does not expose) take ``pod_defaults.*`` directly; the placement finds them by its sentinel.

Two fields cannot be such a value, where the library joins the default with something of its own
rather than copying it: ``affinity`` when a component adds an ``anti_affinity`` rule to it, and a
field the KubernetesExecutor's own pod template sets (``core.pod_merge`` merges the two). Those
defaults are resolved into each component's value, which then cannot be emptied (the template could
not write the default in its place); the Jobs write them as they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from ..core.docstrings import field_descriptions
from ..core.pod import Toleration
from ..core.pod_defaults import PLACEMENT_FIELDS, PodDefaults, with_pod_defaults
from .pod_values import (
    _TOLERATIONS,
    DNS_SUBDOMAIN_PATTERN,
    LABEL_VALUE_PATTERN,
    TASK_PODS,
    _pod_options,
    _sentinel_affinity,
    _string_map,
    _user_pod,
    pod_leaves,
    tolerations_props,
)
from .value_leaf import ValueLeaf

_KEYS = {
    "node_selector": "nodeSelector",
    "tolerations": "tolerations",
    "affinity": "affinity",
    "priority_class_name": "priorityClassName",
}
_SENTINEL = "zzsentinel-defaults"


def placement_leaves(props: BaseModel) -> list[ValueLeaf]:
    """``pod_defaults.*`` (when the props have them) and every component's ``pod.*`` values."""
    defaults = getattr(props, "pod_defaults", None)
    if not isinstance(defaults, PodDefaults):
        return pod_leaves(props)
    released = {name: _release_leaf(name, defaults) for name in _release_fields(props)}
    fixed = PodDefaults(**{name: getattr(defaults, name) for name in PLACEMENT_FIELDS if name not in released})
    leaves = list(released.values())
    for leaf in pod_leaves(with_pod_defaults(props, fixed)):
        name = leaf.path[-1]
        if name in released:
            leaf = replace(leaf, or_else=released[name].path)
        elif getattr(fixed, name, None):
            leaf = leaf.not_empty()
        leaves.append(leaf)
    return leaves


def _release_fields(props: BaseModel) -> list[str]:
    """The placement fields a template can write from ``pod_defaults`` (see the module docstring)."""
    fields = list(PLACEMENT_FIELDS)
    if any(getattr(owner, "anti_affinity", "none") != "none" for _, _, owner, _ in _pod_options(props, (), ())):
        fields.remove("affinity")
    user_pod = _user_pod(props)
    if user_pod is not None and any(path == TASK_PODS for path, _, _, _ in _pod_options(props, (), ())):
        fields = [name for name in fields if _KEYS[name] not in user_pod["spec"]]
    return fields


def _release_leaf(name: str, defaults: PodDefaults) -> ValueLeaf:
    value = getattr(defaults, name)
    schema: dict[str, Any]
    if name == "node_selector":
        default: Any = dict(value)
        sentinel: Any = {"sentinel.invalid/node-defaults": _SENTINEL}
        schema = _string_map(LABEL_VALUE_PATTERN)
    elif name == "tolerations":
        default = [t.to_kubernetes() for t in value]
        sentinel = [Toleration(key="sentinel.invalid/taint-defaults", value=_SENTINEL).to_kubernetes()]
        schema = _TOLERATIONS
    elif name == "affinity":
        default, sentinel, schema = value or {}, _sentinel_affinity("defaults"), {"type": "object"}
    else:
        default, sentinel = value or "", f"{_SENTINEL}-priority"
        schema = {"type": "string", "pattern": f"({DNS_SUBDOMAIN_PATTERN})|^$", "maxLength": 253}
    description = "every pod: " + field_descriptions(PodDefaults)[name]
    return ValueLeaf(
        ("pod_defaults", name),
        ("pod_defaults", name),
        default,
        sentinel,
        {**schema, "description": description},
        key=_KEYS[name],
        to_props=tolerations_props if name == "tolerations" else None,
        optional=name == "priority_class_name",
    )
