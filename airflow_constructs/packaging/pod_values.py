"""Pod placement values: ``<component>.pod.*`` of every component, whole manifest fields or map entries.

Unlike a text value, these are structures: ``nodeSelector``, ``tolerations``, ``affinity`` and
``priorityClassName`` are whole fields of the pod spec, absent when the value is empty; pod labels
and annotations are entries added to the pod template's own maps. The placement
(``packaging/placement.py``) finds them by their sentinels as for text values; the template writes
them with ``toJson``/``toYaml`` inside ``with``, so an empty value writes nothing, field name included.

The KubernetesExecutor's task pods (``executor.worker.pod``) are one of these components: their pod
template file is JSON that the chart writes from the values (``packaging/json_files.py``). Left out
on purpose: ``affinity`` of a component whose ``anti_affinity`` adds its own rule to it, a computed
field rather than a copy of the value. ``topology_spread_constraints``
replace the library's spread rule: empty, the template writes the rule the app computes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel

from ..core.docstrings import field_descriptions
from ..core.pod import RESERVED_ANNOTATION_PREFIX, EnvVar, PodOptions, Toleration
from ..core.service_options import ServiceOptions
from ..core.values import ENV_VAR_NAME_PATTERN
from .value_leaf import ValueLeaf

T = TypeVar("T")

LABEL_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
"""A qualified name ``[prefix/]name`` (``check_label_key``), as a JSON Schema pattern."""
LABEL_VALUE_PATTERN = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"
"""A label value (``check_label_value``), as a JSON Schema pattern."""
DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


def pod_leaves(props: BaseModel) -> list[ValueLeaf]:
    """``<component>.pod.<option>`` for every component's pod options, in props order."""
    leaves = []
    for index, (path, props_path, owner, options) in enumerate(_pod_options(props, (), ())):
        user_pod = _user_pod(props) if path == TASK_PODS else None
        for leaf in _option_leaves(path, props_path, owner, options, index):
            if user_pod is None:
                leaves.append(leaf)
            elif leaf.key not in set(user_pod["spec"]) - set(_MERGED_ENTRIES):
                leaves.append(_without_user_keys(leaf, user_pod))
    return leaves


TASK_PODS = ("executor", "worker")
"""The KubernetesExecutor's task pods, whose pod template file may merge a user's own pod template."""
_MERGED_ENTRIES = ("annotations", "labels", "env")
"""Fields whose value entries join a user pod template's own in the chart as in ``merge_pod``."""


def _user_pod(props: BaseModel) -> dict[str, Any] | None:
    """The user's own task pod template (``KubernetesExecutor.pod_template``), if any.

    The library merges it with the task pods' options (``core.pod_merge``). A pod spec field it sets
    is no value: the merge (maps joined, lists appended, ours replacing yours) is not a template's.
    Labels, annotations and env vars stay values, their entries joining the user's, which keep their
    own keys and names: the schema refuses those (ours would replace them, the template cannot).
    """
    user_pod = getattr(getattr(props, "executor", None), "user_pod", None)
    pod = user_pod() if callable(user_pod) else None
    return {"metadata": pod.get("metadata") or {}, "spec": pod.get("spec") or {}} if pod else None


def _without_user_keys(leaf: ValueLeaf, user_pod: dict[str, Any]) -> ValueLeaf:
    """``leaf`` whose schema refuses the label or annotation keys, or env var names, the user's pod sets."""
    if leaf.key in ("labels", "annotations"):
        keys = sorted(user_pod["metadata"].get(leaf.key) or {})
        taken = {f"^{re.escape(key)}$": False for key in keys}
        schema = {**leaf.schema, "patternProperties": {**taken, **leaf.schema["patternProperties"]}}
    elif leaf.key == "env":
        # The task pod's main container is "base" (the KubernetesExecutor replaces its command).
        main: dict[str, Any] = next(
            (c for c in user_pod["spec"].get("containers") or [] if c.get("name") == "base"), {}
        )
        names = sorted({str(e["name"]) for e in main.get("env") or []})
        if not names:
            return leaf
        items = leaf.schema["items"]
        name = {"allOf": [items["properties"]["name"], {"not": {"enum": names}}]}
        schema = {**leaf.schema, "items": {**items, "properties": {**items["properties"], "name": name}}}
    else:
        return leaf
    return replace(leaf, schema=schema)


_Found = tuple[tuple[str, ...], tuple[str | int, ...], BaseModel, PodOptions]


def _pod_options(model: BaseModel, path: tuple[str, ...], props_path: tuple[str | int, ...]) -> list[_Found]:
    """``(values path of the component, its props path, the component's props, its pod options)``; a
    named list member (a worker set) by its name in the values and its index in the props."""
    found: list[_Found] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, PodOptions):
            found.append((path, props_path, model, value))
        elif isinstance(value, BaseModel):
            found.extend(_pod_options(value, (*path, name), (*props_path, name)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel) and isinstance(getattr(item, "name", None), str):
                    found.extend(_pod_options(item, (*path, name, item.name), (*props_path, name, i)))  # type: ignore[attr-defined]
    return found


def _option_leaves(
    path: tuple[str, ...], props_path: tuple[str | int, ...], owner: BaseModel, options: PodOptions, index: int
) -> list[ValueLeaf]:
    docs, where, sentinel = field_descriptions(PodOptions), f"{'.'.join(path)}: ", f"zzsentinel-{index}"
    pod, at = (*path, "pod"), (*props_path, "pod")

    def leaf(name: str, default: Any, value: Any, schema: dict[str, Any], key: str, merge: bool = False) -> ValueLeaf:
        schema = {**schema, "description": where + docs[name]}
        return _leaf((*pod, name), (*at, name), schema, default, value, key, merge)

    def merged(key: str, default: dict[str, str], value_pattern: str | None, reserved: str) -> ValueLeaf:
        # The pod's own ``key`` map (annotations, labels): the value's entries join the library's.
        entry = {f"sentinel.invalid/{key.removesuffix('s')}-{index}": sentinel}
        return leaf(f"pod_{key}", dict(default), entry, _string_map(value_pattern, reserved=reserved), key, merge=True)

    leaves = [
        leaf(
            "node_selector",
            dict(options.node_selector),
            {f"sentinel.invalid/node-{index}": sentinel},
            _string_map(LABEL_VALUE_PATTERN),
            "nodeSelector",
        ),
        leaf(
            "tolerations",
            [t.to_kubernetes() for t in options.tolerations],
            [Toleration(key=f"sentinel.invalid/taint-{index}", value=sentinel).to_kubernetes()],
            _TOLERATIONS,
            "tolerations",
        ),
        leaf(
            "priority_class_name",
            options.priority_class_name or "",
            f"{sentinel}-priority",
            {"type": "string", "pattern": f"({DNS_SUBDOMAIN_PATTERN})|^$", "maxLength": 253},
            "priorityClassName",
        ),
        # airflow-constructs.io/* are the library's checksums (PodOptions refuses them too).
        merged("annotations", options.pod_annotations, None, f"^{re.escape(RESERVED_ANNOTATION_PREFIX)}"),
        # app.kubernetes.io/* are the library's (PodOptions refuses them too).
        merged("labels", options.pod_labels, LABEL_VALUE_PATTERN, r"^app\.kubernetes\.io/"),
    ]
    leaves.append(_env_leaf(pod, at, options, index, where + docs["extra_env"]))
    leaves.append(_spread_leaf(pod, at, options, index, where + docs["topology_spread_constraints"]))
    if getattr(owner, "anti_affinity", "none") == "none":
        leaves.append(
            leaf("affinity", options.affinity or {}, _sentinel_affinity(index), {"type": "object"}, "affinity")
        )
    return leaves


def _leaf(
    path: tuple[str, ...],
    props_path: tuple[str | int, ...],
    schema: dict[str, Any],
    default: Any,
    sentinel: Any,
    key: str,
    merge: bool,
) -> ValueLeaf:
    name = path[-1]
    convert = tolerations_props if name == "tolerations" else None
    optional = name == "priority_class_name"  # "" is None: no priority class
    return ValueLeaf(
        path, props_path, default, sentinel, schema, key=key, merge=merge, to_props=convert, optional=optional
    )


def _env_leaf(
    pod: tuple[str, ...], at: tuple[str | int, ...], options: PodOptions, index: int, description: str
) -> ValueLeaf:
    """``<component>.pod.extra_env``: Kubernetes env vars after the main container's own."""
    return ValueLeaf(
        (*pod, "extra_env"),
        (*at, "extra_env"),
        [e.to_kubernetes() for e in options.extra_env],
        [EnvVar(name=f"ZZSENTINEL_ENV_{index}", value=f"zzsentinel-{index}").to_kubernetes()],
        {**_ENV, "description": description},
        key="env",
        merge=True,
        to_props=env_props,
    )


def _spread_leaf(
    pod: tuple[str, ...], at: tuple[str | int, ...], options: PodOptions, index: int, description: str
) -> ValueLeaf:
    """``<component>.pod.topology_spread_constraints``: they replace the library's spread rule; empty, the
    rule ``spread_across_nodes`` computes is written (``ValueLeaf.fallback``)."""
    default = [dict(c) for c in options.topology_spread_constraints]
    sentinel = {
        "labelSelector": {"matchLabels": {"sentinel.invalid/spread": f"zzsentinel-{index}"}},
        "maxSkew": 1,
        "topologyKey": f"sentinel.invalid/zone-{index}",
        "whenUnsatisfiable": "ScheduleAnyway",
    }
    # Where the app sets its own, the computed rule is not in its synthesis: the value cannot be emptied.
    schema = {**_SPREAD, **({"minItems": 1} if default else {}), "description": description}
    path = (*pod, "topology_spread_constraints")
    return ValueLeaf(
        path,
        (*at, "topology_spread_constraints"),
        default,
        [sentinel],
        schema,
        key="topologySpreadConstraints",
        fallback=True,
    )


_SPREAD: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        "properties": {
            "maxSkew": {"type": "integer", "minimum": 1},
            "topologyKey": {"type": "string", "pattern": LABEL_KEY_PATTERN},
            "whenUnsatisfiable": {"type": "string", "enum": ["DoNotSchedule", "ScheduleAnyway"]},
            "labelSelector": {"type": "object"},
            "minDomains": {"type": "integer", "minimum": 1},
            "matchLabelKeys": {"type": "array", "items": {"type": "string", "pattern": LABEL_KEY_PATTERN}},
            "nodeAffinityPolicy": {"type": "string", "enum": ["Honor", "Ignore"]},
            "nodeTaintsPolicy": {"type": "string", "enum": ["Honor", "Ignore"]},
        },
    },
}
"""Kubernetes ``TopologySpreadConstraint`` objects."""


def _sentinel_affinity(index: int | str) -> dict[str, Any]:
    """A node affinity no app has: a preference for a label under the reserved ``.invalid`` domain."""
    expression = {"key": f"sentinel.invalid/node-{index}", "operator": "Exists"}
    preference = {"preference": {"matchExpressions": [expression]}, "weight": 1}
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [preference]}}


def _string_map(value_pattern: str | None, reserved: str | None = None) -> dict[str, Any]:
    """A map of qualified-name keys to strings. Keys are checked by ``patternProperties`` with no
    other key allowed, not ``propertyNames``: Helm then names the map in the error."""
    value: dict[str, Any] = {"type": "string", **({"pattern": value_pattern} if value_pattern else {})}
    keys: dict[str, Any] = {LABEL_KEY_PATTERN: value, **({reserved: False} if reserved else {})}
    return {"type": "object", "patternProperties": keys, "additionalProperties": False}


_TOLERATIONS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["operator"],
        "properties": {
            "key": {"type": "string", "pattern": f"({LABEL_KEY_PATTERN})|^$"},
            "operator": {"type": "string", "enum": ["Equal", "Exists"]},
            "value": {"type": "string", "pattern": LABEL_VALUE_PATTERN},
            "effect": {"type": "string", "enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
            "tolerationSeconds": {"type": "integer", "minimum": 0},
        },
        "allOf": [
            {"if": {"properties": {"operator": {"const": "Exists"}}}, "then": {"not": {"required": ["value"]}}},
            {
                "if": {"required": ["tolerationSeconds"]},
                "then": {"required": ["effect"], "properties": {"effect": {"const": "NoExecute"}}},
            },
        ],
    },
}
"""Kubernetes ``Toleration`` objects, as the pod spec writes them (``Toleration.to_kubernetes``)."""


_KEY_REF = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "key"],
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": DNS_SUBDOMAIN_PATTERN},
        "key": {"type": "string", "pattern": r"^[-._a-zA-Z0-9]+$"},
    },
}
_ENV: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": ENV_VAR_NAME_PATTERN},
            "value": {"type": "string"},
            "valueFrom": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {"secretKeyRef": _KEY_REF, "configMapKeyRef": _KEY_REF},
            },
        },
        # Exactly one source, as EnvVar requires.
        "oneOf": [{"required": ["value"]}, {"required": ["valueFrom"]}],
    },
}
"""Kubernetes ``EnvVar`` objects with a literal value or a Secret or ConfigMap key (``EnvVar.to_kubernetes``)."""


def env_props(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kubernetes env vars as ``EnvVar`` props arguments (``valueFrom.secretKeyRef`` is ``secret``)."""
    out = []
    for var in value:
        refs = var.get("valueFrom") or {}
        if "secretKeyRef" in refs:
            out.append({"name": var["name"], "secret": refs["secretKeyRef"]})
        elif "configMapKeyRef" in refs:
            out.append({"name": var["name"], "config_map": refs["configMapKeyRef"]})
        else:
            out.append({"name": var["name"], "value": var.get("value")})
    return out


def tolerations_props(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kubernetes tolerations as ``Toleration`` props arguments (``tolerationSeconds`` is ``toleration_seconds``)."""
    return [{("toleration_seconds" if k == "tolerationSeconds" else k): v for k, v in t.items()} for t in value]


def components_with(props: BaseModel, attribute: str, kind: type[T]) -> list[tuple[str, T]]:
    """``(field, its attribute)`` of the props fields (components) whose ``attribute`` is a ``kind``."""
    found = []
    for name in type(props).model_fields:
        value = getattr(getattr(props, name), attribute, None)
        if isinstance(value, kind):
            found.append((name, value))
    return found


def service_leaves(props: BaseModel) -> list[ValueLeaf]:
    """``<component>.service.type`` and ``.annotations`` of every component with ``ServiceOptions``."""
    docs = field_descriptions(ServiceOptions)
    leaves = []
    for name, options in components_with(props, "service", ServiceOptions):
        path = (name, "service")
        where = f"{name}.service: "
        kinds = ["ClusterIP", "NodePort", "LoadBalancer"]
        leaves.append(
            ValueLeaf(
                (*path, "type"),
                (*path, "type"),
                options.type,
                next(k for k in reversed(kinds) if k != options.type),
                {"type": "string", "enum": kinds, "description": where + docs["type"]},
            )
        )
        leaves.append(
            ValueLeaf(
                (*path, "annotations"),
                (*path, "annotations"),
                dict(options.annotations),
                {f"sentinel.invalid/service-{name.replace('_', '-')}": f"zzsentinel-service-{name}"},
                {**_string_map(None), "description": where + docs["annotations"]},
                key="annotations",
            )
        )
    return leaves
