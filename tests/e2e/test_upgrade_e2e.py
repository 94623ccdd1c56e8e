"""Upgrades on real processes (issue 18): what an upgrade keeps, and what breaks the check.

Each scenario starts an earlier install (v1) on a fresh database, stores data in it, stops it, and
starts a later install (v2) on the same database and the namespace's Secrets as a cluster keeps them
(``upgrade.UpgradeHarness``: the bootstrap Job's own ``ensure()`` adds only missing keys). The
checks (``kept_problems``) name what was lost; every scenario has a self-test that breaks it on
purpose and expects the check to name the break.

What keeps it short enough for ``make e2e``: a self-test starts the Jobs and the api-server alone
(``start_jobs()`` + ``start_api_server()``: its checks read through the REST API and the ORM); the
Airflow 2.11 install is made once and kept as a database snapshot, from which scenario 3, its
self-test and scenario 5 each start; scenario 5 stops at the api-server, since scenario 3 proves
that every component starts and runs a DAG after the same 2 -> 3 migration.
"""

from __future__ import annotations

import base64
import copy
import os
import secrets
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App

from apps import default as default_app
from tests.e2e.harness import REPO, Deps, HarnessError, dags_folder
from tests.e2e.upgrade import (
    Interrupted,
    InterruptibleHarness,
    SecretStore,
    UpgradeHarness,
    drop_snapshot,
    run_backup,
    snapshot_database,
    waiting_problems,
)

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


def kept_problems(h: UpgradeHarness, before: Stored, *, new_job: bool = True) -> list[str]:
    """What v2 lost of v1 (empty: nothing): the migration Job (under a new name unless the manifests
    are the same: ``new_job=False``), the Secrets, the data."""
    problems = []
    migrate = h.job_runs(MIGRATE)
    renamed = not set(migrate) & set(before.migrate_pods) if new_job else set(migrate) == set(before.migrate_pods)
    if not renamed or list(migrate.values()) != [0]:
        problems.append(f"migration Job: v1 ran {before.migrate_pods}, v2 ran {migrate} (want one run, exit 0)")
    for name, values in before.secrets.items():
        changed = sorted(k for k, v in values.items() if h.store.values()[name].get(k) != v)
        if changed:
            problems.append(f"Secret {name}: keys {changed} changed")
    try:
        if connection_password(h) != before.password:
            problems.append(f"connection {CONN_ID}: password decrypts to another value")
    except HarnessError as err:
        problems.append(f"connection {CONN_ID}: password not read back: {err.reason[-300:]}")
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
        h.start_jobs()
        h.start_api_server()
        problems = kept_problems(h, before)
    assert any(p.startswith(f"Secret {GENERATED}: keys ['fernet-key'] changed") for p in problems), problems
    assert any(p.startswith(f"connection {CONN_ID}: password not read back") for p in problems), problems


# -- 3. Airflow 2.11 -> 3.x, and its self-test ---------------------------------------------------

STORE_ORM = """
from airflow.models import Connection, Pool, Variable
from airflow.utils.session import create_session
with create_session() as s:
    s.add(Connection(conn_id={conn!r}, conn_type="postgres", host="db.example", login="u", password={password!r}))
    s.add(Pool(pool={pool!r}, slots={slots}, description="", include_deferred=False))
Variable.set({variable!r}, {value!r})
print("stored")
"""


AIRFLOW2_SNAPSHOT = "upgrade_airflow2_v1"


def install_airflow2(tmp: Path, store: SecretStore, label: str, snapshot: str) -> Stored:
    """v1 = dist/airflow2 on Airflow 2.11 (its own venv): its Jobs (the migration, the FAB admin user)
    make the 2.11 schema; a Connection, a Variable and a Pool are stored through the 2.11 ORM in the
    scheduler container's environment (its Secrets, its airflow.cfg). Its webserver starts under its
    read-only root (``webserver_config.py`` from the ConfigMap, the pid file in ``/tmp``) and reports
    the metadatabase healthy.

    The other components are not started: the 2.11 scheduler's LocalExecutor exits under the harness,
    so v1 has no DAG run (the test DAG is written for Airflow 3 anyway).

    Its database is kept as ``snapshot`` once it has stopped: every later install starts on a copy."""
    password, variable = secrets.token_urlsafe(24), secrets.token_urlsafe(12)
    with (
        dags_folder(tmp / label) as dags,
        UpgradeHarness(
            REPO / "dist" / "airflow2", dags=dags, label=label, store=store, keep_database=False, venv="2.11.0"
        ) as h,
    ):
        h.start_jobs()
        code = STORE_ORM.format(
            conn=CONN_ID, password=password, pool=POOL, slots=POOL_SLOTS, variable=VARIABLE, value=variable
        )
        assert h.python(code) == "stored"
        assert connection_password(h) == password
        assert h.python("import airflow; print(airflow.__version__)") == "2.11.0"
        h.start_api_server()
        assert h.request("GET", "/health", auth=False)["metadatabase"] == {"status": "healthy"}
        migrate = h.job_runs(MIGRATE)
        assert list(migrate.values()) == [0], migrate
        db = h.database_name
    snapshot_database(h.deps, db, snapshot)
    return Stored(password, variable, None, migrate, store.values())


@pytest.fixture(scope="module")
def major_upgrade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SecretStore, Stored]]:
    """One Airflow 2.11 install for scenario 3, its self-test and scenario 5, each on a copy of its
    database and of its Secrets."""
    store = SecretStore()
    tmp = tmp_path_factory.mktemp("upgrade-major")
    yield store, install_airflow2(tmp, store, "upgrade-major-v1", AIRFLOW2_SNAPSHOT)
    drop_snapshot(Deps.from_setup_script(), AIRFLOW2_SNAPSHOT)


def test_major_upgrade_keeps_secrets_and_data(major_upgrade: tuple[SecretStore, Stored], tmp_path: Path) -> None:
    kept, before = major_upgrade
    store = copy.deepcopy(kept)
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(
            REPO / "dist" / "default",
            dags=dags,
            label="upgrade-major-v2",
            store=store,
            keep_database=True,
            from_snapshot=AIRFLOW2_SNAPSHOT,
        ) as h,
    ):
        h.start()
        # The bootstrap Job's ensure() adds what Airflow 3 needs and keeps every key 2.11 had.
        assert h.bootstrap_report == [f"{GENERATED}: added missing keys ['admin-passwords', 'jwt-secret']"]
        assert kept_problems(h, before) == []
        migrate = next(p for p in h.procs if p.spec.pod.startswith(f"{MIGRATE}-"))
        ran = [line for line in migrate.output() if "Running upgrade" in line]
        assert ran, migrate.tail()
        new_run = h.run_dag(DAG_ID)
        assert new_run.state == "success"


def test_major_upgrade_selftest_lost_fernet_key(major_upgrade: tuple[SecretStore, Stored], tmp_path: Path) -> None:
    """The 2.11 install's Secret lost its Fernet key before v2: the bootstrap makes a new one, the
    check must say so."""
    store, before = major_upgrade
    broken = copy.deepcopy(store)
    del broken.data[GENERATED]["fernet-key"]
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(
            REPO / "dist" / "default",
            dags=dags,
            label="upgrade-major-broken",
            store=broken,
            keep_database=True,
            from_snapshot=AIRFLOW2_SNAPSHOT,
        ) as h,
    ):
        h.start_jobs()
        h.start_api_server()
        # The 2.11 install's Secret without its Fernet key: the two keys Airflow 3 needs and a new Fernet key.
        assert h.bootstrap_report == [
            f"{GENERATED}: added missing keys ['admin-passwords', 'fernet-key', 'jwt-secret']"
        ]
        problems = kept_problems(h, before)
    assert any(p.startswith(f"Secret {GENERATED}: keys ['fernet-key'] changed") for p in problems), problems
    assert any(p.startswith(f"connection {CONN_ID}: password not read back") for p in problems), problems


# -- 2. one patch release up, and its self-test --------------------------------------------------

FROM_PATCH = "3.3.1"


@pytest.fixture(scope="module")
def minor_upgrade(tmp_path_factory: pytest.TempPathFactory) -> tuple[SecretStore, Stored]:
    """v1 = the default app with ``image.tag`` one patch release back, on that version's venv."""
    tmp = tmp_path_factory.mktemp("upgrade-minor")
    v1 = synth(tmp / "v1-dist", image={"tag": FROM_PATCH})
    store = SecretStore()
    before = install_v1(tmp, v1, store, "upgrade-minor-v1", venv=FROM_PATCH)
    return store, before


def test_minor_upgrade_keeps_data(minor_upgrade: tuple[SecretStore, Stored], tmp_path: Path) -> None:
    store, before = minor_upgrade
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(
            REPO / "dist" / "default", dags=dags, label="upgrade-minor-v2", store=store, keep_database=True
        ) as h,
    ):
        h.start()
        assert h.python("import airflow; print(airflow.__version__)") == h.deps.airflow_version() != FROM_PATCH
        assert h.bootstrap_report == [f"{GENERATED}: all 5 keys present, nothing changed"]
        assert kept_problems(h, before) == []
        new_run = h.run_dag(DAG_ID)
        assert new_run.state == "success" and new_run.run_id != before.run_id


def test_minor_upgrade_selftest_database_lost(minor_upgrade: tuple[SecretStore, Stored], tmp_path: Path) -> None:
    """v2 on a new, empty database (the volume lost): the check must miss the data."""
    store, before = minor_upgrade
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(
            REPO / "dist" / "default", dags=dags, label="upgrade-minor-broken", store=store, keep_database=False
        ) as h,
    ):
        h.start_jobs()
        h.start_api_server()
        problems = kept_problems(h, before)
    assert any(p.startswith(f"connection {CONN_ID}: password not read back") for p in problems), problems
    assert any(p.startswith(f"variable {VARIABLE}:") for p in problems), problems
    assert any(p.startswith(f"DAG run {before.run_id}:") for p in problems), problems


# -- 4. embedded PostgreSQL backup and restore, and its self-test --------------------------------


@dataclass
class WrongPassword:
    """The backup CronJob's command run with a wrong PGPASSWORD: what it did."""

    error: str  # run_backup's HarnessError ("" when it exited 0)
    left: list[str]  # the files it left in its (empty) backup folder


@pytest.fixture(scope="module")
def backup_taken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SecretStore, Stored, Path, WrongPassword]:
    """v1 = the default app with ``backup.enabled``: data stored, then the backup CronJob's command run;
    then run again with a wrong password in the Secret (into another, empty folder)."""
    tmp = tmp_path_factory.mktemp("upgrade-backup")
    dist = synth(tmp / "dist", backup={"enabled": True})
    store = SecretStore()
    with (
        dags_folder(tmp / "v1") as dags,
        UpgradeHarness(dist, dags=dags, label="upgrade-backup-v1", store=store, keep_database=False) as h,
    ):
        h.start()
        before = store_data(h)
        # While the install runs, as the CronJob would.
        dump = run_backup(dist, store, h.deps, tmp / "backups")
        wrong = copy.deepcopy(store)
        wrong.put(*h.database_secret, secrets.token_urlsafe(16))
        try:
            run_backup(dist, wrong, h.deps, tmp / "backups-wrong-password")
            error = ""
        except HarnessError as err:
            error = err.reason
        left = sorted(p.name for p in (tmp / "backups-wrong-password").iterdir())
    return dist, store, before, dump, WrongPassword(error, left)


def test_backup_restores_into_a_fresh_install(
    backup_taken: tuple[Path, SecretStore, Stored, Path, WrongPassword], tmp_path: Path
) -> None:
    """A new, empty database (the volume gone; the generated Secret kept, as ``helm uninstall`` keeps
    it), the dump loaded before the migration Job runs (docs/upgrade.md): the data is back."""
    dist, store, before, dump, _ = backup_taken
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(dist, dags=dags, label="upgrade-restore", store=store, keep_database=False, restore=dump) as h,
    ):
        h.start()
        assert kept_problems(h, before, new_job=False) == []
        new_run = h.run_dag(DAG_ID)
        assert new_run.state == "success" and new_run.run_id != before.run_id


def test_backup_selftest_no_restore(
    backup_taken: tuple[Path, SecretStore, Stored, Path, WrongPassword], tmp_path: Path
) -> None:
    """The same fresh install without the restore step: the check must miss the earlier data."""
    dist, store, before, _, _ = backup_taken
    with (
        dags_folder(tmp_path) as dags,
        UpgradeHarness(dist, dags=dags, label="upgrade-restore-broken", store=store, keep_database=False) as h,
    ):
        h.start_jobs()
        h.start_api_server()
        problems = kept_problems(h, before, new_job=False)
    assert any(p.startswith(f"DAG run {before.run_id}:") for p in problems), problems
    assert any(p.startswith(f"pool {POOL}:") for p in problems), problems


def test_backup_selftest_wrong_password_fails_the_job(
    backup_taken: tuple[Path, SecretStore, Stored, Path, WrongPassword],
) -> None:
    """PGPASSWORD no longer the role's: pg_dump is refused, and the CronJob's command must exit non-zero
    (a failed Job) leaving nothing in the folder, not even the partial file."""
    *_, wrong = backup_taken
    assert wrong.error.startswith("exited "), wrong
    assert "password authentication failed" in wrong.error, wrong
    assert wrong.left == [], wrong


# -- 5. the migration killed halfway, and its self-test ------------------------------------------


@pytest.fixture(scope="module")
def interrupted(
    major_upgrade: tuple[SecretStore, Stored], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Interrupted, list[str]]:
    """v1 on Airflow 2.11 (scenario 3's, a copy of its database and Secrets); v2 (dist/default) whose
    migration process is killed (SIGKILL) after three revisions of the 2 -> 3 migration; the
    components' wait-for-migrations run; the Job re-runs; the other Jobs and the api-server start and
    the check runs. Every component starting and a DAG run after this migration: scenario 3."""
    kept, before = major_upgrade
    store = copy.deepcopy(kept)
    with (
        dags_folder(tmp_path_factory.mktemp("upgrade-interrupted") / "v2") as dags,
        InterruptibleHarness(
            REPO / "dist" / "default",
            dags=dags,
            label="upgrade-interrupted-v2",
            store=store,
            keep_database=True,
            from_snapshot=AIRFLOW2_SNAPSHOT,
        ) as h,
    ):
        seen = h.start_interrupted(kill_after=3, settle=30)
        h.start_rest(api_server_only=True)
        problems = kept_problems(h, before)
    return seen, problems


def test_interrupted_migration_components_wait_and_rerun_completes(interrupted: tuple[Interrupted, list[str]]) -> None:
    seen, problems = interrupted
    # SIGKILL lands after the third revision's line, and alembic may log a few more in the meantime; the
    # Job's exit codes below (-9, then 0) and the waiters still waiting prove it stopped halfway.
    assert len(seen.killed_after) >= 3, seen.killed_after
    assert waiting_problems(seen.waiting) == []
    assert set(seen.waiting) >= {"airflow-api-server/wait-for-migrations", "airflow-scheduler/wait-for-migrations"}
    assert seen.mains_started_while_waiting == []
    assert seen.rerun == [-9, 0]
    assert set(seen.waiting_after_rerun.values()) == {0}
    assert problems == []


def test_interrupted_migration_selftest_check_after_completion(interrupted: tuple[Interrupted, list[str]]) -> None:
    """The same check once the migration is complete: every waiter has exited, and the check says so."""
    seen, _ = interrupted
    problems = waiting_problems(seen.waiting_after_rerun)
    assert len(problems) == len(seen.waiting) and all("exited with 0 instead of waiting" in p for p in problems)
