"""The conformance suite: named invariants, each a function over a list of manifests.

Each returns a list of violations (empty: it holds). ``INVARIANTS`` names them all; ``run()`` applies
them with the context some need (the objects the props declare external, the Kubernetes versions).
They are applied to every example app (``tests/test_conformance.py``) and to every configuration
the property tests generate (``tests/test_properties.py``); each has a deliberately broken fixture
in ``tests/test_conformance.py`` that proves it can fail.

- ``strict_schema``: every object validates, unknown fields rejected, against every Kubernetes
  minor from ``MIN_KUBERNETES_VERSION`` to the newest kubernetes-validate ships; custom resources
  against their CRD.
- ``restricted_pod_security``: every pod template passes every rule of the *restricted* Pod
  Security Standard (baseline included) in every supported version.
- ``resources_on_every_container``: cpu and memory requests and limits, requests within limits.
- ``services_select_pods``: every Service selects a pod template and targets a port it exposes.
- ``references_exist``: every Secret, ConfigMap, PVC and ServiceAccount a pod references exists in
  the output, is generated in-cluster, or is declared external by the props.
- ``wiring_resolves``: RoleBindings, Ingresses, routes, autoscalers, PDBs and monitors point at
  objects that exist.
- ``networkpolicy_coverage``: once the output has a NetworkPolicy, every pod template is selected
  by one.
- ``no_secret_data``, ``no_helm_hooks``: no Secret carries data; no ``helm.sh/hook*`` annotation.
- ``recommended_labels``: the six ``app.kubernetes.io/*`` labels on every object.
- ``valid_names``: names and labels the API server accepts (DNS rules, 63-character limits).
- ``unique_objects``: no two objects share kind, namespace and name.

Determinism (synthesizing twice gives identical bytes) is not a function of one output:
``deterministic(synth)`` calls a synthesis twice and compares.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from .schemas import KUBE_VERSIONS, MIN_KUBERNETES_VERSION, is_custom_resource, schema_errors

Manifest = dict[str, Any]
Invariant = Callable[..., list[str]]

__all__ = [
    "INVARIANTS",
    "KUBE_VERSIONS",
    "MIN_KUBERNETES_VERSION",
    "declared_external",
    "declared_external_in",
    "deterministic",
    "run",
]

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
RECOMMENDED = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/version",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)


# -- walking pods ---------------------------------------------------------------------------------
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
    """(field, container) for containers, init containers and ephemeral containers."""
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(field) or []:
            yield field, c


def _namespace(m: Manifest) -> str | None:
    return (m.get("metadata") or {}).get("namespace")


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A ``LabelSelector`` (matchLabels and matchExpressions) against a label set; ``{}`` matches all."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (
            (op == "In" and labels.get(key) not in values)
            or (op == "NotIn" and key in labels and labels[key] in values)
            or (op == "Exists" and key not in labels)
            or (op == "DoesNotExist" and key in labels)
        ):
            return False
    return True


# -- strict schema --------------------------------------------------------------------------------
def strict_schema(manifests: list[Manifest], versions: Iterable[str] = KUBE_VERSIONS) -> list[str]:
    """Every object is valid, with no unknown field, in every supported Kubernetes version (a custom
    resource: against its CRD, which does not depend on the Kubernetes version)."""
    versions = list(versions)
    out: list[str] = []
    for m in manifests:
        for version in versions[-1:] if is_custom_resource(m) else versions:
            out.extend(schema_errors(m, version))
    return out


# -- restricted Pod Security Standard -------------------------------------------------------------
# Checked against the Pod Security Standards page and the pod-security-admission checks. A pod must
# pass in EVERY supported version, so where the profile changed across versions the rule here is
# the strictest one in the range: the allowed sysctls and SELinux types are those of the oldest
# version (the lists only grew), and checks added later (probe hosts 1.34, ulimits 1.37,
# cgroupOptions) apply throughout.
SAFE_SYSCTLS: dict[tuple[int, int], frozenset[str]] = {
    (1, 0): frozenset(
        {
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
        }
    ),
    (1, 27): frozenset({"net.ipv4.ip_local_reserved_ports"}),
    (1, 29): frozenset(
        {
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        }
    ),
    (1, 32): frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}),
}
"""Baseline's safe sysctls, by the Kubernetes version that added them."""


def safe_sysctls(version: str) -> frozenset[str]:
    """The sysctls the baseline profile allows in one Kubernetes version."""
    major, minor = (int(x) for x in version.split(".")[:2])
    return frozenset().union(*(names for since, names in SAFE_SYSCTLS.items() if since <= (major, minor)))


SELINUX_TYPES: dict[tuple[int, int], frozenset[str]] = {
    (1, 0): frozenset({"", "container_t", "container_init_t", "container_kvm_t"}),
    (1, 31): frozenset({"container_engine_t"}),
}
"""SELinux types the baseline profile allows, by the version that added them."""


def selinux_types(version: str) -> frozenset[str]:
    major, minor = (int(x) for x in version.split(".")[:2])
    return frozenset().union(*(types for since, types in SELINUX_TYPES.items() if since <= (major, minor)))


RESTRICTED_VOLUME_SOURCES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
"""The only inline volume sources the restricted profile allows (hostPath, gitRepo, nfs... are not)."""
ALLOWED_VOLUME_SOURCES = RESTRICTED_VOLUME_SOURCES  # the foundation's name
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SECURE_PROFILES = ("RuntimeDefault", "Localhost")
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _profile_type(ctx: dict[str, Any], field: str) -> Any:
    return (ctx.get(field) or {}).get("type")


def _pss_pod_level(name: str, template: dict[str, Any], version: str) -> list[str]:
    out = []
    spec = template["spec"]
    psc = spec.get("securityContext") or {}
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    # baseline: host namespaces
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(host):
            out.append(f"{name}: {host} is true (baseline: host namespaces)")
    # baseline: HostProcess
    if (psc.get("windowsOptions") or {}).get("hostProcess"):
        out.append(f"{name}: securityContext.windowsOptions.hostProcess is true (baseline: HostProcess)")
    # baseline: hostPath, restricted: volume types
    for vol in spec.get("volumes") or []:
        sources = sorted(set(vol) - {"name"} - RESTRICTED_VOLUME_SOURCES)
        if sources:
            out.append(f"{name}: volume {vol.get('name')!r} uses {sources} (restricted: volume types)")
    # baseline: sysctls
    allowed = safe_sysctls(version)
    for sysctl in psc.get("sysctls") or []:
        if sysctl.get("name") not in allowed:
            out.append(f"{name}: sysctl {sysctl.get('name')!r} is not in the safe set of Kubernetes {version}")
    # baseline: SELinux
    out.extend(_selinux(name, "securityContext", psc, version))
    # baseline: AppArmor (field and the annotations that preceded it)
    if _profile_type(psc, "appArmorProfile") not in (None, *SECURE_PROFILES):
        out.append(f"{name}: securityContext.appArmorProfile.type is {_profile_type(psc, 'appArmorProfile')!r}")
    for key, value in sorted(annotations.items()):
        if key.startswith(APPARMOR_ANNOTATION) and not (value == "runtime/default" or value.startswith("localhost/")):
            out.append(f"{name}: annotation {key}={value!r} (baseline: AppArmor)")
    # restricted: seccomp, running as non-root, non-root user
    if _profile_type(psc, "seccompProfile") not in (None, *SECURE_PROFILES):
        out.append(f"{name}: securityContext.seccompProfile.type is {_profile_type(psc, 'seccompProfile')!r}")
    if psc.get("runAsNonRoot") is False:
        out.append(f"{name}: securityContext.runAsNonRoot is false (restricted: running as non-root)")
    if psc.get("runAsUser") == 0:
        out.append(f"{name}: securityContext.runAsUser is 0 (restricted: running as non-root user)")
    return out


def _selinux(where: str, field: str, ctx: dict[str, Any], version: str) -> list[str]:
    opts = ctx.get("seLinuxOptions") or {}
    out = []
    if opts.get("type", "") not in selinux_types(version):
        out.append(f"{where}: {field}.seLinuxOptions.type {opts['type']!r} is not allowed in Kubernetes {version}")
    for part in ("user", "role"):
        if opts.get(part):
            out.append(f"{where}: {field}.seLinuxOptions.{part} is set (baseline: SELinux)")
    return out


def _host_fields(c: dict[str, Any]) -> list[str]:
    """Probe and lifecycle handlers that name a host (baseline since 1.34)."""
    found = []
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        for handler in ("httpGet", "tcpSocket"):
            if ((c.get(probe) or {}).get(handler) or {}).get("host"):
                found.append(f"{probe}.{handler}.host")
    for hook in ("postStart", "preStop"):
        for handler in ("httpGet", "tcpSocket"):
            if (((c.get("lifecycle") or {}).get(hook) or {}).get(handler) or {}).get("host"):
                found.append(f"lifecycle.{hook}.{handler}.host")
    return found


def _pss_container(where: str, c: dict[str, Any], psc: dict[str, Any], version: str) -> list[str]:
    out = []
    sc = c.get("securityContext") or {}
    # baseline
    if sc.get("privileged"):
        out.append(f"{where}: privileged (baseline: privileged containers)")
    if (sc.get("windowsOptions") or {}).get("hostProcess"):
        out.append(f"{where}: windowsOptions.hostProcess is true (baseline: HostProcess)")
    for port in c.get("ports") or []:
        if port.get("hostPort"):
            out.append(f"{where}: hostPort {port['hostPort']} (baseline: host ports)")
    out.extend(_selinux(where, "securityContext", sc, version))
    if _profile_type(sc, "appArmorProfile") not in (None, *SECURE_PROFILES):
        out.append(f"{where}: appArmorProfile.type is {_profile_type(sc, 'appArmorProfile')!r} (baseline: AppArmor)")
    if sc.get("procMount") not in (None, "Default"):
        out.append(f"{where}: procMount is {sc['procMount']!r} (baseline: /proc mount type)")
    for field in _host_fields(c):
        out.append(f"{where}: {field} is set (baseline: probe and lifecycle hosts)")
    if sc.get("ulimits") is not None:
        out.append(f"{where}: securityContext.ulimits is set (baseline: ulimits)")
    if (sc.get("cgroupOptions") or {}).get("mountMode") not in (None, "ReadOnly"):
        out.append(f"{where}: cgroupOptions.mountMode is {sc['cgroupOptions']['mountMode']!r} (restricted: cgroups)")
    # restricted: privilege escalation
    if sc.get("allowPrivilegeEscalation") is not False:
        out.append(f"{where}: allowPrivilegeEscalation is not false (restricted: privilege escalation)")
    # restricted: capabilities (baseline's added-capability list is a superset of what is allowed here)
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or []):
        out.append(f"{where}: capabilities do not drop ALL (restricted: capabilities)")
    added = sorted(set(caps.get("add") or []) - {"NET_BIND_SERVICE"})
    if added:
        level = "restricted" if set(added) <= BASELINE_CAPABILITIES else "baseline"
        out.append(f"{where}: adds capabilities {added} ({level}: only NET_BIND_SERVICE may be added)")
    # restricted: running as non-root (container value, else the pod's)
    if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
        out.append(f"{where}: runAsNonRoot is not true (restricted: running as non-root)")
    if sc.get("runAsUser") == 0:
        out.append(f"{where}: runAsUser is 0 (restricted: running as non-root user)")
    seccomp = _profile_type(sc, "seccompProfile") or _profile_type(psc, "seccompProfile")
    if seccomp not in SECURE_PROFILES:
        out.append(f"{where}: seccompProfile is {seccomp!r}, not RuntimeDefault or Localhost (restricted: seccomp)")
    return out


def restricted_pod_security(manifests: list[Manifest], versions: Iterable[str] = KUBE_VERSIONS) -> list[str]:
    """Every rule of the Kubernetes *restricted* Pod Security Standard (baseline included), for every
    pod template, in every supported Kubernetes version."""
    out: list[str] = []
    for version in versions:
        for name, template in pod_templates(manifests):
            spec = template["spec"]
            psc = spec.get("securityContext") or {}
            found = _pss_pod_level(name, template, version)
            for field, c in all_containers(spec):
                found.extend(_pss_container(f"{name} {field}/{c.get('name')}", c, psc, version))
            out.extend(v for v in found if v not in out)
    return out


# -- resources ------------------------------------------------------------------------------------
_CPU = re.compile(r"^([0-9.]+)(m?)$")
_MEM = re.compile(r"^([0-9.]+)([EPTGMk]i?|e[0-9]+)?$")
_MEM_UNITS = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def quantity(value: Any, what: str) -> float | None:
    """A cpu (cores) or memory (bytes) quantity as a number; None when it is not parseable."""
    text = str(value)
    if what == "cpu":
        m = _CPU.match(text)
        return None if not m else float(m.group(1)) / (1000 if m.group(2) else 1)
    m = _MEM.match(text)
    if not m:
        return None
    unit = m.group(2) or ""
    factor = 10 ** int(unit[1:]) if unit.startswith("e") else _MEM_UNITS[unit]
    return float(m.group(1)) * factor


def resources_on_every_container(manifests: list[Manifest]) -> list[str]:
    """cpu and memory requests and limits on every container (init and sidecars too), requests within limits."""
    out = []
    for name, template in pod_templates(manifests):
        for field, c in all_containers(template["spec"]):
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in (res.get(part) or {}):
                        out.append(f"{name} {field}/{c['name']}: no {part}.{what}")
            for what in ("cpu", "memory"):
                request = quantity((res.get("requests") or {}).get(what, ""), what)
                limit = quantity((res.get("limits") or {}).get(what, ""), what)
                if request is not None and limit is not None and request > limit:
                    out.append(f"{name} {field}/{c['name']}: requests.{what} is above limits.{what}")
    return out


# -- objects --------------------------------------------------------------------------------------
def no_secret_data(manifests: list[Manifest]) -> list[str]:
    """No Secret in the output carries data (secrets are referenced or generated in-cluster)."""
    return [
        f"Secret/{m['metadata']['name']}: carries {key}"
        for m in manifests
        if m["kind"] == "Secret"
        for key in ("data", "stringData")
        if m.get(key)
    ]


def no_helm_hooks(manifests: list[Manifest]) -> list[str]:
    """No ``helm.sh/hook*`` annotation on any object or pod template."""
    out = [
        f"{m['kind']}/{m['metadata']['name']}: annotation {key}"
        for m in manifests
        for key in (m["metadata"].get("annotations") or {})
        if key.startswith("helm.sh/hook")
    ]
    for name, template in pod_templates(manifests):
        for key in (template.get("metadata") or {}).get("annotations") or {}:
            if key.startswith("helm.sh/hook"):
                out.append(f"{name}: pod template annotation {key}")
    return out


def recommended_labels(manifests: list[Manifest]) -> list[str]:
    """The six recommended ``app.kubernetes.io/*`` labels on every object and every pod template."""
    out = []
    for m in manifests:
        labels = m["metadata"].get("labels") or {}
        missing = [k for k in RECOMMENDED if k not in labels]
        if missing:
            out.append(f"{m['kind']}/{m['metadata']['name']}: missing labels {missing}")
    for name, template in pod_templates(manifests):
        labels = (template.get("metadata") or {}).get("labels") or {}
        missing = [k for k in RECOMMENDED if k not in labels]
        if missing:
            out.append(f"{name}: pod template misses labels {missing}")
    return out


DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SHORT_NAMES = {"Service": 63, "StatefulSet": 63, "Job": 63, "CronJob": 52, "Namespace": 63}
"""Kinds whose name becomes a DNS label or a label value: at most this many characters."""


def _label_errors(where: str, labels: dict[str, Any]) -> list[str]:
    out = []
    for key, value in sorted(labels.items()):
        prefix, _, name = key.rpartition("/")
        if (prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix))) or not (
            len(name) <= 63 and LABEL_NAME.match(name)
        ):
            out.append(f"{where}: label key {key!r} is not a valid label name")
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            out.append(f"{where}: label {key}={value!r} is not a valid label value (at most 63, alphanumeric ends)")
    return out


def valid_names(manifests: list[Manifest]) -> list[str]:
    """Object names and labels the API server accepts: DNS-1123 names, Service names DNS-1035 labels,
    names that become labels or host names (Service, StatefulSet, Job, CronJob) short enough."""
    out = []
    for m in manifests:
        kind, name = m["kind"], m["metadata"].get("name", "")
        where = f"{kind}/{name}"
        if len(name) > 253 or not DNS_SUBDOMAIN.match(name):
            out.append(f"{where}: name is not a DNS-1123 subdomain")
        if kind in SHORT_NAMES and len(name) > SHORT_NAMES[kind]:
            out.append(f"{where}: name has {len(name)} characters; a {kind} name may have {SHORT_NAMES[kind]}")
        if kind == "Service" and not DNS_1035_LABEL.match(name):
            out.append(f"{where}: a Service name must be a DNS-1035 label (start with a letter)")
        out.extend(_label_errors(where, m["metadata"].get("labels") or {}))
    for where, template in pod_templates(manifests):
        out.extend(_label_errors(f"{where} pod template", (template.get("metadata") or {}).get("labels") or {}))
    return out


def unique_objects(manifests: list[Manifest]) -> list[str]:
    """No two objects of the same kind (and API group) share a namespace and a name."""
    seen: dict[tuple[str, str, str | None, str], int] = {}
    for m in manifests:
        group = m["apiVersion"].rpartition("/")[0]
        key = (group, m["kind"], _namespace(m), m["metadata"]["name"])
        seen[key] = seen.get(key, 0) + 1
    return [
        f"{kind}/{name}: {count} objects share this name" for (_, kind, _, name), count in seen.items() if count > 1
    ]


# -- wiring ---------------------------------------------------------------------------------------
def services_select_pods(manifests: list[Manifest]) -> list[str]:
    """Every Service selects at least one pod template and targets a port its containers expose."""
    out = []
    templates = list(pod_templates(manifests))
    for svc in (m for m in manifests if m["kind"] == "Service"):
        name = f"Service/{svc['metadata']['name']}"
        if svc["spec"].get("type") == "ExternalName":
            continue
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
                exposed = [p for _, c in all_containers(t["spec"]) for p in c.get("ports") or []]
                if not any(target in (p.get("name"), p["containerPort"]) for p in exposed):
                    out.append(f"{name}: port {port.get('name')} targets {target!r}, not exposed by {tname}")
    return out


def _generated_secrets(manifests: list[Manifest]) -> set[str]:
    """Secrets the in-cluster bootstrap Job creates (listed in its ConfigMap's ``spec.json``)."""
    found = set()
    for m in manifests:
        data = m.get("data") or {}
        if m["kind"] == "ConfigMap" and "spec.json" in data:
            try:
                spec = json.loads(data["spec.json"])
            except ValueError:
                continue
            for secret in spec.get("secrets") or []:
                found.add(f"Secret/{secret['name']}")
    return found


def _pod_references(spec: dict[str, Any]) -> set[str]:
    wanted: set[str] = set()
    if spec.get("serviceAccountName") not in (None, "default"):
        wanted.add(f"ServiceAccount/{spec['serviceAccountName']}")
    for ref in spec.get("imagePullSecrets") or []:
        wanted.add(f"Secret/{ref['name']}")
    for vol in spec.get("volumes") or []:
        if "configMap" in vol and not vol["configMap"].get("optional"):
            wanted.add(f"ConfigMap/{vol['configMap']['name']}")
        if "secret" in vol and not vol["secret"].get("optional"):
            wanted.add(f"Secret/{vol['secret']['secretName']}")
        if "persistentVolumeClaim" in vol:
            wanted.add(f"PersistentVolumeClaim/{vol['persistentVolumeClaim']['claimName']}")
        for source in (vol.get("projected") or {}).get("sources") or []:
            if "configMap" in source and not source["configMap"].get("optional"):
                wanted.add(f"ConfigMap/{source['configMap']['name']}")
            if "secret" in source and not source["secret"].get("optional"):
                wanted.add(f"Secret/{source['secret']['name']}")
    for _, c in all_containers(spec):
        for env in c.get("env") or []:
            ref = env.get("valueFrom") or {}
            for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                if field in ref and not ref[field].get("optional"):
                    wanted.add(f"{kind}/{ref[field]['name']}")
        for env_from in c.get("envFrom") or []:
            for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                if field in env_from and not env_from[field].get("optional"):
                    wanted.add(f"{kind}/{env_from[field]['name']}")
    return wanted


def references_exist(manifests: list[Manifest], external: Iterable[str] = frozenset()) -> list[str]:
    """Every Secret, ConfigMap, PVC and ServiceAccount a pod references exists in the output, is
    generated in-cluster by the bootstrap Job, or is in ``external`` (``Kind/name`` entries the props
    declare as user-provided, see ``declared_external``). Every volume mount names a volume of the
    pod or, in a StatefulSet, one of its ``volumeClaimTemplates``."""
    present = {f"{m['kind']}/{m['metadata']['name']}" for m in manifests} | _generated_secrets(manifests)
    present |= set(external)
    out = []
    by_name = {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests}
    for name, template in pod_templates(manifests):
        spec = template["spec"]
        for ref in sorted(_pod_references(spec) - present):
            out.append(f"{name}: references missing {ref}")
        volumes = {v["name"] for v in spec.get("volumes") or []}
        claims = {t["metadata"]["name"] for t in (by_name[name].get("spec") or {}).get("volumeClaimTemplates") or []}
        for field, c in all_containers(spec):
            for mount in c.get("volumeMounts") or []:
                if mount["name"] not in volumes | claims:
                    out.append(f"{name} {field}/{c['name']}: mounts {mount['name']!r}, which is no volume of the pod")
    return out


def _scale_target(m: Manifest) -> dict[str, Any] | None:
    spec = m.get("spec") or {}
    if m["kind"] in ("HorizontalPodAutoscaler", "ScaledObject"):
        return spec.get("scaleTargetRef")
    if m["kind"] == "VerticalPodAutoscaler":
        return spec.get("targetRef")
    return None


def wiring_resolves(manifests: list[Manifest], external: Iterable[str] = frozenset()) -> list[str]:
    """Objects that point at other objects point at ones that exist: RoleBinding roles and service
    accounts, Ingress and HTTPRoute backends (Service and port), autoscaler targets, PDB and
    monitor selectors."""
    present = {f"{m['kind']}/{m['metadata']['name']}" for m in manifests} | set(external)
    services = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Service"}
    templates = [(t.get("metadata") or {}).get("labels") or {} for _, t in pod_templates(manifests)]
    out = []

    def need(where: str, ref: str) -> None:
        if ref not in present:
            out.append(f"{where}: refers to missing {ref}")

    def service_port(where: str, name: str, port: Any) -> None:
        svc = services.get(name)
        if svc is None:
            need(where, f"Service/{name}")
        elif port is not None and not any(port in (p.get("name"), p["port"]) for p in svc["spec"].get("ports", [])):
            out.append(f"{where}: Service/{name} has no port {port!r}")

    for m in manifests:
        kind, where, spec = m["kind"], f"{m['kind']}/{m['metadata']['name']}", m.get("spec") or {}
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            need(where, f"{m['roleRef']['kind']}/{m['roleRef']['name']}")
            for subject in m.get("subjects") or []:
                if subject["kind"] == "ServiceAccount" and subject.get("namespace") in (None, _namespace(m)):
                    need(where, f"ServiceAccount/{subject['name']}")
        elif kind == "Ingress":
            backends: list[dict[str, Any]] = [spec["defaultBackend"]] if spec.get("defaultBackend") else []
            for rule in spec.get("rules") or []:
                backends.extend(p["backend"] for p in (rule.get("http") or {}).get("paths") or [])
            for backend in backends:
                if "service" in backend:
                    port = backend["service"].get("port") or {}
                    service_port(where, backend["service"]["name"], port.get("name", port.get("number")))
        elif kind == "HTTPRoute":
            for rule in spec.get("rules") or []:
                for ref in rule.get("backendRefs") or []:
                    if ref.get("kind", "Service") == "Service":
                        service_port(where, ref["name"], ref.get("port"))
        elif kind in ("PodDisruptionBudget", "PodMonitor"):
            if not any(selector_matches(spec.get("selector"), labels) for labels in templates):
                out.append(f"{where}: selector matches no pod template")
        elif kind == "ServiceMonitor":
            selector = spec.get("selector")
            if not any(selector_matches(selector, s["metadata"].get("labels") or {}) for s in services.values()):
                out.append(f"{where}: selector matches no Service")
        target = _scale_target(m)
        if target is not None:
            need(where, f"{target.get('kind', 'Deployment')}/{target['name']}")
    return out


def networkpolicy_coverage(manifests: list[Manifest]) -> list[str]:
    """Once the output has any NetworkPolicy, every pod template is selected by at least one
    NetworkPolicy of its namespace (an uncovered pod would be the one open door). A no-op until
    the output has a NetworkPolicy."""
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    if not policies:
        return []
    out = []
    by_name = {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests}
    for name, template in pod_templates(manifests):
        labels = (template.get("metadata") or {}).get("labels") or {}
        namespace = _namespace(by_name[name])
        if not any(
            _namespace(p) == namespace and selector_matches(p["spec"].get("podSelector"), labels) for p in policies
        ):
            out.append(f"{name}: no NetworkPolicy selects its pods")
    return out


# -- the registry ---------------------------------------------------------------------------------
INVARIANTS: dict[str, Invariant] = {
    "strict_schema": strict_schema,
    "restricted_pod_security": restricted_pod_security,
    "resources_on_every_container": resources_on_every_container,
    "services_select_pods": services_select_pods,
    "references_exist": references_exist,
    "wiring_resolves": wiring_resolves,
    "networkpolicy_coverage": networkpolicy_coverage,
    "no_secret_data": no_secret_data,
    "no_helm_hooks": no_helm_hooks,
    "recommended_labels": recommended_labels,
    "valid_names": valid_names,
    "unique_objects": unique_objects,
}
"""Every invariant by name; each is callable with just the manifests."""

_ACCEPTS = {name: set(inspect.signature(check).parameters) for name, check in INVARIANTS.items()}


def run_one(
    name: str,
    manifests: list[Manifest],
    *,
    external: Iterable[str] = frozenset(),
    versions: Iterable[str] | None = None,
) -> list[str]:
    """One invariant, given the context it accepts."""
    kwargs: dict[str, Any] = {}
    if "external" in _ACCEPTS[name]:
        kwargs["external"] = frozenset(external)
    if "versions" in _ACCEPTS[name] and versions is not None:
        kwargs["versions"] = list(versions)
    return INVARIANTS[name](manifests, **kwargs)


def run(
    manifests: list[Manifest], *, external: Iterable[str] = frozenset(), versions: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Every invariant's violations, by name (only the ones that fail)."""
    found = {name: run_one(name, manifests, external=external, versions=versions) for name in INVARIANTS}
    return {name: violations for name, violations in found.items() if violations}


def deterministic(synth: Callable[[], str | bytes]) -> list[str]:
    """Synthesize twice; the two outputs must be byte-identical."""
    first, second = synth(), synth()
    if first == second:
        return []
    a = first.decode() if isinstance(first, bytes) else first
    b = second.decode() if isinstance(second, bytes) else second
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return [f"two syntheses differ at line {i + 1}: {x!r} != {y!r}"]
    return [f"two syntheses differ in length: {len(a)} != {len(b)} characters"]


# -- what the props declare external --------------------------------------------------------------
EXTERNAL_FIELDS: dict[str, str] = {
    "image_pull_secrets": "Secret",
    "config_map": "ConfigMap",
    "tls_secret": "Secret",
    "secret": "Secret",  # ApiServerTls, ServiceTls: a certificate Secret, yours or cert-manager's
    "existing_claim": "PersistentVolumeClaim",
}
"""Props fields naming objects the user provides, by the kind they name. Any ``SecretRef`` (and
``name`` + ``key`` model) elsewhere names a Secret."""


def _kube_refs(obj: Any) -> Iterator[str]:
    """References inside raw Kubernetes fragments a user passed (extra volumes, containers)."""
    if isinstance(obj, dict):
        if "claimName" in obj:
            yield f"PersistentVolumeClaim/{obj['claimName']}"
        if "secretName" in obj:
            yield f"Secret/{obj['secretName']}"
        for field, kind in (
            ("configMap", "ConfigMap"),
            ("configMapRef", "ConfigMap"),
            ("configMapKeyRef", "ConfigMap"),
            ("secret", "Secret"),
            ("secretRef", "Secret"),
            ("secretKeyRef", "Secret"),
        ):
            ref = obj.get(field)
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                yield f"{kind}/{ref['name']}"
        for value in obj.values():
            yield from _kube_refs(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _kube_refs(value)


def declared_external_in(scope: Any) -> set[str]:
    """``declared_external`` of the props of every construct under ``scope`` (an app or a chart)."""
    found: set[str] = set()
    for construct in scope.node.find_all():
        props = getattr(construct, "props", None)
        if isinstance(props, BaseModel):
            found |= declared_external(props)
    return found


def declared_external(props: Any, kind: str = "Secret") -> set[str]:
    """``Kind/name`` of every object the props name as user-provided: ``SecretRef`` values, image pull
    secrets, ConfigMap refs of env vars, and whatever raw Kubernetes fragments (extra volumes,
    sidecars) reference."""
    found: set[str] = set()
    if isinstance(props, BaseModel):
        fields = type(props).model_fields
        if set(fields) >= {"name", "key"} and len(fields) == 2:
            found.add(f"{kind}/{props.name}")  # type: ignore[attr-defined]
            return found
        for field in fields:
            value = getattr(props, field)
            field_kind = EXTERNAL_FIELDS.get(field, "Secret")
            if getattr(props, f"{field}_from_config_map", False) is True:
                field_kind = "ConfigMap"  # e.g. GitSshAuth.known_hosts with known_hosts_from_config_map
            if field in EXTERNAL_FIELDS and isinstance(value, list | str):
                values = [value] if isinstance(value, str) else value
                found.update(f"{field_kind}/{v}" for v in values if isinstance(v, str))
            else:
                found |= declared_external(value, field_kind)
    elif isinstance(props, list | tuple):
        for value in props:
            found |= declared_external(value, kind)
    elif isinstance(props, dict):
        found.update(_kube_refs(props))
        for value in props.values():
            if isinstance(value, BaseModel):
                found |= declared_external(value, kind)
    return found
