"""Day-2 operations (issue 17): Fernet key rotation, recycling long-running processes, autoscaling."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import Airflow, PropsError, SecretRef
from airflow_constructs.components.recycling import restart_script
from airflow_constructs.config_file import ConfigError, build_chart, load_config
from airflow_constructs.scripts.restart_deployment import restart_patch
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart, synth_with_external


def pod(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    return find(manifests, kind, name)["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def jobs(manifests: list[Manifest], prefix: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == "Job" and m["metadata"]["name"].startswith(prefix)]


def rotation_job(manifests: list[Manifest]) -> dict[str, Any]:
    """The pod spec of the one Fernet key rotation Job."""
    return find_prefix(manifests, "Job", "airflow-rotate-fernet-key-")["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def bootstrap_keys(manifests: list[Manifest]) -> dict[str, Any]:
    spec = json.loads(find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"])
    return {k: v for s in spec["secrets"] for k, v in s["keys"].items() if s["name"] == "airflow-generated"}


# -- Fernet key rotation -------------------------------------------------------------------------

GENERATED = "airflow-generated"


def key_ref(name: str, key: str) -> dict[str, Any]:
    return {"secretKeyRef": {"key": key, "name": name}}


def test_rotation_with_a_generated_new_key_joins_new_then_old_and_runs_the_job_once() -> None:
    manifests, external = synth_with_external(
        lambda c: Airflow(c, "airflow", secrets={"fernet_keys": ["fernet-key-2", "fernet-key"]})
    )
    for kind, name in [
        ("Deployment", "airflow-api-server"),
        ("Deployment", "airflow-scheduler"),
        ("StatefulSet", "airflow-triggerer"),
        ("Deployment", "airflow-dag-processor"),
    ]:
        env = pod(manifests, kind, name)["containers"][0]["env"]
        names = [e["name"] for e in env]
        # Kubernetes expands $(VAR) only from variables defined earlier in the list.
        assert names.index("AIRFLOW_FERNET_KEY_0") < names.index("AIRFLOW_FERNET_KEY_1")
        assert names.index("AIRFLOW_FERNET_KEY_1") < names.index("AIRFLOW__CORE__FERNET_KEY")
        assert {k: v for k, v in env_of({"env": env}).items() if "FERNET" in k} == {
            "AIRFLOW_FERNET_KEY_0": key_ref(GENERATED, "fernet-key-2"),
            "AIRFLOW_FERNET_KEY_1": key_ref(GENERATED, "fernet-key"),
            "AIRFLOW__CORE__FERNET_KEY": "$(AIRFLOW_FERNET_KEY_0),$(AIRFLOW_FERNET_KEY_1)",
        }
    # The bootstrap Job generates the new key in-cluster; nothing secret is in the manifests.
    keys = bootstrap_keys(manifests)
    assert keys["fernet-key"] == keys["fernet-key-2"] == {"kind": "fernet-key", "options": {}}
    job = find_prefix(manifests, "Job", "airflow-rotate-fernet-key-")
    spec = job["spec"]["template"]["spec"]
    main = spec["containers"][0]
    assert main["command"] == ["/usr/bin/dumb-init", "--", "airflow"]
    assert main["args"] == ["rotate-fernet-key"]
    assert env_of(main)["AIRFLOW__CORE__FERNET_KEY"] == "$(AIRFLOW_FERNET_KEY_0),$(AIRFLOW_FERNET_KEY_1)"
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-migrations"]
    assert spec["serviceAccountName"] == "airflow-rotate-fernet-key"
    assert spec["automountServiceAccountToken"] is False
    assert spec["restartPolicy"] == "OnFailure"
    assert job["spec"]["ttlSecondsAfterFinished"] == 3600
    assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "rotate-fernet-key"
    assert conformance.run(manifests, external=external) == {}


def test_the_rotation_job_is_named_after_the_key_set() -> None:
    def job_name(keys: list[Any]) -> str:
        manifests = synth_chart(lambda c: Airflow(c, "airflow", secrets={"fernet_keys": keys}))
        return str(find_prefix(manifests, "Job", "airflow-rotate-fernet-key-")["metadata"]["name"])

    first = job_name(["fernet-key-2", "fernet-key"])
    assert first == job_name(["fernet-key-2", "fernet-key"])  # re-applying the same set rotates nothing
    assert first != job_name(["fernet-key-3", "fernet-key-2"])
    assert first != job_name(["fernet-key", "fernet-key-2"])


def test_after_rotation_the_old_key_is_dropped_and_no_job_remains() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", secrets={"fernet_keys": ["fernet-key-2"]}))
    env = env_of(pod(manifests, "Deployment", "airflow-scheduler")["containers"][0])
    assert env["AIRFLOW__CORE__FERNET_KEY"] == key_ref(GENERATED, "fernet-key-2")
    assert not [k for k in env if k.startswith("AIRFLOW_FERNET_KEY_")]
    assert not jobs(manifests, "airflow-rotate-fernet-key")
    assert "fernet-key" not in bootstrap_keys(manifests)
    assert "fernet-key-2" in bootstrap_keys(manifests)


def test_rotation_between_keys_of_your_own_secrets() -> None:
    keys = [SecretRef("airflow-keys", "fernet-2025"), SecretRef("airflow-keys", "fernet-2024")]
    manifests, external = synth_with_external(lambda c: Airflow(c, "airflow", secrets={"fernet_keys": keys}))
    env = env_of(rotation_job(manifests)["containers"][0])
    assert env["AIRFLOW_FERNET_KEY_0"] == key_ref("airflow-keys", "fernet-2025")
    assert env["AIRFLOW_FERNET_KEY_1"] == key_ref("airflow-keys", "fernet-2024")
    # Neither key is generated.
    assert not {"fernet-key", "fernet-key-2"} & set(bootstrap_keys(manifests))
    assert "Secret/airflow-keys" in external
    assert conformance.run(manifests, external=external) == {}


def test_one_key_in_the_list_is_the_same_install_as_fernet_key() -> None:
    ref = SecretRef("airflow-keys", "fernet")
    one = synth_chart(lambda c: Airflow(c, "airflow", secrets={"fernet_keys": [ref]}))
    same = synth_chart(lambda c: Airflow(c, "airflow", secrets={"fernet_key": ref}))
    assert one == same
    default = synth_chart(lambda c: Airflow(c, "airflow"))
    assert synth_chart(lambda c: Airflow(c, "airflow", secrets={"fernet_keys": ["fernet-key"]})) == default


def test_rotation_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "airflow.yaml"
    path.write_text(
        "secrets:\n  fernet_keys:\n    - fernet-key-2\n    - {name: airflow-keys, key: old}\nnamespace: airflow\n"
    )
    config = load_config(path)
    assert config.secrets.fernet_keys == ["fernet-key-2", SecretRef("airflow-keys", "old")]
    app = App()
    manifests = list(build_chart(app, config).to_json())
    env = env_of(rotation_job(manifests)["containers"][0])
    assert env["AIRFLOW_FERNET_KEY_0"] == key_ref(GENERATED, "fernet-key-2")
    assert env["AIRFLOW_FERNET_KEY_1"] == key_ref("airflow-keys", "old")


def test_bad_fernet_keys_in_the_config_file_name_line_field_and_value(tmp_path: Path) -> None:
    path = tmp_path / "airflow.yaml"
    path.write_text("secrets:\n  fernet_keys: [fernet-key-2, fernet-key-2]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:2:3: secrets.fernet_keys: fernet_keys repeat fernet-key-2: each key may appear once"
    )


BAD_ROTATION = [
    pytest.param(
        {"secrets": {"fernet_keys": ["my-key"]}},
        "AirflowProps.secrets.fernet_keys: 'my-key' names no generated key: use "
        "'fernet-key' or 'fernet-key-<suffix>' (lowercase letters and digits, e.g. 'fernet-key-2'), or a "
        "SecretRef {name, key}",
        id="unknown-generated-key",
    ),
    pytest.param(
        {"secrets": {"fernet_keys": [{"name": "k", "key": "a"}, "fernet-key", {"name": "k", "key": "a"}]}},
        "AirflowProps.secrets.fernet_keys: fernet_keys repeat k/a: each key may appear once",
        id="repeated-key",
    ),
    pytest.param(
        {"secrets": {"fernet_key": {"name": "k", "key": "a"}, "fernet_keys": ["fernet-key-2", "fernet-key"]}},
        "AirflowProps.secrets: fernet_key and fernet_keys are both set: give the Fernet keys one way",
        id="both-fernet-key-and-keys",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_ROTATION)
def test_bad_rotation_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- recycling long-running processes ------------------------------------------------------------


def test_api_server_periodic_restart_is_a_cronjob_that_may_only_patch_its_deployment() -> None:
    manifests, external = synth_with_external(
        lambda c: Airflow(c, "airflow", api_server={"restart": {"schedule": "0 4 * * *"}})
    )
    cron = find(manifests, "CronJob", "airflow-api-server-restart")
    assert cron["spec"]["schedule"] == "0 4 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["metadata"]["labels"]["app.kubernetes.io/component"] == "api-server-restart"
    spec = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "airflow-api-server-restart"
    assert spec["automountServiceAccountToken"] is True
    main = spec["containers"][0]
    assert main["image"] == "apache/airflow:3.3.2"
    assert main["command"] == [
        "python",
        "/opt/restart/restart_deployment.py",
        "--namespace",
        "airflow",
        "--deployment",
        "airflow-api-server",
    ]
    assert find(manifests, "Role", "airflow-api-server-restart")["rules"] == [
        {
            "apiGroups": ["apps"],
            "resourceNames": ["airflow-api-server"],
            "resources": ["deployments"],
            "verbs": ["get", "patch"],
        }
    ]
    binding = find(manifests, "RoleBinding", "airflow-api-server-restart")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "airflow-api-server-restart",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "airflow-api-server-restart", "namespace": "airflow"}
    ]
    script = find(manifests, "ConfigMap", "airflow-api-server-restart")["data"]["restart_deployment.py"]
    assert script == restart_script()
    # Only its pods reach the Kubernetes API, and nothing else.
    policy = find(manifests, "NetworkPolicy", "airflow-api-server-restart")
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "api-server-restart"
    assert conformance.run(manifests, external=external) == {}
    assert not [m for m in synth_chart(lambda c: Airflow(c, "airflow")) if "restart" in m["metadata"]["name"]]


def test_restart_script_sends_what_kubectl_rollout_restart_sends() -> None:
    now = dt.datetime(2026, 12, 7, 4, 0, 5, tzinfo=dt.UTC)
    assert restart_patch(now) == {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-07T04:00:05Z"}}}
        }
    }


def test_celery_worker_recycling_per_set() -> None:
    executor = {
        "kind": "CeleryExecutor",
        "worker_sets": [
            {"name": "default", "max_tasks_per_child": 100, "max_memory_per_child": "1536Mi"},
            {"name": "plain", "queues": ["plain"]},
        ],
    }
    manifests = synth_chart(
        lambda c: Airflow(
            c, "airflow", executor=executor, config={"celery": {"extra_celery_config": '{"task_time_limit": 600}'}}
        )
    )
    env = env_of(pod(manifests, "StatefulSet", "airflow-worker-default")["containers"][0])
    assert json.loads(env["AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"]) == {
        "task_time_limit": 600,
        "worker_max_memory_per_child": 1536 * 1024,
        "worker_max_tasks_per_child": 100,
    }
    assert "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG" not in env_of(
        pod(manifests, "StatefulSet", "airflow-worker-plain")["containers"][0]
    )


BAD_RECYCLING = [
    pytest.param(
        {"api_server": {"restart": {"schedule": "0 25 * * *"}}},
        "AirflowProps.api_server.restart.schedule: '0 25 * * *' is not allowed: '25' is outside the hour range 0-23",
        id="restart-bad-schedule",
    ),
    pytest.param(
        {"api_server": {"restart": {}}},
        "AirflowProps.api_server.restart.schedule: required field is missing",
        id="restart-without-schedule",
    ),
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "max_tasks_per_child": 0}]}},
        "AirflowProps.executor.worker_sets[0].max_tasks_per_child: 0 is not allowed: Input should be greater "
        "than or equal to 1",
        id="max-tasks-zero",
    ),
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "max_memory_per_child": "1G"}]}},
        "AirflowProps.executor.worker_sets[0].max_memory_per_child: '1G' is not allowed: expected a positive size "
        "in Mi, Gi or Ti, such as '1Gi'",
        id="max-memory-unit",
    ),
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "max_memory_per_child": "4Gi"}]}},
        "AirflowProps.executor.worker_sets[0]: max_memory_per_child '4Gi' is not below resources.memory_limit "
        "'4Gi': the container would be OOM-killed before a task process is replaced",
        id="max-memory-at-limit",
    ),
    pytest.param(
        {
            "executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "max_tasks_per_child": 5}]},
            "config": {"celery": {"extra_celery_config": "[1]"}},
        },
        "AirflowProps.config: celery.extra_celery_config '[1]' is not a JSON object: worker set 'a' adds its "
        "max_tasks_per_child / max_memory_per_child to it",
        id="extra-celery-config-not-an-object",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_RECYCLING)
def test_bad_recycling_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- autoscaling where it was missing ------------------------------------------------------------

MYSQL_DB = {
    "kind": "external",
    "dialect": "mysql",
    "host": "mysql.internal",
    "user": "airflow",
    "database": "airflow",
    "password": {"name": "mysql", "key": "password"},
}


def scaled_trigger(manifests: list[Manifest], name: str) -> dict[str, Any]:
    [trigger] = find(manifests, "ScaledObject", name)["spec"]["triggers"]
    return trigger  # type: ignore[no-any-return]


def test_api_server_hpa() -> None:
    manifests, external = synth_with_external(
        lambda c: Airflow(c, "airflow", api_server={"autoscaling": {"min_replicas": 2, "max_replicas": 6}})
    )
    hpa = find(manifests, "HorizontalPodAutoscaler", "airflow-api-server")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "airflow-api-server",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert "replicas" not in find(manifests, "Deployment", "airflow-api-server")["spec"]
    assert conformance.run(manifests, external=external) == {}


def test_triggerer_keda_counts_triggers_per_capacity() -> None:
    manifests, external = synth_with_external(
        lambda c: Airflow(c, "airflow", triggerer={"autoscaling": {"kind": "keda", "max_replicas": 4}})
    )
    scaled = find(manifests, "ScaledObject", "airflow-triggerer")
    assert scaled["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "name": "airflow-triggerer",
    }
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (0, 4)
    assert scaled_trigger(manifests, "airflow-triggerer") == {
        "authenticationRef": {"name": "airflow-triggerer"},
        "metadata": {
            "dbName": "airflow",
            "host": "airflow-postgres.airflow.svc",
            "port": "5432",
            "query": "SELECT ceil(COUNT(*)::decimal / 1000) FROM trigger",
            "sslmode": "disable",
            "targetQueryValue": "1",
            "userName": "airflow",
        },
        "type": "postgresql",
    }
    assert "replicas" not in find(manifests, "StatefulSet", "airflow-triggerer")["spec"]
    # KEDA may reach the embedded PostgreSQL.
    policy = find(manifests, "NetworkPolicy", "airflow-postgres")
    keda = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}}
    assert any(keda in rule["from"] for rule in policy["spec"]["ingress"]), policy["spec"]["ingress"]
    assert conformance.run(manifests, external=external) == {}
    fewer = synth_chart(
        lambda c: Airflow(
            c, "airflow", triggerer={"autoscaling": {"kind": "keda"}}, config={"triggerer": {"capacity": "250"}}
        )
    )
    assert scaled_trigger(fewer, "airflow-triggerer")["metadata"]["query"] == (
        "SELECT ceil(COUNT(*)::decimal / 250) FROM trigger"
    )


def test_edge_worker_sets_scale_like_celery_sets() -> None:
    edge = {
        "kind": "EdgeExecutor",
        "worker_sets": [{"name": "gpu", "queues": ["gpu"], "autoscaling": {"kind": "keda"}}],
    }
    manifests, external = synth_with_external(lambda c: Airflow(c, "airflow", executor=edge))
    assert scaled_trigger(manifests, "airflow-edge-gpu")["metadata"]["query"] == (
        "SELECT ceil(COUNT(*)::decimal / 8) FROM task_instance WHERE state IN ('queued', 'running') "
        "AND queue IN ('gpu')"
    )
    assert find(manifests, "ScaledObject", "airflow-edge-gpu")["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    assert "replicas" not in find(manifests, "Deployment", "airflow-edge-gpu")["spec"]
    assert conformance.run(manifests, external=external) == {}
    hybrid = synth_chart(lambda c: Airflow(c, "airflow", executor=[{"kind": "CeleryExecutor"}, edge]))
    assert scaled_trigger(hybrid, "airflow-edge-gpu")["metadata"]["query"].endswith(
        "AND queue IN ('gpu') AND executor = 'EdgeExecutor'"
    )
    hpa = {**edge, "worker_sets": [{"name": "cpu", "autoscaling": {"kind": "hpa", "max_replicas": 3}}]}
    with_hpa = synth_chart(lambda c: Airflow(c, "airflow", executor=hpa))
    assert find(with_hpa, "HorizontalPodAutoscaler", "airflow-edge-cpu")["spec"]["maxReplicas"] == 3


def test_keda_uses_the_mysql_scaler_when_the_metadata_database_is_mysql() -> None:
    executor = {"kind": "CeleryExecutor", "worker_sets": [{"name": "default", "autoscaling": {"kind": "keda"}}]}
    manifests, external = synth_with_external(
        lambda c: Airflow(
            c, "airflow", database=MYSQL_DB, executor=executor, triggerer={"autoscaling": {"kind": "keda"}}
        )
    )
    assert scaled_trigger(manifests, "airflow-worker-default") == {
        "authenticationRef": {"name": "airflow-worker-default"},
        "metadata": {
            "dbName": "airflow",
            "host": "mysql.internal",
            "port": "3306",
            "query": "SELECT CEIL(COUNT(*) / 16) FROM task_instance WHERE state IN ('queued', 'running') "
            "AND queue IN ('default')",
            "queryValue": "1",
            "username": "airflow",
        },
        "type": "mysql",
    }
    assert (
        scaled_trigger(manifests, "airflow-triggerer")["metadata"]["query"]
        == "SELECT CEIL(COUNT(*) / 1000) FROM trigger"
    )
    assert find(manifests, "TriggerAuthentication", "airflow-triggerer")["spec"] == {
        "secretTargetRef": [{"key": "password", "name": "mysql", "parameter": "password"}]
    }
    assert conformance.run(manifests, external=external) == {}


BAD_AUTOSCALING = [
    pytest.param(
        {"api_server": {"autoscaling": {"kind": "keda"}}},
        "AirflowProps.api_server.autoscaling.kind: 'keda' is not allowed: Input should be 'hpa'",
        id="api-server-keda",
    ),
    pytest.param(
        {
            "database": {"kind": "external", "url": {"name": "db", "key": "url"}},
            "triggerer": {"autoscaling": {"kind": "keda"}},
        },
        "triggerer: KEDA autoscaling needs the PostgreSQL metadata database as parts (embedded, or "
        "ExternalDatabase with host, user, database and password), not a URL Secret",
        id="triggerer-keda-with-url",
    ),
    pytest.param(
        {"triggerer": {"autoscaling": {"kind": "keda", "min_replicas": 3, "max_replicas": 2}}},
        "AirflowProps.triggerer.autoscaling: min_replicas 3 is above max_replicas 2: min_replicas must be at most "
        "max_replicas",
        id="triggerer-bounds",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_AUTOSCALING)
def test_bad_autoscaling_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- several task namespaces ---------------------------------------------------------------------


def test_kubernetes_executor_in_several_namespaces() -> None:
    executor = {"kind": "KubernetesExecutor", "multi_namespace": ["team-a", "team-b"], "cleanup": {"enabled": True}}
    manifests, external = synth_with_external(lambda c: Airflow(c, "airflow", executor=executor))
    [config] = [
        m["data"]["airflow.cfg"]
        for m in manifests
        if m["kind"] == "ConfigMap"
        and m["metadata"]["name"] == "airflow-config"
        and m["metadata"]["namespace"] == "airflow"
    ]
    assert (
        "[kubernetes_executor]\ndelete_worker_pods = True\nmulti_namespace_mode = True\n"
        "multi_namespace_mode_namespace_list = airflow,team-a,team-b\nnamespace = airflow\n"
    ) in config

    def where(kind: str, name: str) -> list[str]:
        return sorted(
            m["metadata"].get("namespace", "airflow")
            for m in manifests
            if m["kind"] == kind and m["metadata"]["name"] == name
        )

    every = ["airflow", "team-a", "team-b"]
    assert where("ServiceAccount", "airflow-kubernetes-worker") == every
    assert where("ConfigMap", "airflow-config") == every
    for name in ("airflow-pod-launcher", "airflow-pod-cleanup"):
        assert where("Role", name) == every
        assert where("RoleBinding", name) == every
    for binding in (
        m for m in manifests if m["kind"] == "RoleBinding" and m["metadata"]["name"] == "airflow-pod-launcher"
    ):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "airflow-scheduler", "namespace": "airflow"}]
    assert not [m for m in manifests if m["kind"] in ("ClusterRole", "ClusterRoleBinding")]
    # The generated Secret is copied where the task pods read it.
    spec = json.loads(find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"])
    assert spec["secrets"][0]["mirror_namespaces"] == ["team-a", "team-b"]
    # One cleanup CronJob covers every namespace.
    cleanup = find(manifests, "CronJob", "airflow-pod-cleanup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    command = cleanup["containers"][0]["command"]
    assert command[2:8] == ["--namespace", "airflow", "--namespace", "team-a", "--namespace", "team-b"]
    # Each namespace denies by default and lets its task pods reach the api-server.
    assert where("NetworkPolicy", "airflow-default-deny") == every
    assert where("NetworkPolicy", "airflow-kubernetes-worker") == ["airflow"]
    assert where("NetworkPolicy", "airflow-kubernetes-worker-team-a") == ["team-a"]
    assert where("NetworkPolicy", "airflow-kubernetes-worker-team-b") == ["team-b"]
    assert conformance.run(manifests, external=external) == {}


def test_cleanup_script_walks_every_namespace_it_is_given() -> None:
    from airflow_constructs.scripts import cleanup_pods

    calls: list[tuple[str, str]] = []

    def call(method: str, url: str, token: str, ctx: object) -> Any:
        calls.append((method, url.split("/api/v1/")[1]))
        return {"items": []}

    monkey = pytest.MonkeyPatch()
    monkey.setattr(cleanup_pods, "call", call)
    monkey.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkey.setattr("builtins.open", lambda *a, **k: __import__("io").StringIO("token"))
    monkey.setattr(cleanup_pods.ssl, "create_default_context", lambda **k: None)
    try:
        assert cleanup_pods.main(["--namespace", "a", "--namespace", "b", "--selector", "x=y"]) == 0
    finally:
        monkey.undo()
    assert calls == [("GET", "namespaces/a/pods?labelSelector=x%3Dy"), ("GET", "namespaces/b/pods?labelSelector=x%3Dy")]


BAD_NAMESPACES = [
    pytest.param(
        {"executor": {"kind": "KubernetesExecutor", "multi_namespace": ["team-a", "team-a"]}},
        "AirflowProps.executor.multi_namespace: ['team-a', 'team-a'] is not allowed: multi_namespace repeats "
        "team-a: each namespace may appear once",
        id="repeated-namespace",
    ),
    pytest.param(
        {"executor": {"kind": "KubernetesExecutor", "multi_namespace": ["Team"]}},
        "AirflowProps.executor.multi_namespace: ['Team'] is not allowed: 'Team' is not a valid name for a "
        "namespace: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="bad-namespace",
    ),
    pytest.param(
        {"executor": {"kind": "KubernetesExecutor", "multi_namespace": ["team-a", "airflow"]}},
        "AirflowProps.executor.multi_namespace: ['team-a', 'airflow'] is not allowed: 'airflow' is the namespace "
        "task pods already run in (namespace)",
        id="default-namespace-again",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_NAMESPACES)
def test_bad_task_namespaces(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- a separate Execution API --------------------------------------------------------------------


def test_separate_execution_api_serves_every_task_process() -> None:
    executor = [{"kind": "CeleryExecutor"}, {"kind": "KubernetesExecutor"}]
    manifests, external = synth_with_external(
        lambda c: Airflow(c, "airflow", executor=executor, api_server={"execution_api": {"replicas": 2}})
    )
    url = "http://airflow-execution-api.airflow.svc:8080/execution/"
    core = pod(manifests, "Deployment", "airflow-api-server")["containers"][0]
    assert core["args"] == ["api-server", "--port", "8080", "--apps", "core"]
    deployment = find(manifests, "Deployment", "airflow-execution-api")
    assert deployment["spec"]["replicas"] == 2
    spec = deployment["spec"]["template"]["spec"]
    main = spec["containers"][0]
    assert main["args"] == ["api-server", "--port", "8081", "--apps", "execution"]
    assert main["ports"] == [{"containerPort": 8081, "name": "api", "protocol": "TCP"}]
    assert main["readinessProbe"]["httpGet"] == {"path": "/execution/health", "port": "api", "scheme": "HTTP"}
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-migrations"]
    assert find(manifests, "Service", "airflow-execution-api")["spec"]["ports"] == [
        {"name": "http", "port": 8080, "protocol": "TCP", "targetPort": "api"}
    ]
    find(manifests, "PodDisruptionBudget", "airflow-execution-api")
    for kind, name in [("Deployment", "airflow-scheduler"), ("StatefulSet", "airflow-worker-default")]:
        assert env_of(pod(manifests, kind, name)["containers"][0])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == url
    import yaml

    template = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    assert env_of(template["spec"]["containers"][0])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == url
    # Task pods and workers reach the Execution API; the ingress controller only the core api-server.
    policy = find(manifests, "NetworkPolicy", "airflow-execution-api")["spec"]
    sources = sorted(
        peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component", "")
        for rule in policy["ingress"]
        for peer in rule["from"]
    )
    assert sources == ["kubernetes-worker", "worker-default"]
    assert [rule["ports"] for rule in policy["ingress"]] == [[{"port": 8081, "protocol": "TCP"}]]
    core_policy = find(manifests, "NetworkPolicy", "airflow-api-server")["spec"]
    core_sources = [
        peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component")
        for rule in core_policy["ingress"]
        for peer in rule["from"]
    ]
    assert "worker-default" not in core_sources and "kubernetes-worker" not in core_sources
    assert conformance.run(manifests, external=external) == {}


def test_one_api_server_by_default(default_app: list[Manifest]) -> None:
    assert pod(default_app, "Deployment", "airflow-api-server")["containers"][0]["args"] == [
        "api-server",
        "--port",
        "8080",
    ]
    assert not [m for m in default_app if "execution-api" in m["metadata"]["name"]]


BAD_SPLIT = [
    pytest.param(
        {"image": {"tag": "2.11.0"}, "api_server": {"execution_api": {}}},
        "AirflowProps.api_server.execution_api: a separate Execution API needs Airflow 3 and plain HTTP inside the "
        "cluster; not the image runs Airflow 2.11.0",
        id="split-on-airflow2",
    ),
    pytest.param(
        {"api_server": {"execution_api": {}, "tls": {"secret": "api-tls"}}},
        "AirflowProps.api_server.execution_api: a separate Execution API needs Airflow 3 and plain HTTP inside the "
        "cluster; not with api_server.tls",
        id="split-with-tls",
    ),
    pytest.param(
        {"api_server": {"execution_api": {"replicas": -1}}},
        "AirflowProps.api_server.execution_api.replicas: -1 is not allowed: Input should be greater than or equal to 0",
        id="split-negative-replicas",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_SPLIT)
def test_bad_split_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- all namespaces (cluster_wide), the one cluster-scoped exception ------------------------------


def test_cluster_wide_task_namespaces_make_the_only_cluster_roles() -> None:
    executor = {"kind": "KubernetesExecutor", "cluster_wide": True, "cleanup": {"enabled": True}}
    manifests, external = synth_with_external(lambda c: Airflow(c, "airflow", executor=executor))
    config = find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"]
    assert (
        "[kubernetes_executor]\ndelete_worker_pods = True\nmulti_namespace_mode = True\nnamespace = airflow\n"
    ) in config
    assert "multi_namespace_mode_namespace_list" not in config
    cluster = sorted(
        (m["kind"], m["metadata"]["name"]) for m in manifests if m["kind"] in ("ClusterRole", "ClusterRoleBinding")
    )
    assert cluster == [
        ("ClusterRole", "airflow-airflow-pod-cleanup"),
        ("ClusterRole", "airflow-airflow-pod-launcher"),
        ("ClusterRoleBinding", "airflow-airflow-pod-cleanup"),
        ("ClusterRoleBinding", "airflow-airflow-pod-launcher"),
    ]
    launcher = find(manifests, "ClusterRole", "airflow-airflow-pod-launcher")
    assert "namespace" not in launcher["metadata"]
    assert launcher["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "get", "list", "patch", "watch"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
    ]
    binding = find(manifests, "ClusterRoleBinding", "airflow-airflow-pod-launcher")
    assert "namespace" not in binding["metadata"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "airflow-airflow-pod-launcher",
    }
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "airflow-scheduler", "namespace": "airflow"}]
    cleanup_binding = find(manifests, "ClusterRoleBinding", "airflow-airflow-pod-cleanup")
    assert cleanup_binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "airflow-pod-cleanup", "namespace": "airflow"}
    ]
    assert find(manifests, "ClusterRole", "airflow-airflow-pod-cleanup")["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "list"]}
    ]
    # No namespaced Role is left for these two: the ClusterRoleBinding covers the release namespace.
    assert [m["metadata"]["name"] for m in manifests if m["kind"] in ("Role", "RoleBinding")] == [
        "airflow-secrets-bootstrap",
        "airflow-secrets-bootstrap",
    ]
    cleanup = find(manifests, "CronJob", "airflow-pod-cleanup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert cleanup["containers"][0]["command"][2:5] == ["--all-namespaces", "--selector", "kubernetes_executor=True"]
    assert conformance.run(manifests, external=external) == {}


def test_cleanup_script_lists_every_namespace_at_once_when_cluster_wide() -> None:
    from airflow_constructs.scripts import cleanup_pods

    old = "2020-01-01T00:00:00Z"
    done = {"phase": "Succeeded", "containerStatuses": [{"state": {"terminated": {"finishedAt": old}}}]}
    pods = [
        {"metadata": {"name": "t2", "namespace": "team-b"}, "status": done},
        {"metadata": {"name": "t1", "namespace": "team-a"}, "status": done},
        {"metadata": {"name": "t3", "namespace": "team-a"}, "status": {"phase": "Running"}},
    ]
    calls: list[tuple[str, str]] = []

    def call(method: str, url: str, token: str, ctx: object) -> Any:
        calls.append((method, url.split("/api/v1/")[1]))
        return {"items": pods} if method == "GET" else None

    monkey = pytest.MonkeyPatch()
    monkey.setattr(cleanup_pods, "call", call)
    monkey.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkey.setattr("builtins.open", lambda *a, **k: __import__("io").StringIO("token"))
    monkey.setattr(cleanup_pods.ssl, "create_default_context", lambda **k: None)
    try:
        assert cleanup_pods.main(["--all-namespaces", "--selector", "x=y"]) == 0
    finally:
        monkey.undo()
    assert calls == [
        ("GET", "pods?labelSelector=x%3Dy"),
        ("DELETE", "namespaces/team-a/pods/t1"),
        ("DELETE", "namespaces/team-b/pods/t2"),
    ]


def test_cluster_wide_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "airflow.yaml"
    path.write_text("executor:\n  kind: KubernetesExecutor\n  cluster_wide: true\n")
    assert load_config(path).executor.cluster_wide is True  # type: ignore[union-attr]


def test_cluster_wide_refused_with_a_namespace_list() -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(
            chart,
            "airflow",
            executor={"kind": "KubernetesExecutor", "cluster_wide": True, "multi_namespace": ["team-a"]},
        )
    assert str(info.value) == (
        "AirflowProps.executor: cluster_wide is true and multi_namespace lists ['team-a']: all-namespace mode has no "
        "namespace list; give cluster_wide alone, or the list alone (namespaced Roles, preferred)"
    )
