"""Executors and scaling: Celery worker sets, Redis, Flower, KEDA/HPA/VPA, KubernetesExecutor, Edge, HA."""

from __future__ import annotations

import json

import pytest
import yaml
from cdk8s import App, Chart

from airflow_constructs import (
    Airflow,
    CeleryExecutor,
    CeleryWorkerSet,
    EdgeExecutor,
    ExternalBroker,
    ExternalDatabase,
    HorizontalAutoscaling,
    KedaAutoscaling,
    KubernetesExecutor,
    PropsError,
    SecretRef,
)
from airflow_constructs.components.workers import keda_query
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart

AIRFLOW_CMD = ["/usr/bin/dumb-init", "--", "airflow"]


def config_of(manifests: list[Manifest]) -> str:
    return str(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])


def main_container(workload: Manifest) -> dict:  # type: ignore[type-arg]
    return workload["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


# -- the celery app --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def celery(app_manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return app_manifests["celery"]


def test_celery_app_worker_sets_consume_their_queues(celery: list[Manifest]) -> None:
    default = find(celery, "StatefulSet", "airflow-worker-default")
    highmem = find(celery, "StatefulSet", "airflow-worker-highmem")
    c = main_container(default)
    assert c["command"] == AIRFLOW_CMD
    assert c["args"] == ["celery", "worker", "--queues", "default", "--concurrency", "16"]
    assert main_container(highmem)["args"] == ["celery", "worker", "--queues", "highmem", "--concurrency", "4"]
    assert main_container(highmem)["resources"] == {
        "limits": {"cpu": "4", "memory": "16Gi"},
        "requests": {"cpu": "1", "memory": "8Gi"},
    }
    assert default["spec"]["replicas"] == 2
    # Autoscaled: no replicas field, so re-applying never fights KEDA.
    assert "replicas" not in highmem["spec"]
    for sts in (default, highmem):
        spec = sts["spec"]["template"]["spec"]
        assert spec["terminationGracePeriodSeconds"] == 600
        assert sts["spec"]["serviceName"] == sts["metadata"]["name"]
        assert main_container(sts)["ports"] == [{"containerPort": 8793, "name": "task-logs", "protocol": "TCP"}]
        assert spec["initContainers"][0]["args"] == ["db", "check-migrations", "--migration-wait-timeout", "600"]
        probe = main_container(sts)["livenessProbe"]["exec"]["command"]
        assert probe[:2] == ["sh", "-c"]
        assert "inspect ping" in probe[2] and "celery@$(hostname)" in probe[2]
    svc = find(celery, "Service", "airflow-worker-highmem")
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["selector"]["app.kubernetes.io/component"] == "worker-highmem"


def test_celery_broker_url_from_generated_password(celery: list[Manifest]) -> None:
    for kind, name in [("Deployment", "airflow-scheduler"), ("StatefulSet", "airflow-worker-default")]:
        env = main_container(find(celery, kind, name))["env"]
        assert env[-2:] == [
            {
                "name": "REDIS_PASSWORD",
                "valueFrom": {"secretKeyRef": {"key": "redis-password", "name": "airflow-generated"}},
            },
            {
                "name": "AIRFLOW__CELERY__BROKER_URL",
                "value": "redis://:$(REDIS_PASSWORD)@airflow-redis.airflow.svc:6379/0",
            },
        ]
    assert "executor = CeleryExecutor\n" in config_of(celery)
    spec = json.loads(find(celery, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"])
    keys = spec["secrets"][0]["keys"]
    assert keys["redis-password"] == {"kind": "password", "options": {}}
    assert keys["flower-basic-auth"] == {"kind": "basic-auth", "options": {"user": "admin"}}


def test_embedded_redis(celery: list[Manifest]) -> None:
    sts = find(celery, "StatefulSet", "airflow-redis")
    c = main_container(sts)
    assert c["image"] == "redis:7.4.2-bookworm"
    assert c["command"] == ["redis-server"]
    assert c["args"] == ["--requirepass", "$(REDIS_PASSWORD)", "--dir", "/data", "--appendonly", "no", "--save", ""]
    spec = sts["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsUser"] == 999
    assert {"emptyDir": {"sizeLimit": "1Gi"}, "name": "data"} in spec["volumes"]
    assert "volumeClaimTemplates" not in sts["spec"]
    assert find(celery, "Service", "airflow-redis")["spec"]["ports"] == [
        {"name": "redis", "port": 6379, "protocol": "TCP", "targetPort": "redis"}
    ]


def test_keda_scaled_object_counts_the_sets_queues(celery: list[Manifest]) -> None:
    scaled = find(celery, "ScaledObject", "airflow-worker-highmem")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "name": "airflow-worker-highmem",
    }
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (0, 5)
    assert scaled["spec"]["cooldownPeriod"] == 300
    assert scaled["spec"]["triggers"] == [
        {
            "authenticationRef": {"name": "airflow-worker-highmem"},
            "metadata": {
                "dbName": "airflow",
                "host": "airflow-postgres.airflow.svc",
                "port": "5432",
                "query": "SELECT ceil(COUNT(*)::decimal / 4) FROM task_instance "
                "WHERE state IN ('queued', 'running') AND queue IN ('highmem')",
                "sslmode": "disable",
                "targetQueryValue": "1",
                "userName": "airflow",
            },
            "type": "postgresql",
        }
    ]
    auth = find(celery, "TriggerAuthentication", "airflow-worker-highmem")
    assert auth["spec"] == {
        "secretTargetRef": [{"key": "postgres-password", "name": "airflow-generated", "parameter": "password"}]
    }
    assert [m for m in celery if m["kind"] == "ScaledObject"] == [scaled]


def test_keda_query_filters_by_executor_when_several() -> None:
    assert keda_query(["a", "b"], 8, is_default=True, several_executors=False) == (
        "SELECT ceil(COUNT(*)::decimal / 8) FROM task_instance WHERE state IN ('queued', 'running') "
        "AND queue IN ('a', 'b')"
    )
    assert keda_query(["a"], 8, is_default=True, several_executors=True).endswith(
        "AND (executor IS NULL OR executor = 'CeleryExecutor')"
    )
    assert keda_query(["a"], 8, is_default=False, several_executors=True).endswith("AND executor = 'CeleryExecutor'")


def test_flower(celery: list[Manifest]) -> None:
    deployment = find(celery, "Deployment", "airflow-flower")
    c = main_container(deployment)
    assert c["args"] == ["celery", "flower", "--port", "5555"]
    assert env_of(c)["AIRFLOW__CELERY__FLOWER_BASIC_AUTH"] == {
        "secretKeyRef": {"key": "flower-basic-auth", "name": "airflow-generated"}
    }
    assert c["livenessProbe"]["tcpSocket"] == {"port": "flower"}
    assert find(celery, "Service", "airflow-flower")["spec"]["ports"] == [
        {"name": "http", "port": 5555, "protocol": "TCP", "targetPort": "flower"}
    ]


def test_celery_pdbs_cover_workers(celery: list[Manifest]) -> None:
    names = {m["metadata"]["name"] for m in celery if m["kind"] == "PodDisruptionBudget"}
    assert {
        "airflow-api-server",
        "airflow-scheduler",
        "airflow-triggerer",
        "airflow-worker-default",
        "airflow-worker-highmem",
    } <= names


# -- HPA, VPA, external broker, HA -----------------------------------------------------------------


def test_hpa_per_worker_set() -> None:
    ws = CeleryWorkerSet(
        name="cpu", autoscaling=HorizontalAutoscaling(min_replicas=2, max_replicas=8, memory_utilization=70)
    )
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=CeleryExecutor(worker_sets=[ws])))
    hpa = find(manifests, "HorizontalPodAutoscaler", "airflow-worker-cpu")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"] == {
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        "maxReplicas": 8,
        "metrics": [
            {
                "resource": {"name": "cpu", "target": {"averageUtilization": 80, "type": "Utilization"}},
                "type": "Resource",
            },
            {
                "resource": {"name": "memory", "target": {"averageUtilization": 70, "type": "Utilization"}},
                "type": "Resource",
            },
        ],
        "minReplicas": 2,
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "airflow-worker-cpu"},
    }
    assert "replicas" not in find(manifests, "StatefulSet", "airflow-worker-cpu")["spec"]


def test_vpa_option() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c, "airflow", scheduler={"vpa": {"update_mode": "Initial", "min_cpu": "250m", "max_memory": "8Gi"}}
        )
    )
    vpa = find(manifests, "VerticalPodAutoscaler", "airflow-scheduler")
    assert vpa["apiVersion"] == "autoscaling.k8s.io/v1"
    assert vpa["spec"] == {
        "resourcePolicy": {
            "containerPolicies": [
                {"containerName": "scheduler", "maxAllowed": {"memory": "8Gi"}, "minAllowed": {"cpu": "250m"}}
            ]
        },
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "airflow-scheduler"},
        "updatePolicy": {"updateMode": "Initial"},
    }


def test_external_broker_url_from_secret() -> None:
    executor = CeleryExecutor(broker=ExternalBroker(url=SecretRef("broker", "url")))
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=executor))
    assert not [m for m in manifests if "redis" in m["metadata"]["name"]]
    env = env_of(main_container(find(manifests, "StatefulSet", "airflow-worker-default")))
    assert env["AIRFLOW__CELERY__BROKER_URL"] == {"secretKeyRef": {"key": "url", "name": "broker"}}
    assert "REDIS_PASSWORD" not in env


def test_replicas_above_one_and_anti_affinity() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            scheduler={"replicas": 2, "anti_affinity": "required"},
            api_server={"replicas": 3, "anti_affinity": "preferred"},
            triggerer={"replicas": 2, "spread_across_nodes": False},
        )
    )
    sched = find(manifests, "Deployment", "airflow-scheduler")
    assert sched["spec"]["replicas"] == 2
    selector = sched["spec"]["selector"]["matchLabels"]
    assert sched["spec"]["template"]["spec"]["affinity"] == {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": selector}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    api = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    assert api["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 100
    trig = find(manifests, "StatefulSet", "airflow-triggerer")
    assert trig["spec"]["replicas"] == 2
    assert "topologySpreadConstraints" not in trig["spec"]["template"]["spec"]


# -- KubernetesExecutor ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s(app_manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return app_manifests["kubernetes-executor"]


def test_pod_template_file(k8s: list[Manifest]) -> None:
    cm = find(k8s, "ConfigMap", "airflow-pod-template")
    pod = yaml.safe_load(cm["data"]["pod_template.yaml"])
    assert pod["kind"] == "Pod"
    spec = pod["spec"]
    base = spec["containers"][0]
    assert base["name"] == "base"
    assert "command" not in base and "args" not in base
    assert base["image"] == "apache/airflow:3.3.2"
    assert base["resources"] == {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "250m", "memory": "512Mi"},
    }
    assert env_of(base)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://airflow-api-server.airflow.svc:8080/execution/"
    )
    assert spec["serviceAccountName"] == "airflow-kubernetes-worker"
    assert spec["automountServiceAccountToken"] is False
    assert spec["restartPolicy"] == "Never"
    assert conformance.restricted_pod_security([pod]) == []
    assert conformance.resources_on_every_container([pod]) == []
    assert find(k8s, "ServiceAccount", "airflow-kubernetes-worker")["automountServiceAccountToken"] is False
    text = config_of(k8s)
    assert "executor = KubernetesExecutor\n" in text
    assert (
        "[kubernetes_executor]\ndelete_worker_pods = True\nnamespace = airflow\n"
        "pod_template_file = /opt/airflow/pod_templates/pod_template.yaml\n"
    ) in text


def test_scheduler_is_the_only_pod_with_a_token_and_mounts_the_template(k8s: list[Manifest]) -> None:
    sched = find(k8s, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]
    assert sched["automountServiceAccountToken"] is True
    assert {"configMap": {"name": "airflow-pod-template"}, "name": "pod-template"} in sched["volumes"]
    assert {"mountPath": "/opt/airflow/pod_templates", "name": "pod-template", "readOnly": True} in (
        sched["containers"][0]["volumeMounts"]
    )
    with_token = sorted(
        m["metadata"]["name"]
        for m in k8s
        if m["kind"] in ("Deployment", "StatefulSet") and m["spec"]["template"]["spec"]["automountServiceAccountToken"]
    )
    assert with_token == ["airflow-scheduler"]


def test_pod_launcher_role_has_exact_verbs(k8s: list[Manifest]) -> None:
    role = find(k8s, "Role", "airflow-pod-launcher")
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "get", "list", "patch", "watch"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
    ]
    binding = find(k8s, "RoleBinding", "airflow-pod-launcher")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "airflow-scheduler", "namespace": "airflow"}]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "airflow-pod-launcher",
    }
    for r in (m for m in k8s if m["kind"] == "Role"):
        for rule in r["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"]


def test_cleanup_cronjob(k8s: list[Manifest]) -> None:
    cron = find(k8s, "CronJob", "airflow-pod-cleanup")
    assert cron["spec"]["schedule"] == "*/15 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["command"] == [
        "python",
        "/opt/cleanup/cleanup_pods.py",
        "--namespace",
        "airflow",
        "--selector",
        "kubernetes_executor=True",
        "--min-age-minutes",
        "60",
    ]
    assert pod["automountServiceAccountToken"] is True
    assert find(k8s, "Role", "airflow-pod-cleanup")["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "list"]}
    ]


def test_task_pods_in_another_namespace() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=KubernetesExecutor(namespace="airflow-tasks")))
    role = find(manifests, "Role", "airflow-pod-launcher")
    assert role["metadata"]["namespace"] == "airflow-tasks"
    binding = find(manifests, "RoleBinding", "airflow-pod-launcher")
    assert binding["metadata"]["namespace"] == "airflow-tasks"
    assert binding["subjects"][0]["namespace"] == "airflow"
    assert find(manifests, "ServiceAccount", "airflow-kubernetes-worker")["metadata"]["namespace"] == "airflow-tasks"
    configs = [m for m in manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "airflow-config"]
    assert sorted(m["metadata"]["namespace"] for m in configs) == ["airflow", "airflow-tasks"]
    assert "namespace = airflow-tasks\n" in configs[0]["data"]["airflow.cfg"]
    # The bootstrap Job keeps a copy of the generated Secret there, with RBAC in that namespace.
    spec = json.loads(find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"])
    assert spec["secrets"][0]["mirror_namespaces"] == ["airflow-tasks"]
    boot_roles = [m for m in manifests if m["kind"] == "Role" and m["metadata"]["name"] == "airflow-secrets-bootstrap"]
    assert sorted(r["metadata"].get("namespace") for r in boot_roles) == ["airflow", "airflow-tasks"]


# -- several executors, Edge ---------------------------------------------------------------------


def test_celery_and_kubernetes_together() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", executor=[CeleryExecutor(), KubernetesExecutor()]))
    text = config_of(manifests)
    assert "executor = CeleryExecutor,KubernetesExecutor\n" in text
    find(manifests, "StatefulSet", "airflow-worker-default")
    find(manifests, "StatefulSet", "airflow-redis")
    find(manifests, "ConfigMap", "airflow-pod-template")
    find(manifests, "Role", "airflow-pod-launcher")
    assert conformance.run(manifests) == {}


def test_edge_executor_workers() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c, "airflow", executor=EdgeExecutor(worker_sets=[{"name": "gpu", "queues": ["gpu"], "concurrency": 2}])
        )
    )
    text = config_of(manifests)
    assert "executor = airflow.providers.edge3.executors.EdgeExecutor\n" in text
    assert (
        "[edge]\napi_enabled = True\napi_url = http://airflow-api-server.airflow.svc:8080/edge_worker/v1/rpcapi\n"
        in text
    )
    c = main_container(find(manifests, "Deployment", "airflow-edge-gpu"))
    assert c["args"] == ["edge", "worker", "--queues", "gpu", "--concurrency", "2"]


# -- bad inputs ----------------------------------------------------------------------------------

BAD = [
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a"}, {"name": "a"}]}},
        "AirflowProps.executor.worker_sets: worker set names must be unique; repeated: a",
        id="duplicate-worker-set-names",
    ),
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "queues": ["etl,ml"]}]}},
        "AirflowProps.executor.worker_sets[0].queues: ['etl,ml'] is not allowed: queue name 'etl,ml' is not "
        "allowed: use letters, digits, '_', '.', ':' and '-', starting with a letter or digit (no commas or spaces: "
        "Celery splits --queues on commas)",
        id="queue-name-celery-rejects",
    ),
    pytest.param(
        {
            "executor": {
                "kind": "CeleryExecutor",
                "worker_sets": [{"name": "a", "autoscaling": {"kind": "keda", "min_replicas": 5, "max_replicas": 2}}],
            }
        },
        "AirflowProps.executor.worker_sets[0].autoscaling: min_replicas 5 is above max_replicas 2: "
        "min_replicas must be at most max_replicas",
        id="min-above-max-replicas",
    ),
    pytest.param(
        {"executor": {"kind": "KubernetesExecutor"}, "flower": {"enabled": True}},
        "AirflowProps: flower.enabled is true but the executors are KubernetesExecutor: Flower needs CeleryExecutor",
        id="kubernetes-executor-with-flower",
    ),
    pytest.param(
        {"executor": [{"kind": "CeleryExecutor"}, {"kind": "CeleryExecutor"}]},
        "AirflowProps.executor: executor list repeats CeleryExecutor: each executor may appear once",
        id="executor-twice",
    ),
    pytest.param(
        {"executor": {"kind": "SequentialExecutor"}},
        "AirflowProps.executor: {'kind': 'SequentialExecutor'} is not allowed: expected kind LocalExecutor "
        "(the default), CeleryExecutor, KubernetesExecutor or EdgeExecutor",
        id="unknown-executor",
    ),
    pytest.param(
        {"executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "termination_grace_period_seconds": 5}]}},
        "AirflowProps.executor.worker_sets[0].termination_grace_period_seconds: 5 is not allowed: "
        "Input should be greater than or equal to 30",
        id="grace-period-too-short",
    ),
    pytest.param(
        {"executor": {"kind": "KubernetesExecutor", "namespace": "Tasks"}},
        "AirflowProps.executor.namespace: 'Tasks' is not allowed: 'Tasks' is not a valid name for a namespace: "
        "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="bad-task-namespace",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD)
def test_bad_executor_input(props: dict, message: str) -> None:  # type: ignore[type-arg]
    app = App()
    chart = Chart(app, "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


def test_keda_needs_database_parts() -> None:
    db = ExternalDatabase(url=SecretRef("db", "url"))
    ws = CeleryWorkerSet(name="a", autoscaling=KedaAutoscaling())
    app = App()
    chart = Chart(app, "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", database=db, executor=CeleryExecutor(worker_sets=[ws]))
    assert str(info.value) == (
        "worker set 'a': KEDA autoscaling needs the PostgreSQL metadata database as parts (embedded, or "
        "ExternalDatabase with host, user, database and password), not a URL Secret"
    )
    assert find_prefix is not None
