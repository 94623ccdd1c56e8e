"""Named invariants over a list of manifests. Each returns a list of violations (empty: passes).

They are applied to every example app (and, later, to generated configurations); each has a
deliberately broken fixture in ``tests/test_conformance.py`` that proves it can fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Manifest = dict[str, Any]

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
RECOMMENDED = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/version",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)
ALLOWED_VOLUME_SOURCES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def pod_templates(manifests: list[Manifest]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``Kind/name``, pod template) for every object that makes pods."""
    for m in manifests:
        kind = m["kind"]
        if kind not in WORKLOAD_KINDS:
            continue
        name = f"{kind}/{m['metadata']['name']}"
        if kind == "Pod":
            yield name, {"metadata": m["metadata"], "spec": m["spec"]}
        elif kind == "CronJob":
            yield name, m["spec"]["jobTemplate"]["spec"]["template"]
        else:
            yield name, m["spec"]["template"]


def all_containers(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(field, []):
            yield field, c


def restricted_pod_security(manifests: list[Manifest]) -> list[str]:
    """Every rule of the Kubernetes *restricted* Pod Security Standard (baseline included)."""
    out = []
    for name, template in pod_templates(manifests):
        spec = template["spec"]
        psc = spec.get("securityContext", {})
        for host in ("hostNetwork", "hostPID", "hostIPC", "hostUsers"):
            if spec.get(host) is True and host != "hostUsers":
                out.append(f"{name}: {host} is true")
        if psc.get("windowsOptions", {}).get("hostProcess"):
            out.append(f"{name}: hostProcess")
        for vol in spec.get("volumes", []):
            sources = set(vol) - {"name"}
            if not sources <= ALLOWED_VOLUME_SOURCES:
                out.append(f"{name}: volume {vol['name']} uses {sorted(sources - ALLOWED_VOLUME_SOURCES)}")
        for sysctl in psc.get("sysctls", []):
            out.append(f"{name}: sysctl {sysctl.get('name')} (restricted allows only the safe set; none used here)")
        if psc.get("seLinuxOptions", {}).get("type") not in (
            None,
            "",
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ):
            out.append(f"{name}: pod seLinuxOptions.type not allowed")
        pod_nonroot = psc.get("runAsNonRoot")
        pod_seccomp = psc.get("seccompProfile", {}).get("type")
        if psc.get("runAsUser") == 0:
            out.append(f"{name}: pod runAsUser is 0")
        if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
            out.append(f"{name}: pod seccompProfile {pod_seccomp}")
        if psc.get("appArmorProfile", {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
            out.append(f"{name}: pod appArmorProfile not allowed")
        for field, c in all_containers(spec):
            where = f"{name} {field}/{c['name']}"
            sc = c.get("securityContext", {})
            if sc.get("privileged"):
                out.append(f"{where}: privileged")
            if sc.get("windowsOptions", {}).get("hostProcess"):
                out.append(f"{where}: hostProcess")
            if sc.get("procMount") not in (None, "Default"):
                out.append(f"{where}: procMount {sc.get('procMount')}")
            if sc.get("seLinuxOptions", {}).get("type") not in (
                None,
                "",
                "container_t",
                "container_init_t",
                "container_kvm_t",
                "container_engine_t",
            ):
                out.append(f"{where}: seLinuxOptions.type not allowed")
            if sc.get("appArmorProfile", {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
                out.append(f"{where}: appArmorProfile not allowed")
            for port in c.get("ports", []):
                if port.get("hostPort"):
                    out.append(f"{where}: hostPort {port['hostPort']}")
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{where}: allowPrivilegeEscalation is not false")
            caps = sc.get("capabilities", {})
            if "ALL" not in caps.get("drop", []):
                out.append(f"{where}: capabilities do not drop ALL")
            if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
                out.append(f"{where}: adds capabilities {caps.get('add')}")
            nonroot = sc.get("runAsNonRoot", pod_nonroot)
            if nonroot is not True:
                out.append(f"{where}: runAsNonRoot is not true")
            if sc.get("runAsUser") == 0:
                out.append(f"{where}: runAsUser is 0")
            seccomp = sc.get("seccompProfile", {}).get("type", pod_seccomp)
            if seccomp not in ("RuntimeDefault", "Localhost"):
                out.append(f"{where}: seccompProfile is {seccomp}")
    return out


def resources_on_every_container(manifests: list[Manifest]) -> list[str]:
    out = []
    for name, template in pod_templates(manifests):
        for field, c in all_containers(template["spec"]):
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in res.get(part, {}):
                        out.append(f"{name} {field}/{c['name']}: no {part}.{what}")
    return out


def no_secret_data(manifests: list[Manifest]) -> list[str]:
    return [
        f"Secret/{m['metadata']['name']}: carries {key}"
        for m in manifests
        if m["kind"] == "Secret"
        for key in ("data", "stringData")
        if m.get(key)
    ]


def no_helm_hooks(manifests: list[Manifest]) -> list[str]:
    return [
        f"{m['kind']}/{m['metadata']['name']}: annotation {key}"
        for m in manifests
        for key in (m["metadata"].get("annotations") or {})
        if key.startswith("helm.sh/hook")
    ]


def recommended_labels(manifests: list[Manifest]) -> list[str]:
    out = []
    for m in manifests:
        labels = m["metadata"].get("labels") or {}
        missing = [k for k in RECOMMENDED if k not in labels]
        if missing:
            out.append(f"{m['kind']}/{m['metadata']['name']}: missing labels {missing}")
    return out


def services_select_pods(manifests: list[Manifest]) -> list[str]:
    """Every Service selects at least one pod template and targets a port its containers expose."""
    out = []
    templates = list(pod_templates(manifests))
    for svc in (m for m in manifests if m["kind"] == "Service"):
        name = f"Service/{svc['metadata']['name']}"
        selector = svc["spec"].get("selector")
        if not selector:
            out.append(f"{name}: no selector")
            continue
        matched = [
            (tname, t) for tname, t in templates if selector.items() <= (t["metadata"].get("labels") or {}).items()
        ]
        if not matched:
            out.append(f"{name}: selects no pod template")
            continue
        for port in svc["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            for tname, t in matched:
                exposed = [p for _, c in all_containers(t["spec"]) for p in c.get("ports", [])]
                if not any(target in (p.get("name"), p["containerPort"]) for p in exposed):
                    out.append(f"{name}: port {port.get('name')} targets {target!r}, not exposed by {tname}")
    return out


def references_exist(manifests: list[Manifest], external: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Every ConfigMap, ServiceAccount and PVC a pod references exists in the output (or is external).

    Secrets are checked against the output plus the Secrets the bootstrap Job generates and the
    ``external`` set (``Secret/name`` entries the props declare as user-provided).
    """
    present = {f"{m['kind']}/{m['metadata']['name']}" for m in manifests}
    for m in manifests:
        if m["kind"] == "ConfigMap" and "spec.json" in (m.get("data") or {}):
            import json

            for secret in json.loads(m["data"]["spec.json"])["secrets"]:
                present.add(f"Secret/{secret['name']}")
    out = []
    for name, template in pod_templates(manifests):
        spec = template["spec"]
        wanted: set[str] = set()
        if "serviceAccountName" in spec:
            wanted.add(f"ServiceAccount/{spec['serviceAccountName']}")
        for vol in spec.get("volumes", []):
            if "configMap" in vol:
                wanted.add(f"ConfigMap/{vol['configMap']['name']}")
            if "secret" in vol:
                wanted.add(f"Secret/{vol['secret']['secretName']}")
        for _, c in all_containers(spec):
            for env in c.get("env", []):
                ref = env.get("valueFrom", {})
                if "secretKeyRef" in ref:
                    wanted.add(f"Secret/{ref['secretKeyRef']['name']}")
                if "configMapKeyRef" in ref:
                    wanted.add(f"ConfigMap/{ref['configMapKeyRef']['name']}")
        for ref in sorted(wanted - present - set(external)):
            out.append(f"{name}: references missing {ref}")
    return out


INVARIANTS: dict[str, Callable[[list[Manifest]], list[str]]] = {
    "restricted_pod_security": restricted_pod_security,
    "resources_on_every_container": resources_on_every_container,
    "no_secret_data": no_secret_data,
    "no_helm_hooks": no_helm_hooks,
    "recommended_labels": recommended_labels,
    "services_select_pods": services_select_pods,
    "references_exist": references_exist,
}
