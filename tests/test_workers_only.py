"""Worker-only installs (issue 17 item 5): Celery worker sets for an Airflow 3 core elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import PropsError, WorkersOnly
from tests import conformance
from tests.conftest import ROOT, Manifest, find, synth_with_external

EXECUTION = "http://airflow-api-server.airflow.svc.cluster.local:8080/execution/"
PROPS: dict[str, Any] = {
    "broker": {"url": {"name": "core-broker", "key": "url"}},
    "database": {"url": {"name": "core-db", "key": "url"}},
    "execution_api_url": EXECUTION,
    "secrets": {
        "fernet_key": {"name": "core-keys", "key": "fernet-key"},
        "api_secret_key": {"name": "core-keys", "key": "api-secret-key"},
        "jwt_secret": {"name": "core-keys", "key": "jwt-secret"},
    },
    "worker_sets": [{"name": "remote", "queues": ["remote"], "replicas": 2}],
}


def synth(**overrides: Any) -> tuple[list[Manifest], set[str]]:
    return synth_with_external(lambda c: WorkersOnly(c, "airflow", **{**PROPS, **overrides}), namespace="workers")


def test_only_the_workers_and_what_they_need_are_made() -> None:
    manifests, external = synth()
    kinds = sorted((m["kind"], m["metadata"]["name"]) for m in manifests)
    assert kinds == [
        ("ConfigMap", "airflow-config"),
        ("NetworkPolicy", "airflow-default-deny"),
        ("NetworkPolicy", "airflow-worker-remote"),
        ("PodDisruptionBudget", "airflow-worker-remote"),
        ("Service", "airflow-worker-remote"),
        ("ServiceAccount", "airflow-worker-remote"),
        ("StatefulSet", "airflow-worker-remote"),
    ]
    assert external == {"Secret/core-broker", "Secret/core-db", "Secret/core-keys"}
    assert conformance.run(manifests, external=external) == {}


def test_workers_point_at_the_core() -> None:
    manifests, _ = synth()
    sts = find(manifests, "StatefulSet", "airflow-worker-remote")
    assert sts["spec"]["replicas"] == 2
    pod = sts["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert main["args"][-6:] == ["celery", "worker", "--queues", "remote", "--concurrency", "16"] or main["command"][
        -6:
    ] == ["celery", "worker", "--queues", "remote", "--concurrency", "16"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in main["env"]}
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == EXECUTION
    assert env["AIRFLOW__CORE__FERNET_KEY"] == {"secretKeyRef": {"key": "fernet-key", "name": "core-keys"}}
    assert env["AIRFLOW__API__SECRET_KEY"] == {"secretKeyRef": {"key": "api-secret-key", "name": "core-keys"}}
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == {"secretKeyRef": {"key": "jwt-secret", "name": "core-keys"}}
    assert env["AIRFLOW__CELERY__BROKER_URL"] == {"secretKeyRef": {"key": "url", "name": "core-broker"}}
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == {"secretKeyRef": {"key": "url", "name": "core-db"}}
    # They wait for the core's migrations; nothing here migrates, bootstraps or generates.
    assert [c["name"] for c in pod["initContainers"]][-1] == "wait-for-migrations"
    config = find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"]
    assert "executor = CeleryExecutor" in config


def test_worker_policy_reaches_only_the_given_peers() -> None:
    network = {
        "database": {"to": [{"cidr": "10.1.0.0/24"}], "ports": [5433]},
        "broker": {"to": [{"namespace": "airflow", "pod_labels": {"app.kubernetes.io/component": "redis"}}]},
        "execution_api": {
            "to": [{"namespace": "airflow", "pod_labels": {"app.kubernetes.io/component": "api-server"}}]
        },
        "log_readers": [{"namespace": "airflow", "pod_labels": {"app.kubernetes.io/component": "api-server"}}],
    }
    manifests, _ = synth(network_policies=network)
    spec = find(manifests, "NetworkPolicy", "airflow-worker-remote")["spec"]
    api = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "airflow"}},
           "podSelector": {"matchLabels": {"app.kubernetes.io/component": "api-server"}}}  # fmt: skip
    redis = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "airflow"}},
             "podSelector": {"matchLabels": {"app.kubernetes.io/component": "redis"}}}  # fmt: skip
    dns = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
           "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}  # fmt: skip
    assert spec["egress"] == [
        {"ports": [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}], "to": [dns]},
        {"ports": [{"port": 5433, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.1.0.0/24"}}]},
        {"ports": [{"port": 6379, "protocol": "TCP"}], "to": [redis]},
        {"ports": [{"port": 8080, "protocol": "TCP"}], "to": [api]},
    ]
    assert spec["ingress"] == [{"from": [api], "ports": [{"port": 8793, "protocol": "TCP"}]}]


def _error(**overrides: Any) -> str:
    chart = Chart(App(), "c", namespace="workers")
    props = {k: v for k, v in {**PROPS, **overrides}.items() if v is not None}
    with pytest.raises(PropsError) as info:
        WorkersOnly(chart, "airflow", **props)
    return str(info.value)


BAD = [
    pytest.param({"broker": None}, "WorkersOnlyProps.broker: required field is missing", id="missing-broker"),
    pytest.param({"database": None}, "WorkersOnlyProps.database: required field is missing", id="missing-database"),
    pytest.param(
        {"execution_api_url": None},
        "WorkersOnlyProps.execution_api_url: required field is missing",
        id="missing-execution-api",
    ),
    pytest.param(
        {"secrets": {"fernet_key": {"name": "k", "key": "f"}}},
        "WorkersOnlyProps.secrets: api_secret_key, jwt_secret not given: a workers-only install generates no key; "
        "name the Secret keys the Airflow core uses ({name, key} each)",
        id="generated-secrets",
    ),
    pytest.param(
        {"secrets": {**PROPS["secrets"], "fernet_keys": ["fernet-key-2"]}},
        "WorkersOnlyProps.secrets.fernet_keys: unknown field (allowed: api_secret_key, fernet_key, jwt_secret); "
        "did you mean 'fernet_key'?",
        id="generated-fernet-keys",
    ),
    pytest.param(
        {"execution_api_url": "http://airflow-api-server:8080/"},
        "WorkersOnlyProps.execution_api_url: 'http://airflow-api-server:8080/' is not allowed: "
        "'http://airflow-api-server:8080/' is not the URL of an Execution API: expected "
        "http(s)://<host>[:<port>]/execution/ (the core's api-server, e.g. "
        "http://airflow-api-server.airflow.svc.cluster.local:8080/execution/)",
        id="bad-execution-url",
    ),
    pytest.param(
        {"image": {"tag": "2.11.0"}},
        "WorkersOnlyProps: image runs Airflow 2.11.0: workers-only installs report to Airflow 3's Execution API",
        id="airflow2",
    ),
    pytest.param(
        {
            "network_policies": {
                "egress": [{"components": ["scheduler"], "to": [{"cidr": "0.0.0.0/0"}], "ports": [443]}]
            }
        },
        "WorkersOnlyProps.network_policies.egress[0].components: 'scheduler' is not a component of this install: "
        "expected one of all, tasks, worker-remote",
        id="egress-to-no-such-component",
    ),
    pytest.param(
        {"core_executor": "KubernetesExecutor"},
        "WorkersOnlyProps.core_executor: 'KubernetesExecutor' is not allowed: 'KubernetesExecutor' has no "
        "CeleryExecutor: a workers-only install runs Celery workers, so the core's [core] executor must include "
        "CeleryExecutor",
        id="core-without-celery",
    ),
    pytest.param(
        {"core_executor": "CeleryExecutor,my executor"},
        "WorkersOnlyProps.core_executor: 'CeleryExecutor,my executor' is not allowed: 'CeleryExecutor,my executor': "
        "'my executor' is not an executor name: expected the core's [core] executor, comma-separated names such as "
        "'KubernetesExecutor,CeleryExecutor'",
        id="core-executor-bad-name",
    ),
    pytest.param(
        {"core_executor": "CeleryExecutor, CeleryExecutor"},
        "WorkersOnlyProps.core_executor: 'CeleryExecutor, CeleryExecutor' is not allowed: "
        "'CeleryExecutor, CeleryExecutor' names an executor twice",
        id="core-executor-twice",
    ),
    pytest.param(
        {"broker": {"kind": "embedded-redis"}},
        "WorkersOnlyProps.broker.kind: 'embedded-redis' is not allowed: Input should be 'external'\n"
        "WorkersOnlyProps.broker.url: required field is missing",
        id="embedded-broker",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_bad_input(overrides: dict[str, Any], message: str) -> None:
    assert _error(**overrides) == message


KEDA_DATABASE: dict[str, Any] = {
    "host": "db.core.svc",
    "user": "airflow",
    "database": "airflow",
    "password": {"name": "core-db", "key": "password"},
}
QUEUED_REMOTE = (
    "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state IN ('queued', 'running') "
    "AND queue IN ('remote')"
)


@pytest.mark.parametrize(
    ("core_executor", "query"),
    [
        pytest.param("CeleryExecutor", QUEUED_REMOTE, id="celery-alone"),
        pytest.param(
            "CeleryExecutor,KubernetesExecutor",
            f"{QUEUED_REMOTE} AND (executor IS NULL OR executor = 'CeleryExecutor')",
            id="celery-first",
        ),
        pytest.param(
            " KubernetesExecutor , CeleryExecutor",
            f"{QUEUED_REMOTE} AND executor = 'CeleryExecutor'",
            id="celery-second",
        ),
    ],
)
def test_keda_counts_only_the_tasks_celery_runs_in_the_core(core_executor: str, query: str) -> None:
    manifests, _ = synth(
        database=KEDA_DATABASE,
        core_executor=core_executor,
        worker_sets=[{"name": "remote", "queues": ["remote"], "autoscaling": {"kind": "keda", "max_replicas": 4}}],
    )
    scaled = find(manifests, "ScaledObject", "airflow-worker-remote")
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["metadata"]["query"] == query
    assert trigger["metadata"]["host"] == "db.core.svc"


def test_git_dags_egress_on_the_repository_port() -> None:
    manifests, _ = synth(dags={"kind": "git-sync", "repo": "https://git.example.com:8443/acme/dags.git"})
    policy = find(manifests, "NetworkPolicy", "airflow-worker-remote")
    git = [rule for rule in policy["spec"]["egress"] if rule["ports"] == [{"port": 8443, "protocol": "TCP"}]]
    assert len(git) == 1, policy["spec"]["egress"]


def test_config_file_kind_workers_only(tmp_path: Path) -> None:
    from airflow_constructs.config_file import WorkersOnlyConfig, load_config

    config = load_config(ROOT / "examples" / "workers-only.yaml")
    assert isinstance(config, WorkersOnlyConfig)
    assert config.namespace == "airflow"
    assert config.workers_props().worker_sets[0].queues == ["remote"]


def test_config_file_errors_name_the_line_and_field(tmp_path: Path) -> None:
    from airflow_constructs.config_file import ConfigError, load_config

    path = tmp_path / "w.yaml"
    path.write_text(
        "kind: workers-only\ndatabase:\n  kind: external\n  url: {name: db, key: url}\n"
        "execution_api_url: http://core:8080/execution/\n"
        "secrets:\n  fernet_key: {name: k, key: f}\n  api_secret_key: {name: k, key: a}\n"
        "  jwt_secret: {name: k, key: j}\n"
        "scheduler: {replicas: 2}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).splitlines() == [
        f"{path}: broker: required field is missing",
        f"{path}:10:1: scheduler: unknown field (the allowed fields are listed in docs/reference.md)",
    ]


def test_config_file_core_executor(tmp_path: Path) -> None:
    from airflow_constructs.config_file import ConfigError, load_config

    example = (ROOT / "examples" / "workers-only.yaml").read_text()
    path = tmp_path / "w.yaml"
    path.write_text(example + "core_executor: KubernetesExecutor,CeleryExecutor\n")
    assert load_config(path).workers_props().core_executor == "KubernetesExecutor,CeleryExecutor"
    path.write_text(example + "core_executor: KubernetesExecutor\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    line = len(example.splitlines()) + 1
    assert str(info.value).splitlines() == [
        f"{path}:{line}:1: core_executor: 'KubernetesExecutor' is not allowed: 'KubernetesExecutor' has no "
        "CeleryExecutor: a workers-only install runs Celery workers, so the core's [core] executor must include "
        "CeleryExecutor"
    ]
