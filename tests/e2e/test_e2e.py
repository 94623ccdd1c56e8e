"""End to end, without a cluster: the synthesized manifests run as real Airflow processes and run a DAG.

``make e2e`` (marker ``e2e``; skipped by ``make test``). Each app is started once per module by
``tests/e2e/harness.py`` -- see its docstring for the exact, short list of rewrites it makes
(dumb-init prefix, ``<svc>.<ns>.svc`` -> ``127.0.0.1:<port>``, in-container paths -> per-pod
directories, PostgreSQL substituted) -- then everything below goes through the REST API only.
"""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import REPO, AppPlan, Harness, RunResult, dags_folder

pytestmark = pytest.mark.e2e

DIST = REPO / "dist"
DAG_ID = "e2e_smoke"
MARKER = "E2E_HELLO_MARKER"


@dataclass
class AppRun:
    """What one start of an app produced, for the tests below to assert on."""

    plan: AppPlan
    result: RunResult
    timings: dict[str, float]
    health: dict[str, Any]
    logs: dict[str, str] = field(default_factory=dict)
    xcoms: dict[str, Any] = field(default_factory=dict)
    ports: dict[str, str] = field(default_factory=dict)  # Harness.port_report()
    metrics: dict[str, float] = field(default_factory=dict)  # series -> value, scraped from the exporter
    extra: dict[str, Any] = field(default_factory=dict)


def run_app(app: str, base: Path, check: Any = None) -> AppRun:
    plan = AppPlan.load(DIST / app)
    queues = plan.celery_queues()
    params = {"queues": sorted({q for qs in queues.values() for q in qs})} if queues else None
    with dags_folder(base, params) as dags, Harness(DIST / app, dags=dags) as h:
        h.start()
        health = h.request("GET", "/api/v2/monitor/health", auth=False)
        result = h.run_dag(DAG_ID)
        run = AppRun(plan, result, dict(h.timings), health)
        for task_id in result.task_instances:
            try:
                run.logs[task_id] = h.task_log(result, task_id)
            except urllib.error.HTTPError as err:
                run.logs[task_id] = f"HTTP {err.code}"
            if task_id.startswith("hello"):
                run.xcoms[task_id] = h.xcom(result, task_id)
        run.ports = h.port_report()
        run.metrics = scrape_statsd_exporter(h)
        if check is not None:
            check(h, run)
    run.timings["total"] = sum(v for k, v in run.timings.items() if k in ("jobs", "ready", "dag_visible", "dag_run"))
    print(f"\n[{app}] timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items()))
    return run


def scrape_statsd_exporter(h: Harness) -> dict[str, float]:
    """What Prometheus would scrape from the StatsD exporter's Service (none: ``{}``)."""
    if not any(s["metadata"]["name"] == "airflow-statsd" for s in h.plan.services):
        return {}
    with urllib.request.urlopen(h.service_url("airflow-statsd", 9102) + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    series = (line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {name: float(value) for name, value in series}


def missing_metrics(run: AppRun, task_id: str, executor: str) -> list[str]:
    """Series the exporter should have, with a positive value: one from each Airflow process
    (scheduler, dag-processor, triggerer), and the task metrics labelled by the mapping config."""
    wanted = [
        "airflow_scheduler_heartbeat",
        "airflow_dag_processor_heartbeat",
        "airflow_triggerer_heartbeat",
        f'airflow_ti_finish{{dag_id="e2e_smoke",state="success",task_id="{task_id}"}}',
        'airflow_ti_finish{dag_id="e2e_smoke",state="deferred",task_id="wait_deferred"}',
        'airflow_dagrun_duration_success_count{dag_id="e2e_smoke"}',
        f'airflow_executor_open_slots{{executor="{executor}"}}',
    ]
    return [m for m in wanted if run.metrics.get(m, 0) <= 0]


def unlistened(run: AppRun) -> list[str]:
    """Declared container ports nothing listens on. A pod that tried and lost its port to another
    pod declaring the same one is fine: all pods share this host's network (see the harness)."""
    return sorted(where for where, status in run.ports.items() if status == "nothing listens")


# ------------------------------------------------------------------------------------------
# default app: LocalExecutor, embedded Postgres
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> AppRun:
    return run_app("default", tmp_path_factory.mktemp("default"))


def test_default_components_healthy(default_run: AppRun) -> None:
    health = default_run.health
    for component in ("metadatabase", "scheduler", "triggerer", "dag_processor"):
        assert health[component]["status"] == "healthy", health


def test_default_dag_run_succeeds(default_run: AppRun) -> None:
    result = default_run.result
    assert result.state == "success"
    assert {t: ti["state"] for t, ti in result.task_instances.items()} == {
        "hello": "success",
        "wait_deferred": "success",
    }


def test_default_task_ran_in_the_scheduler_and_its_log_is_served(default_run: AppRun) -> None:
    # LocalExecutor: the task runs in the scheduler pod; the api-server fetched the log from the
    # scheduler's log server (port 8793), a different pod with its own logs emptyDir.
    assert default_run.xcoms["hello"] == {"pod": "airflow-scheduler-0", "queue": None}
    log = default_run.logs["hello"]
    assert f"{MARKER} run_id={default_run.result.run_id} pod=airflow-scheduler-0" in log
    assert ":8793/log/dag_id=e2e_smoke/" in log


def test_default_sensor_deferred_to_the_triggerer(default_run: AppRun) -> None:
    states = default_run.result.states_seen["wait_deferred"]
    assert "deferred" in states and states[-1] == "success", states
    # While deferred, the api-server read the trigger's log from the triggerer's log server (8794).
    assert re.search(r":8794/log/\S+\.log\.trigger\.\d+\.log", default_run.result.logs_while_deferred["wait_deferred"])


def test_default_metrics_reach_the_statsd_exporter(default_run: AppRun) -> None:
    assert missing_metrics(default_run, "hello", "LocalExecutor") == []


def test_default_declared_ports_are_listened_on(default_run: AppRun) -> None:
    assert default_run.ports, "no pod declared a port"
    assert unlistened(default_run) == []


# ------------------------------------------------------------------------------------------
# celery app: CeleryExecutor, worker sets on their own queues, Redis, Flower
# ------------------------------------------------------------------------------------------


def _check_flower(h: Harness, run: AppRun) -> None:
    pod = h.plan.pod_running("celery", "flower")
    if pod is None:
        return
    url = next(
        h.service_url(s["metadata"]["name"])
        for s in h.plan.services
        if s["spec"].get("selector") and s["spec"]["selector"].items() <= pod.labels.items()
    )
    statuses = {}
    for name, credentials in (("anonymous", None), ("generated", h.secrets["airflow-generated"]["flower-basic-auth"])):
        req = urllib.request.Request(url + "/api/workers")
        if credentials:
            req.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                statuses[name] = resp.status
        except urllib.error.HTTPError as err:
            statuses[name] = err.code
    run.extra["flower"] = statuses


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppRun]:
    if not (DIST / "celery").is_dir():
        pytest.skip("dist/celery/ does not exist (no celery example app synthesized)")
    yield run_app("celery", tmp_path_factory.mktemp("celery"), check=_check_flower)


def test_celery_dag_run_succeeds(celery_run: AppRun) -> None:
    assert celery_run.result.state == "success"
    assert all(ti["state"] == "success" for ti in celery_run.result.task_instances.values())


def test_celery_each_task_ran_on_the_worker_set_of_its_queue(celery_run: AppRun) -> None:
    queues = celery_run.plan.celery_queues()  # pod -> queues, from the manifests' `--queues`
    assert len(queues) >= 2, queues
    for pod, pod_queues in queues.items():
        for queue in pod_queues:
            ti = celery_run.result.task_instances[f"hello_{queue}"]
            assert ti["queue"] == queue
            assert celery_run.xcoms[f"hello_{queue}"] == {"pod": pod, "queue": queue}


def test_celery_task_log_is_served_by_the_worker(celery_run: AppRun) -> None:
    # Every worker set serves logs on 8793; on one host only one of them can listen there.
    owner = next(
        where.split(":")[0]
        for where, status in celery_run.ports.items()
        if where.endswith(":8793") and status == "listening"
    )
    queue = celery_run.plan.celery_queues()[owner][0]
    log = celery_run.logs[f"hello_{queue}"]
    assert f"{MARKER} run_id={celery_run.result.run_id} pod={owner} queue={queue}" in log


def test_celery_sensor_deferred_to_the_triggerer(celery_run: AppRun) -> None:
    states = celery_run.result.states_seen["wait_deferred"]
    assert "deferred" in states and states[-1] == "success", states
    assert re.search(r":8794/log/\S+\.log\.trigger\.\d+\.log", celery_run.result.logs_while_deferred["wait_deferred"])


def test_celery_flower_requires_the_generated_basic_auth(celery_run: AppRun) -> None:
    assert celery_run.extra["flower"] == {"anonymous": 401, "generated": 200}


def test_celery_metrics_reach_the_statsd_exporter(celery_run: AppRun) -> None:
    queue = sorted({q for qs in celery_run.plan.celery_queues().values() for q in qs})[0]
    assert missing_metrics(celery_run, f"hello_{queue}", "CeleryExecutor") == []


def test_celery_declared_ports_are_listened_on(celery_run: AppRun) -> None:
    assert unlistened(celery_run) == []


# ------------------------------------------------------------------------------------------
# Redis with TLS: the broker closes its plain port, Celery verifies it against the CA
# ------------------------------------------------------------------------------------------


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_tls_secret(workdir: Path, names: list[str]) -> dict[str, str]:
    """A CA and a server certificate for ``names`` (DNS names, or IPs), as a ``kubernetes.io/tls``
    Secret's data: what cert-manager (or the user) puts in it."""
    workdir.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=e2e-ca",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=workdir)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={names[0]}",
             "-keyout", "tls.key", "-out", "tls.csr", cwd=workdir)  # fmt: skip
    san = ",".join(f"IP:{n}" if n[0].isdigit() else f"DNS:{n}" for n in names)
    (workdir / "san.ext").write_text(f"subjectAltName={san}\n")
    _openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.ext", "-out", "tls.crt", cwd=workdir)  # fmt: skip
    return {k: (workdir / k).read_text() for k in ("ca.crt", "tls.crt", "tls.key")}


@pytest.fixture(scope="module")
def redis_tls_run(tmp_path_factory: pytest.TempPathFactory) -> AppRun:
    from cdk8s import App, Chart

    from airflow_constructs import Airflow, CeleryExecutor

    base = tmp_path_factory.mktemp("celery-tls")
    dist = base / "dist"
    app = App(outdir=str(dist))
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", executor=CeleryExecutor(broker={"tls": {"secret": "airflow-redis-tls"}}))
    app.synth()
    # The harness points clients at 127.0.0.1, so the test certificate names that address too.
    secret = make_tls_secret(base / "pki", ["airflow-redis.airflow.svc", "127.0.0.1"])
    plan = AppPlan.load(dist)
    with dags_folder(base, {"queues": ["default"]}) as dags, Harness(dist, dags=dags, label="celery-tls") as h:
        h.secrets["airflow-redis-tls"] = secret
        h.start()
        health = h.request("GET", "/api/v2/monitor/health", auth=False)
        result = h.run_dag(DAG_ID)
        run = AppRun(plan, result, dict(h.timings), health)
        run.xcoms["hello_default"] = h.xcom(result, "hello_default")
        # In plain text, with the right password: a plain-text Redis would answer +OK and +PONG.
        password = h.secrets["airflow-generated"]["redis-password"]
        with socket.create_connection(("127.0.0.1", 6379), timeout=5) as plain:
            plain.sendall(f"AUTH {password}\r\nPING\r\n".encode())
            try:
                run.extra["plain_reply"] = plain.recv(64)
            except OSError as err:
                run.extra["plain_reply"] = repr(err).encode()
    return run


def test_redis_tls_task_runs_on_the_worker_through_the_tls_broker(redis_tls_run: AppRun) -> None:
    assert redis_tls_run.result.state == "success"
    assert redis_tls_run.xcoms["hello_default"] == {"pod": "airflow-worker-default-0", "queue": "default"}


def test_redis_tls_refuses_plain_text(redis_tls_run: AppRun) -> None:
    reply = redis_tls_run.extra["plain_reply"]
    assert b"+OK" not in reply and b"PONG" not in reply, reply


# ------------------------------------------------------------------------------------------
# PgBouncer with TLS: Airflow reaches the database through a TLS-only PgBouncer it verifies
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pgbouncer_tls_run(tmp_path_factory: pytest.TempPathFactory) -> AppRun:
    from cdk8s import App, Chart

    from airflow_constructs import Airflow

    base = tmp_path_factory.mktemp("pgbouncer-tls")
    dist = base / "dist"
    app = App(outdir=str(dist))
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", pgbouncer={"enabled": True, "tls": {"secret": "airflow-pgbouncer-tls"}})
    app.synth()
    secret = make_tls_secret(base / "pki", ["airflow-pgbouncer.airflow.svc", "127.0.0.1"])
    plan = AppPlan.load(dist)
    with dags_folder(base, None) as dags, Harness(dist, dags=dags, label="pgbouncer-tls") as h:
        h.secrets["airflow-pgbouncer-tls"] = secret
        h.start()
        health = h.request("GET", "/api/v2/monitor/health", auth=False)
        result = h.run_dag(DAG_ID)
        run = AppRun(plan, result, dict(h.timings), health)
        # A plain-text PostgreSQL startup message (no SSLRequest first): a TLS-only PgBouncer refuses it.
        params = b"user\0airflow\0database\0airflow\0\0"
        startup = (8 + len(params)).to_bytes(4, "big") + (196608).to_bytes(4, "big") + params
        with socket.create_connection(("127.0.0.1", 6432), timeout=5) as plain:
            plain.sendall(startup)
            run.extra["plain_reply"] = plain.recv(256)
        run.extra["pgbouncer_log"] = "\n".join(
            line for proc in h.procs if proc.spec.workload == "airflow-pgbouncer" for line in proc.output()
        )
    return run


def test_pgbouncer_tls_dag_run_goes_through_the_tls_pooler(pgbouncer_tls_run: AppRun) -> None:
    assert pgbouncer_tls_run.health["metadatabase"]["status"] == "healthy"
    assert pgbouncer_tls_run.result.state == "success"
    # PgBouncer logged TLS client logins (Airflow's connections, verify-full against the test CA).
    assert re.search(
        r"login attempt: db=airflow user=airflow tls=TLSv1\.[23]", pgbouncer_tls_run.extra["pgbouncer_log"]
    )


def test_pgbouncer_tls_refuses_plain_text(pgbouncer_tls_run: AppRun) -> None:
    reply = pgbouncer_tls_run.extra["plain_reply"]
    assert reply[:1] == b"E" and b"SSL required" in reply, reply
