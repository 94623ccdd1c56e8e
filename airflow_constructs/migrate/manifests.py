"""What a side-by-side comparison looks at in a set of manifests, the same way for both charts.

The official chart labels its objects ``component: <name>``; ours ``app.kubernetes.io/component``.
``COMPONENT_NAMES`` brings their names to ours so that the two sides line up per component.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

COMPONENT_NAMES = {
    "webserver": "api-server",
    "worker": "worker-default",
    "run-airflow-migrations": "migrate",
    "database-cleanup": "db-clean",
    "airflow-cleanup-pods": "pod-cleanup",
    "cleanup": "pod-cleanup",
    "api-server-ingress": "api-server",
    "airflow-ingress": "api-server",
    "flower-ingress": "flower",
}
"""Official component label -> ours, where they differ."""


@dataclass(frozen=True)
class Workload:
    """The facts of one workload's main container and pod that a migration cares about."""

    kind: str
    name: str
    image: str
    command: tuple[str, ...]
    replicas: int | None
    resources: str
    env: frozenset[str]
    ports: frozenset[int]
    mounts: frozenset[str]
    service_account: str
    security_context: bool
    helm_hook: str


@dataclass
class Install:
    """One side of the comparison: workloads per component, airflow.cfg, exposure, the extras."""

    workloads: dict[str, list[Workload]] = field(default_factory=dict)
    airflow_cfg: dict[str, str] = field(default_factory=dict)
    exposure: list[str] = field(default_factory=list)
    network_policies: int = 0
    secrets: set[str] = field(default_factory=set)
    """Names of the Secret objects the manifests create."""
    secret_refs: set[str] = field(default_factory=set)
    """Names of the Secrets the pods read (env and volumes)."""


def component_of(doc: dict[str, Any]) -> str:
    """Our name of the component a manifest belongs to ("" when it has no component label)."""
    labels = doc.get("metadata", {}).get("labels") or {}
    name = str(labels.get("app.kubernetes.io/component") or labels.get("component") or "")
    return COMPONENT_NAMES.get(name, name)


def read_install(docs: Iterable[dict[str, Any]]) -> Install:
    """Summarize a list of manifests (``helm template`` output or our synthesized chart)."""
    install = Install()
    for doc in docs:
        kind = doc.get("kind")
        if kind in WORKLOAD_KINDS:
            install.workloads.setdefault(component_of(doc), []).append(_workload(doc))
            install.secret_refs |= _secret_refs(_pod_spec(doc))
        elif kind == "Secret":
            install.secrets.add(str(doc["metadata"]["name"]))
        elif kind == "ConfigMap" and "airflow.cfg" in (doc.get("data") or {}):
            install.airflow_cfg.update(_cfg(doc["data"]["airflow.cfg"]))
        elif kind == "Ingress":
            install.exposure += _ingress(doc)
        elif kind == "HTTPRoute":
            install.exposure += [f"HTTPRoute {host}" for host in doc.get("spec", {}).get("hostnames", [])]
        elif kind == "NetworkPolicy":
            install.network_policies += 1
    for items in install.workloads.values():
        items.sort(key=lambda w: (w.kind, w.name))
    return install


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return dict(spec.get("template", {}).get("spec", {}))


def _workload(doc: dict[str, Any]) -> Workload:
    pod = _pod_spec(doc)
    containers = pod.get("containers") or [{}]
    component = component_of(doc)
    main = next((c for c in containers if c.get("name") in (component, "base", "worker")), containers[0])
    resources = main.get("resources") or {}
    annotations = doc.get("metadata", {}).get("annotations") or {}
    contexts = [pod.get("securityContext") or {}] + [c.get("securityContext") or {} for c in containers]
    return Workload(
        kind=doc["kind"],
        name=doc["metadata"]["name"],
        image=str(main.get("image", "")),
        command=tuple(str(part) for part in (main.get("command") or []) + (main.get("args") or [])),
        replicas=doc.get("spec", {}).get("replicas") if doc["kind"] in ("Deployment", "StatefulSet") else None,
        resources=_resources(resources),
        env=frozenset(str(e["name"]) for e in main.get("env") or []),
        ports=frozenset(int(p["containerPort"]) for p in main.get("ports") or []),
        mounts=frozenset(str(m["mountPath"]) for m in main.get("volumeMounts") or []),
        service_account=str(pod.get("serviceAccountName") or "default"),
        security_context=any(c.get("allowPrivilegeEscalation") is False for c in contexts),
        helm_hook=str(annotations.get("helm.sh/hook", "")),
    )


def _secret_refs(pod: dict[str, Any]) -> set[str]:
    names = {str(v["secret"]["secretName"]) for v in pod.get("volumes") or [] if "secret" in v}
    for container in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                names.add(str(ref["name"]))
    return names


def _resources(resources: dict[str, Any]) -> str:
    parts = []
    for kind in ("requests", "limits"):
        for name in ("cpu", "memory"):
            value = (resources.get(kind) or {}).get(name)
            if value is not None:
                parts.append(f"{kind}.{name}={value}")
    return " ".join(parts) or "none"


def _cfg(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    return {f"{s}.{k}": v for s in parser.sections() for k, v in parser.items(s)}


def _ingress(doc: dict[str, Any]) -> list[str]:
    spec = doc.get("spec", {})
    tls_hosts = {host for tls in spec.get("tls") or [] for host in tls.get("hosts") or []}
    out = []
    for rule in spec.get("rules") or []:
        host = rule.get("host", "*")
        out.append(f"Ingress {host} ({'TLS' if host in tls_hosts else 'no TLS'})")
    return out
