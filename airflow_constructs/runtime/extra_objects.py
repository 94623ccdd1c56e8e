"""``extra_objects``: plain manifests added to the install as given, held to our own objects' audit.

Each object is written as given (the chart's namespace added), after these checks, every message
naming the object, the field, the value and what is allowed:

- a mapping with ``apiVersion``, ``kind`` and ``metadata.name``; no ``metadata.namespace`` (every
  object lives in the release's namespace); no two objects with one kind and name;
- strict schema (kubernetes-validate, unknown fields refused) for built-in kinds against the oldest
  and newest supported Kubernetes; a custom resource is checked for its shape only (its CRD is not
  known here);
- no cluster-scoped kind (``ClusterRole``, ``Namespace``, ``PriorityClass``, CRDs...): there is no
  allow-list, cluster-wide objects are the cluster admins' to apply;
- no ``Secret`` with ``data`` or ``stringData`` (no secret value in the manifests): name an existing
  Secret, use ``external_secrets`` (an ExternalSecret), or a Secret the cluster fills;
- pod-bearing kinds pass the restricted Pod Security Standard and give every container cpu and
  memory requests and limits; no ``helm.sh/hook`` annotation (the install has no Helm hooks).
"""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject, ApiObjectMetadata, Chart, JsonPatch
from constructs import Construct

from ..core.body_object import object_identity
from ..core.kube import check_dns_subdomain
from ..core.manifest_audit import restricted_violations, strict_schema
from ..core.props import PropsError

CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterExternalSecret",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterSecretStore",
        "ComponentStatus",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)
"""Cluster-scoped kinds refused in ``extra_objects`` (Kubernetes' own and the CRDs this package binds)."""
POD_TEMPLATE_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each pod-bearing kind keeps its pod spec."""


def check_extra_objects(value: list[Any]) -> list[dict[str, Any]]:
    """``value`` if every object passes (see the module docstring), else ``ValueError`` naming each problem."""
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, obj in enumerate(value):
        where = f"[{i}]"
        if not isinstance(obj, dict):
            errors.append(f"{where}: expected a mapping (a Kubernetes object), got {type(obj).__name__}")
            continue
        kind, name = obj.get("kind"), (obj.get("metadata") or {}).get("name")
        if not isinstance(obj.get("apiVersion"), str) or not isinstance(kind, str) or not isinstance(name, str):
            errors.append(f"{where}: needs apiVersion, kind and metadata.name (strings), got keys {sorted(obj)}")
            continue
        where = f"[{i}] {kind}/{name}"
        if (kind, name) in seen:
            errors.append(f"{where}: repeats an object: each kind and name may appear once")
        seen.add((kind, name))
        errors += _check_one(where, obj)
    if errors:
        raise ValueError("; ".join(errors))
    return value


def _check_one(where: str, obj: dict[str, Any]) -> list[str]:
    kind, metadata = str(obj["kind"]), obj["metadata"]
    try:
        check_dns_subdomain(f"a {kind}", metadata["name"])
    except ValueError as err:
        return [f"{where}: {err}"]
    if "namespace" in metadata:
        return [f"{where}: metadata.namespace {metadata['namespace']!r} is not allowed: every extra object lives "
                "in the release's namespace; leave it out"]  # fmt: skip
    if kind in CLUSTER_SCOPED:
        return [
            f"{where}: kind {kind} is cluster-scoped and not allowed: extra_objects are namespaced objects of the "
            "release; cluster-wide objects are the cluster admins' to apply"
        ]
    if kind == "Secret" and ("data" in obj or "stringData" in obj):
        given = sorted(k for k in ("data", "stringData") if k in obj)
        return [
            f"{where}: a Secret with {'/'.join(given)} is not allowed: no secret value is written to the manifests; "
            "name an existing Secret (SecretRef), use external_secrets (an ExternalSecret), or a Secret the "
            "cluster fills"
        ]
    hooks = sorted(k for k in metadata.get("annotations") or {} if k.startswith("helm.sh/hook"))
    if hooks:
        return [f"{where}: annotations {hooks} are not allowed: the install uses no Helm hooks"]
    try:
        strict_schema(where, obj)
    except ValueError as err:
        return [str(err)]
    return _pod_checks(where, obj)


def _pod_checks(where: str, obj: dict[str, Any]) -> list[str]:
    path = POD_TEMPLATE_PATHS.get(str(obj["kind"]))
    if path is None:
        return []
    spec: Any = obj
    for key in path:
        spec = (spec or {}).get(key)
    spec = spec or {}
    owner = obj if obj["kind"] == "Pod" else _parent(obj, path)
    errors = restricted_violations(f"{where} {'.'.join(path)}", spec, (owner.get("metadata") or {}).get("annotations"))
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            res = c.get("resources") or {}
            if any(part not in (res.get(kind) or {}) for kind in ("requests", "limits") for part in ("cpu", "memory")):
                errors.append(
                    f"{where} {'.'.join(path)}.{field}[{c.get('name')}].resources: {res!r} is not allowed: every "
                    "container needs cpu and memory requests and limits"
                )
    return errors


def _parent(obj: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The pod template (``metadata`` + ``spec``) holding the pod spec at ``path``."""
    node: Any = obj
    for key in path[:-1]:
        node = (node or {}).get(key)
    return node or {}


def add_extra_objects(scope: Construct, objects: list[dict[str, Any]]) -> list[ApiObject]:
    """Each object as an ``ApiObject`` in ``scope``'s chart, refused when it has the kind and name of
    one already there."""
    if not objects:
        return []
    taken = {object_identity(o) for o in Chart.of(scope).node.find_all() if isinstance(o, ApiObject)}
    clash = sorted(
        f"{o['kind']}/{o['metadata']['name']}" for o in objects if (o["kind"], o["metadata"]["name"]) in taken
    )
    if clash:
        raise PropsError(
            f"AirflowProps.extra_objects: {clash} have the kind and name of objects the install makes: rename yours"
        )
    out = []
    for i, obj in enumerate(objects):
        metadata = obj["metadata"]
        api = ApiObject(
            scope,
            f"extra-{i}",
            api_version=obj["apiVersion"],
            kind=obj["kind"],
            metadata=ApiObjectMetadata(name=metadata["name"]),
        )
        for key, value in sorted(metadata.items()):
            if key != "name":
                api.add_json_patch(JsonPatch.add(f"/metadata/{key}", value))
        for key, value in sorted(obj.items()):
            if key not in ("apiVersion", "kind", "metadata"):
                api.add_json_patch(JsonPatch.add(f"/{key}", value))
        out.append(api)
    return out
