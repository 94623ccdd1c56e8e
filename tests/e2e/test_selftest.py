"""The harness must be able to fail: broken copies of the default app's manifests are reported with
the component and the reason, and every process and temporary file is gone afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.harness import REPO, Harness, HarnessError, dags_folder

pytestmark = pytest.mark.e2e

DEFAULT = REPO / "dist" / "default"
Doc = dict[str, Any]


def containers(docs: list[Doc]) -> list[tuple[str, Doc]]:
    """(workload name, container) for every container of every workload."""
    out = []
    for d in docs:
        if d and d["kind"] in ("Deployment", "StatefulSet", "Job"):
            spec = d["spec"]["template"]["spec"]
            out += [(d["metadata"]["name"], c) for c in [*spec.get("initContainers", []), *spec["containers"]]]
    return out


def wrong_command(docs: list[Doc]) -> None:
    for workload, c in containers(docs):
        if workload == "airflow-scheduler" and c["name"] == "scheduler":
            c["args"] = ["schedulr"]


def missing_env_var(docs: list[Doc]) -> None:
    for _, c in containers(docs):
        c["env"] = [e for e in c.get("env", []) if e["name"] != "AIRFLOW_DB_PASSWORD"]


def wrong_execution_api_path(docs: list[Doc]) -> None:
    for _, c in containers(docs):
        for e in c.get("env", []):
            if e["name"] == "AIRFLOW__CORE__EXECUTION_API_SERVER_URL":
                e["value"] = e["value"].replace("/execution/", "/executions/")


def wrong_execution_api_host(docs: list[Doc]) -> None:
    for _, c in containers(docs):
        for e in c.get("env", []):
            if e["name"] == "AIRFLOW__CORE__EXECUTION_API_SERVER_URL":
                e["value"] = e["value"].replace("airflow-api-server.", "airflow-apiserver.")


def broken_copy(tmp_path: Path, mutate: Callable[[list[Doc]], None]) -> Path:
    target = tmp_path / "dist"
    target.mkdir()
    for f in sorted(DEFAULT.glob("*.k8s.yaml")):
        docs = list(yaml.safe_load_all(f.read_text()))
        mutate(docs)
        (target / f.name).write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return target


CASES = {
    # a typo in a component's command: that component exits at once
    "wrong-command": (
        wrong_command,
        r"^airflow-scheduler/scheduler$",
        r"exited with code 2.*invalid choice: 'schedulr'",
    ),
    # $(AIRFLOW_DB_PASSWORD) stays literal in the database URL: the migration Job fails first
    "missing-env-var": (
        missing_env_var,
        r"^airflow-migrate-\w+/migrate$",
        r"exited with code 1.*password authentication failed for user \"airflow\"",
    ),
    # everything starts; the task runner cannot talk to the execution API, so the task fails
    "wrong-execution-api-url": (
        wrong_execution_api_path,
        r"^airflow-scheduler/scheduler$",
        r"task hello is failed.*Workload execution failed.*ServerResponseError",
    ),
    # a Service that does not exist would not resolve: reported before anything starts
    "unknown-service-host": (
        wrong_execution_api_host,
        r"^airflow-migrate-\w+/migrate$",
        r"'airflow-apiserver\.airflow\.svc:8080' names no Service of this app",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_manifest_is_reported(case: str, tmp_path: Path) -> None:
    mutate, component, reason = CASES[case]
    dist = broken_copy(tmp_path, mutate)
    t0 = time.monotonic()
    with (
        dags_folder(tmp_path) as dags,
        Harness(dist, dags=dags, label=f"selftest-{case}") as h,
        pytest.raises(HarnessError) as caught,
    ):
        h.start()
        h.run_dag("e2e_smoke", timeout=180)
    print(f"\n[selftest {case}] reported after {time.monotonic() - t0:.1f} s: {str(caught.value)[:400]}")
    assert re.search(component, caught.value.component), caught.value
    assert re.search(reason, caught.value.reason, re.S), caught.value
    assert h.leftover_pids() == []
    assert h.workdir is not None and not h.workdir.exists()


def _processes_mentioning(text: str) -> list[int]:
    hits = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{pid}/environ", "rb") as fh:
                environ = fh.read()
        except OSError:
            continue
        if text.encode() in cmdline + environ:
            hits.append(int(pid))
    return hits


def test_ctrl_c_stops_everything() -> None:
    """SIGINT to the harness while components are starting: no process and no temp dir survives.
    It is started with SIGINT ignored, as a non-interactive shell starts background jobs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.harness", str(DEFAULT), "selftest-sigint"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    workdir = None
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if m := re.search(r"-> workdir (\S+)", line):
            workdir = m.group(1)
        if "wait-for-migrations" in line and "started" in line:
            break
    assert workdir is not None, "".join(lines)
    time.sleep(2)
    assert _processes_mentioning(workdir), "nothing was running yet"
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert _processes_mentioning(workdir) == [], "".join(lines) + rest
    assert not Path(workdir).exists()
