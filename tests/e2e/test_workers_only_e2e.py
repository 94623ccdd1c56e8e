"""A workers-only install joining a Celery core (issue 17, item 5), on real processes.

The core is a Celery install (api-server, scheduler, dag-processor, triggerer, its own worker set on
the ``default`` queue, Redis, PostgreSQL) synthesized into the namespace ``airflow-core``, where the
committed ``dist/workers-only/`` expects it. The workers-only app then runs from those committed
manifests as written (command, args, env, mounted airflow.cfg): its ``airflow-core`` Secret holds
the core's own values (broker URL, database URL, Fernet key, ``[api] secret_key``, JWT secret, taken
from the core's worker), and its Execution API URL
(``http://airflow-api-server.airflow-core.svc.cluster.local:8080/execution/``) resolves to the core's
api-server like any cross-namespace Service name (``Harness(core=...)``).

One DAG run, two phases:

1. with only the core's workers, the task routed to the workers-only set's queue is sent to the broker
   and waits there (``queued``) while the core's own task succeeds: the core's workers do not take it;
2. once the workers-only worker has started, it takes the waiting task, which succeeds; the task
   itself reports the pod it ran in (its ``HOSTNAME``) and its log file is in that pod's log volume.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import Airflow, CeleryExecutor, CeleryWorkerSet
from tests.e2e.harness import REPO, AppPlan, Deps, Harness, HarnessError, dags_folder

WORKERS_ONLY = REPO / "dist" / "workers-only"
CORE_NAMESPACE = "airflow-core"
DAG_ID = "e2e_smoke"
CORE_SECRET = "airflow-core"
# Secret key of the workers-only app -> the env var of the core's worker holding the core's value.
CORE_VALUES = {
    "broker-url": "AIRFLOW__CELERY__BROKER_URL",
    "database-url": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "fernet-key": "AIRFLOW__CORE__FERNET_KEY",
    "api-secret-key": "AIRFLOW__API__SECRET_KEY",
    "jwt-secret": "AIRFLOW__API_AUTH__JWT_SECRET",
}
# How long the remote queue's task must stay unclaimed after the core's own task succeeded.
UNCLAIMED_FOR = 20.0


def synth_core(out: Path) -> Path:
    """The Celery core the workers join: one worker set on ``default``, in the namespace ``airflow-core``."""
    app = App(outdir=str(out))
    chart = Chart(app, "airflow", namespace=CORE_NAMESPACE, disable_resource_name_hashes=True)
    worker_set = CeleryWorkerSet(name="default", queues=["default"])
    Airflow(chart, "airflow", executor=CeleryExecutor(worker_sets=[worker_set]))
    app.synth()
    return out


def core_values(core: Harness) -> dict[str, str]:
    """The ``airflow-core`` Secret of the workers-only app: the values the core's own worker runs with."""
    pod = next(pod for pod in core.plan.celery_queues() if pod.startswith("airflow-worker-"))
    worker = next(c for c in core.containers[pod] if c.spec.name == "worker")
    return {key: worker.env[var] for key, var in CORE_VALUES.items()}


def remote_queue() -> tuple[str, str]:
    """(pod, queue) of the workers-only app's one worker set."""
    [(pod, [queue])] = AppPlan.load(WORKERS_ONLY).celery_queues().items()
    return pod, queue


def test_workers_only_pods_resolve_the_core_services(tmp_path: Path) -> None:
    """Without processes (runs in ``make test``): every reference of the workers-only manifests
    resolves against a core in ``airflow-core``, and against no other core."""
    deps = Deps.without_processes()
    core_dist = synth_core(tmp_path / "core")
    pod, _ = remote_queue()
    with Harness(core_dist, deps=deps, label="unit-core") as core:
        core.prepare()
        with Harness(WORKERS_ONLY, deps=deps, label="unit-workers-only", core=core) as w:
            w.secrets[CORE_SECRET] = core_values(core)
            w.prepare()
            worker = next(c for c in w.containers[pod] if c.spec.name == "worker")
            assert worker.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"{core.api_url}/execution/"
            for key, var in CORE_VALUES.items():
                assert worker.env[var] == w.secrets[CORE_SECRET][key], var
            assert [c.spec.name for c in w.containers[pod]] == ["wait-for-migrations", "worker", "log-groomer"]
    # The committed manifests name the core's namespace: the Celery app in "airflow" is not it.
    with Harness(REPO / "dist" / "celery", deps=deps, label="unit-core-elsewhere") as other:
        other.prepare()
        with Harness(WORKERS_ONLY, deps=deps, label="unit-workers-only-2", core=other) as w:
            w.secrets[CORE_SECRET] = core_values(other)
            with pytest.raises(
                HarnessError, match=r"'airflow-api-server\.airflow-core\.svc\.cluster\.local:8080' names no Service"
            ):
                w.prepare()


def _task_instances(core: Harness, run_path: str) -> dict[str, dict[str, Any]]:
    return {ti["task_id"]: ti for ti in core.request("GET", f"{run_path}/taskInstances")["task_instances"]}


def _xcom(core: Harness, run_path: str, task_id: str) -> Any:
    return core.request("GET", f"{run_path}/taskInstances/{task_id}/xcomEntries/return_value?deserialize=true")["value"]


def _wait(
    core: Harness,
    workers: Harness | None,
    run_path: str,
    done: Callable[[dict[str, dict[str, Any]]], bool],
    timeout: float,
    what: str,
) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        core.check_alive()
        if workers is not None:
            workers.check_alive()
        tis = _task_instances(core, run_path)
        if done(tis):
            return tis
        if time.monotonic() > deadline:
            states = {t: ti["state"] for t, ti in tis.items()}
            raise HarnessError("workers-only e2e", f"{what}: not after {timeout:.0f} s; task states {states}")
        time.sleep(1)


@pytest.mark.e2e
def test_workers_only_app_runs_the_tasks_of_its_queue(tmp_path: Path) -> None:
    t0 = time.monotonic()
    core_dist = synth_core(tmp_path / "core")
    pod, queue = remote_queue()
    remote_task, core_task = f"hello_{queue}", "hello_default"
    with (
        dags_folder(tmp_path, {"queues": ["default", queue]}) as dags,
        Harness(core_dist, dags=dags, label="workers-only-core") as core,
    ):
        core.start()
        t_core = time.monotonic()
        # The DAG is parsed, then one run: hello_default -> the core's worker, hello_<queue> -> the broker.
        q = urllib.parse.quote
        deadline = time.monotonic() + 120
        while DAG_ID not in {d["dag_id"] for d in core.request("GET", "/api/v2/dags")["dags"]}:
            core.check_alive()
            assert time.monotonic() < deadline, "e2e_smoke not parsed after 120 s"
            time.sleep(1)
        core.request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        run_id = core.request("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})["dag_run_id"]
        run_path = f"/api/v2/dags/{DAG_ID}/dagRuns/{q(run_id, safe='')}"

        # 1. Only the core's workers: the remote queue's task waits in the broker.
        _wait(
            core,
            None,
            run_path,
            lambda tis: tis[core_task]["state"] == "success" and tis[remote_task]["state"] == "queued",
            240,
            f"{core_task} success and {remote_task} queued",
        )
        time.sleep(UNCLAIMED_FOR)
        tis = _task_instances(core, run_path)
        assert (tis[core_task]["state"], tis[remote_task]["state"]) == ("success", "queued"), tis
        assert tis[remote_task]["queue"] == queue
        assert _xcom(core, run_path, core_task)["pod"] == "airflow-worker-default-0"
        t_phase1 = time.monotonic()

        # 2. The workers-only app joins, from its own manifests, with the core's values in its Secret.
        with Harness(WORKERS_ONLY, dags=dags, label="workers-only", core=core) as workers:
            workers.secrets[CORE_SECRET] = core_values(core)
            workers.start()
            t_workers = time.monotonic()
            tis = _wait(
                core,
                workers,
                run_path,
                lambda tis: all(ti["state"] in ("success", "failed", "upstream_failed") for ti in tis.values()),
                240,
                "every task finished",
            )
            assert {t: ti["state"] for t, ti in tis.items()} == {
                core_task: "success",
                remote_task: "success",
                "wait_deferred": "success",
            }
            deadline = time.monotonic() + 60  # the scheduler marks the run after its last task
            while (state := core.request("GET", run_path)["state"]) == "running" and time.monotonic() < deadline:
                time.sleep(1)
            assert state == "success"
            assert _xcom(core, run_path, remote_task) == {"pod": pod, "queue": queue}
            # Its log was written in the workers-only pod's own log volume.
            worker = next(c for c in workers.containers[pod] if c.spec.name == "worker")
            logs = worker.paths.host("/opt/airflow/logs")
            marker = f"E2E_HELLO_MARKER run_id={run_id} pod={pod} queue={queue}"
            assert any(marker in f.read_text(errors="replace") for f in logs.rglob("*.log")), marker
            t_run = time.monotonic()
    print(
        f"\n[workers-only] timings (s): core {t_core - t0:.1f}, core task + {queue!r} unclaimed "
        f"{t_phase1 - t_core:.1f}, workers-only pod ready {t_workers - t_phase1:.1f}, "
        f"its task + run done {t_run - t_workers:.1f}, total {time.monotonic() - t0:.1f}"
    )
