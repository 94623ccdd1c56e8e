"""Pod templates: containers, volumes and the per-component escape hatches.

Every pod of the library is assembled here, so each one gets the restricted security context,
resources on every container, no service-account token unless asked for, and the user's extras.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .kube import check_dns_label, check_dns_subdomain
from .props import FieldError, Props
from .resources import Resources, require_requests_and_limits
from .security import PodSecurity, container_security_context, pod_security_context
from .validators import dns_subdomain_validator, each_validator
from .values import Annotations, DnsSubdomain, EnvVarName, Labels, LabelValue, QualifiedName

_RESERVED_LABEL_PREFIX = "app.kubernetes.io/"
RESERVED_ANNOTATION_PREFIX = "airflow-constructs.io/"
"""Pod template annotations the library owns (checksums of the files the pods read)."""


class SecretRef(Props):
    """One key of a Kubernetes Secret that already exists (or that the library generates).

    ``SecretRef("airflow-db", "url")`` or ``SecretRef(name="airflow-db", key="url")``.
    """

    name: str
    """Name of the Secret (in the release's namespace): a DNS subdomain, as for every Secret and ConfigMap."""
    key: str = Field(pattern=r"^[-._a-zA-Z0-9]+$")
    """Key inside the Secret."""

    def __init__(self, name: str | None = None, key: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        if key is not None:
            data["key"] = key
        super().__init__(**data)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns_subdomain("a Secret", value)

    def env(self, env_name: str) -> dict[str, Any]:
        """An env var read from this key."""
        return {"name": env_name, "valueFrom": {"secretKeyRef": {"key": self.key, "name": self.name}}}


class EnvVar(Props):
    """An extra environment variable: a literal value, or a key of a Secret or ConfigMap."""

    name: EnvVarName
    """Variable name."""
    value: str | None = None
    """Literal value (never put a secret here: it would be written to the manifests)."""
    secret: SecretRef | None = None
    """Read the value from this Secret key instead."""
    config_map: SecretRef | None = None
    """Read the value from this ConfigMap key (``name``/``key``) instead."""

    @model_validator(mode="after")
    def _one_source(self) -> EnvVar:
        given = [n for n in ("value", "secret", "config_map") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                f"env var {self.name!r} sets {given or 'no source'}: set exactly one of value, secret, config_map"
            )
        return self

    def to_kubernetes(self) -> dict[str, Any]:
        if self.secret is not None:
            return self.secret.env(self.name)
        if self.config_map is not None:
            ref = {"key": self.config_map.key, "name": self.config_map.name}
            return {"name": self.name, "valueFrom": {"configMapKeyRef": ref}}
        return {"name": self.name, "value": self.value}


class Toleration(Props):
    """A pod toleration (see the Kubernetes ``Toleration`` type)."""

    key: QualifiedName | None = None
    """Taint key (``[prefix/]name``); empty with operator Exists matches every taint."""
    operator: Literal["Equal", "Exists"] = "Equal"
    """How ``value`` is compared."""
    value: LabelValue | None = None
    """Taint value to match with ``Equal`` (the rule of a label value)."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Taint effect to match; empty matches all effects."""
    toleration_seconds: int | None = Field(default=None, ge=0)
    """For NoExecute: how long the pod stays bound after the taint appears."""

    @model_validator(mode="after")
    def _api_rules(self) -> Toleration:
        # The API server's own checks, so a bad toleration fails here and not at `kubectl apply`.
        if self.operator == "Exists" and self.value:
            raise ValueError(f"operator 'Exists' with value {self.value!r}: Exists takes no value (use 'Equal')")
        if not self.key and self.operator != "Exists":
            raise ValueError("key is empty and operator is 'Equal': an empty key needs operator 'Exists'")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise ValueError(
                f"toleration_seconds is set with effect {self.effect!r}: it is only allowed with effect 'NoExecute'"
            )
        return self

    def to_kubernetes(self) -> dict[str, Any]:
        out: dict[str, Any] = {"operator": self.operator}
        if self.key is not None:
            out["key"] = self.key
        if self.value is not None:
            out["value"] = self.value
        if self.effect is not None:
            out["effect"] = self.effect
        if self.toleration_seconds is not None:
            out["tolerationSeconds"] = self.toleration_seconds
        return out


KubeObject = dict[str, Any]
"""A Kubernetes API object fragment in its JSON form (camelCase keys), passed through as given."""


class PodOptions(Props):
    """Scheduling and extension options every component accepts (the escape hatches)."""

    extra_env: list[EnvVar] = []
    """Environment variables added to the component's main container."""
    extra_volumes: list[KubeObject] = []
    """Kubernetes ``Volume`` objects added to the pod (restricted profile: no hostPath)."""
    extra_volume_mounts: list[KubeObject] = []
    """Kubernetes ``VolumeMount`` objects added to the main container; each names one of ``extra_volumes``."""
    extra_containers: list[KubeObject] = []
    """Sidecar ``Container`` objects; each needs ``name``, ``image`` and resources requests and limits.
    A container without ``securityContext`` gets the restricted one."""
    extra_init_containers: list[KubeObject] = []
    """Init ``Container`` objects, run after the library's own init containers; same rules."""
    node_selector: Labels = {}
    """Node labels the pods must be scheduled on."""
    tolerations: list[Toleration] = []
    """Taints the pods tolerate."""
    affinity: KubeObject | None = None
    """Kubernetes ``Affinity`` object."""
    topology_spread_constraints: list[KubeObject] = []
    """Kubernetes ``TopologySpreadConstraint`` objects; the label selector is yours to set."""
    priority_class_name: DnsSubdomain | None = None
    """PriorityClass of the pods."""
    image_pull_secrets: list[str] = []
    """Names of Secrets used to pull images, added to the release-wide ones."""
    pod_annotations: Annotations = {}
    """Annotations added to the pods (``airflow-constructs.io/*`` are the library's checksums and cannot be set)."""
    pod_labels: Labels = {}
    """Labels added to the pods (``app.kubernetes.io/*`` are the library's and cannot be set)."""

    @field_validator("pod_labels")
    @classmethod
    def _no_reserved_labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key in sorted(value):
            if key.startswith(_RESERVED_LABEL_PREFIX):
                raise ValueError(f"label {key!r} is reserved: app.kubernetes.io/* labels are set by the library")
        return value

    @field_validator("pod_annotations")
    @classmethod
    def _no_reserved_annotations(cls, value: dict[str, str]) -> dict[str, str]:
        for key in sorted(value):
            if key.startswith(RESERVED_ANNOTATION_PREFIX):
                raise ValueError(
                    f"annotation {key!r} is reserved: {RESERVED_ANNOTATION_PREFIX}* annotations (the checksums "
                    "that roll the pods) are set by the library"
                )
        return value

    @field_validator("extra_containers", "extra_init_containers")
    @classmethod
    def _containers_complete(cls, value: list[KubeObject]) -> list[KubeObject]:
        for container in value:
            name = container.get("name")
            if not name or not container.get("image"):
                raise ValueError("every extra container needs a 'name' and an 'image'")
            require_requests_and_limits(container)
        return value

    @field_validator("extra_volumes")
    @classmethod
    def _named_with_one_source(cls, value: list[KubeObject]) -> list[KubeObject]:
        for volume in value:
            check_dns_label("an extra volume's 'name'", str(volume.get("name", "")))
            if len(volume) != 2:
                raise ValueError(
                    f"volume {volume.get('name')!r} needs a 'name' and exactly one source "
                    f"(persistentVolumeClaim, configMap, secret, emptyDir, csi...), got keys {sorted(volume)}"
                )
        return value

    # After the rule above (pydantic runs a field's validators in order): each volume has its name.
    _no_host_path = each_validator(
        "extra_volumes",
        valid=lambda volume: "hostPath" not in volume,
        message=(
            "volume {item[name]!r} uses hostPath, which the restricted Pod Security Standard forbids: "
            "use a PVC, configMap, secret, emptyDir or CSI volume"
        ),
    )

    @model_validator(mode="after")
    def _mounts_name_extra_volumes(self) -> PodOptions:
        # The API server refuses a mount of a volume the pod lacks; say so before anything is written.
        names = sorted(str(v.get("name")) for v in self.extra_volumes)
        for mount in self.extra_volume_mounts:
            if mount.get("name") not in names:
                raise FieldError(
                    "extra_volume_mounts",
                    mount.get("name"),
                    f"mount {mount.get('name')!r} names no volume of extra_volumes ({', '.join(names) or 'none'}): "
                    "add the volume to extra_volumes",
                )
        return self

    _mounts_complete = each_validator(
        "extra_volume_mounts",
        valid=lambda mount: (
            mount.get("name") and isinstance(mount.get("mountPath"), str) and mount["mountPath"].startswith("/")
        ),
        message="every extra volume mount needs a 'name' and an absolute 'mountPath', got {item!r}",
    )

    _pull_secrets = dns_subdomain_validator("image_pull_secrets", what="an image pull secret")


def container(
    name: str,
    image: str,
    pull_policy: str,
    *,
    resources: Resources,
    command: list[str] | None = None,
    args: list[str] | None = None,
    env: list[dict[str, Any]] | None = None,
    ports: list[dict[str, Any]] | None = None,
    volume_mounts: list[dict[str, Any]] | None = None,
    probes: dict[str, dict[str, Any]] | None = None,
    read_only_root_filesystem: bool = True,
    run_as: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """One container with the restricted security context and explicit resources.

    ``run_as`` (UID, GID) overrides the pod's user for an image built around another one.
    """
    out: dict[str, Any] = {"name": name, "image": image, "imagePullPolicy": pull_policy}
    if command:
        out["command"] = command
    if args:
        out["args"] = args
    if env:
        out["env"] = env
    if ports:
        out["ports"] = ports
    out.update(probes or {})
    out["resources"] = resources.to_kubernetes()
    out["securityContext"] = container_security_context(read_only_root_filesystem)
    if run_as is not None:
        out["securityContext"] |= {"runAsGroup": run_as[1], "runAsUser": run_as[0]}
    if volume_mounts:
        out["volumeMounts"] = sorted(volume_mounts, key=lambda m: m["mountPath"])
    return out


def _with_security(extra: KubeObject) -> KubeObject:
    out = dict(extra)
    out.setdefault("securityContext", container_security_context())
    out.setdefault("imagePullPolicy", "IfNotPresent")
    return out


def pod_template(
    *,
    labels: dict[str, str],
    annotations: dict[str, str],
    service_account: str,
    automount_token: bool,
    containers: list[dict[str, Any]],
    init_containers: list[dict[str, Any]] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    security: PodSecurity,
    options: PodOptions,
    image_pull_secrets: list[str] = (),  # type: ignore[assignment]
    termination_grace_period: int | None = None,
    restart_policy: str | None = None,
    subdomain: str | None = None,
) -> dict[str, Any]:
    """A pod template with the options applied; the first container is the main one."""
    main, *sidecars = containers
    main = dict(main)
    if options.extra_env:
        main["env"] = [*main.get("env", []), *(e.to_kubernetes() for e in options.extra_env)]
    if options.extra_volume_mounts:
        main["volumeMounts"] = [*main.get("volumeMounts", []), *options.extra_volume_mounts]
    spec: dict[str, Any] = {
        "automountServiceAccountToken": automount_token,
        "containers": [main, *sidecars, *(_with_security(c) for c in options.extra_containers)],
        "enableServiceLinks": False,
    }
    inits = [*(init_containers or []), *(_with_security(c) for c in options.extra_init_containers)]
    if inits:
        spec["initContainers"] = inits
    pull = sorted({*image_pull_secrets, *options.image_pull_secrets})
    if pull:
        spec["imagePullSecrets"] = [{"name": n} for n in pull]
    if options.node_selector:
        spec["nodeSelector"] = dict(sorted(options.node_selector.items()))
    if options.affinity:
        spec["affinity"] = options.affinity
    if options.priority_class_name:
        spec["priorityClassName"] = options.priority_class_name
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    spec["securityContext"] = pod_security_context(security)
    spec["serviceAccountName"] = service_account
    if subdomain:
        spec["subdomain"] = subdomain
    if termination_grace_period is not None:
        spec["terminationGracePeriodSeconds"] = termination_grace_period
    if options.tolerations:
        spec["tolerations"] = [t.to_kubernetes() for t in options.tolerations]
    if options.topology_spread_constraints:
        spec["topologySpreadConstraints"] = options.topology_spread_constraints
    all_volumes = [*(volumes or []), *options.extra_volumes]
    if all_volumes:
        spec["volumes"] = sorted(all_volumes, key=lambda v: v["name"])
    metadata: dict[str, Any] = {"labels": {**options.pod_labels, **labels}}
    merged_annotations = {**options.pod_annotations, **annotations}
    if merged_annotations:
        metadata["annotations"] = dict(sorted(merged_annotations.items()))
    return {"metadata": metadata, "spec": spec}


def empty_dir(name: str, size_limit: str) -> dict[str, Any]:
    """A size-bounded emptyDir volume (writable scratch space under a read-only root)."""
    return {"emptyDir": {"sizeLimit": size_limit}, "name": name}
