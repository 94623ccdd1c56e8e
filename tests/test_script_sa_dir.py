"""The in-cluster scripts read the service-account directory from AIRFLOW_CONSTRUCTS_SA_DIR when set."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "airflow_constructs" / "scripts"
MOUNTED = "/var/run/secrets/kubernetes.io/serviceaccount"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop(spec.name, None)
    return module


@pytest.mark.parametrize("name", ["bootstrap_secrets", "cleanup_pods"])
def test_default_is_the_mounted_token(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONSTRUCTS_SA_DIR", raising=False)
    assert _load(name).SA_DIR == MOUNTED


@pytest.mark.parametrize("name", ["bootstrap_secrets", "cleanup_pods"])
def test_env_override(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIRFLOW_CONSTRUCTS_SA_DIR", str(tmp_path))
    module = _load(name)
    assert str(tmp_path) == module.SA_DIR


def test_bootstrap_api_reads_the_overridden_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "namespace").write_text("airflow\n")
    (tmp_path / "token").write_text("tok\n")
    # Any PEM CA bundle makes the SSL context: the system's.
    (tmp_path / "ca.crt").write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text())
    monkeypatch.setenv("AIRFLOW_CONSTRUCTS_SA_DIR", str(tmp_path))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.delenv("KUBERNETES_SERVICE_PORT", raising=False)
    api = _load("bootstrap_secrets").Api()
    assert (api.namespace, api.token, api.server) == ("airflow", "tok", "https://127.0.0.1:443")
