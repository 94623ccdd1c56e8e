"""The conformance suite, tested: every invariant holds for every app, and each can fail.

A hand-written fixture (``good()``) passes every invariant; each failing case breaks it in one
way and names the exact violation, so an invariant that silently stops checking fails here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App
from kubernetes_validate.utils import latest_version

from apps.registry import APPS
from tests import conformance
from tests.conformance import extract_crd_schemas
from tests.conftest import ROOT, Manifest

NS = "team"
EXTERNAL = frozenset({"Secret/app-credentials"})


def labels(component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": "demo",
        "app.kubernetes.io/managed-by": "test",
        "app.kubernetes.io/name": "demo",
        "app.kubernetes.io/part-of": "demo",
        "app.kubernetes.io/version": "1.0.0",
    }


def selector(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/component": component, "app.kubernetes.io/instance": "demo"}


def meta(name: str, component: str = "web") -> dict[str, Any]:
    return {"labels": labels(component), "name": name, "namespace": NS}


CONTAINER_SC = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESOURCES = {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}}


def container(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "image": "example/web:1.0.0",
        "name": name,
        "resources": copy.deepcopy(RESOURCES),
        "securityContext": copy.deepcopy(CONTAINER_SC),
        **extra,
    }


def pod_spec(component: str, **extra: Any) -> dict[str, Any]:
    return {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "serviceAccountName": "demo",
        **extra,
    }


def good() -> list[Manifest]:
    """A small app that passes every invariant: web Deployment + Service, a database StatefulSet
    with a claim template, RBAC, a PDB, a NetworkPolicy and a KEDA ScaledObject."""
    web = container(
        "web",
        env=[
            {"name": "SETTINGS", "valueFrom": {"configMapKeyRef": {"key": "settings", "name": "demo-config"}}},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"key": "token", "name": "app-credentials"}}},
        ],
        ports=[{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        volumeMounts=[{"mountPath": "/tmp", "name": "tmp"}, {"mountPath": "/etc/demo", "name": "config"}],
    )
    init = container("wait", command=["true"])
    db = container(
        "db",
        ports=[{"containerPort": 5432, "name": "postgres", "protocol": "TCP"}],
        volumeMounts=[{"mountPath": "/data", "name": "data"}],
    )
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("demo"), "automountServiceAccountToken": False},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("demo-config"), "data": {"settings": "x"}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("demo-web"),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": selector("web")},
                "template": {
                    "metadata": {"labels": labels("web")},
                    "spec": pod_spec(
                        "web",
                        containers=[web],
                        initContainers=[init],
                        volumes=[
                            {"emptyDir": {"sizeLimit": "1Gi"}, "name": "tmp"},
                            {"configMap": {"name": "demo-config"}, "name": "config"},
                        ],
                    ),
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta("demo-web"),
            "spec": {
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
                "selector": selector("web"),
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": meta("demo-db", "db"),
            "spec": {
                "selector": {"matchLabels": selector("db")},
                "serviceName": "demo-db",
                "template": {"metadata": {"labels": labels("db")}, "spec": pod_spec("db", containers=[db])},
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta("demo-db", "db"),
            "spec": {
                "clusterIP": "None",
                "ports": [{"name": "postgres", "port": 5432, "targetPort": 5432}],
                "selector": selector("db"),
            },
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta("demo"),
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta("demo"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "demo"},
            "subjects": [{"kind": "ServiceAccount", "name": "demo", "namespace": NS}],
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta("demo-web"),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector("web")}},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("demo"),
            "spec": {
                "podSelector": {"matchExpressions": [{"key": "app.kubernetes.io/instance", "operator": "Exists"}]},
                "policyTypes": ["Ingress"],
            },
        },
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": meta("demo-web"),
            "spec": {
                "maxReplicaCount": 4,
                "scaleTargetRef": {"name": "demo-web"},
                "triggers": [{"metadata": {"value": "50"}, "metricType": "Utilization", "type": "cpu"}],
            },
        },
    ]


def obj(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    return next(m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name)


def web_pod(manifests: list[Manifest]) -> dict[str, Any]:
    spec: dict[str, Any] = obj(manifests, "Deployment", "demo-web")["spec"]["template"]["spec"]
    return spec


def web_container(manifests: list[Manifest]) -> dict[str, Any]:
    main: dict[str, Any] = web_pod(manifests)["containers"][0]
    return main


Mutation = Callable[[list[Manifest]], Any]


def check(invariant: str, mutate: Mutation, versions: list[str] | None = None) -> list[str]:
    manifests = good()
    mutate(manifests)
    return conformance.run_one(invariant, manifests, external=EXTERNAL, versions=versions)


# -- the fixture passes, and so does every app ---------------------------------------------------------
def test_good_fixture_passes_every_invariant() -> None:
    assert conformance.run(good(), external=EXTERNAL) == {}


@pytest.fixture(scope="module")
def apps_with_externals() -> dict[str, tuple[list[Manifest], set[str]]]:
    out = {}
    for name, build in APPS.items():
        chart = build(App())
        out[name] = (list(chart.to_json()), conformance.declared_external_in(chart))
    return out


@pytest.mark.parametrize("invariant", sorted(conformance.INVARIANTS))
def test_every_app_conforms(apps_with_externals: dict[str, tuple[list[Manifest], set[str]]], invariant: str) -> None:
    found = {
        app: conformance.run_one(invariant, manifests, external=external)
        for app, (manifests, external) in apps_with_externals.items()
    }
    assert found == {app: [] for app in apps_with_externals}


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_app_synthesizes_deterministically(app: str) -> None:
    def synth_yaml() -> str:
        cdk8s_app = App()
        APPS[app](cdk8s_app)
        return cdk8s_app.synth_yaml()

    assert conformance.deterministic(synth_yaml) == []


# -- each invariant can fail ---------------------------------------------------------------------------
def _unknown_field(ms: list[Manifest]) -> None:
    web_container(ms)["imagePullPolcy"] = "Always"


def _bad_type(ms: list[Manifest]) -> None:
    obj(ms, "Deployment", "demo-web")["spec"]["replicas"] = "two"


def _crd_unknown_field(ms: list[Manifest]) -> None:
    obj(ms, "ScaledObject", "demo-web")["spec"]["maxReplicas"] = 4


def _unknown_kind(ms: list[Manifest]) -> None:
    ms.append({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": meta("w")})


def _sidecar_without_limits(ms: list[Manifest]) -> None:
    del web_pod(ms)["initContainers"][0]["resources"]["limits"]


def _request_above_limit(ms: list[Manifest]) -> None:
    web_container(ms)["resources"]["requests"]["memory"] = "1Gi"


def _service_selects_nothing(ms: list[Manifest]) -> None:
    obj(ms, "Service", "demo-web")["spec"]["selector"] = selector("api")


def _service_targets_missing_port(ms: list[Manifest]) -> None:
    obj(ms, "Service", "demo-web")["spec"]["ports"][0]["targetPort"] = "https"


def _service_without_selector(ms: list[Manifest]) -> None:
    del obj(ms, "Service", "demo-db")["spec"]["selector"]


def _missing_config_map(ms: list[Manifest]) -> None:
    ms.remove(obj(ms, "ConfigMap", "demo-config"))


def _missing_pvc(ms: list[Manifest]) -> None:
    web_pod(ms)["volumes"].append({"name": "cache", "persistentVolumeClaim": {"claimName": "demo-cache"}})


def _mount_without_volume(ms: list[Manifest]) -> None:
    obj(ms, "StatefulSet", "demo-db")["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] = "pgdata"


def _missing_service_account(ms: list[Manifest]) -> None:
    ms.remove(obj(ms, "ServiceAccount", "demo"))


def _missing_pull_secret(ms: list[Manifest]) -> None:
    web_pod(ms)["imagePullSecrets"] = [{"name": "registry"}]


def _env_from_missing_secret(ms: list[Manifest]) -> None:
    web_container(ms)["envFrom"] = [{"secretRef": {"name": "demo-env"}}]


def _pdb_selects_nothing(ms: list[Manifest]) -> None:
    obj(ms, "PodDisruptionBudget", "demo-web")["spec"]["selector"] = {"matchLabels": selector("api")}


def _scale_target_missing(ms: list[Manifest]) -> None:
    obj(ms, "ScaledObject", "demo-web")["spec"]["scaleTargetRef"]["name"] = "demo-worker"


def _role_missing(ms: list[Manifest]) -> None:
    ms.remove(obj(ms, "Role", "demo"))


def _ingress_to_missing_port(ms: list[Manifest]) -> None:
    ms.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta("demo"),
            "spec": {
                "rules": [
                    {
                        "host": "demo.example.com",
                        "http": {
                            "paths": [
                                {
                                    "backend": {"service": {"name": "demo-web", "port": {"name": "https"}}},
                                    "path": "/",
                                    "pathType": "Prefix",
                                }
                            ]
                        },
                    }
                ]
            },
        }
    )


def _pod_outside_policies(ms: list[Manifest]) -> None:
    obj(ms, "NetworkPolicy", "demo")["spec"]["podSelector"] = {"matchLabels": selector("web")}


def _secret_with_data(ms: list[Manifest]) -> None:
    ms.append({"apiVersion": "v1", "kind": "Secret", "metadata": meta("demo"), "data": {"password": "aHVudGVyMg=="}})


def _helm_hook(ms: list[Manifest]) -> None:
    obj(ms, "ConfigMap", "demo-config")["metadata"]["annotations"] = {"helm.sh/hook": "pre-install"}


def _missing_label(ms: list[Manifest]) -> None:
    del obj(ms, "ConfigMap", "demo-config")["metadata"]["labels"]["app.kubernetes.io/version"]


def _long_service_name(ms: list[Manifest]) -> None:
    obj(ms, "Service", "demo-db")["metadata"]["name"] = "d" * 64


def _bad_label_value(ms: list[Manifest]) -> None:
    obj(ms, "ConfigMap", "demo-config")["metadata"]["labels"]["team"] = "data platform"


def _duplicate(ms: list[Manifest]) -> None:
    ms.append(copy.deepcopy(obj(ms, "ConfigMap", "demo-config")))


LONG = "d" * 64
FAILING: list[Any] = [
    pytest.param(
        "strict_schema",
        _unknown_field,
        "Deployment/demo-web: .spec.template.spec.containers[0]: Additional properties are not allowed "
        "('imagePullPolcy' was unexpected) (Kubernetes 1.28)",
        id="schema-unknown-field",
    ),
    pytest.param(
        "strict_schema",
        _bad_type,
        "Deployment/demo-web: .spec.replicas: 'two' is not of type 'integer', 'null' (Kubernetes 1.28)",
        id="schema-wrong-type",
    ),
    pytest.param(
        "strict_schema",
        _crd_unknown_field,
        "ScaledObject/demo-web: .spec: Additional properties are not allowed ('maxReplicas' was unexpected) "
        f"(Kubernetes {conformance.KUBE_VERSIONS[-1]})",
        id="schema-crd-unknown-field",
    ),
    pytest.param(
        "strict_schema",
        _unknown_kind,
        "Widget/w: no schema for example.com/v1 Widget in Kubernetes 1.28 nor in crd_schemas.json",
        id="schema-unknown-kind",
    ),
    pytest.param(
        "resources_on_every_container",
        _sidecar_without_limits,
        "Deployment/demo-web initContainers/wait: no limits.cpu",
        id="resources-missing",
    ),
    pytest.param(
        "resources_on_every_container",
        _request_above_limit,
        "Deployment/demo-web containers/web: requests.memory is above limits.memory",
        id="resources-request-above-limit",
    ),
    pytest.param(
        "services_select_pods",
        _service_selects_nothing,
        "Service/demo-web: selects no pod template",
        id="service-selects-nothing",
    ),
    pytest.param(
        "services_select_pods",
        _service_targets_missing_port,
        "Service/demo-web: port http targets 'https', not exposed by Deployment/demo-web",
        id="service-port-not-exposed",
    ),
    pytest.param(
        "services_select_pods",
        _service_without_selector,
        "Service/demo-db: no selector",
        id="service-without-selector",
    ),
    pytest.param(
        "references_exist",
        _missing_config_map,
        "Deployment/demo-web: references missing ConfigMap/demo-config",
        id="ref-configmap",
    ),
    pytest.param(
        "references_exist",
        _missing_pvc,
        "Deployment/demo-web: references missing PersistentVolumeClaim/demo-cache",
        id="ref-pvc",
    ),
    pytest.param(
        "references_exist",
        _mount_without_volume,
        "StatefulSet/demo-db containers/db: mounts 'data', which is no volume of the pod",
        id="ref-claim-template",
    ),
    pytest.param(
        "references_exist",
        _missing_service_account,
        "Deployment/demo-web: references missing ServiceAccount/demo",
        id="ref-service-account",
    ),
    pytest.param(
        "references_exist",
        _missing_pull_secret,
        "Deployment/demo-web: references missing Secret/registry",
        id="ref-pull-secret",
    ),
    pytest.param(
        "references_exist",
        _env_from_missing_secret,
        "Deployment/demo-web: references missing Secret/demo-env",
        id="ref-env-from",
    ),
    pytest.param(
        "wiring_resolves",
        _pdb_selects_nothing,
        "PodDisruptionBudget/demo-web: selector matches no pod template",
        id="wiring-pdb",
    ),
    pytest.param(
        "wiring_resolves",
        _scale_target_missing,
        "ScaledObject/demo-web: refers to missing Deployment/demo-worker",
        id="wiring-scale-target",
    ),
    pytest.param(
        "wiring_resolves",
        _role_missing,
        "RoleBinding/demo: refers to missing Role/demo",
        id="wiring-role",
    ),
    pytest.param(
        "wiring_resolves",
        _ingress_to_missing_port,
        "Ingress/demo: Service/demo-web has no port 'https'",
        id="wiring-ingress-port",
    ),
    pytest.param(
        "networkpolicy_coverage",
        _pod_outside_policies,
        "StatefulSet/demo-db: no NetworkPolicy selects its pods",
        id="networkpolicy-uncovered-pod",
    ),
    pytest.param("no_secret_data", _secret_with_data, "Secret/demo: carries data", id="secret-data"),
    pytest.param("no_helm_hooks", _helm_hook, "ConfigMap/demo-config: annotation helm.sh/hook", id="helm-hook"),
    pytest.param(
        "recommended_labels",
        _missing_label,
        "ConfigMap/demo-config: missing labels ['app.kubernetes.io/version']",
        id="label-missing",
    ),
    pytest.param(
        "valid_names",
        _long_service_name,
        f"Service/{LONG}: name has 64 characters; a Service name may have 63",
        id="name-too-long",
    ),
    pytest.param(
        "valid_names",
        _bad_label_value,
        "ConfigMap/demo-config: label team='data platform' is not a valid label value (at most 63, alphanumeric ends)",
        id="label-value-invalid",
    ),
    pytest.param(
        "unique_objects",
        _duplicate,
        "ConfigMap/demo-config: 2 objects share this name",
        id="duplicate-object",
    ),
]


@pytest.mark.parametrize(("invariant", "mutate", "violation"), FAILING)
def test_invariant_fails_on_broken_fixture(invariant: str, mutate: Mutation, violation: str) -> None:
    found = check(invariant, mutate)
    assert violation in found, found


def test_every_invariant_has_a_failing_fixture() -> None:
    covered = {p.values[0] for p in FAILING} | {"restricted_pod_security"}  # PSS: one fixture per rule below
    assert covered == set(conformance.INVARIANTS)


def test_networkpolicy_coverage_is_a_noop_until_a_policy_exists() -> None:
    manifests = [m for m in good() if m["kind"] != "NetworkPolicy"]
    assert conformance.networkpolicy_coverage(manifests) == []


def test_external_references_must_be_declared() -> None:
    assert conformance.run_one("references_exist", good()) == [
        "Deployment/demo-web: references missing Secret/app-credentials"
    ]


def test_strict_schema_reports_every_version() -> None:
    found = check("strict_schema", _bad_type)
    assert [v.rsplit("(Kubernetes ", 1)[1].rstrip(")") for v in found] == conformance.KUBE_VERSIONS


# -- restricted Pod Security Standard: one fixture per rule --------------------------------------------
def _pod(ms: list[Manifest]) -> dict[str, Any]:
    return web_pod(ms)


def _psc(ms: list[Manifest]) -> dict[str, Any]:
    sc: dict[str, Any] = web_pod(ms)["securityContext"]
    return sc


def _sc(ms: list[Manifest]) -> dict[str, Any]:
    sc: dict[str, Any] = web_container(ms)["securityContext"]
    return sc


def _init_sc(ms: list[Manifest]) -> dict[str, Any]:
    sc: dict[str, Any] = web_pod(ms)["initContainers"][0]["securityContext"]
    return sc


W = "Deployment/demo-web"
C = f"{W} containers/web"
PSS_RULES: list[Any] = [
    pytest.param(lambda ms: _pod(ms).update(hostNetwork=True), f"{W}: hostNetwork is true", id="host-network"),
    pytest.param(lambda ms: _pod(ms).update(hostPID=True), f"{W}: hostPID is true", id="host-pid"),
    pytest.param(lambda ms: _pod(ms).update(hostIPC=True), f"{W}: hostIPC is true", id="host-ipc"),
    pytest.param(
        lambda ms: _psc(ms).update(windowsOptions={"hostProcess": True}),
        f"{W}: securityContext.windowsOptions.hostProcess is true",
        id="pod-host-process",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(windowsOptions={"hostProcess": True}),
        f"{C}: windowsOptions.hostProcess is true",
        id="container-host-process",
    ),
    pytest.param(lambda ms: _sc(ms).update(privileged=True), f"{C}: privileged", id="privileged"),
    pytest.param(
        lambda ms: _sc(ms)["capabilities"].update(add=["SYS_ADMIN"]),
        f"{C}: adds capabilities ['SYS_ADMIN'] (baseline",
        id="capability-beyond-baseline",
    ),
    pytest.param(
        lambda ms: _sc(ms)["capabilities"].update(add=["CHOWN"]),
        f"{C}: adds capabilities ['CHOWN'] (restricted",
        id="capability-beyond-restricted",
    ),
    pytest.param(
        lambda ms: _sc(ms)["capabilities"].update(drop=["NET_RAW"]),
        f"{C}: capabilities do not drop ALL",
        id="capabilities-not-dropped",
    ),
    pytest.param(
        lambda ms: _pod(ms)["volumes"].append({"name": "host", "hostPath": {"path": "/var/run"}}),
        f"{W}: volume 'host' uses ['hostPath']",
        id="host-path",
    ),
    pytest.param(
        lambda ms: _pod(ms)["volumes"].append({"name": "nfs", "nfs": {"path": "/", "server": "nfs.example.com"}}),
        f"{W}: volume 'nfs' uses ['nfs']",
        id="volume-type",
    ),
    pytest.param(
        lambda ms: web_container(ms)["ports"][0].update(hostPort=8080),
        f"{C}: hostPort 8080",
        id="host-port",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(appArmorProfile={"type": "Unconfined"}),
        f"{C}: appArmorProfile.type is 'Unconfined'",
        id="apparmor-field",
    ),
    pytest.param(
        lambda ms: _psc(ms).update(appArmorProfile={"type": "Unconfined"}),
        f"{W}: securityContext.appArmorProfile.type is 'Unconfined'",
        id="apparmor-pod-field",
    ),
    pytest.param(
        lambda ms: obj(ms, "Deployment", "demo-web")["spec"]["template"]["metadata"].update(
            annotations={"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}
        ),
        f"{W}: annotation container.apparmor.security.beta.kubernetes.io/web='unconfined'",
        id="apparmor-annotation",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(seLinuxOptions={"type": "spc_t"}),
        f"{C}: securityContext.seLinuxOptions.type 'spc_t' is not allowed in Kubernetes 1.28",
        id="selinux-type",
    ),
    pytest.param(
        lambda ms: _psc(ms).update(seLinuxOptions={"user": "root"}),
        f"{W}: securityContext.seLinuxOptions.user is set",
        id="selinux-user",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(seLinuxOptions={"role": "sysadm_r"}),
        f"{C}: securityContext.seLinuxOptions.role is set",
        id="selinux-role",
    ),
    pytest.param(lambda ms: _sc(ms).update(procMount="Unmasked"), f"{C}: procMount is 'Unmasked'", id="proc-mount"),
    pytest.param(
        lambda ms: _psc(ms).update(seccompProfile={"type": "Unconfined"}),
        f"{W}: securityContext.seccompProfile.type is 'Unconfined'",
        id="seccomp-pod-unconfined",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(seccompProfile={"type": "Unconfined"}),
        f"{C}: seccompProfile is 'Unconfined', not RuntimeDefault or Localhost",
        id="seccomp-container-unconfined",
    ),
    pytest.param(
        lambda ms: [_psc(ms).pop("seccompProfile"), _init_sc(ms).pop("seccompProfile")],
        f"{W} initContainers/wait: seccompProfile is None",
        id="seccomp-unset",
    ),
    pytest.param(
        lambda ms: _psc(ms).update(sysctls=[{"name": "kernel.msgmax", "value": "65536"}]),
        f"{W}: sysctl 'kernel.msgmax' is not in the safe set of Kubernetes 1.28",
        id="sysctl-unsafe",
    ),
    pytest.param(
        lambda ms: _psc(ms).update(sysctls=[{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]),
        f"{W}: sysctl 'net.ipv4.tcp_keepalive_time' is not in the safe set of Kubernetes 1.28",
        id="sysctl-newer-than-oldest-version",
    ),
    pytest.param(
        lambda ms: _sc(ms).pop("allowPrivilegeEscalation"),
        f"{C}: allowPrivilegeEscalation is not false",
        id="privilege-escalation-unset",
    ),
    pytest.param(
        lambda ms: _init_sc(ms).update(allowPrivilegeEscalation=True),
        f"{W} initContainers/wait: allowPrivilegeEscalation is not false",
        id="privilege-escalation-init",
    ),
    pytest.param(
        lambda ms: [_psc(ms).pop("runAsNonRoot"), _sc(ms).pop("runAsNonRoot")],
        f"{C}: runAsNonRoot is not true",
        id="non-root-unset",
    ),
    pytest.param(
        lambda ms: _psc(ms).update(runAsNonRoot=False),
        f"{W}: securityContext.runAsNonRoot is false",
        id="non-root-pod-false",
    ),
    pytest.param(lambda ms: _psc(ms).update(runAsUser=0), f"{W}: securityContext.runAsUser is 0", id="pod-uid-0"),
    pytest.param(lambda ms: _sc(ms).update(runAsUser=0), f"{C}: runAsUser is 0", id="container-uid-0"),
    pytest.param(
        lambda ms: web_container(ms).update(
            livenessProbe={"httpGet": {"host": "10.0.0.1", "path": "/", "port": "http"}}
        ),
        f"{C}: livenessProbe.httpGet.host is set",
        id="probe-host",
    ),
    pytest.param(
        lambda ms: web_container(ms).update(
            lifecycle={"preStop": {"httpGet": {"host": "10.0.0.1", "path": "/", "port": 8080}}}
        ),
        f"{C}: lifecycle.preStop.httpGet.host is set",
        id="lifecycle-host",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(ulimits=[{"name": "nofile", "soft": 1, "hard": 1}]),
        f"{C}: securityContext.ulimits is set",
        id="ulimits",
    ),
    pytest.param(
        lambda ms: web_pod(ms).update(ephemeralContainers=[{"name": "debug", "image": "busybox:1"}]),
        f"{W} ephemeralContainers/debug: allowPrivilegeEscalation is not false",
        id="ephemeral-container",
    ),
]


@pytest.mark.parametrize(("mutate", "violation"), PSS_RULES)
def test_restricted_pod_security_rule_fails(mutate: Mutation, violation: str) -> None:
    found = check("restricted_pod_security", mutate)
    assert any(v.startswith(violation) for v in found), found


ALLOWED: list[Any] = [
    pytest.param(lambda ms: _sc(ms)["capabilities"].update(add=["NET_BIND_SERVICE"]), id="net-bind-service"),
    pytest.param(
        lambda ms: _psc(ms).update(sysctls=[{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]),
        id="safe-sysctl",
    ),
    pytest.param(
        lambda ms: _sc(ms).update(seccompProfile={"type": "Localhost", "localhostProfile": "p.json"}),
        id="seccomp-localhost",
    ),
    pytest.param(lambda ms: _psc(ms).pop("seccompProfile"), id="seccomp-on-every-container"),
    pytest.param(lambda ms: _psc(ms).pop("runAsNonRoot"), id="non-root-on-every-container"),
    pytest.param(lambda ms: _sc(ms).update(seLinuxOptions={"type": "container_init_t"}), id="selinux-type"),
    pytest.param(lambda ms: _sc(ms).update(appArmorProfile={"type": "RuntimeDefault"}), id="apparmor-default"),
    pytest.param(lambda ms: _sc(ms).update(procMount="Default"), id="proc-mount-default"),
    pytest.param(lambda ms: web_container(ms)["ports"][0].update(hostPort=0), id="host-port-0"),
    pytest.param(lambda ms: _pod(ms)["volumes"].append({"name": "p", "projected": {"sources": []}}), id="projected"),
]


@pytest.mark.parametrize("mutate", ALLOWED)
def test_restricted_pod_security_allows(mutate: Mutation) -> None:
    assert check("restricted_pod_security", mutate) == []


def test_sysctl_safe_set_follows_the_version() -> None:
    newer = lambda ms: _psc(ms).update(sysctls=[{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"}])  # noqa: E731
    assert check("restricted_pod_security", newer, versions=["1.32"]) == []
    assert check("restricted_pod_security", newer, versions=["1.31"]) == [
        f"{W}: sysctl 'net.ipv4.tcp_rmem' is not in the safe set of Kubernetes 1.31"
    ]


def test_selinux_container_engine_type_only_from_1_31() -> None:
    engine = lambda ms: _sc(ms).update(seLinuxOptions={"type": "container_engine_t"})  # noqa: E731
    assert check("restricted_pod_security", engine, versions=["1.31"]) == []
    assert check("restricted_pod_security", engine) != []


# -- the matrix, the README and the CRD schemas -------------------------------------------------------
def test_version_matrix_spans_the_supported_range() -> None:
    newest = ".".join(latest_version().split(".")[:2])
    first, last = conformance.KUBE_VERSIONS[0], conformance.KUBE_VERSIONS[-1]
    assert (first, last) == (conformance.MIN_KUBERNETES_VERSION, newest)
    minors = [int(v.split(".")[1]) for v in conformance.KUBE_VERSIONS]
    assert minors == list(range(minors[0], minors[-1] + 1)), "no minor may be skipped"


def test_readme_states_the_supported_range() -> None:
    readme = (ROOT / "README.md").read_text()
    first, last = conformance.KUBE_VERSIONS[0], conformance.KUBE_VERSIONS[-1]
    assert f"Kubernetes {first} to {last}" in readme


def test_crd_schemas_match_the_pinned_crds() -> None:
    crds = ROOT.parent / "shared" / "crds"
    if not crds.is_dir():
        pytest.skip("../shared/crds is not beside this clone")
    committed = (Path(extract_crd_schemas.__file__).parent / "crd_schemas.json").read_text()
    assert extract_crd_schemas.extract(crds) == committed, "run: python -m tests.conformance.extract_crd_schemas"


def test_every_custom_resource_we_can_emit_has_a_schema() -> None:
    import airflow_constructs.imports as imports

    bindings = {p.name for p in Path(imports.__file__).parent.iterdir() if (p / "__init__.py").is_file()}
    groups = {key.split("/")[0] for key in conformance.schemas.crd_schemas()}
    assert len(groups) == len(bindings), (groups, bindings)


def test_helm_charts_declare_the_supported_range() -> None:
    charts = sorted((ROOT / "dist" / "helm" / "charts").glob("*/Chart.yaml"))
    if not charts:
        pytest.skip("no chart in dist/helm/charts yet")
    wanted = f">={conformance.MIN_KUBERNETES_VERSION}.0-0"
    found = {c.parent.name: yaml.safe_load(c.read_text()).get("kubeVersion") for c in charts}
    assert found == {name: wanted for name in found}


def test_fast_schema_path_agrees_with_jsonschema() -> None:
    """jsonschema-rs only decides valid or not; on hundreds of broken objects it must agree with
    jsonschema (a wrong 'valid' would hide an error)."""
    import random

    from tests.conformance import schemas

    pytest.importorskip("jsonschema_rs")
    rng = random.Random(8)
    objects = [m for m in good() if not schemas.is_custom_resource(m)]
    junk: list[Any] = ["x", 5, -1, 1.5, True, None, [], {}, {"a": 1}, ["a"], ""]

    def paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = [path] if len(path) > 1 else []
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for key, value in items:
            found.extend(paths(value, (*path, key)))
        return found

    disagreements = []
    for _ in range(300):
        original = rng.choice(objects)
        broken = copy.deepcopy(original)
        path = rng.choice(paths(broken))
        parent: Any = broken
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and rng.random() < 0.3:
            parent["unknownField"] = 1
        else:
            parent[path[-1]] = rng.choice(junk)
        version = rng.choice(conformance.KUBE_VERSIONS)
        fast = schemas._fast_validator(version, original["apiVersion"], original["kind"]).is_valid(broken)
        reference = schemas._builtin_validator(version, original["apiVersion"], original["kind"])
        assert reference is not None
        slow = not list(reference.iter_errors(broken))
        if fast != slow:
            disagreements.append((original["kind"], path, version))
    assert disagreements == []
