"""The e2e harness's own logic, without starting anything (runs in ``make test``): Kubernetes
``$(VAR)`` expansion, the two rewrites, and the plan it lays out for each app in ``dist/``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import statsd_exporter
from tests.e2e.harness import (
    REPO,
    AppPlan,
    Container,
    Deps,
    Harness,
    HarnessError,
    PathMap,
    ServiceMap,
    expand,
    image_repo_tag,
)

DIST = REPO / "dist"
RUNNABLE_APPS = [a for a in ("default", "celery") if (DIST / a).is_dir()]


def test_expand_follows_kubernetes() -> None:
    env = {"A": "1", "B": "x$(A)"}
    assert expand("$(A)-$(B)", env) == "1-x$(A)"  # values are not expanded again
    assert expand("$(MISSING)", env) == "$(MISSING)"  # undefined stays as written
    assert expand("$$(A) $$ $x $(A", env) == "$(A) $ $x $(A"
    assert expand('celery@$(hostname)"', env) == 'celery@$(hostname)"'  # left for the shell


def test_service_rewrite_of_libpq_keywords() -> None:
    services = ServiceMap({("airflow-postgres", "airflow"): {5432: 15432}})
    ini = "airflow = host=airflow-postgres.airflow.svc port=5432 dbname=airflow"
    assert services.rewrite(ini, "here") == "airflow = host=127.0.0.1 port=15432 dbname=airflow"
    with pytest.raises(HarnessError, match="has no port 5433"):
        services.rewrite("host=airflow-postgres.airflow.svc port=5433", "here")


def test_service_rewrite_is_narrow() -> None:
    services = ServiceMap(
        {("airflow-postgres", "airflow"): {5432: 15432}, ("airflow-api-server", "airflow"): {8080: 8080}}
    )
    assert (
        services.rewrite("postgresql://u:$(P)@airflow-postgres.airflow.svc:5432/airflow", "c")
        == "postgresql://u:$(P)@127.0.0.1:15432/airflow"
    )
    assert (
        services.rewrite("http://airflow-api-server.airflow.svc.cluster.local:8080/execution/", "c")
        == "http://127.0.0.1:8080/execution/"
    )
    # bare names and other words are left alone
    assert (
        services.rewrite("http://airflow-api-server:8080/ x.airflow.svcs", "c")
        == "http://airflow-api-server:8080/ x.airflow.svcs"
    )
    with pytest.raises(HarnessError, match=r"has no port 8081"):
        services.rewrite("http://airflow-api-server.airflow.svc:8081/", "api")
    with pytest.raises(HarnessError, match=r"names no Service of this app"):
        services.rewrite("http://airflow-apiserver.airflow.svc:8080/", "api")


def test_path_rewrite_only_touches_known_prefixes() -> None:
    paths = PathMap(Path("/r"), {"/opt/airflow", "/tmp", "/opt/airflow/logs"})
    assert paths.rewrite("base_log_folder = /opt/airflow/logs") == "base_log_folder = /r/opt/airflow/logs"
    assert paths.rewrite("/opt/airflow") == "/r/opt/airflow"
    assert paths.rewrite("--dir=/tmp/x") == "--dir=/r/tmp/x"
    untouched = ["/opt/airflowx", "/usr/bin/dumb-init", "http://127.0.0.1:8080/tmp/x", "a/opt/airflow", "~/tmp"]
    assert [paths.rewrite(u) for u in untouched] == untouched


def test_image_repo_tag() -> None:
    assert image_repo_tag("apache/airflow:3.3.2") == ("apache/airflow", "3.3.2")
    assert image_repo_tag("docker.io/library/postgres:17.6-bookworm@sha256:ab") == ("postgres", "17.6-bookworm")
    assert image_repo_tag("registry:5000/redis") == ("registry:5000/redis", "")


@pytest.fixture(params=RUNNABLE_APPS)
def prepared(request: pytest.FixtureRequest) -> Iterator[Harness]:
    deps = Deps.without_processes()
    with Harness(DIST / request.param, deps=deps, label=f"unit-{request.param}") as h:
        h.prepare()
        yield h


def _container(h: Harness, pod: str, name: str) -> Container:
    return next(c for c in h.containers[pod] if c.spec.name == name)


def test_prepare_rewrites_exactly_as_documented(prepared: Harness) -> None:
    h = prepared
    migrate_pod = next(p.name for p in h.plan.jobs if p.workload.startswith("airflow-migrate-"))
    migrate = _container(h, migrate_pod, "migrate")
    assert migrate.argv == ["airflow", "db", "migrate"]  # dumb-init stripped, nothing else
    password = h.secrets["airflow-generated"]["postgres-password"]
    env = migrate.env
    assert (
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        == f"postgresql+psycopg2://airflow:{password}@127.0.0.1:15432/airflow"
    )
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8080/execution/"
    root = migrate.paths.root
    assert env["AIRFLOW_HOME"] == f"{root}/opt/airflow"
    assert env["TMPDIR"] == f"{root}/tmp"
    assert env["HOSTNAME"] == migrate_pod
    cfg = Path(env["AIRFLOW_CONFIG"]).read_text()
    assert f"base_log_folder = {root}/opt/airflow/logs" in cfg
    assert (root / "opt/airflow/dags/e2e_smoke.py").is_file()
    assert h.admin_credentials()[0] == "admin"


def test_prepare_shares_pod_volumes_between_containers(prepared: Harness) -> None:
    h = prepared
    copy = _container(h, "airflow-api-server-0", "copy-passwords")
    api = _container(h, "airflow-api-server-0", "api-server")
    source, target = copy.argv[1], copy.argv[2]
    assert copy.argv[0] == "cp" and source.startswith(str(copy.paths.root))
    # the Secret item is there, and the emptyDir the copy lands in is the api-server's
    assert json.loads(Path(source).read_text()) == json.loads(h.secrets["airflow-generated"]["admin-passwords"])
    landed = Path(target).parent.resolve()
    assert landed == api.paths.host("/opt/airflow/auth").resolve()
    assert landed != copy.paths.root / "opt/airflow/auth"  # a pod directory, not the container's own
    assert api.argv == ["airflow", "api-server", "--port", "8080"]


def test_plan_skips_the_bootstrap_job_and_substitutes_postgres(prepared: Harness) -> None:
    plan = prepared.plan
    assert [p.workload for p in plan.jobs if p.skip_reason] == [
        p.workload for p in plan.jobs if p.workload.startswith("airflow-secrets-bootstrap-")
    ]
    assert [p.workload for p in plan.pods if p.substitute] == ["airflow-postgres"]


def test_celery_plan_reads_worker_queues() -> None:
    if "celery" not in RUNNABLE_APPS:
        pytest.skip("dist/celery/ does not exist")
    queues = AppPlan.load(DIST / "celery").celery_queues()
    assert queues and all(pod.startswith("airflow-worker-") for pod in queues)


def test_pods_needing_the_kubernetes_api_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.k8s.yaml").write_text(
        "kind: Deployment\nmetadata: {name: op}\nspec:\n  template:\n    spec:\n"
        "      automountServiceAccountToken: true\n      containers: [{name: c, image: apache/airflow:3.3.2}]\n"
    )
    with pytest.raises(HarnessError, match=r"^op: mounts a service-account token"):
        AppPlan.load(tmp_path)


# -- the StatsD exporter stand-in ------------------------------------------------------------------


def _mappings_of(app: str) -> str:
    plan = AppPlan.load(DIST / app)
    return plan.configmaps["airflow-statsd"]["mappings.yml"]


@pytest.mark.parametrize("app", RUNNABLE_APPS)
def test_exporter_stand_in_takes_the_args_and_mapping_config_as_written(app: str, tmp_path: Path) -> None:
    plan = AppPlan.load(DIST / app)
    pod = next(p for p in plan.pods if p.workload == "airflow-statsd")
    flags = statsd_exporter.parse_flags(pod.spec["containers"][0]["args"])
    assert flags["statsd.listen-udp"] == ":9125" and flags["web.listen-address"] == ":9102"
    config = tmp_path / "mappings.yml"
    config.write_text(_mappings_of(app))
    registry = statsd_exporter.Registry(statsd_exporter.load_rules(str(config)))
    for line in (
        "airflow.ti.finish.e2e_smoke.hello.success:1|c",
        "airflow.dag.e2e_smoke.hello.duration:250|ms",
        "airflow.pool.open_slots.default_pool:128|g",
        "airflow.operator_successes_PythonOperator:1|c",
        "airflow.scheduler_heartbeat:1|c",
    ):
        registry.observe(line)
    assert registry.text().splitlines() == [
        'airflow_operator_successes{operator="PythonOperator"} 1',
        'airflow_pool_open_slots{pool="default_pool"} 128',
        "airflow_scheduler_heartbeat 1",
        'airflow_task_duration_count{dag_id="e2e_smoke",task_id="hello"} 1',
        'airflow_task_duration_sum{dag_id="e2e_smoke",task_id="hello"} 0.25',
        'airflow_ti_finish{dag_id="e2e_smoke",state="success",task_id="hello"} 1',
    ]


@pytest.mark.parametrize(
    ("argv", "config", "message"),
    [
        (["--statsd.listen-udpp=:9125"], None, "unknown long flag '--statsd.listen-udpp'"),
        (["--web.listen-address"], None, "expected argument for flag '--web.listen-address'"),
        ([], "mappings:\n- match: airflow.x\n", "mappings[0]: line 'airflow.x' has no metric 'name'"),
        ([], "mappings:\n- match: 'airflow..x'\n  name: x\n", "mappings[0]: invalid glob 'airflow..x'"),
    ],
)
def test_exporter_stand_in_exits_1_where_the_exporter_would(
    argv: list[str], config: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mappings.yml"
    path.write_text(config or "")
    with pytest.raises(SystemExit) as exit_info:
        statsd_exporter.parse_flags(argv)
        statsd_exporter.load_rules(str(path))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"statsd_exporter: error: {message}\n"


def test_prepare_keeps_secret_values_it_was_given_like_the_bootstrap_job() -> None:
    deps = Deps.without_processes()
    with Harness(DIST / "default", deps=deps, label="unit-given-secrets") as h:
        h.secrets["airflow-generated"] = {"fernet-key": "given"}
        h.prepare()
        generated = h.secrets["airflow-generated"]
        assert generated["fernet-key"] == "given"  # present: kept, never regenerated
        assert set(generated) == {"admin-passwords", "api-secret-key", "fernet-key", "jwt-secret", "postgres-password"}
