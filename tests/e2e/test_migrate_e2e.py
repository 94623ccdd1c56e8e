"""Moving a running install from the official chart to ours, on real processes (issue 23).

An official-shaped install (``official_shaped``: the official chart's Secret names, env and
airflow.cfg ConfigMap) starts on a fresh database, stores a connection with a password and finishes
a DAG run. ``airflow-constructs migrate`` converts the matching values file; our synthesized install
starts on the same database with the same Secret values. The connection still decrypts to the same
password (same Fernet key), the old run is listed, and a new run succeeds.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import yaml
from cdk8s import App

from airflow_constructs.cli import main
from airflow_constructs.config_file import build_chart, load_config
from tests.e2e import official_shaped
from tests.e2e.harness import Deps, Harness, dags_folder

pytestmark = pytest.mark.e2e

RELEASE = "prod"
DAG_ID = "e2e_smoke"
CONN_ID = "migrate_check"
DATABASE = "migrate_e2e"


class OfficialShaped(Harness):
    """The harness, told where the official-shaped api-server is and its test admin password.

    The official chart runs ``bash -c "exec airflow api-server"``, one argv word the harness's
    api-server lookup does not split, so the Service is named here.
    """

    @property
    def api_url(self) -> str:
        return self.service_url(f"{RELEASE}-api-server")

    def admin_credentials(self) -> tuple[str, str]:
        assert self.workdir is not None
        # The simple auth manager wrote it into the api-server pod's emptyDir ("auth").
        written = self.workdir / "pods" / f"{RELEASE}-api-server-0" / "volumes" / "auth" / "passwords.json"
        return "admin", json.loads(written.read_text())["admin"]


def _values(tmp: Path, version: str) -> Path:
    """The values file the official-shaped install corresponds to."""
    path = tmp / "values.yaml"
    path.write_text(
        f'defaultAirflowTag: "{version}"\nairflowVersion: "{version}"\nexecutor: LocalExecutor\n'
        "postgresql:\n  enabled: false\ndata:\n  metadataConnection:\n    host: db.example.internal\n"
        "    user: airflow\n    db: airflow\nredis:\n  enabled: false\nstatsd:\n  enabled: false\n"
        "config:\n  core:\n    load_examples: 'False'\n"
    )
    return path


def _old_secrets(deps: Deps) -> dict[str, dict[str, str]]:
    names = official_shaped.secret_names(RELEASE)
    url = f"postgresql://airflow:airflow@127.0.0.1:{deps.pg_port}/{DATABASE}"
    values = {
        "fernet": base64.urlsafe_b64encode(os.urandom(32)).decode(),  # a Fernet key
        "metadata": url,
        "api": secrets.token_urlsafe(32),
        "jwt": secrets.token_urlsafe(64),
    }
    return {name: {key: values[purpose]} for purpose, (name, key) in names.items()}


def _stored_password(h: Harness, deps: Deps) -> str:
    """The connection's password as an Airflow process of ``h`` decrypts it (its env, its Fernet key)."""
    scheduler = next(pod for pod in h.containers if "scheduler" in pod)
    container = next(c for c in h.containers[scheduler] if c.spec.name == "scheduler")
    code = (
        "from airflow.models.connection import Connection\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as s:\n"
        f"    print(s.query(Connection).filter_by(conn_id={CONN_ID!r}).one().password)\n"
    )
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


def test_official_install_moves_to_ours_with_its_data(tmp_path: Path) -> None:
    deps = Deps.from_setup_script()
    version = deps.airflow_version()
    deps.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    deps.psql(f'CREATE DATABASE "{DATABASE}" OWNER airflow')
    old_dir = tmp_path / "official"
    old_dir.mkdir()
    docs = official_shaped.manifests(RELEASE, f"apache/airflow:{version}")
    (old_dir / "official.k8s.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=True))
    old_secrets = _old_secrets(deps)
    password = secrets.token_urlsafe(24)

    with dags_folder(tmp_path / "old") as dags, OfficialShaped(old_dir, dags=dags, label="official") as old:
        old.secrets.update(old_secrets)
        old.start()
        old.request(
            "POST",
            "/api/v2/connections",
            {
                "connection_id": CONN_ID,
                "conn_type": "postgres",
                "host": "db.example",
                "login": "u",
                "password": password,
            },
        )
        old_run = old.run_dag(DAG_ID)
        assert old_run.state == "success"
        assert _stored_password(old, deps) == password

    config_path = tmp_path / "airflow.yaml"
    assert main(["migrate", str(_values(tmp_path, version)), "-o", str(config_path), "--release", RELEASE]) == 0
    config_text = config_path.read_text()
    assert all(value not in config_text for secret in old_secrets.values() for value in secret.values())
    ours_dir = tmp_path / "ours"
    app = App(outdir=str(ours_dir))
    build_chart(app, load_config(config_path))
    app.synth()

    with dags_folder(tmp_path / "new") as dags, Harness(ours_dir, dags=dags, label="migrated") as ours:
        # The old release's Secrets stay in the namespace: ours reads them by name.
        ours.secrets.update(old_secrets)
        ours.start()
        assert _stored_password(ours, deps) == password
        runs = ours.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"]
        assert {(r["dag_run_id"], r["state"]) for r in runs} >= {(old_run.run_id, "success")}
        new_run = ours.run_dag(DAG_ID)
        assert new_run.state == "success" and new_run.run_id != old_run.run_id
        quoted = urllib.parse.quote(CONN_ID)
        assert ours.request("GET", f"/api/v2/connections/{quoted}")["login"] == "u"
