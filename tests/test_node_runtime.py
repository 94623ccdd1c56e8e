"""One line, once, instead of jsii's 12-line end-of-life banner (airflow_constructs/core/node_runtime.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_constructs.core.node_runtime import SILENCE, node_version, quiet_node_end_of_life_banner

ROOT = Path(__file__).resolve().parent.parent


def _fake_node(tmp_path: Path, version: str) -> dict[str, str]:
    node = tmp_path / "node"
    node.write_text(f"#!/bin/sh\necho {version}\n")
    node.chmod(0o755)
    return {"JSII_NODE": str(node)}


def test_end_of_life_node_gets_one_line_and_the_silencing_variable(tmp_path: Path) -> None:
    env, err = _fake_node(tmp_path, "v20.20.2"), io.StringIO()
    quiet_node_end_of_life_banner(env, err)
    assert env[SILENCE] == "20"
    assert err.getvalue() == (
        "airflow-constructs: Node.js v20.20.2 is end-of-life for jsii; install Node.js 24 (supported: 22, 24)\n"
    )
    quiet_node_end_of_life_banner(env, err)  # a second call (a child process) says nothing more
    assert err.getvalue().count("\n") == 1


@pytest.mark.parametrize("version", ["v22.11.0", "v24.1.0"])
def test_supported_node_is_left_alone(tmp_path: Path, version: str) -> None:
    env, err = _fake_node(tmp_path, version), io.StringIO()
    quiet_node_end_of_life_banner(env, err)
    assert SILENCE not in env and err.getvalue() == ""


def test_a_variable_already_set_is_respected(tmp_path: Path) -> None:
    env, err = {**_fake_node(tmp_path, "v18.0.0"), SILENCE: "18"}, io.StringIO()
    quiet_node_end_of_life_banner(env, err)
    assert env[SILENCE] == "18" and err.getvalue() == ""


def test_no_node_says_nothing(tmp_path: Path) -> None:
    env, err = {"JSII_NODE": str(tmp_path / "missing")}, io.StringIO()
    quiet_node_end_of_life_banner(env, err)
    assert SILENCE not in env and err.getvalue() == ""


def _expected_stderr() -> str:
    version = node_version(dict(os.environ))
    assert version, "node is needed by jsii"
    if int(version[1:].split(".")[0]) >= 22:
        return ""
    return f"airflow-constructs: Node.js {version} is end-of-life for jsii; install Node.js 24 (supported: 22, 24)\n"


def test_cli_prints_at_most_one_line_and_no_banner() -> None:
    env = {k: v for k, v in os.environ.items() if k != SILENCE}
    cli = [sys.executable, "-c", "from airflow_constructs.cli import main; raise SystemExit(main(['schema']))"]
    proc = subprocess.run(cli, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0
    assert proc.stderr == _expected_stderr()


def test_makefile_exports_what_the_script_prints() -> None:
    env = {k: v for k, v in os.environ.items() if k != SILENCE}
    script = [sys.executable, "airflow_constructs/core/node_runtime.py"]
    proc = subprocess.run(script, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    expected = _expected_stderr()
    assert proc.stderr == expected
    assert proc.stdout.strip() == (expected.split("Node.js v")[1].split(".")[0] if expected else "")
    assert "$(shell $(PYTHON) airflow_constructs/core/node_runtime.py)" in (ROOT / "Makefile").read_text()
