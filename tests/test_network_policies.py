"""Network policies: default-deny plus exactly the flows of the component graph.

The exhaustive tests enumerate every (source, destination, port) of each app -- every pod of the
release, KubernetesExecutor task pods (from the pod template), and stand-ins for what lies outside
(cluster DNS, the ingress controller, KEDA, a pod of another namespace, the Kubernetes API address,
an Internet address) -- evaluate the synthesized NetworkPolicy objects with Kubernetes semantics,
and compare with the expected flows written out below.
"""

from __future__ import annotations

import configparser
from itertools import product
from typing import Any

import pytest
import yaml
from cdk8s import Chart

from airflow_constructs import (
    Airflow,
    CeleryExecutor,
    EdgeExecutor,
    EgressRule,
    ExternalBroker,
    ExternalDatabase,
    GitBundleDags,
    GitSyncDags,
    KubernetesExecutor,
    LocalExecutor,
    NetworkPeer,
    NetworkPolicyProps,
    PropsError,
    SecretRef,
)
from airflow_constructs.flow_declarations import network_graph
from airflow_constructs.network.evaluate import Pod, allows
from airflow_constructs.network.graph import NetworkGraph
from tests import conformance
from tests.conftest import Manifest, find, synth_chart

OUTSIDE = {
    "dns": Pod("kube-system", {"k8s-app": "kube-dns"}),
    "ingress-controller": Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}),
    "keda": Pod("keda", {"app": "keda-operator"}),
    "prometheus": Pod("monitoring", {"app.kubernetes.io/name": "prometheus"}),
    "other-namespace": Pod("team-x", {"app": "curious"}),
    "same-namespace-stranger": Pod("airflow", {"app": "stranger"}),
    "gateway": Pod("gateways", {"app": "envoy"}),
    "kubernetes-api": Pod(ip="10.96.0.1"),
    "directory": Pod(ip="10.20.30.5"),
    "keycloak": Pod("keycloak", {"app.kubernetes.io/name": "keycloak"}),
    "internet": Pod(ip="203.0.113.10"),
    # The Airflow core a workers-only install joins, in the namespace "airflow-core".
    "core-api-server": Pod("airflow-core", {"app.kubernetes.io/component": "api-server"}),
    "core-redis": Pod("airflow-core", {"app.kubernetes.io/component": "redis"}),
    "core-postgres": Pod("airflow-core", {"app.kubernetes.io/component": "postgres"}),
}
"""Stand-ins for what lies outside the release."""
ADDRESSES = {"kubernetes-api", "directory", "internet"}


def _task_namespace(manifests: list[Manifest], default: str) -> str:
    """Where task pods run: ``[kubernetes_executor] namespace`` of the rendered airflow.cfg."""
    parser = configparser.ConfigParser(interpolation=None)
    for m in manifests:
        if m["kind"] == "ConfigMap" and "airflow.cfg" in (m.get("data") or {}):
            parser.read_string(m["data"]["airflow.cfg"])
    return parser.get("kubernetes_executor", "namespace", fallback=default)


def release_pods(manifests: list[Manifest]) -> dict[str, Pod]:
    """The release's pods by component label, task pods of the KubernetesExecutor included."""
    templates: list[tuple[str, dict[str, Any], str]] = []
    by_name = {f"{m['kind']}/{m['metadata']['name']}": m for m in manifests}
    for name, template in conformance.pod_templates(manifests):
        templates.append((name, template, by_name[name]["metadata"]["namespace"]))
    for m in manifests:
        if m["kind"] == "ConfigMap" and "pod_template.yaml" in (m.get("data") or {}):
            pod = yaml.safe_load(m["data"]["pod_template.yaml"])
            templates.append(("Pod/task", pod, _task_namespace(manifests, m["metadata"]["namespace"])))
    out: dict[str, Pod] = {}
    for _, template, namespace in templates:
        labels = template["metadata"]["labels"]
        ports = {
            p["name"]: p["containerPort"]
            for _, c in conformance.all_containers(template["spec"])
            for p in c.get("ports") or []
            if "name" in p
        }
        out[labels["app.kubernetes.io/component"]] = Pod(namespace, labels, ports)
    return out


def allowed_flows(manifests: list[Manifest]) -> set[str]:
    """Every allowed ``source -> destination:port/protocol`` among release pods and the stand-ins."""
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    everyone = {**pods, **OUTSIDE}
    ports = {("TCP", p) for pod in pods.values() for p in pod.ports.values()}
    ports |= {("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443), ("TCP", 5432), ("TCP", 6379), ("TCP", 22)}
    for policy in policies:  # and every port a rule names
        for rule in [*policy["spec"].get("ingress", []), *policy["spec"].get("egress", [])]:
            ports |= {
                (p.get("protocol", "TCP"), p["port"]) for p in rule.get("ports", []) if isinstance(p["port"], int)
            }
    out = set()
    for (src, source), (dst, dest), (proto, port) in product(everyone.items(), everyone.items(), sorted(ports)):
        if src == dst or (src in OUTSIDE and dst in OUTSIDE) or src in ADDRESSES:
            continue
        if allows(policies, source, dest, port, proto):
            out.add(f"{src} -> {dst}:{port}/{proto}")
    return out


def dns(*pods: str) -> set[str]:
    return {f"{p} -> dns:53/{proto}" for p in pods for proto in ("TCP", "UDP")}


def anywhere(port: int, *pods: str) -> set[str]:
    """Egress to any address on ``port`` (both address stand-ins match ``0.0.0.0/0``)."""
    return {f"{p} -> {where}:{port}/TCP" for p in pods for where in sorted(ADDRESSES)}


def kube_api(*pods: str) -> set[str]:
    # The default kubernetes_api CIDR is 0.0.0.0/0 on the API ports: any address on 443 and 6443.
    return anywhere(443, *pods) | anywhere(6443, *pods)


def to(destination: str, port: int, *sources: str) -> set[str]:
    return {f"{s} -> {destination}:{port}/TCP" for s in sources}


def statsd(*pods: str) -> set[str]:
    """Metrics: the pods send StatsD over UDP to the exporter, which Prometheus scrapes."""
    return {f"{p} -> statsd:9125/UDP" for p in pods} | {"prometheus -> statsd:9102/TCP"}


BASE = (
    to("postgres", 5432, *("api-server", "scheduler", "dag-processor", "triggerer", "migrate", "db-clean"))
    | to("scheduler", 8793, "api-server")
    | to("triggerer", 8794, "api-server")
    | dns("api-server", "scheduler", "dag-processor", "triggerer", "migrate", "db-clean")
    | to("api-server", 8080, "scheduler")
    | statsd("api-server", "scheduler", "dag-processor", "triggerer", "migrate", "db-clean")
)
"""The default app's flows between its own pods (LocalExecutor, embedded PostgreSQL, StatsD)."""


AIRFLOW_CORE = ("api-server", "scheduler", "dag-processor", "triggerer", "migrate", "db-clean")

EXPECTED: dict[str, set[str]] = {
    "default": (
        to("postgres", 5432, *AIRFLOW_CORE)
        | to("api-server", 8080, "scheduler", "ingress-controller")
        | to("scheduler", 8793, "api-server")
        | to("triggerer", 8794, "api-server")
        | dns(*AIRFLOW_CORE)
        | kube_api("secrets-bootstrap")
        | statsd(*AIRFLOW_CORE)
    ),
    "celery": (
        to("postgres", 5432, *AIRFLOW_CORE, "worker-default", "worker-highmem", "keda")
        | to("redis", 6379, "scheduler", "worker-default", "worker-highmem", "flower")
        | to("api-server", 8080, "worker-default", "worker-highmem", "ingress-controller")
        | to("flower", 5555, "ingress-controller")
        | to("triggerer", 8794, "api-server")
        | to("worker-default", 8793, "api-server")
        | to("worker-highmem", 8793, "api-server")
        | dns(*AIRFLOW_CORE, "worker-default", "worker-highmem", "flower")
        | kube_api("secrets-bootstrap")
        | statsd(*AIRFLOW_CORE, "worker-default", "worker-highmem", "flower")
    ),
    "kubernetes-executor": (
        to("postgres", 5432, *AIRFLOW_CORE)
        | to("api-server", 8080, "kubernetes-worker", "ingress-controller")
        | to("triggerer", 8794, "api-server")
        | dns(*AIRFLOW_CORE, "kubernetes-worker")
        | kube_api("secrets-bootstrap", "scheduler", "pod-cleanup")
        | statsd(*AIRFLOW_CORE, "kubernetes-worker")
    ),
    # External database (any address on 5432 by default) through PgBouncer, except the Jobs that
    # need a real session; external broker (6379); git-sync over SSH (22) for the DAG readers.
    "production": (
        to("pgbouncer", 6432, "api-server", "scheduler", "dag-processor", "triggerer", "worker-default", "pools")
        | anywhere(5432, "pgbouncer", "migrate", "db-clean")
        | anywhere(6379, "scheduler", "worker-default")
        | anywhere(22, "dag-processor", "triggerer", "worker-default")
        | to("api-server", 8080, "worker-default", "ingress-controller")
        | to("triggerer", 8794, "api-server")
        | to("worker-default", 8793, "api-server")
        | dns(*AIRFLOW_CORE, "worker-default", "pools", "pgbouncer")
        | kube_api("secrets-bootstrap", "api-server-restart")
        | to("pgbouncer", 9127, "prometheus")
        | statsd(*AIRFLOW_CORE, "worker-default", "pools")
    ),
    # LDAP: the api-server reaches the directory's range on 636 only; the Kubernetes API narrowed to
    # its address.
    "ldap": (
        BASE
        | to("api-server", 8080, "ingress-controller")
        | to("directory", 636, "api-server")
        | {f"secrets-bootstrap -> kubernetes-api:{port}/TCP" for port in (443, 6443)}
    ),
    # OAuth: the api-server reaches the provider (any address on 443 by default); the gateway's
    # namespace, not the ingress controller's, may reach the UI.
    "oauth": BASE | to("api-server", 8080, "gateway") | anywhere(443, "api-server") | kube_api("secrets-bootstrap"),
    # Keycloak: the api-server and the keycloak-setup Job reach Keycloak's namespace on 8443 only;
    # extra_pip_packages (the provider) lets every Airflow pod reach a package index on 443.
    "keycloak": (
        to("postgres", 5432, *AIRFLOW_CORE, "keycloak-setup")
        | to("api-server", 8080, "scheduler", "ingress-controller")
        | to("scheduler", 8793, "api-server")
        | to("triggerer", 8794, "api-server")
        | to("keycloak", 8443, "api-server", "keycloak-setup")
        | anywhere(443, *AIRFLOW_CORE, "keycloak-setup")
        | dns(*AIRFLOW_CORE, "keycloak-setup")
        | kube_api("secrets-bootstrap")
        | statsd(*AIRFLOW_CORE, "keycloak-setup")
    ),
    # Airflow 2: no execution API (tasks use the database), the FAB admin-user Job.
    "airflow2": (
        to("postgres", 5432, *AIRFLOW_CORE, "admin-user")
        | to("api-server", 8080, "ingress-controller")
        | to("scheduler", 8793, "api-server")
        | to("triggerer", 8794, "api-server")
        | dns(*AIRFLOW_CORE, "admin-user")
        | kube_api("secrets-bootstrap")
        | statsd(*AIRFLOW_CORE, "admin-user")
    ),
    # Workers only: the core's pods (another namespace) by their labels, nothing else.
    "workers-only": (
        to("core-postgres", 5432, "worker-remote")
        | to("core-redis", 6379, "worker-remote")
        | to("core-api-server", 8080, "worker-remote")
        | to("worker-remote", 8793, "core-api-server")
        | dns("worker-remote")
    ),
}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_every_pair_is_allowed_exactly_when_the_graph_says_so(
    app_manifests: dict[str, list[Manifest]], app: str
) -> None:
    assert sorted(allowed_flows(app_manifests[app])) == sorted(EXPECTED[app])


def test_expected_flows_cover_every_app() -> None:
    from apps.registry import APPS

    assert set(EXPECTED) == set(APPS)


def _graph_flows(build: Any) -> set[str]:
    holder: dict[str, Airflow] = {}

    def make(chart: Chart) -> None:
        holder["a"] = build(chart)

    synth_chart(make)
    graph = network_graph(holder["a"].composition)
    return {f"{s} -> {d}:{port}/{proto}" for s, d, port, proto in graph.pod_flows()}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_rendered_policies_match_the_graph(app_manifests: dict[str, list[Manifest]], app: str) -> None:
    """The pod-to-pod part of the evaluation is exactly the graph's flows between release pods."""
    from cdk8s import App

    from apps.registry import APPS

    graph = _app_graph(APPS[app](App()))
    from_graph = {f"{s} -> {d}:{port}/{proto}" for s, d, port, proto in graph.pod_flows()}
    evaluated = {f for f in allowed_flows(app_manifests[app]) if f.split(" -> ")[0] not in OUTSIDE}
    evaluated = {f for f in evaluated if f.split(" -> ")[1].split(":")[0] not in OUTSIDE}
    assert evaluated == from_graph


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_every_pod_of_the_release_is_in_the_graph(app_manifests: dict[str, list[Manifest]], app: str) -> None:
    """A new component must be added to ``network_graph``: default-deny would silently isolate it."""
    from cdk8s import App

    from apps.registry import APPS

    assert sorted(release_pods(app_manifests[app])) == _app_graph(APPS[app](App())).components


def _app_graph(chart: Any) -> NetworkGraph:
    """The graph an app's policies were rendered from: its ``Airflow``'s, or its ``WorkersOnly``'s."""
    from airflow_constructs import WorkersOnly

    for c in chart.node.find_all():
        if isinstance(c, Airflow):
            return network_graph(c.composition)
        if isinstance(c, WorkersOnly):
            assert c.network_policies is not None
            return c.network_policies.graph
    raise AssertionError("no Airflow or WorkersOnly construct")


def test_evaluator_follows_kubernetes_semantics() -> None:
    web = Pod("ns", {"app": "web"}, {"http": 8080})
    db = Pod("ns", {"app": "db"})
    other = Pod("other", {"app": "web"})

    def policy(selector: dict[str, str], spec: dict[str, Any], namespace: str = "ns") -> Manifest:
        return {
            "metadata": {"name": "p", "namespace": namespace},
            "spec": {"podSelector": {"matchLabels": selector}, **spec},
        }

    # No policy selects a pod: it is open both ways.
    assert allows([], web, db, 1234)
    # An ingress policy with a named port, from pods of the same namespace only.
    ingress = policy({"app": "web"}, {"ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": "http"}]}]})
    assert allows([ingress], db, web, 8080)
    assert not allows([ingress], db, web, 8081)
    assert not allows([ingress], other, web, 8080)
    # Egress isolation with an endPort range; policyTypes defaults to Ingress only without egress.
    egress = policy(
        {"app": "db"}, {"egress": [{"ports": [{"endPort": 9000, "port": 8000}]}], "policyTypes": ["Egress"]}
    )
    assert allows([egress], db, web, 8080)
    assert not allows([egress], db, web, 7999)
    assert allows([egress], db, web, 8080, "TCP") and not allows([egress], db, web, 8080, "UDP")
    # ipBlock peers match addresses, not pods; except ranges are cut out.
    block = policy(
        {"app": "db"},
        {
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}],
            "policyTypes": ["Egress"],
        },
    )
    assert allows([block], db, Pod(ip="10.2.3.4"), 443)
    assert not allows([block], db, Pod(ip="10.1.3.4"), 443)
    assert not allows([block], db, web, 443)


def test_default_deny_selects_every_pod_of_the_release(default_app: list[Manifest]) -> None:
    deny = find(default_app, "NetworkPolicy", "airflow-default-deny")
    assert deny["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/instance": "airflow", "app.kubernetes.io/name": "airflow"}},
        "policyTypes": ["Ingress", "Egress"],
    }
    names = sorted(m["metadata"]["name"] for m in default_app if m["kind"] == "NetworkPolicy")
    assert names == [
        "airflow-api-server",
        "airflow-dag-processor",
        "airflow-db-clean",
        "airflow-default-deny",
        "airflow-migrate",
        "airflow-postgres",
        "airflow-scheduler",
        "airflow-secrets-bootstrap",
        "airflow-statsd",
        "airflow-triggerer",
    ]


def test_selectors_use_recommended_labels_never_construct_addresses(
    app_manifests: dict[str, list[Manifest]],
) -> None:
    for manifests in app_manifests.values():
        for policy in (m for m in manifests if m["kind"] == "NetworkPolicy"):
            text = yaml.safe_dump(policy["spec"])
            assert "cdk8s.io" not in text
            labels = policy["spec"]["podSelector"]["matchLabels"]
            assert labels["app.kubernetes.io/instance"] == "airflow"
            assert labels["app.kubernetes.io/name"] == "airflow"


def test_api_server_policy(default_app: list[Manifest]) -> None:
    spec = find(default_app, "NetworkPolicy", "airflow-api-server")["spec"]
    selector = {"app.kubernetes.io/instance": "airflow", "app.kubernetes.io/name": "airflow"}
    assert spec == {
        "egress": [
            {
                "ports": [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
            },
            {
                "ports": [{"port": 5432, "protocol": "TCP"}],
                "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "postgres", **selector}}}],
            },
            {
                "ports": [{"port": 8793, "protocol": "TCP"}],
                "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "scheduler", **selector}}}],
            },
            {
                "ports": [{"port": 8794, "protocol": "TCP"}],
                "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "triggerer", **selector}}}],
            },
            {
                "ports": [{"port": 9125, "protocol": "UDP"}],
                "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "statsd", **selector}}}],
            },
        ],
        "ingress": [
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
                    {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "scheduler", **selector}}},
                ],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ],
        "podSelector": {"matchLabels": {"app.kubernetes.io/component": "api-server", **selector}},
        "policyTypes": ["Ingress", "Egress"],
    }


def test_postgres_accepts_only_airflow_and_has_no_egress(default_app: list[Manifest]) -> None:
    spec = find(default_app, "NetworkPolicy", "airflow-postgres")["spec"]
    assert "egress" not in spec
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    sources = [p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for p in spec["ingress"][0]["from"]]
    assert sources == ["api-server", "dag-processor", "db-clean", "migrate", "scheduler", "triggerer"]


# -- variants -------------------------------------------------------------------------------------
def _flows(manifests: list[Manifest]) -> set[str]:
    return allowed_flows(manifests)


def test_external_database_and_broker_egress_by_cidr() -> None:
    def build(chart: Chart) -> None:
        Airflow(
            chart,
            "airflow",
            database=ExternalDatabase(
                host="db.example.com", port=6432, user="airflow", database="airflow", password=SecretRef("db", "pw")
            ),
            executor=CeleryExecutor(broker=ExternalBroker(url=SecretRef("broker", "url"))),
            network_policies={
                "database": {"to": [{"cidr": "10.20.0.0/16"}]},
                "broker": {"to": [{"cidr": "10.30.0.0/24"}], "ports": [6380]},
            },
        )

    manifests = synth_chart(build)
    scheduler = find(manifests, "NetworkPolicy", "airflow-scheduler")["spec"]["egress"]
    assert {"ports": [{"port": 6432, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]} in scheduler
    assert {"ports": [{"port": 6380, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.30.0.0/24"}}]} in scheduler
    worker = find(manifests, "NetworkPolicy", "airflow-worker-default")["spec"]["egress"]
    assert {"ports": [{"port": 6380, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.30.0.0/24"}}]} in worker
    assert [m for m in manifests if m["kind"] == "NetworkPolicy" and "postgres" in m["metadata"]["name"]] == []
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    assert allows(policies, pods["migrate"], Pod(ip="10.20.3.4"), 6432)
    assert not allows(policies, pods["migrate"], Pod(ip="10.21.3.4"), 6432)
    assert not allows(policies, pods["migrate"], Pod(ip="10.20.3.4"), 5432)
    assert not allows(policies, pods["dag-processor"], Pod(ip="10.30.0.9"), 6380)


def test_external_database_defaults_to_any_address_on_its_port_only() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", database=ExternalDatabase(url=SecretRef("db", "url"))))
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    assert allows(policies, pods["scheduler"], Pod(ip="198.51.100.7"), 5432)
    assert not allows(policies, pods["scheduler"], Pod(ip="198.51.100.7"), 443)


def test_kubernetes_executor_in_another_namespace() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=KubernetesExecutor(namespace="airflow-tasks")))
    deny = [m for m in manifests if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == "airflow-default-deny"]
    assert sorted(m["metadata"]["namespace"] for m in deny) == ["airflow", "airflow-tasks"]
    worker = next(
        m for m in manifests if m["kind"] == "NetworkPolicy" and m["metadata"]["name"].endswith("-kubernetes-worker")
    )
    assert worker["metadata"]["namespace"] == "airflow-tasks"
    to_api = [rule for rule in worker["spec"]["egress"] if rule["ports"] == [{"port": 8080, "protocol": "TCP"}]]
    assert to_api == [
        {
            "ports": [{"port": 8080, "protocol": "TCP"}],
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "airflow"}},
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/component": "api-server",
                            "app.kubernetes.io/instance": "airflow",
                            "app.kubernetes.io/name": "airflow",
                        }
                    },
                }
            ],
        }
    ]
    flows = _flows(manifests)
    assert "kubernetes-worker -> api-server:8080/TCP" in flows
    assert "kubernetes-worker -> postgres:5432/TCP" not in flows
    assert conformance.networkpolicy_coverage(manifests) == []


def test_edge_workers_reach_the_api_server_and_the_database() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=EdgeExecutor()))
    flows = _flows(manifests)
    assert "edge-default -> api-server:8080/TCP" in flows
    assert "edge-default -> postgres:5432/TCP" in flows
    assert "scheduler -> api-server:8080/TCP" not in flows


def test_hybrid_local_and_kubernetes_executors() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=[LocalExecutor(), KubernetesExecutor()]))
    flows = _flows(manifests)
    assert {"scheduler -> api-server:8080/TCP", "api-server -> scheduler:8793/TCP"} <= flows
    assert "scheduler -> kubernetes-api:443/TCP" in flows


def test_extra_egress_for_tasks_and_named_components() -> None:
    props = NetworkPolicyProps(
        egress=[
            EgressRule(
                components=["tasks"], to=[NetworkPeer(cidr="0.0.0.0/0", except_cidrs=["10.0.0.0/8"])], ports=[443]
            ),
            EgressRule(
                components=["dag-processor"], to=[NetworkPeer(cidr="192.0.2.0/24")], ports=[22], description="git"
            ),
        ]
    )
    manifests = synth_chart(lambda c: Airflow(c, "airflow", network_policies=props))
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    assert allows(policies, pods["scheduler"], Pod(ip="203.0.113.10"), 443)
    assert not allows(policies, pods["scheduler"], Pod(ip="10.1.2.3"), 443)
    assert not allows(policies, pods["api-server"], Pod(ip="203.0.113.10"), 443)
    assert allows(policies, pods["dag-processor"], Pod(ip="192.0.2.8"), 22)
    assert not allows(policies, pods["scheduler"], Pod(ip="192.0.2.8"), 22)


def test_features_that_reach_outside_get_port_limited_egress() -> None:
    """git-sync over HTTPS, remote logs, a secrets backend and pip packages: any address by default,
    on their ports only, from the pods that use them; each narrowable by CIDR."""

    def build(chart: Chart) -> None:
        Airflow(
            chart,
            "airflow",
            executor=CeleryExecutor(),
            dags=GitSyncDags(repo="https://git.example.com:8443/acme/dags.git"),
            logs={"remote": {"kind": "s3", "base_folder": "s3://logs/airflow"}},
            secrets_backend={"backend": "airflow.providers.hashicorp.secrets.vault.VaultBackend"},
            extra_pip_packages=["apache-airflow-providers-http==5.3.0"],
            network_policies={"secrets_backend": {"to": [{"cidr": "10.50.0.0/24"}], "ports": [8200]}},
        )

    flows = _flows(synth_chart(build))
    git = {f.split(" -> ")[0] for f in flows if f.endswith("-> internet:8443/TCP")}
    assert git == {"dag-processor", "triggerer", "worker-default"}
    remote = {f.split(" -> ")[0] for f in flows if f.endswith("-> internet:443/TCP")}
    # 443 also carries pip install: every Airflow pod; remote logs alone would not include these.
    assert remote >= {"api-server", "dag-processor", "triggerer", "worker-default"}
    assert {"migrate", "db-clean", "scheduler"} <= remote
    assert not any(f.endswith("-> internet:8200/TCP") for f in flows)
    manifests = synth_chart(build)
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    assert allows(policies, pods["scheduler"], Pod(ip="10.50.0.9"), 8200)
    assert not allows(policies, pods["scheduler"], Pod(ip="10.51.0.9"), 8200)
    assert not allows(policies, pods["secrets-bootstrap"], Pod(ip="10.50.0.9"), 8200)


def test_remote_logs_only_from_the_pods_that_read_or_write_them() -> None:
    manifests = synth_chart(
        lambda c: Airflow(c, "airflow", logs={"remote": {"kind": "s3", "base_folder": "s3://logs/airflow"}})
    )
    flows = _flows(manifests)
    assert {f.split(" -> ")[0] for f in flows if f.endswith("-> internet:443/TCP")} == {
        "api-server",
        "dag-processor",
        "scheduler",
        "secrets-bootstrap",
        "triggerer",
    }  # secrets-bootstrap: the Kubernetes API default of 0.0.0.0/0 on 443


def test_airflow2_task_pods_use_the_database_and_no_execution_api() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", image={"tag": "2.11.0"}, executor=KubernetesExecutor()))
    flows = _flows(manifests)
    assert "kubernetes-worker -> postgres:5432/TCP" in flows
    assert "kubernetes-worker -> api-server:8080/TCP" not in flows


def test_git_bundle_and_ssh_git_sync_ports() -> None:
    ssh = GitSyncDags(
        repo="ssh://git@git.example.com:2222/acme/dags.git",
        ssh={"private_key": SecretRef("git", "key"), "known_hosts": SecretRef("git", "known_hosts")},
    )
    flows = _flows(synth_chart(lambda c: Airflow(c, "airflow", dags=ssh)))
    assert {f.split(" -> ")[0] for f in flows if f.endswith("-> internet:2222/TCP")} == {
        "dag-processor",
        "scheduler",
        "triggerer",
    }
    bundle = GitBundleDags(connection=SecretRef("git", "conn"))
    flows = _flows(synth_chart(lambda c: Airflow(c, "airflow", dags=bundle)))
    assert "dag-processor -> internet:22/TCP" in flows
    assert "api-server -> internet:22/TCP" not in flows


def test_statsd_exporter_receives_from_every_airflow_pod() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=CeleryExecutor(), metrics={"statsd": True}))
    flows = _flows(manifests)
    senders = {f.split(" -> ")[0] for f in flows if f.endswith("-> statsd:9125/UDP")}
    assert senders == {*AIRFLOW_CORE, "worker-default"}
    assert "prometheus -> statsd:9102/TCP" in flows
    assert not [f for f in flows if f.startswith("statsd ->")]


def test_ingress_controller_is_configurable() -> None:
    props = {"ingress_from": [{"namespace": "traefik", "pod_labels": {"app.kubernetes.io/name": "traefik"}}]}
    manifests = synth_chart(lambda c: Airflow(c, "airflow", network_policies=props))
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    pods = release_pods(manifests)
    assert allows(policies, Pod("traefik", {"app.kubernetes.io/name": "traefik"}), pods["api-server"], 8080)
    assert not allows(policies, Pod("traefik", {"app.kubernetes.io/name": "other"}), pods["api-server"], 8080)
    assert not allows(policies, OUTSIDE["ingress-controller"], pods["api-server"], 8080)


def test_network_policies_can_be_turned_off() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", network_policies={"enabled": False}))
    assert [m for m in manifests if m["kind"] == "NetworkPolicy"] == []


def test_two_installs_in_one_namespace_stay_apart() -> None:
    def build(chart: Chart) -> None:
        Airflow(chart, "etl")
        Airflow(chart, "ml")

    manifests = synth_chart(build)
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    templates = dict(conformance.pod_templates(manifests))
    etl = Pod("airflow", templates["Deployment/etl-scheduler"]["metadata"]["labels"])
    ml_api = templates["Deployment/ml-api-server"]
    ml = Pod("airflow", ml_api["metadata"]["labels"], {"api": 8080})
    assert not allows(policies, etl, ml, 8080)
    assert conformance.networkpolicy_coverage(manifests) == []


# -- bad inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"kubernetes_api": ["10.0.0.0/33"]},
            "AirflowProps.network_policies.kubernetes_api[0]: '10.0.0.0/33' is not allowed: not a CIDR: expected "
            "an IPv4 or IPv6 network such as '10.0.0.0/16'",
        ),
        (
            {"kubernetes_api": ["10.1.2.3/16"]},
            "AirflowProps.network_policies.kubernetes_api[0]: '10.1.2.3/16' is not allowed: host bits are set: "
            "did you mean '10.1.0.0/16'?",
        ),
        (
            {"kubernetes_api": ["10.1.2.3"]},
            "AirflowProps.network_policies.kubernetes_api[0]: '10.1.2.3' is not allowed: no prefix length: did "
            "you mean '10.1.2.3/32'?",
        ),
        (
            {"ingress_from": [{}]},
            "AirflowProps.network_policies.ingress_from[0]: a peer needs cidr, or namespace, namespace_labels or "
            "pod_labels",
        ),
        (
            {"ingress_from": [{"cidr": "10.0.0.0/8", "namespace": "x"}]},
            "AirflowProps.network_policies.ingress_from[0]: cidr is set together with namespace: a peer is a "
            "CIDR or label selectors",
        ),
        (
            {"dns": [{"cidr": "10.0.0.0/8", "except_cidrs": ["192.168.0.0/16"]}]},
            "AirflowProps.network_policies.dns[0]: except_cidrs entry '192.168.0.0/16' is not inside cidr '10.0.0.0/8'",
        ),
        (
            {"egress": [{"components": ["schedular"], "to": [{"cidr": "0.0.0.0/0"}], "ports": [443]}]},
            "AirflowProps.network_policies.egress[0].components: 'schedular' is not a component of this install: "
            "expected one of all, tasks, api-server, dag-processor, db-clean, migrate, postgres, scheduler, "
            "secrets-bootstrap, statsd, triggerer",
        ),
        (
            {"egress": [{"components": ["all"], "to": [{"cidr": "0.0.0.0/0"}], "ports": [0]}]},
            "AirflowProps.network_policies.egress[0].ports: [0] is not allowed: port 0 is not between 1 and 65535",
        ),
        (
            {"ingress_from": [{"namespace": "Ingress_Nginx"}]},
            "AirflowProps.network_policies.ingress_from[0].namespace: 'Ingress_Nginx' is not allowed: "
            "'Ingress_Nginx' is not a valid name for namespace: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
        ),
    ],
)
def test_bad_network_policy_props(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth_chart(lambda c: Airflow(c, "airflow", network_policies=props))
    assert str(err.value) == message
