"""The parts of Kubernetes objects that the API server refuses to change on update.

Read from the API server's validation (``ValidateStatefulSetUpdate``, ``ValidateJobUpdate``,
``ValidatePersistentVolumeClaimUpdate``, ``ValidateServiceUpdate``, ``ValidateRoleBindingUpdate``,
...), for the kinds we synthesize. An update that changes one of these fails with ``field is
immutable`` (or ``Forbidden: updates to statefulset spec for fields other than ...``): the object
must get a new name instead. Independent of the library on purpose: the tests check the library
against this table, not against its own idea of what is immutable.
"""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

STATEFULSET_MUTABLE = {
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
}
"""The only StatefulSet spec fields an update may change; everything else is immutable."""

JOB_IMMUTABLE = ("template", "selector", "manualSelector", "completionMode", "podFailurePolicy", "completions")
"""Job spec fields fixed at creation (``completions`` may only change with ``parallelism`` for
elastic indexed Jobs, which we never emit)."""

PVC_MUTABLE = {"resources", "volumeAttributesClassName"}
"""A bound claim's spec: only its storage request (growing) and its attributes class may change."""


def _pick(spec: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: spec[k] for k in keys if k in spec}


def immutable_parts(manifest: Manifest) -> dict[str, Any] | None:
    """What of ``manifest`` an update may not change, or None when the kind has nothing immutable."""
    kind = manifest["kind"]
    spec = manifest.get("spec", {})
    if kind == "StatefulSet":
        return {k: v for k, v in spec.items() if k not in STATEFULSET_MUTABLE}
    if kind in ("Deployment", "DaemonSet", "ReplicaSet"):
        return _pick(spec, ("selector",))
    if kind == "Job":
        return _pick(spec, JOB_IMMUTABLE)
    if kind == "PersistentVolumeClaim":
        requests = {k: v for k, v in spec.get("resources", {}).get("requests", {}).items() if k != "storage"}
        return {**{k: v for k, v in spec.items() if k not in PVC_MUTABLE}, "requests": requests}
    if kind == "Service":
        # Headless or not is fixed: a clusterIP, once "None" or allocated, cannot change.
        return {"clusterIP": spec.get("clusterIP", "<allocated>")}
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        return {"roleRef": manifest["roleRef"]}
    if kind in ("Secret", "ConfigMap"):
        parts: dict[str, Any] = {"type": manifest.get("type")} if kind == "Secret" else {}
        if manifest.get("immutable"):
            parts.update(data=manifest.get("data"), binaryData=manifest.get("binaryData"))
        return parts or None
    return None


def identity(manifest: Manifest) -> tuple[str, str, str, str]:
    """What the API server keys an object by: group/version's group, kind, namespace, name."""
    group = manifest["apiVersion"].rpartition("/")[0]
    meta = manifest["metadata"]
    return group, manifest["kind"], meta.get("namespace", ""), meta["name"]


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


def _bytes(quantity: str) -> int:
    """A storage quantity in bytes (the binary suffixes the library writes, or plain bytes)."""
    for suffix, factor in _BINARY.items():
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    return int(quantity)


def _storage(manifest: Manifest) -> int | None:
    request = manifest.get("spec", {}).get("resources", {}).get("requests", {}).get("storage")
    return None if request is None else _bytes(request)


def conflicting_fields(before: Manifest, after: Manifest) -> list[str]:
    """What an update from ``before`` to ``after`` (same object) may not change but does."""
    was, now = immutable_parts(before) or {}, immutable_parts(after) or {}
    fields = sorted(k for k in {*was, *now} if was.get(k) != now.get(k))
    if after["kind"] == "PersistentVolumeClaim":
        old, new = _storage(before), _storage(after)
        if old is not None and new is not None and new < old:
            fields.append("storage decreased")  # a claim may grow, never shrink
    return fields


def immutable_conflicts(before: list[Manifest], after: list[Manifest]) -> list[tuple[str, str, list[str]]]:
    """``(kind, name, fields)`` of every object in both whose update the API server would refuse."""
    old = {identity(m): m for m in before}
    conflicts = []
    for manifest in after:
        key = identity(manifest)
        if key in old and (fields := conflicting_fields(old[key], manifest)):
            conflicts.append((key[1], key[3], fields))
    return conflicts
