"""Constructs compose: two installs in one chart, components used alone, upgrades roll what changed."""

from __future__ import annotations

from cdk8s import ApiObject, Chart

from airflow_constructs import (
    Airflow,
    AirflowRuntime,
    ApiServer,
    DagProcessor,
    ExternalDatabase,
    Scheduler,
    SecretRef,
    Triggerer,
)
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart


def _names(manifests: list[Manifest]) -> list[tuple[str, str]]:
    return [(m["kind"], m["metadata"]["name"]) for m in manifests]


def test_two_installs_in_one_chart_do_not_collide() -> None:
    def build(chart: Chart) -> None:
        Airflow(chart, "etl")
        Airflow(chart, "ml", scheduler={"replicas": 2})

    manifests = synth_chart(build)
    names = _names(manifests)
    assert len(names) == len(set(names))
    etl = find(manifests, "Deployment", "etl-scheduler")
    ml = find(manifests, "Deployment", "ml-scheduler")
    assert etl["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "etl"
    assert ml["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "ml"
    assert env_of(ml["spec"]["template"]["spec"]["containers"][0])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "http://ml-api-server.airflow.svc:8080/execution/"
    )
    assert conformance.services_select_pods(manifests) == []
    # Each Service selects only its own install's pods.
    for svc in (m for m in manifests if m["kind"] == "Service"):
        instance = svc["metadata"]["name"].split("-")[0]
        assert svc["spec"]["selector"]["app.kubernetes.io/instance"] == instance


def test_name_prop_overrides_construct_id() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "Some_Construct", name="prod"))
    assert ("Deployment", "prod-api-server") in _names(manifests)


def test_components_alone_next_to_unrelated_resources() -> None:
    def build(chart: Chart) -> None:
        ApiObject(chart, "unrelated", api_version="v1", kind="ConfigMap", metadata={"name": "team-settings"})
        db = ExternalDatabase(url=SecretRef("airflow-db", "url"))
        runtime = AirflowRuntime(chart, "etl", database=db)
        Scheduler(chart, "scheduler", runtime=runtime, replicas=2)
        DagProcessor(chart, "dag-processor", runtime=runtime)

    manifests = synth_chart(build)
    assert sorted(_names(manifests)) == sorted(
        [
            ("ConfigMap", "team-settings"),
            ("ConfigMap", "etl-config"),
            ("ConfigMap", "etl-secrets-bootstrap"),
            ("ServiceAccount", "etl-secrets-bootstrap"),
            ("Role", "etl-secrets-bootstrap"),
            ("RoleBinding", "etl-secrets-bootstrap"),
            ("Job", find_prefix(manifests, "Job", "etl-secrets-bootstrap-")["metadata"]["name"]),
            ("ServiceAccount", "etl-scheduler"),
            ("Service", "etl-scheduler"),
            ("Deployment", "etl-scheduler"),
            ("PodDisruptionBudget", "etl-scheduler"),
            ("ServiceAccount", "etl-dag-processor"),
            ("Deployment", "etl-dag-processor"),
            ("PodDisruptionBudget", "etl-dag-processor"),
        ]
    )
    scheduler = find(manifests, "Deployment", "etl-scheduler")
    assert scheduler["spec"]["replicas"] == 2
    env = env_of(scheduler["spec"]["template"]["spec"]["containers"][0])
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == {"secretKeyRef": {"key": "url", "name": "airflow-db"}}
    assert "AIRFLOW_DB_PASSWORD" not in env


def test_external_database_from_parts_uses_env_expansion() -> None:
    db = ExternalDatabase(
        host="pg.example.com", user="airflow", database="airflow", password=SecretRef("pg", "password")
    )
    manifests = synth_chart(lambda c: Airflow(c, "airflow", database=db))
    assert not [m for m in manifests if m["metadata"]["name"].endswith("postgres")]
    c = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]["containers"][0]
    assert c["env"][-2:] == [
        {"name": "AIRFLOW_DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "password", "name": "pg"}}},
        {
            "name": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "value": "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@pg.example.com:5432/airflow",
        },
    ]


def test_user_secrets_are_referenced_not_generated() -> None:
    secrets = {
        name: SecretRef("mine", name.replace("_", "-"))
        for name in ("fernet_key", "api_secret_key", "jwt_secret", "admin_passwords")
    }
    db = ExternalDatabase(url=SecretRef("airflow-db", "url"))
    manifests = synth_chart(lambda c: Airflow(c, "airflow", secrets=secrets, database=db))
    assert not [m for m in manifests if "secrets-bootstrap" in m["metadata"]["name"]]
    env = env_of(find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]["containers"][0])
    assert env["AIRFLOW__CORE__FERNET_KEY"] == {"secretKeyRef": {"key": "fernet-key", "name": "mine"}}
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == {"secretKeyRef": {"key": "jwt-secret", "name": "mine"}}


def _pod_checksum(manifests: list[Manifest], kind: str, name: str) -> str:
    template = find(manifests, kind, name)["spec"]["template"]
    return str(template["metadata"]["annotations"]["airflow-constructs.io/config-checksum"])


def test_config_change_rolls_pods_and_renames_migration_job() -> None:
    before = synth_chart(lambda c: Airflow(c, "airflow"))
    after = synth_chart(lambda c: Airflow(c, "airflow", settings={"parallelism": 64}))
    for kind, name in [
        ("Deployment", "airflow-scheduler"),
        ("Deployment", "airflow-api-server"),
        ("Deployment", "airflow-dag-processor"),
        ("StatefulSet", "airflow-triggerer"),
    ]:
        assert _pod_checksum(before, kind, name) != _pod_checksum(after, kind, name)
    job_before = find_prefix(before, "Job", "airflow-migrate-")["metadata"]["name"]
    job_after = find_prefix(after, "Job", "airflow-migrate-")["metadata"]["name"]
    assert job_before != job_after
    # The generated secrets are untouched: the bootstrap Job (and so its Secret spec) is the same.
    assert find_prefix(before, "Job", "airflow-secrets-bootstrap-") == find_prefix(
        after, "Job", "airflow-secrets-bootstrap-"
    )


def test_image_change_renames_migration_job_and_keeps_selectors() -> None:
    before = synth_chart(lambda c: Airflow(c, "airflow"))
    after = synth_chart(lambda c: Airflow(c, "airflow", image={"tag": "3.3.1"}))
    assert (
        find_prefix(before, "Job", "airflow-migrate-")["metadata"]["name"]
        != find_prefix(after, "Job", "airflow-migrate-")["metadata"]["name"]
    )
    for kind, name in [("Deployment", "airflow-scheduler"), ("StatefulSet", "airflow-triggerer")]:
        assert find(before, kind, name)["spec"]["selector"] == find(after, kind, name)["spec"]["selector"]
        assert find(after, kind, name)["metadata"]["labels"]["app.kubernetes.io/version"] == "3.3.1"


def test_api_server_and_triggerer_alone() -> None:
    def build(chart: Chart) -> None:
        runtime = AirflowRuntime(chart, "rt", name="solo", database=ExternalDatabase(url=SecretRef("db", "url")))
        ApiServer(chart, "api", runtime=runtime, replicas=2)
        Triggerer(chart, "triggerer", runtime=runtime)

    manifests = synth_chart(build)
    assert find(manifests, "Deployment", "solo-api-server")["spec"]["replicas"] == 2
    assert find(manifests, "StatefulSet", "solo-triggerer")["spec"]["serviceName"] == "solo-triggerer"
    assert conformance.services_select_pods(manifests) == []
