"""A user's Pod merged with ours: the user brings placement and extras, we keep what security needs.

What wins (the KubernetesExecutor's ``pod_template`` documents the same rules):

- **ours**: the pod's ``securityContext``, ``serviceAccountName`` (``serviceAccount`` is dropped),
  ``automountServiceAccountToken``, ``restartPolicy``, ``enableServiceLinks``; the main container's
  ``name``, ``image``, ``imagePullPolicy``, ``command``, ``args`` and ``securityContext``; our volumes
  and the main container's mounts (a mount of yours at one of our paths or of one of our volumes is
  replaced by ours); an env var of the main container we set; a label or annotation we set.
- **merged**: maps (``nodeSelector``, labels, annotations) take both, ours on a shared key; lists
  (``tolerations``, ``imagePullSecrets``, ``topologySpreadConstraints``) take yours then ours.
- **yours**: every other pod field (``affinity`` unless ours is set, ``priorityClassName``,
  ``dnsConfig``...), the main container's ``resources``, ``envFrom``, other env vars, other mounts,
  and your sidecars and init containers (after ours), each getting every field of our restricted
  ``securityContext`` it leaves out.
- **refused**: what breaks the restricted Pod Security Standard once merged (hostPath and other host
  volumes, host namespaces, privileged or root containers, added capabilities...), a volume or a
  container named like one of ours, two containers with one name, fields a Pod does not have.
"""

from __future__ import annotations

import copy
from typing import Any

from .manifest_audit import harden_container, restricted_violations, strict_schema
from .resources import require_requests_and_limits
from .security import container_security_context

OWNED_SPEC = (
    "automountServiceAccountToken",
    "enableServiceLinks",
    "restartPolicy",
    "securityContext",
    "serviceAccount",
)
OWNED_MAIN = ("name", "image", "imagePullPolicy", "command", "args", "securityContext")
_METADATA = ("annotations", "labels", "name", "namespace")
_RESERVED_LABEL_PREFIX = "app.kubernetes.io/"


def check_user_pod(value: Any, main: str) -> dict[str, Any]:
    """The user's pod as ``{apiVersion, kind, metadata, spec}``, or ``ValueError`` saying what is wrong.

    Checks what needs nothing of ours: the shape, the strict Pod schema, container names, every
    sidecar's resources and the restricted profile of the user's own containers and volumes.
    """
    if not isinstance(value, dict):
        raise ValueError(
            f"expected a mapping (a Pod: apiVersion, kind, metadata, spec) or the path of a YAML file holding one, "
            f"got {type(value).__name__}"
        )
    if value.get("apiVersion", "v1") != "v1" or value.get("kind", "Pod") != "Pod":
        raise ValueError(
            f"apiVersion/kind {value.get('apiVersion')}/{value.get('kind')} is not allowed: expected v1/Pod"
        )
    unknown = sorted(set(value) - {"apiVersion", "kind", "metadata", "spec"})
    if unknown:
        raise ValueError(f"keys {unknown} are not allowed: a pod template has apiVersion, kind, metadata, spec")
    metadata = dict(value.get("metadata") or {})
    if sorted(set(metadata) - set(_METADATA)):
        raise ValueError(
            f"metadata keys {sorted(set(metadata) - set(_METADATA))} are not allowed: use {', '.join(_METADATA)} "
            "(name and namespace are the executor's)"
        )
    reserved = sorted(k for k in metadata.get("labels") or {} if k.startswith(_RESERVED_LABEL_PREFIX))
    if reserved:
        raise ValueError(f"labels {reserved} are reserved: app.kubernetes.io/* labels are set by the library")
    spec = copy.deepcopy(value.get("spec") or {})
    containers = spec.get("containers") or [{"name": main}]
    names = [str(c.get("name")) for c in [*(spec.get("initContainers") or []), *containers]]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"container names {dupes} repeat: each container and init container needs its own name")
    for c in [*(spec.get("initContainers") or []), *containers]:
        if c.get("name") != main:
            _check_sidecar(c)
    kept = {k: v for k, v in metadata.items() if k != "namespace"} | {"name": "placeholder-name"}
    as_pod = spec | {"containers": containers}
    strict_schema("pod_template", {"apiVersion": "v1", "kind": "Pod", "metadata": kept, "spec": as_pod})
    spec_as_merged = _with_owned_security(as_pod, main)
    errors = restricted_violations("pod_template.spec", spec_as_merged, metadata.get("annotations"))
    if errors:
        raise ValueError("; ".join(errors))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": kept, "spec": spec}


def _check_sidecar(c: dict[str, Any]) -> None:
    name = c.get("name")
    if not c.get("image"):
        raise ValueError(f"container {name!r} needs an 'image' (only the main container's image is ours)")
    require_requests_and_limits(c)


def _with_owned_security(spec: dict[str, Any], main: str) -> dict[str, Any]:
    """``spec`` as it will be merged, for the security audit: our contexts where ours win, sidecars hardened."""
    out = dict(spec)
    out["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    for field in ("initContainers", "containers"):
        if field in out:
            out[field] = [
                c | {"securityContext": container_security_context()} if c.get("name") == main else harden_container(c)
                for c in out[field]
            ]
    return out


def merge_pod(ours: dict[str, Any], user: dict[str, Any], main: str) -> dict[str, Any]:
    """``ours`` (a Pod) with ``user`` (from ``check_user_pod``) merged in; raises ``ValueError`` when
    the merged pod is refused. The rules are this module's docstring."""
    spec = _merge_fields(user["spec"], ours["spec"])
    ours_volumes = {v["name"] for v in ours["spec"].get("volumes") or []}
    clash = sorted(ours_volumes & {v.get("name") for v in user["spec"].get("volumes") or []})
    if clash:
        raise ValueError(
            f"volumes {clash} are the library's (airflow.cfg, logs, DAGs, scratch space): give yours other names; "
            f"taken: {', '.join(sorted(ours_volumes))}"
        )
    volumes = [*(ours["spec"].get("volumes") or []), *(user["spec"].get("volumes") or [])]
    if volumes:
        spec["volumes"] = sorted(volumes, key=lambda v: str(v["name"]))
    spec["containers"] = _merge_containers(ours["spec"]["containers"], user["spec"].get("containers") or [], main)
    ours_inits = ours["spec"].get("initContainers") or []
    user_inits = user["spec"].get("initContainers") or []
    taken = {c["name"] for c in [*ours_inits, *spec["containers"]]}
    clash = sorted(taken & {c.get("name") for c in user_inits})
    if clash:
        names = ", ".join(sorted(taken))
        raise ValueError(
            f"init containers {clash} are named like one of the library's containers ({names}): rename yours"
        )
    if ours_inits or user_inits:
        spec["initContainers"] = [*ours_inits, *(harden_container(c) for c in user_inits)]
    metadata = dict(ours["metadata"])
    for key in ("labels", "annotations"):
        both = {**(user["metadata"].get(key) or {}), **(ours["metadata"].get(key) or {})}
        if both:
            metadata[key] = dict(sorted(both.items()))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    strict_schema("pod_template (merged)", pod)
    errors = restricted_violations("pod_template.spec", spec, metadata.get("annotations"))
    if errors:
        raise ValueError("; ".join(errors))
    return pod


def _merge_fields(user: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """Pod spec fields but the containers and volumes: maps merged, lists joined, ours on the rest."""
    skip = ("containers", "initContainers", "volumes")
    out = {k: copy.deepcopy(v) for k, v in user.items() if k not in skip and k not in OWNED_SPEC}
    for key, value in ours.items():
        if key in skip:
            continue
        mine = out.get(key)
        if isinstance(mine, dict) and isinstance(value, dict) and key == "nodeSelector":
            out[key] = dict(sorted({**mine, **value}.items()))
        elif isinstance(mine, list) and isinstance(value, list):
            out[key] = [*mine, *(v for v in value if v not in mine)]
        else:
            out[key] = value
    return dict(sorted(out.items()))


def _merge_containers(ours: list[dict[str, Any]], user: list[dict[str, Any]], main: str) -> list[dict[str, Any]]:
    base, *our_sidecars = ours
    user_base = next((c for c in user if c.get("name") == main), {})
    merged = {k: copy.deepcopy(v) for k, v in user_base.items() if k not in OWNED_MAIN} | {
        k: v for k, v in base.items() if k in OWNED_MAIN
    }
    if "resources" not in user_base:
        merged["resources"] = base["resources"]
    ours_env = base.get("env") or []
    names = {e["name"] for e in ours_env}
    env = [*ours_env, *(e for e in user_base.get("env") or [] if e.get("name") not in names)]
    if env:
        merged["env"] = env
    ours_mounts = base.get("volumeMounts") or []
    paths, volumes = {m["mountPath"] for m in ours_mounts}, {m["name"] for m in ours_mounts}
    mounts = [
        *ours_mounts,
        *(
            m
            for m in user_base.get("volumeMounts") or []
            if m.get("mountPath") not in paths and m.get("name") not in volumes
        ),
    ]
    if mounts:
        merged["volumeMounts"] = sorted(mounts, key=lambda m: str(m["mountPath"]))
    taken = {c["name"] for c in ours}
    sidecars = [c for c in user if c.get("name") != main]
    clash = sorted(taken & {c.get("name") for c in sidecars})
    if clash:
        listed = ", ".join(sorted(taken))
        raise ValueError(f"containers {clash} are named like one of the library's ({listed}): rename yours")
    return [dict(sorted(merged.items())), *our_sidecars, *(harden_container(c) for c in sidecars)]
