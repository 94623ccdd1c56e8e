"""Upgrades on real processes (issue 18): what an upgrade keeps, and what breaks the check.

Each scenario starts an earlier install (v1) on a fresh database, stores data in it, stops it, and
starts a later install (v2) on the same database and the namespace's Secrets as a cluster keeps them
(``upgrade.UpgradeHarness``: the bootstrap Job's own ``ensure()`` adds only missing keys). The
checks (``kept_problems``) name what was lost; every scenario has a self-test that breaks it on
purpose and expects the check to name the break.
"""

from __future__ import annotations

import base64
import copy
import os
import secrets
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App

from apps import default as default_app
from tests.e2e.harness import REPO, HarnessError, dags_folder
from tests.e2e.upgrade import SecretStore, UpgradeHarness

pytestmark = pytest.mark.e2e

DAG_ID = "e2e_smoke"
CONN_ID = "upgrade_check"
VARIABLE = "upgrade_check"
POOL = "upgrade_check"
POOL_SLOTS = 7
MIGRATE = "airflow-migrate"
GENERATED = "airflow-generated"


@dataclass
class Stored:
    """What v1 stored and what v1 looked like."""

    password: str
    variable: str
    run_id: str | None
    migrate_pods: dict[str, int | None]
    secrets: dict[str, dict[str, str]]


def synth(out: Path, build: Callable[..., Any] = default_app.build, **props: Any) -> Path:
    """An app synthesized with ``props`` (the example app's own build, as `python -m apps` does)."""
    app = App(outdir=str(out))
    build(app, **props)
    app.synth()
    return out


def store_data(h: UpgradeHarness, *, run: bool = True) -> Stored:
    """Through the REST API: a Connection with a password, a Variable, a Pool, a finished DAG run."""
    password, variable = secrets.token_urlsafe(24), secrets.token_urlsafe(12)
    conn = {"connection_id": CONN_ID, "conn_type": "postgres", "host": "db.example", "login": "u", "password": password}
    h.request("POST", "/api/v2/connections", conn)
    h.request("POST", "/api/v2/variables", {"key": VARIABLE, "value": variable})
    h.request("POST", "/api/v2/pools", {"name": POOL, "slots": POOL_SLOTS})
    run_id = None
    if run:
        result = h.run_dag(DAG_ID)
        assert result.state == "success"
        run_id = result.run_id
    assert connection_password(h) == password
    migrate = h.job_runs(MIGRATE)
    assert list(migrate.values()) == [0], migrate
    return Stored(password, variable, run_id, migrate, h.store.values())


def connection_password(h: UpgradeHarness) -> str:
    """The stored connection's password as the scheduler decrypts it (its env, its Fernet key)."""
    return h.python(
        "from airflow.models.connection import Connection\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as s:\n"
        f"    print(s.query(Connection).filter_by(conn_id={CONN_ID!r}).one().password)\n"
    )


def _get(h: UpgradeHarness, path: str) -> Any:
    try:
        return h.request("GET", path)
    except urllib.error.HTTPError as err:
        return {"error": f"{err.code} {err.read()[:200]!r}"}


def kept_problems(h: UpgradeHarness, before: Stored) -> list[str]:
    """What v2 lost of v1 (empty: nothing): the migration Job, the Secrets, the data."""
    problems = []
    migrate = h.job_runs(MIGRATE)
    if not migrate or set(migrate) & set(before.migrate_pods) or list(migrate.values()) != [0]:
        problems.append(f"migration Job: v1 ran {before.migrate_pods}, v2 ran {migrate} (want one new name, exit 0)")
    for name, values in before.secrets.items():
        changed = sorted(k for k, v in values.items() if h.store.values()[name].get(k) != v)
        if changed:
            problems.append(f"Secret {name}: keys {changed} changed")
    try:
        if connection_password(h) != before.password:
            problems.append(f"connection {CONN_ID}: password decrypts to another value")
    except HarnessError as err:
        problems.append(f"connection {CONN_ID}: password does not decrypt: {err.reason[-300:]}")
    variable = _get(h, f"/api/v2/variables/{VARIABLE}")
    if variable.get("value") != before.variable:
        problems.append(f"variable {VARIABLE}: {variable}")
    pool = _get(h, f"/api/v2/pools/{POOL}")
    if pool.get("slots") != POOL_SLOTS:
        problems.append(f"pool {POOL}: {pool}")
    if before.run_id is not None:
        runs = _get(h, f"/api/v2/dags/{DAG_ID}/dagRuns").get("dag_runs", [])
        if (before.run_id, "success") not in {(r["dag_run_id"], r["state"]) for r in runs}:
            problems.append(f"DAG run {before.run_id}: not listed as success ({runs})")
    return problems


def install_v1(tmp: Path, dist: Path, store: SecretStore, label: str, **kw: Any) -> Stored:
    with (
        dags_folder(tmp / label) as dags,
        UpgradeHarness(dist, dags=dags, label=label, store=store, keep_database=False, **kw) as h,
    ):
        h.start()
        return store_data(h)


# -- 1. config and replicas change, and its self-test -------------------------------------------


@pytest.fixture(scope="module")
def config_change(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SecretStore, Stored]:
    """v1 = dist/default with data; v2 = the default app with a config and a replicas change."""
    tmp = tmp_path_factory.mktemp("upgrade-config")
    store = SecretStore()
    before = install_v1(tmp, REPO / "dist" / "default", store, "upgrade-config-v1")
    v2 = synth(tmp / "v2", settings={"parallelism": 48}, scheduler={"replicas": 2}, api_server={"replicas": 3})
    return v2, store, before


def test_config_change_keeps_data_and_secrets(config_change: tuple[Path, SecretStore, Stored], tmp_path: Path) -> None:
    v2, store, before = config_change
    text = "\n".join(f.read_text() for f in sorted(v2.glob("*.k8s.yaml")))
    assert "parallelism = 48" in text and "replicas: 3" in text
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(v2, dags=dags, label="upgrade-config-v2", store=store, keep_database=True) as h,
    ):
        h.start()
        assert h.bootstrap_report == [f"{GENERATED}: all 5 keys present, nothing changed"]
        assert kept_problems(h, before) == []
        new_run = h.run_dag(DAG_ID)
        assert new_run.state == "success" and new_run.run_id != before.run_id


def test_config_change_selftest_changed_fernet_key(
    config_change: tuple[Path, SecretStore, Stored], tmp_path: Path
) -> None:
    """v2 with another Fernet key in the Secret: the check must say the connection no longer decrypts."""
    v2, store, before = config_change
    broken = copy.deepcopy(store)
    broken.put(GENERATED, "fernet-key", base64.urlsafe_b64encode(os.urandom(32)).decode())
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(v2, dags=dags, label="upgrade-config-broken", store=broken, keep_database=True) as h,
    ):
        h.start()
        problems = kept_problems(h, before)
    assert any(p.startswith(f"Secret {GENERATED}: keys ['fernet-key'] changed") for p in problems), problems
    assert any(p.startswith(f"connection {CONN_ID}: password does not decrypt") for p in problems), problems
