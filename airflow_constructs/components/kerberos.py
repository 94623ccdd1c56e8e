"""Kerberos: a sidecar that keeps a ticket cache fresh for the pods whose tasks use Kerberos.

``kerberos={"enabled": True, "principal": "airflow@EXAMPLE.COM", "keytab": SecretRef("airflow-keytab",
"airflow.keytab"), "krb5_conf": "..."}`` adds, to the pods that run tasks (or the ``components``
you name), a sidecar running ``airflow kerberos`` (kinit from the keytab every
``reinit_frequency`` seconds) that writes the ticket cache to a shared memory-backed ``emptyDir``;
the main container reads it through ``KRB5CCNAME``. The keytab comes from a Secret (mounted only in
the sidecar), ``krb5.conf`` from a ConfigMap. KubernetesExecutor task pods get a one-time init
container instead (a sidecar would outlive the task). ``[core] security = kerberos`` and the
``[kerberos]`` section are set for every process.
"""

from __future__ import annotations

import json
from typing import Any, Unpack

from cdk8s import ApiObject, JsonPatch
from constructs import Construct
from pydantic import Field, model_validator

from ..core.kube import ObjectMeta, checked_meta, config_map, go_pretty_json, short_hash
from ..core.network_flow import Declared, Outside, connect
from ..core.network_peer import NetworkPeer
from ..core.pod import SecretRef
from ..core.props import Props, PropsError
from ..core.resources import Resources
from ..runtime.release_pods import ReleasePods

CCACHE_DIR = "/var/kerberos-ccache"
CCACHE = f"{CCACHE_DIR}/krb5cc"
KEYTAB_DIR = "/etc/airflow-kerberos/keytab"
KEYTAB = f"{KEYTAB_DIR}/airflow.keytab"
KRB5_DIR = "/etc/airflow-kerberos/conf"
KRB5_CONF = f"{KRB5_DIR}/krb5.conf"
KDC_PORT = 88
KERBEROS_CHECKSUM = "airflow-constructs.io/krb5-conf-checksum"
POD_SPEC = {"Deployment": "/spec/template", "StatefulSet": "/spec/template", "Job": "/spec/template"}


class KerberosProps(Props):
    """Kerberos tickets for tasks (Hive, HDFS, Impala... with Kerberos authentication)."""

    enabled: bool = False
    """Add the ticket-renewing sidecar."""
    principal: str | None = None
    """Principal to kinit as, e.g. ``airflow@EXAMPLE.COM`` (``[kerberos] principal``)."""
    keytab: SecretRef | None = None
    """Secret key holding the principal's keytab."""
    krb5_conf: str | None = None
    """Content of ``krb5.conf`` (realms, KDCs; no secrets), rendered into a ConfigMap."""
    reinit_frequency: int = Field(default=3600, ge=60, le=86400)
    """Seconds between ticket renewals (``[kerberos] reinit_frequency``)."""
    components: list[str] = ["tasks"]
    """Pods that get the sidecar: ``tasks`` (every pod that runs tasks) and/or component names."""
    kdc: list[NetworkPeer] = [NetworkPeer(cidr="0.0.0.0/0")]
    """Where the KDCs are, for the network policies (port 88, TCP and UDP): narrow it."""
    resources: Resources = Resources(cpu_request="50m", memory_request="128Mi", cpu_limit="500m", memory_limit="256Mi")
    """Requests and limits of the sidecar."""

    @model_validator(mode="after")
    def _complete(self) -> KerberosProps:
        if self.enabled:
            missing = [n for n in ("principal", "keytab", "krb5_conf") if getattr(self, n) is None]
            if missing:
                raise ValueError(f"enabled is true but {', '.join(missing)} is not set: Kerberos needs all three")
            assert self.principal is not None
            if "@" not in self.principal or self.principal != self.principal.strip():
                raise ValueError(
                    f"principal {self.principal!r} is not a Kerberos principal such as 'airflow@EXAMPLE.COM'"
                )
            if not self.components:
                raise ValueError("components is empty: name 'tasks' or the components that use Kerberos")
        return self


def kerberos_config(config: dict[str, dict[str, str]], props: KerberosProps) -> dict[str, dict[str, str]]:
    """``config`` with ``[core] security`` and ``[kerberos]`` set when Kerberos is on."""
    if not props.enabled:
        return config
    assert props.principal is not None
    managed = {
        "core": {"security": "kerberos"},
        "kerberos": {
            "ccache": CCACHE,
            "keytab": KEYTAB,
            "principal": props.principal,
            "reinit_frequency": str(props.reinit_frequency),
        },
    }
    clash = sorted(f"{s}.{k}" for s, keys in managed.items() for k in keys if k in config.get(s, {}))
    if clash:
        raise PropsError(f"AirflowProps.config: {', '.join(clash)} set through kerberos, not config")
    return {**config, **{s: {**config.get(s, {}), **keys} for s, keys in managed.items()}}


class Kerberos(Construct):
    """The krb5.conf ConfigMap, named ``name`` and labelled ``labels``, and the pieces added to the
    pods that use Kerberos (``sidecar``: the Airflow container that runs ``airflow kerberos``)."""

    def __init__(
        self, scope: Construct, id: str, *, props: KerberosProps, sidecar: dict[str, Any], **meta: Unpack[ObjectMeta]
    ) -> None:
        super().__init__(scope, id)
        meta = checked_meta(self, meta)
        assert props.keytab is not None and props.krb5_conf is not None
        self.props = props
        self.checksum = short_hash(props.krb5_conf, length=64)
        self.config_map = config_map(self, "krb5-conf", data={"krb5.conf": props.krb5_conf}, **meta)
        self.volumes = [
            {"emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}, "name": "kerberos-ccache"},
            {"configMap": {"name": meta["name"]}, "name": "kerberos-conf"},
            {
                "name": "kerberos-keytab",
                "secret": {
                    "defaultMode": 0o440,
                    "items": [{"key": props.keytab.key, "path": "airflow.keytab"}],
                    "secretName": props.keytab.name,
                },
            },
        ]
        self.env = [
            {"name": "KRB5CCNAME", "value": f"FILE:{CCACHE}"},
            {"name": "KRB5_CONFIG", "value": KRB5_CONF},
        ]
        self.main_mounts = [
            {"mountPath": CCACHE_DIR, "name": "kerberos-ccache", "readOnly": True},
            {"mountPath": KRB5_DIR, "name": "kerberos-conf", "readOnly": True},
        ]
        sidecar = dict(sidecar)
        sidecar["env"] = [*sidecar.get("env", []), *self.env]
        sidecar["volumeMounts"] = sorted(
            [
                *sidecar.get("volumeMounts", []),
                {"mountPath": CCACHE_DIR, "name": "kerberos-ccache"},
                {"mountPath": KRB5_DIR, "name": "kerberos-conf", "readOnly": True},
                {"mountPath": KEYTAB_DIR, "name": "kerberos-keytab", "readOnly": True},
            ],
            key=lambda m: m["mountPath"],
        )
        self.sidecar = sidecar
        one_time = dict(sidecar, name="kerberos-init")
        one_time["args"] = ["kerberos", "--one-time"]
        self.init_container = one_time

    def add_to(self, workload: ApiObject) -> None:
        """Add the sidecar, volumes, env and mounts to a workload whose first container is Airflow's."""
        base = POD_SPEC[workload.kind]
        workload.add_json_patch(
            JsonPatch.add(f"{base}/metadata/annotations/{_escape(KERBEROS_CHECKSUM)}", self.checksum)
        )
        workload.add_json_patch(JsonPatch.add(f"{base}/spec/containers/-", self.sidecar))
        for volume in self.volumes:
            workload.add_json_patch(JsonPatch.add(f"{base}/spec/volumes/-", volume))
        for env in self.env:
            workload.add_json_patch(JsonPatch.add(f"{base}/spec/containers/0/env/-", env))
        for mount in self.main_mounts:
            workload.add_json_patch(JsonPatch.add(f"{base}/spec/containers/0/volumeMounts/-", mount))

    def pod_template_yaml(self, text: str) -> str:
        """A KubernetesExecutor pod template with a one-time kinit init container (no sidecar)."""
        pod: dict[str, Any] = json.loads(text)
        spec = pod["spec"]
        spec["initContainers"] = [self.init_container, *spec.get("initContainers", [])]
        spec["volumes"] = sorted([*spec.get("volumes", []), *self.volumes], key=lambda v: v["name"])
        main = spec["containers"][0]
        main["env"] = [*main.get("env", []), *self.env]
        main["volumeMounts"] = sorted([*main.get("volumeMounts", []), *self.main_mounts], key=lambda m: m["mountPath"])
        return go_pretty_json(pod)


def _escape(key: str) -> str:
    """A JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def kerberos_targets(airflow: Any) -> tuple[dict[str, ApiObject], bool]:
    """The workloads (by component name) that get the sidecar, and whether task pods get the init container."""
    props: KerberosProps = airflow.props.kerberos
    from ..runtime.executors import LocalExecutor

    parts = [airflow.api_server, airflow.scheduler, airflow.dag_processor, airflow.triggerer, airflow.flower]
    parts += [*airflow.workers, *airflow.edge_workers]
    by_name = {c.component_name: c.workload for c in parts if c is not None}
    local = any(isinstance(e, LocalExecutor) for e in airflow.props.executors)
    tasks = [*(["scheduler"] if local else []), *(w.component_name for w in [*airflow.workers, *airflow.edge_workers])]
    chosen: dict[str, ApiObject] = {}
    task_pods = False
    for name in props.components:
        if name == "tasks":
            chosen.update({n: by_name[n] for n in tasks})
            task_pods = task_pods or airflow.kubernetes_executor is not None
        elif name == "kubernetes-worker" and airflow.kubernetes_executor is not None:
            task_pods = True
        elif name in by_name:
            chosen[name] = by_name[name]
        else:
            allowed = ", ".join(
                ["tasks", *sorted(by_name), *(["kubernetes-worker"] if airflow.kubernetes_executor else [])]
            )
            raise PropsError(
                f"AirflowProps.kerberos.components: {name!r} is not a component of this install: "
                f"expected one of {allowed}"
            )
    return dict(sorted(chosen.items())), task_pods


def add_kerberos(airflow: Any) -> Kerberos:
    """Build the Kerberos pieces for ``airflow`` and add them to the chosen pods."""
    runtime = airflow.runtime
    props: KerberosProps = airflow.props.kerberos
    sidecar = runtime.airflow_container("kerberos", ["kerberos"], resources=props.resources)
    kerberos = Kerberos(
        airflow,
        "kerberos",
        name=f"{runtime.instance}-kerberos",
        labels=runtime.labels("kerberos"),
        props=props,
        sidecar=sidecar,
    )
    workloads, task_pods = kerberos_targets(airflow)
    for workload in workloads.values():
        kerberos.add_to(workload)
    k8s = airflow.kubernetes_executor
    if task_pods and k8s is not None:
        k8s.pod_template_yaml = kerberos.pod_template_yaml(k8s.pod_template_yaml)
        k8s.config_map.add_json_patch(JsonPatch.replace("/data/pod_template.yaml", k8s.pod_template_yaml))
    return kerberos


def declare_flows(parts: Any, pods: ReleasePods) -> list[Declared]:
    """The ticket-renewing sidecars (and the task pods' init container) call the KDCs, over TCP and UDP
    (``parts``: the install's ``flow_declarations.Composition``)."""
    props: KerberosProps = parts.props.kerberos
    if not props.enabled:
        return []
    sidecars, tasks = kerberos_targets(parts)
    callers = [*sidecars, *(pods.task_pods if tasks else [])]
    out: list[Declared] = [Outside("kdc", tuple(props.kdc))]
    for proto in ("TCP", "UDP"):
        out += connect(callers, "kdc", [KDC_PORT], "Kerberos KDC", proto)
    return out
