"""``python -m apps`` shares the apps out among processes, and ``make synth`` skips work when no input changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apps.synthesis import BUILT_WITH_NODE
from apps.workers import JOBS_VARIABLE, jobs, share
from tests.conftest import ROOT

DIST = ROOT / "dist"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parallel_synthesis_writes_the_committed_dist_byte_for_byte(tmp_path: Path) -> None:
    # Two processes (this machine's CI has two CPUs): spawned workers, each with its own jsii.
    env = {**os.environ, "CDK8S_OUTDIR": str(tmp_path), JOBS_VARIABLE: "2", "CDK8S_CHECK_UPGRADE": "false"}
    done = subprocess.run([sys.executable, "-m", "apps"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _tree(tmp_path) == _tree(DIST)
    # Every file written is listed, manifests first, in the apps' order.
    listed = done.stdout.splitlines()
    assert listed[0] == str(tmp_path / "default" / "airflow.k8s.yaml")
    assert listed[-1] == str(tmp_path / "helm" / "index.yaml")


def test_this_process_takes_the_apps_from_the_front_the_apps_that_need_node_first() -> None:
    # The workers take theirs from the back: apps built without node (tests/test_detached.py), so a
    # worker's node (started on demand) may never start.
    taken: list[str] = []
    assert share(["a", "b", "c"], lambda name: taken.append(name) or name.upper(), []) == {"a": "A", "b": "B", "c": "C"}
    assert taken == ["a", "b", "c"]
    assert BUILT_WITH_NODE == ("celery", "ldap", "oauth")


@pytest.mark.parametrize(
    ("jobs", "first"),
    [("3", ""), ("9", ""), ("2", "import jsii\n")],
    ids=[
        "three processes, forked",
        "nine processes, forked: an app each, so forked workers start their own node (ldap, oauth)",
        "two processes, spawned (jsii imported first: no fork)",
    ],
)
def test_forked_and_spawned_workers_write_the_committed_dist_byte_for_byte(
    jobs: str, first: str, tmp_path: Path
) -> None:
    env = {**os.environ, "CDK8S_OUTDIR": str(tmp_path), JOBS_VARIABLE: jobs, "CDK8S_CHECK_UPGRADE": "false"}
    code = f"{first}import runpy\nrunpy.run_module('apps', run_name='__main__', alter_sys=True)\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _tree(tmp_path) == _tree(DIST)


@pytest.mark.parametrize("setting", ["0", "two", "-1", "1.5"])
def test_bad_jobs_setting_names_the_variable_value_and_what_is_allowed(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOBS_VARIABLE, setting)
    with pytest.raises(SystemExit) as exc:
        jobs()
    assert str(exc.value) == (f"AIRFLOW_CONSTRUCTS_JOBS={setting!r}: must be a whole number of processes, 1 or more")


def test_jobs_default_to_the_cpus_and_follow_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOBS_VARIABLE, raising=False)
    assert jobs() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(JOBS_VARIABLE, "3")
    assert jobs() == 3


def _dry_run(stamp: Path, *newer: str) -> str:
    """What `make synth` would run, given a stamp from a synth after every input, and ``newer`` changed."""
    now = time.time() + 3600
    os.utime(stamp, (now, now))
    what_if = [f"--what-if={path}" for path in newer]
    done = subprocess.run(
        ["make", "--dry-run", "synth", f"SYNTH_STAMP={stamp}", *what_if],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_synth_runs_nothing_when_no_input_changed(tmp_path: Path) -> None:
    stamp = tmp_path / "synth.stamp"
    stamp.touch()
    assert "cdk8s synth" not in _dry_run(stamp)


@pytest.mark.parametrize(
    "changed",
    [
        "airflow_constructs/airflow.py",
        "airflow_constructs/packaging/yaml_text.py",
        "apps/default.py",
        "examples/default.yaml",
        "CHANGELOG.md",
        "pyproject.toml",
        "dist/default/airflow.k8s.yaml",
        "dist/helm/index.yaml",
        "docs/reference.md",
    ],
)
def test_make_synth_runs_again_when_an_input_or_output_changed(changed: str, tmp_path: Path) -> None:
    stamp = tmp_path / "synth.stamp"
    stamp.touch()
    commands = _dry_run(stamp, changed)
    assert "cdk8s synth" in commands
    assert "-m apps.docs" in commands
