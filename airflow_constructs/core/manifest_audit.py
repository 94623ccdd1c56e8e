"""Objects a user hands over whole (extra manifests, a task pod template), held to our own rules.

``strict_schema`` validates one object with kubernetes-validate in strict mode (unknown fields
refused) against the oldest Kubernetes minor the package supports and the newest it ships; kubernetes-validate
is imported only when a user object is given (``pip install 'airflow-constructs[validate]'``).
``restricted_violations`` is the *restricted* Pod Security Standard over one pod spec (baseline
included), and ``harden_container`` gives a container the fields of our security context it leaves
out. Every message names the field, the bad value and what is allowed.
"""

from __future__ import annotations

from typing import Any

from .security import container_security_context

OLDEST_KUBERNETES = "1.28"
"""Oldest supported Kubernetes minor (the charts' ``kubeVersion``): a user object is validated against
it and against the newest minor the installed kubernetes-validate ships."""

RESTRICTED_VOLUME_SOURCES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
"""Volume sources the restricted profile allows."""
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
    }
)
"""Sysctls the baseline profile allows on every supported Kubernetes version."""
_SECCOMP = ("RuntimeDefault", "Localhost")
_SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t")
_CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")


def _missing_validator() -> ValueError:
    return ValueError(
        "checking objects given whole (extra_objects, a pod_template) needs kubernetes-validate: "
        "pip install 'airflow-constructs[validate]'"
    )


def strict_schema(where: str, obj: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming ``where`` and the first schema error of ``obj``, a built-in kind.

    A kind kubernetes-validate has no schema for (a custom resource) passes: its CRD is not known here.
    """
    try:
        import kubernetes_validate
        from kubernetes_validate.utils import SchemaNotFoundError, latest_version
    except ImportError as err:  # pragma: no cover - the dev install has it
        raise _missing_validator() from err
    for version in (OLDEST_KUBERNETES, ".".join(latest_version().split(".")[:2])):
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except SchemaNotFoundError:
            if _builtin_group(str(obj.get("apiVersion", ""))):
                raise ValueError(
                    f"{where}: apiVersion {obj.get('apiVersion')!r} kind {obj.get('kind')!r} is not a Kubernetes "
                    f"{version} kind: check both (a custom resource's group has a dot, outside *.k8s.io)"
                ) from None
            return
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path) or "(top level)"
            raise ValueError(f"{where}: {path}: {err.message} (Kubernetes {version} schema, strict)") from None


def _builtin_group(api_version: str) -> bool:
    """Whether ``api_version`` belongs to Kubernetes itself (``v1``, ``apps/v1``, ``*.k8s.io/...``)."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def harden_container(container: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``container`` whose ``securityContext`` has every field of ours it does not set."""
    out = dict(container)
    out["securityContext"] = container_security_context() | dict(container.get("securityContext") or {})
    out.setdefault("imagePullPolicy", "IfNotPresent")
    return out


def restricted_violations(where: str, spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    """Every way the pod ``spec`` breaks the restricted Pod Security Standard, one message each.

    Long because it is the standard's checklist: host namespaces, volumes, sysctls, then each
    container's privilege, capabilities, user, seccomp, ports, /proc mount, SELinux and AppArmor.
    """
    errors: list[str] = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            errors.append(
                f"{where}.{field}: {spec[field]!r} is refused (restricted Pod Security Standard); allowed: false"
            )
    for volume in spec.get("volumes") or []:
        for source in sorted(set(volume) - {"name"} - RESTRICTED_VOLUME_SOURCES):
            errors.append(
                f"{where}.volumes[{volume.get('name')}]: {source} is refused (restricted Pod Security Standard); "
                f"allowed: {', '.join(sorted(RESTRICTED_VOLUME_SOURCES))}"
            )
    psc = spec.get("securityContext") or {}
    for sysctl in psc.get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            errors.append(
                f"{where}.securityContext.sysctls: {sysctl.get('name')!r} is refused (baseline Pod Security "
                f"Standard); allowed: {', '.join(sorted(SAFE_SYSCTLS))}"
            )
    errors += _identity(f"{where}.securityContext", psc)
    for key, value in sorted((annotations or {}).items()):
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
            value == "runtime/default" or value.startswith("localhost/")
        ):
            errors.append(
                f"{where}: annotation {key}={value!r} is refused (baseline Pod Security Standard); "
                "allowed: runtime/default, localhost/<profile>"
            )
    for field in _CONTAINER_FIELDS:
        for container in spec.get(field) or []:
            errors += _container(f"{where}.{field}[{container.get('name')}]", container, psc)
    return errors


def _identity(where: str, ctx: dict[str, Any]) -> list[str]:
    """Checks a pod and a container context share: user 0, SELinux, AppArmor, Windows host process."""
    errors = []
    if ctx.get("runAsUser") == 0:
        errors.append(f"{where}.runAsUser: 0 is refused (restricted Pod Security Standard); allowed: a non-zero UID")
    selinux = ctx.get("seLinuxOptions") or {}
    if selinux.get("type", "") not in _SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
        errors.append(
            f"{where}.seLinuxOptions: {selinux!r} is refused (baseline Pod Security Standard); allowed: "
            f"type one of {', '.join(t for t in _SELINUX_TYPES if t)}, no user or role"
        )
    if (ctx.get("appArmorProfile") or {}).get("type") == "Unconfined":
        errors.append(
            f"{where}.appArmorProfile.type: 'Unconfined' is refused (baseline Pod Security Standard); "
            "allowed: RuntimeDefault, Localhost"
        )
    if (ctx.get("windowsOptions") or {}).get("hostProcess"):
        errors.append(f"{where}.windowsOptions.hostProcess: true is refused (baseline Pod Security Standard)")
    return errors


def _container(where: str, c: dict[str, Any], psc: dict[str, Any]) -> list[str]:
    sc = c.get("securityContext") or {}
    at = f"{where}.securityContext"
    errors = _identity(at, sc)
    if sc.get("privileged"):
        errors.append(f"{at}.privileged: true is refused (restricted Pod Security Standard); allowed: false")
    if sc.get("allowPrivilegeEscalation") is not False:
        errors.append(
            f"{at}.allowPrivilegeEscalation: {sc.get('allowPrivilegeEscalation')!r} is refused (restricted Pod "
            "Security Standard); allowed: false"
        )
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or []):
        errors.append(
            f"{at}.capabilities.drop: {caps.get('drop')!r} is refused (restricted Pod Security Standard); "
            "allowed: a list with 'ALL'"
        )
    added = sorted(set(caps.get("add") or []) - {"NET_BIND_SERVICE"})
    if added:
        errors.append(
            f"{at}.capabilities.add: {added!r} is refused (restricted Pod Security Standard); allowed: NET_BIND_SERVICE"
        )
    if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
        errors.append(
            f"{at}.runAsNonRoot: {sc.get('runAsNonRoot', psc.get('runAsNonRoot'))!r} is refused (restricted Pod "
            "Security Standard); allowed: true, here or in the pod's securityContext"
        )
    seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    if seccomp not in _SECCOMP:
        errors.append(
            f"{at}.seccompProfile.type: {seccomp!r} is refused (restricted Pod Security Standard); allowed: "
            f"{', '.join(_SECCOMP)}, here or in the pod's securityContext"
        )
    if sc.get("procMount", "Default") != "Default":
        errors.append(
            f"{at}.procMount: {sc['procMount']!r} is refused (baseline Pod Security Standard); allowed: Default"
        )
    for port in c.get("ports") or []:
        if port.get("hostPort"):
            errors.append(
                f"{where}.ports: hostPort {port['hostPort']} is refused (baseline Pod Security Standard); "
                "allowed: 0 or unset"
            )
    return errors
