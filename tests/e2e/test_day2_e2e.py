"""Day-2 operations on real processes (issue 17): Fernet key rotation, Celery task-process recycling.

One database, three installs in turn, each synthesized from props and started by the harness with
the Secret values the cluster would still hold (the generated Secret keeps its keys; the bootstrap
Job only adds missing ones):

1. the default key (``fernet-key``, generated): a connection with a password is stored;
2. ``fernet_keys=["fernet-key-2", "fernet-key"]``: the new key is generated, ``[core] fernet_key``
   is ``new,old``, and the rotation Job re-encrypts the connection with the new key;
3. ``fernet_keys=["fernet-key-2"]``: the old key is gone from every process, and the connection
   still decrypts.

A Celery install whose worker set has ``max_tasks_per_child=1`` and ``max_memory_per_child``: the
running worker reports both settings (``celery inspect conf`` / ``stats``), and after a second DAG
run its task processes are new ones.

An install with ``api_server.execution_api``: the Execution API runs in its own server (which
serves nothing else), every task process is pointed at it, and a DAG run succeeds through it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import Airflow, ExternalDatabase, SecretRef
from tests.e2e.harness import Deps, Harness, dags_folder

pytestmark = pytest.mark.e2e

DATABASE = "day2_e2e"
CONN_ID = "rotation_check"
GENERATED = "airflow-generated"


def _synth(out: Path, **props: Any) -> Path:
    app = App(outdir=str(out))
    chart = Chart(app, "airflow", namespace="airflow")
    Airflow(chart, "airflow", database=ExternalDatabase(url=SecretRef("airflow-db", "url")), **props)
    app.synth()
    return out


def _airflow_python(h: Harness, deps: Deps, code: str) -> str:
    """Run ``code`` with the scheduler container's env (its Fernet keys, its database)."""
    container = next(c for c in h.containers["airflow-scheduler-0"] if c.spec.name == "scheduler")
    done = subprocess.run(
        [str(deps.venv / "bin" / "python"), "-c", code],
        env=container.env,
        cwd=container.cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        **deps.process_identity(),
    )
    return done.stdout.strip().splitlines()[-1]


def _stored_password(h: Harness, deps: Deps) -> str:
    code = (
        "from airflow.models.connection import Connection\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as s:\n"
        f"    print(s.query(Connection).filter_by(conn_id={CONN_ID!r}).one().password)\n"
    )
    return _airflow_python(h, deps, code)


def _encrypted_with(h: Harness, deps: Deps, keys: dict[str, str]) -> list[str]:
    """Which of ``keys`` (name -> Fernet key) alone decrypts the connection's stored password."""
    token = deps.psql(f"SELECT password FROM connection WHERE conn_id = '{CONN_ID}'", db=DATABASE)
    code = (
        "from cryptography.fernet import Fernet, InvalidToken\n"
        f"keys = {keys!r}\n"
        "ok = []\n"
        "for name, key in sorted(keys.items()):\n"
        "    try:\n"
        f"        Fernet(key.encode()).decrypt({token!r}.encode())\n"
        "        ok.append(name)\n"
        "    except InvalidToken:\n"
        "        pass\n"
        "print(','.join(ok))\n"
    )
    return [k for k in _airflow_python(h, deps, code).split(",") if k]


def _start(h: Harness, given: dict[str, dict[str, str]]) -> None:
    for name, values in given.items():
        h.secrets[name] = dict(values)
    h.start()


def test_fernet_key_rotation_keeps_connections_readable(tmp_path: Path) -> None:
    deps = Deps.from_setup_script()
    deps.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    deps.psql(f'CREATE DATABASE "{DATABASE}" OWNER airflow')
    url = f"postgresql://airflow:airflow@127.0.0.1:{deps.pg_port}/{DATABASE}"
    cluster: dict[str, dict[str, str]] = {"airflow-db": {"url": url}}
    password = secrets.token_urlsafe(24)

    # 1. One key: the connection is stored under it.
    before = _synth(tmp_path / "before")
    with dags_folder(tmp_path / "d1") as dags, Harness(before, dags=dags, label="fernet-before") as h:
        _start(h, cluster)
        cluster[GENERATED] = dict(h.secrets[GENERATED])
        conn = {"connection_id": CONN_ID, "conn_type": "postgres", "host": "db.example", "login": "u"}
        h.request("POST", "/api/v2/connections", {**conn, "password": password})
        assert _stored_password(h, deps) == password
        old = cluster[GENERATED]["fernet-key"]
        assert _encrypted_with(h, deps, {"old": old}) == ["old"]

    # 2. New key in front: the rotation Job re-encrypts with it.
    rotating = _synth(tmp_path / "rotating", secrets={"fernet_keys": ["fernet-key-2", "fernet-key"]})
    assert [j.workload for j in Harness(rotating, deps=deps).plan.jobs if "rotate-fernet-key" in j.workload]
    with dags_folder(tmp_path / "d2") as dags, Harness(rotating, dags=dags, label="fernet-rotating") as h:
        _start(h, cluster)
        cluster[GENERATED] = dict(h.secrets[GENERATED])
        new = cluster[GENERATED]["fernet-key-2"]
        assert cluster[GENERATED]["fernet-key"] == old and new != old
        scheduler = next(c for c in h.containers["airflow-scheduler-0"] if c.spec.name == "scheduler")
        assert scheduler.env["AIRFLOW__CORE__FERNET_KEY"] == f"{new},{old}"
        assert _encrypted_with(h, deps, {"new": new, "old": old}) == ["new"]
        assert _stored_password(h, deps) == password

    # 3. Old key dropped: every process has only the new one, and the connection still decrypts.
    after = _synth(tmp_path / "after", secrets={"fernet_keys": ["fernet-key-2"]})
    with dags_folder(tmp_path / "d3") as dags, Harness(after, dags=dags, label="fernet-after") as h:
        _start(h, cluster)
        for pod in h.containers.values():
            for c in pod:
                if "AIRFLOW__CORE__FERNET_KEY" in c.env:
                    assert c.env["AIRFLOW__CORE__FERNET_KEY"] == new, c.spec.component
        assert _stored_password(h, deps) == password
        assert h.request("GET", f"/api/v2/connections/{CONN_ID}")["login"] == "u"


CELERY_APP = "airflow.providers.celery.executors.celery_executor.app"


def _inspect(h: Harness, deps: Deps, what: str) -> dict[str, Any]:
    """``celery inspect <what>`` of the one worker, run with the worker container's env."""
    worker = next(c for c in h.containers["airflow-worker-default-0"] if c.spec.name == "worker")
    done = subprocess.run(
        [str(deps.venv / "bin" / "celery"), "--app", CELERY_APP, "inspect", what, "--json", "--timeout", "20"],
        env=worker.env,
        cwd=worker.cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        **deps.process_identity(),
    )
    [reply] = json.loads(done.stdout.strip().splitlines()[-1]).values()
    return reply  # type: ignore[no-any-return]


def test_celery_workers_recycle_their_task_processes(tmp_path: Path) -> None:
    from airflow_constructs import CeleryExecutor, CeleryWorkerSet

    deps = Deps.from_setup_script()
    dist = tmp_path / "dist"
    app = App(outdir=str(dist))
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    worker_set = CeleryWorkerSet(name="default", concurrency=2, max_tasks_per_child=1, max_memory_per_child="1536Mi")
    Airflow(chart, "airflow", executor=CeleryExecutor(worker_sets=[worker_set]))
    app.synth()
    with (
        dags_folder(tmp_path, {"queues": ["default"]}) as dags,
        Harness(dist, dags=dags, label="celery-recycling") as h,
    ):
        h.start()
        conf = _inspect(h, deps, "conf")
        assert (conf["worker_max_tasks_per_child"], conf["worker_max_memory_per_child"]) == (1, 1536 * 1024)
        assert _inspect(h, deps, "stats")["pool"]["max-tasks-per-child"] == 1
        first = h.run_dag("e2e_smoke")
        assert first.state == "success"
        after_first = sorted(_inspect(h, deps, "stats")["pool"]["processes"])
        second = h.run_dag("e2e_smoke")
        assert second.state == "success"
        after_second = sorted(_inspect(h, deps, "stats")["pool"]["processes"])
        # Each task process ran one task and was replaced by a new one.
        assert after_first != after_second, (after_first, after_second)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_tasks_run_through_a_separate_execution_api(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    app = App(outdir=str(dist))
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", api_server={"execution_api": {}})
    app.synth()
    with dags_folder(tmp_path) as dags, Harness(dist, dags=dags, label="execution-api") as h:
        h.start()
        execution = h.service_url("airflow-execution-api")
        assert execution == "http://127.0.0.1:8081"
        scheduler = next(c for c in h.containers["airflow-scheduler-0"] if c.spec.name == "scheduler")
        assert scheduler.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"{execution}/execution/"
        # The Execution API server serves only the Execution API; the core one the REST API.
        assert _status(f"{execution}/execution/health") == 200
        assert _status(f"{execution}/api/v2/monitor/health") == 404
        assert _status(f"{h.api_url}/api/v2/monitor/health") == 200
        # The LocalExecutor's task processes can only have reported through the separate server.
        result = h.run_dag("e2e_smoke")
        assert result.state == "success"
