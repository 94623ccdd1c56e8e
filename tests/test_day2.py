"""DAG delivery, logs and database operations: git-sync, bundles, PVCs, remote logs, groomer, DB TLS,
MySQL, PgBouncer, db clean, backups, pools, connections/variables, secrets backend, extra packages."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import (
    Airflow,
    DatabaseTls,
    ExternalDatabase,
    GitBundleDags,
    GitHttpsAuth,
    GitSshAuth,
    GitSyncDags,
    PropsError,
    PvcDags,
    SecretRef,
)
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart, synth_with_external

SSH = GitSyncDags(
    repo="git@github.com:acme/dags.git",
    subdir="dags",
    ssh=GitSshAuth(private_key=SecretRef("git", "key"), known_hosts=SecretRef("git", "known_hosts")),
)
PARTS_DB = ExternalDatabase(host="pg.internal", user="airflow", database="airflow", password=SecretRef("pg", "pw"))


def pod(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    return find(manifests, kind, name)["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def names(containers: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in containers]


def cfg(manifests: list[Manifest]) -> str:
    return str(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])


def all_pass(manifests: list[Manifest], external: set[str] | None = None) -> None:
    assert conformance.run(manifests, external=external or set()) == {}


# -- DAG delivery ---------------------------------------------------------------------------------


def test_git_sync_over_ssh_in_every_pod_that_reads_dags() -> None:
    manifests, external = synth_with_external(lambda c: Airflow(c, "airflow", dags=SSH))
    for kind, name in [
        ("Deployment", "airflow-dag-processor"),
        ("StatefulSet", "airflow-triggerer"),
        ("Deployment", "airflow-scheduler"),
    ]:
        spec = pod(manifests, kind, name)
        assert names(spec["initContainers"])[0] == "git-sync-init"
        assert "git-sync" in names(spec["containers"])
        main = spec["containers"][0]
        assert {"mountPath": "/opt/airflow/dags", "name": "dags", "readOnly": True} in main["volumeMounts"]
    api = pod(manifests, "Deployment", "airflow-api-server")
    assert "git-sync" not in names(api["containers"])
    assert not [v for v in api["volumes"] if v["name"] == "dags"]
    spec = pod(manifests, "Deployment", "airflow-dag-processor")
    sidecar = next(c for c in spec["containers"] if c["name"] == "git-sync")
    init = spec["initContainers"][0]
    assert sidecar["image"] == "registry.k8s.io/git-sync/git-sync:v4.4.2"
    assert env_of(sidecar) == {
        "GITSYNC_LINK": "repo",
        "GITSYNC_PERIOD": "60s",
        "GITSYNC_REF": "main",
        "GITSYNC_REPO": "git@github.com:acme/dags.git",
        "GITSYNC_ROOT": "/git",
        "GITSYNC_SSH": "true",
        "GITSYNC_SSH_KEY_FILE": "/etc/git-secret/ssh",
        "GITSYNC_SSH_KNOWN_HOSTS": "true",
        "GITSYNC_SSH_KNOWN_HOSTS_FILE": "/etc/git-secret/known_hosts",
    }
    assert env_of(init)["GITSYNC_ONE_TIME"] == "true"
    assert sidecar["securityContext"]["runAsUser"] == 65533
    assert sidecar["resources"]["limits"] == {"cpu": "200m", "memory": "256Mi"}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["git-ssh-key"]["secret"]["items"] == [{"key": "key", "mode": 0o400, "path": "ssh"}]
    assert volumes["git-known-hosts"]["secret"]["items"] == [{"key": "known_hosts", "path": "known_hosts"}]
    assert "dags_folder = /opt/airflow/dags/repo/dags\n" in cfg(manifests)
    all_pass(manifests, external)


def test_git_sync_https_token_and_kubernetes_pod_template_syncs_once() -> None:
    dags = GitSyncDags(repo="https://github.com/acme/dags.git", https=GitHttpsAuth(token=SecretRef("git", "token")))
    manifests = synth_chart(lambda c: Airflow(c, "airflow", dags=dags, executor={"kind": "KubernetesExecutor"}))
    import yaml

    template = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    assert names(template["spec"]["initContainers"]) == ["git-sync-init"]
    assert names(template["spec"]["containers"]) == ["base"]
    init = template["spec"]["initContainers"][0]
    assert env_of(init)["GITSYNC_PASSWORD_FILE"] == "/etc/git-secret/token"
    assert env_of(init)["GITSYNC_USERNAME"] == "git"
    # LocalExecutor is not among the executors: the scheduler does not read DAG files.
    assert "git-sync" not in names(pod(manifests, "Deployment", "airflow-scheduler")["containers"])


def test_dag_bundle() -> None:
    dags = GitBundleDags(tracking_ref="release", subdir="dags", connection=SecretRef("git", "conn"))
    manifests = synth_chart(lambda c: Airflow(c, "airflow", dags=dags))
    text = cfg(manifests)
    bundle = json.loads(text.split("dag_bundle_config_list = ")[1].splitlines()[0])
    assert bundle == [
        {
            "classpath": "airflow.providers.git.bundles.git.GitDagBundle",
            "kwargs": {"git_conn_id": "git_dags", "refresh_interval": 300, "subdir": "dags", "tracking_ref": "release"},
            "name": "dags",
        }
    ]
    env = env_of(pod(manifests, "Deployment", "airflow-dag-processor")["containers"][0])
    assert env["AIRFLOW_CONN_GIT_DAGS"] == {"secretKeyRef": {"key": "conn", "name": "git"}}
    assert not [m for m in manifests if "git-sync" in str(m)]


def test_dags_from_existing_and_created_claims() -> None:
    existing = synth_chart(lambda c: Airflow(c, "airflow", dags=PvcDags(existing_claim="team-dags")))
    vol = next(v for v in pod(existing, "Deployment", "airflow-dag-processor")["volumes"] if v["name"] == "dags")
    assert vol == {"name": "dags", "persistentVolumeClaim": {"claimName": "team-dags", "readOnly": True}}
    assert not [m for m in existing if m["kind"] == "PersistentVolumeClaim"]
    created = synth_chart(lambda c: Airflow(c, "airflow", dags=PvcDags(storage_class="nfs", storage_size="2Gi")))
    claim = find(created, "PersistentVolumeClaim", "airflow-dags")
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "2Gi"}},
        "storageClassName": "nfs",
    }


def test_baked_dags_need_no_volume(default_app: list[Manifest]) -> None:
    assert "dags_folder = /opt/airflow/dags\n" in cfg(default_app)
    assert not [v for v in pod(default_app, "Deployment", "airflow-dag-processor")["volumes"] if v["name"] == "dags"]


# -- logs ---------------------------------------------------------------------------------------


def test_logs_pvc_shared_by_writers_and_api_server() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", logs={"volume": {"storage_class": "efs"}}))
    claim = find(manifests, "PersistentVolumeClaim", "airflow-logs")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for kind, name in [
        ("Deployment", "airflow-api-server"),
        ("Deployment", "airflow-scheduler"),
        ("StatefulSet", "airflow-triggerer"),
        ("Deployment", "airflow-dag-processor"),
    ]:
        logs = next(v for v in pod(manifests, kind, name)["volumes"] if v["name"] == "logs")
        assert logs == {"name": "logs", "persistentVolumeClaim": {"claimName": "airflow-logs"}}


def test_log_groomer_default_and_off(default_app: list[Manifest]) -> None:
    groomer = pod(default_app, "Deployment", "airflow-scheduler")["containers"][1]
    assert groomer["name"] == "log-groomer"
    assert groomer["command"][:2] == ["bash", "-c"]
    assert "-mtime +15 -delete" in groomer["command"][2] and "trap 'exit 0' TERM" in groomer["command"][2]
    assert "log-groomer" not in names(pod(default_app, "Deployment", "airflow-api-server")["containers"])
    off = synth_chart(lambda c: Airflow(c, "airflow", logs={"retention_days": None}))
    assert names(pod(off, "Deployment", "airflow-scheduler")["containers"]) == ["scheduler"]


def test_remote_logging_s3() -> None:
    remote = {"kind": "s3", "base_folder": "s3://acme-logs/airflow", "connection": SecretRef("aws", "conn")}
    manifests = synth_chart(lambda c: Airflow(c, "airflow", logs={"remote": remote}))
    assert ("[logging]\nbase_log_folder = /opt/airflow/logs\n") in cfg(manifests)
    text = cfg(manifests)
    assert "remote_base_log_folder = s3://acme-logs/airflow\n" in text
    assert "remote_log_conn_id = airflow_remote_logs\n" in text and "remote_logging = True\n" in text
    env = env_of(pod(manifests, "Deployment", "airflow-scheduler")["containers"][0])
    assert env["AIRFLOW_CONN_AIRFLOW_REMOTE_LOGS"] == {"secretKeyRef": {"key": "conn", "name": "aws"}}


# -- database ---------------------------------------------------------------------------------


def test_external_postgres_tls_verify_full() -> None:
    tls = DatabaseTls(
        ca=SecretRef("pg", "ca.crt"),
        client_cert=SecretRef("pg-client", "tls.crt"),
        client_key=SecretRef("pg-client", "tls.key"),
    )
    db = PARTS_DB.model_copy(update={"tls": tls})
    manifests = synth_chart(lambda c: Airflow(c, "airflow", database=db))
    spec = pod(manifests, "Deployment", "airflow-scheduler")
    main = spec["containers"][0]
    assert env_of(main)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@pg.internal:5432/airflow?sslmode=verify-full"
        "&sslrootcert=/opt/airflow/db-tls/ca.crt&sslcert=/opt/airflow/db-tls/tls.crt&sslkey=/opt/airflow/db-tls/tls.key"
    )
    # One projected directory, no subPath: Kubernetes refreshes it when the Secrets change.
    assert {"mountPath": "/opt/airflow/db-tls", "name": "db-tls", "readOnly": True} in main["volumeMounts"]
    assert {v["name"]: v for v in spec["volumes"]}["db-tls"]["projected"] == {
        "defaultMode": 0o440,
        "sources": [
            {"secret": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "pg"}},
            {"secret": {"items": [{"key": "tls.crt", "path": "tls.crt"}], "name": "pg-client"}},
            {"secret": {"items": [{"key": "tls.key", "path": "tls.key"}], "name": "pg-client"}},
        ],
    }


def test_external_mysql() -> None:
    db = ExternalDatabase(
        dialect="mysql",
        host="mysql.internal",
        user="airflow",
        database="airflow",
        password=SecretRef("my", "pw"),
        tls=DatabaseTls(mode="require"),
    )
    manifests = synth_chart(lambda c: Airflow(c, "airflow", database=db))
    spec = pod(manifests, "Deployment", "airflow-scheduler")
    env = env_of(spec["containers"][0])
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "mysql+mysqldb://airflow:$(AIRFLOW_DB_PASSWORD)@mysql.internal:3306/airflow?ssl_mode=REQUIRED"
    )
    assert "db-tls" not in {v["name"] for v in spec["volumes"]}  # no file to mount


def test_pgbouncer(app_manifests: dict[str, list[Manifest]], app_external: dict[str, set[str]]) -> None:
    manifests = app_manifests["production"]
    ini = find(manifests, "ConfigMap", "airflow-pgbouncer")["data"]["pgbouncer.ini"]
    assert "airflow = host=airflow-db.prod.internal port=5432 dbname=airflow\n" in ini
    assert "server_tls_sslmode = verify-full\n" in ini and "password" not in ini.replace("auth_file", "")
    spec = pod(manifests, "Deployment", "airflow-pgbouncer")
    assert spec["initContainers"][0]["command"][:2] == ["sh", "-c"]
    assert env_of(spec["initContainers"][0])["DB_PASSWORD"] == {
        "secretKeyRef": {"key": "password", "name": "airflow-db"}
    }
    assert names(spec["containers"]) == ["pgbouncer", "metrics-exporter"]
    assert spec["securityContext"]["runAsUser"] == 65534
    through = env_of(pod(manifests, "Deployment", "airflow-scheduler")["containers"][0])
    assert through["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@airflow-pgbouncer.airflow.svc:6432/airflow"
    )
    migrate = find_prefix(manifests, "Job", "airflow-migrate-")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(migrate)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith(
        "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@airflow-db.prod.internal:5432/airflow?sslmode=verify-full"
    )
    assert find(manifests, "Service", "airflow-pgbouncer")["spec"]["ports"][0]["port"] == 6432
    all_pass(manifests, app_external["production"])


def test_db_clean_cronjob(default_app: list[Manifest]) -> None:
    cron = find(default_app, "CronJob", "airflow-db-clean")
    assert cron["spec"]["schedule"] == "0 3 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["successfulJobsHistoryLimit"] == 1 and cron["spec"]["failedJobsHistoryLimit"] == 1
    c = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert c["command"] == [
        "bash",
        "-c",
        (
            'cutoff="$(date -u -d "90 days ago" +%Y-%m-%dT%H:%M:%S+00:00)" && '
            'exec airflow db clean --clean-before-timestamp "$cutoff" --yes --skip-archive'
        ),
    ]
    assert "args" not in c


def test_backup_of_embedded_postgres() -> None:
    manifests = synth_chart(lambda c: Airflow(c, "airflow", backup={"enabled": True, "keep": 3}))
    cron = find(manifests, "CronJob", "airflow-postgres-backup")
    c = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "postgres:17.6-bookworm"
    assert c["command"] == [
        "bash",
        "-c",
        'set -eu; f="/backups/airflow-$(date -u +%Y%m%dT%H%M%SZ).dump"; '
        """trap 'rm -f -- "$f.partial"' EXIT; """
        "pg_dump --host=airflow-postgres.airflow.svc --port=5432 --username=airflow --dbname=airflow "
        '--format=custom --file="$f.partial"; mv -- "$f.partial" "$f"; '
        "ls -1t /backups/*.dump | tail -n +4 | xargs -r rm --",
    ]
    assert env_of(c)["PGPASSWORD"] == {"secretKeyRef": {"key": "postgres-password", "name": "airflow-generated"}}
    find(manifests, "PersistentVolumeClaim", "airflow-postgres-backup")
    all_pass(manifests)


def _run_backup_script(command: list[str], tmp_path: Path, pg_dump_exit: int) -> subprocess.CompletedProcess[str]:
    """The CronJob's ``bash -c`` script as written, ``/backups`` a temp dir, ``pg_dump`` a stand-in that
    writes part of a file, then exits with ``pg_dump_exit`` (as pg_dump does on a refused password)."""
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    writes = 'for a; do case "$a" in --file=*) echo PGDMP > "${a#--file=}";; esac; done'
    fake.write_text(f"#!/bin/sh\n{writes}\nexit {pg_dump_exit}\n")
    fake.chmod(0o755)
    script = command[2].replace("/backups", str(tmp_path / "backups"))
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([*command[:2], script], env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("pg_dump_exit", [0, 1])
def test_backup_fails_when_pg_dump_fails(tmp_path: Path, pg_dump_exit: int) -> None:
    """A failed pg_dump fails the Job with its exit code, leaves no partial file and prunes nothing; a
    good one is renamed to ``.dump`` and the newest ``keep`` are kept."""
    manifests = synth_chart(lambda c: Airflow(c, "airflow", backup={"enabled": True, "keep": 2}))
    cron = find(manifests, "CronJob", "airflow-postgres-backup")
    command = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]
    backups = tmp_path / "backups"
    backups.mkdir()
    for i, stamp in enumerate(["20260101T000000Z", "20260102T000000Z"]):
        (backups / f"airflow-{stamp}.dump").write_text("old")
        os.utime(backups / f"airflow-{stamp}.dump", (1_700_000_000 + i, 1_700_000_000 + i))
    done = _run_backup_script(command, tmp_path, pg_dump_exit)
    names = sorted(p.name for p in backups.iterdir())
    if pg_dump_exit:
        assert done.returncode == pg_dump_exit, done
        assert names == ["airflow-20260101T000000Z.dump", "airflow-20260102T000000Z.dump"]
    else:
        assert done.returncode == 0, done
        assert len(names) == 2 and names[0] == "airflow-20260102T000000Z.dump", names
        assert (backups / names[1]).read_text() == "PGDMP\n"


def test_pools_job_reruns_when_pools_change() -> None:
    def build(slots: int) -> list[Manifest]:
        return synth_chart(lambda c: Airflow(c, "airflow", pools=[{"name": "warehouse", "slots": slots}]))

    a, b = build(4), build(8)
    job_a, job_b = find_prefix(a, "Job", "airflow-pools-"), find_prefix(b, "Job", "airflow-pools-")
    assert job_a["metadata"]["name"] != job_b["metadata"]["name"]
    assert json.loads(find(a, "ConfigMap", "airflow-pools")["data"]["pools.json"]) == {
        "warehouse": {"description": "", "include_deferred": False, "slots": 4}
    }
    c = job_a["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["pools", "import", "/opt/airflow/pools/pools.json"]


def test_connections_variables_backend_and_extra_packages() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            connections={"warehouse": SecretRef("conns", "warehouse")},
            variables={"env_name": SecretRef("vars", "env")},
            secrets_backend={
                "backend": "airflow.providers.hashicorp.secrets.vault.VaultBackend",
                "kwargs": {"url": "https://vault.internal:8200", "auth_type": "kubernetes"},
            },
            extra_pip_packages=["pandas==2.2.3"],
        )
    )
    spec = pod(manifests, "Deployment", "airflow-scheduler")
    env = env_of(spec["containers"][0])
    assert env["AIRFLOW_CONN_WAREHOUSE"] == {"secretKeyRef": {"key": "warehouse", "name": "conns"}}
    assert env["AIRFLOW_VAR_ENV_NAME"] == {"secretKeyRef": {"key": "env", "name": "vars"}}
    assert env["PYTHONPATH"] == "/opt/airflow/extra-packages"
    assert spec["initContainers"][0]["name"] == "pip-install"
    assert spec["initContainers"][0]["command"][-1] == "pandas==2.2.3"
    text = cfg(manifests)
    assert "backend = airflow.providers.hashicorp.secrets.vault.VaultBackend\n" in text
    assert 'backend_kwargs = {"auth_type": "kubernetes", "url": "https://vault.internal:8200"}\n' in text


# -- bad inputs --------------------------------------------------------------------------------

BAD = [
    pytest.param(
        {
            "dags": {
                "kind": "git-sync",
                "repo": "git@github.com:acme/dags.git",
                "ssh": {"private_key": {"name": "git", "key": "key"}},
            }
        },
        "AirflowProps.dags.ssh: SSH needs known_hosts (a Secret or ConfigMap key with the server's host keys); "
        "to skip host-key checking anyway, set disable_host_key_checking=True",
        id="ssh-without-known-hosts",
    ),
    pytest.param(
        {"dags": {"kind": "git-sync", "repo": "https://github.com/acme/dags.git", "existing_claim": "dags"}},
        "AirflowProps.dags.existing_claim: unknown field (allowed: https, image, kind, period_seconds, ref, repo, "
        "resources, ssh, subdir); 'existing_claim' is a field of kind 'pvc': set kind to use it",
        id="two-dag-sources-at-once",
    ),
    pytest.param(
        {"logs": {"volume": {"access_mode": "ReadWriteOnce"}}},
        "AirflowProps.logs.volume: access_mode 'ReadWriteOnce' cannot be shared by pods on several nodes: "
        "a shared logs volume must be ReadWriteMany",
        id="rwo-logs-volume",
    ),
    pytest.param(
        {"db_clean": {"retention_days": 0}},
        "AirflowProps.db_clean.retention_days: 0 is not allowed: Input should be greater than or equal to 1",
        id="retention-zero",
    ),
    pytest.param(
        {
            "database": {
                "kind": "external",
                "dialect": "mysql",
                "host": "m",
                "user": "u",
                "database": "d",
                "password": {"name": "s", "key": "k"},
            },
            "pgbouncer": {"enabled": True},
        },
        "AirflowProps: pgbouncer.enabled is true but database.dialect is 'mysql': PgBouncer is for PostgreSQL",
        id="mysql-with-pgbouncer",
    ),
    pytest.param(
        {"database": {"kind": "external", "url": {"name": "s", "key": "k"}}, "pgbouncer": {"enabled": True}},
        "AirflowProps: pgbouncer.enabled is true but the database is a URL Secret: PgBouncer needs host, user, "
        "database and password",
        id="pgbouncer-with-url",
    ),
    pytest.param(
        {"database": {"kind": "external", "url": {"name": "s", "key": "k"}}, "backup": {"enabled": True}},
        "AirflowProps: backup.enabled is true but the database is external: back it up where it runs",
        id="backup-of-external-db",
    ),
    pytest.param(
        {
            "database": {
                "kind": "external",
                "host": "h",
                "user": "u",
                "database": "d",
                "password": {"name": "s", "key": "k"},
                "tls": {"mode": "verify-full"},
            }
        },
        "AirflowProps.database.tls: mode 'verify-full' verifies the server against a CA: set ca",
        id="verify-without-ca",
    ),
    pytest.param(
        {"secrets_backend": {"backend": "x.Y", "kwargs": {"token": "abc"}}},
        "AirflowProps.secrets_backend.kwargs: {'token': 'abc'} is not allowed: kwarg 'token' looks like a credential, "
        "which would be written to the manifests: put the whole kwargs JSON in a Secret (kwargs_secret) or use "
        "workload identity",
        id="credential-in-backend-kwargs",
    ),
    pytest.param(
        {"logs": {"remote": {"kind": "s3", "base_folder": "gs://bucket"}}},
        "AirflowProps.logs.remote: base_folder 'gs://bucket' does not start with 's3://' as s3 needs",
        id="remote-logs-wrong-scheme",
    ),
    pytest.param(
        {"pools": [{"name": "a", "slots": 1}, {"name": "a", "slots": 2}]},
        "AirflowProps: pools repeat a: each pool name may appear once",
        id="duplicate-pools",
    ),
    pytest.param(
        {"extra_pip_packages": ["pandas; rm -rf /"]},
        "AirflowProps.extra_pip_packages: ['pandas; rm -rf /'] is not allowed: 'pandas; rm -rf /' is not a pip "
        "requirement such as 'pandas==2.2.3'",
        id="bad-pip-requirement",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD)
def test_bad_day2_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message


# -- upgrades and Airflow 2 -------------------------------------------------------------------


def test_airflow2_compatibility_mode(app_manifests: dict[str, list[Manifest]]) -> None:
    manifests = app_manifests["airflow2"]
    api = pod(manifests, "Deployment", "airflow-api-server")
    main = api["containers"][0]
    assert main["image"] == "apache/airflow:2.11.0"
    # Nothing written into the read-only root: the pid file in the /tmp emptyDir, webserver_config.py
    # (FAB's database users, Airflow 2's only auth) from a ConfigMap where [webserver] config_file points.
    assert main["args"] == ["webserver", "--port", "8080", "--pid", "/tmp/airflow-webserver.pid"]
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"mountPath": "/tmp", "name": "tmp"} in main["volumeMounts"]
    assert {"mountPath": "/opt/airflow/fab", "name": "fab-config", "readOnly": True} in main["volumeMounts"]
    fab = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    assert "AUTH_TYPE = AUTH_DB\n" in fab
    assert main["readinessProbe"]["httpGet"] == {"path": "/health", "port": "api", "scheme": "HTTP"}
    env = env_of(main)
    assert "AIRFLOW__CORE__EXECUTION_API_SERVER_URL" not in env
    assert "AIRFLOW__API_AUTH__JWT_SECRET" not in env
    assert env["AIRFLOW__WEBSERVER__SECRET_KEY"] == {
        "secretKeyRef": {"key": "api-secret-key", "name": "airflow-generated"}
    }
    assert names(api["initContainers"]) == ["wait-for-migrations"]
    text = cfg(manifests)
    assert "auth_manager" not in text and "[api]" not in text
    assert (
        "[scheduler]\ndag_dir_list_interval = 300\nmin_file_process_interval = 30\nstandalone_dag_processor = True\n"
        in text
    )
    assert (
        "[webserver]\nconfig_file = /opt/airflow/fab/webserver_config.py\nexpose_config = False\nworkers = 2\n" in text
    )
    job = find_prefix(manifests, "Job", "airflow-admin-user-")["spec"]["template"]["spec"]["containers"][0]
    assert 'airflow users create --username "admin" --password "$ADMIN_PASSWORD" --role Admin' in job["command"][2]
    assert env_of(job)["ADMIN_PASSWORD"] == {"secretKeyRef": {"key": "admin-password", "name": "airflow-generated"}}
    spec = json.loads(find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"])
    assert sorted(spec["secrets"][0]["keys"]) == ["admin-password", "api-secret-key", "fernet-key", "postgres-password"]
    find(manifests, "Deployment", "airflow-dag-processor")


def test_airflow2_without_dag_processor_parses_in_the_scheduler() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            image={"tag": "2.10.4"},
            dags=SSH,
            executor={"kind": "CeleryExecutor"},
            dag_processor={"enabled": False},
        )
    )
    assert not [m for m in manifests if m["metadata"]["name"] == "airflow-dag-processor"]
    assert "standalone_dag_processor = False\n" in cfg(manifests)
    assert "git-sync" in names(pod(manifests, "Deployment", "airflow-scheduler")["containers"])


def test_image_upgrade_renames_jobs_and_rolls_pods_but_keeps_secrets() -> None:
    before = synth_chart(lambda c: Airflow(c, "airflow"))
    after = synth_chart(lambda c: Airflow(c, "airflow", image={"tag": "3.3.1"}))
    for prefix in ("airflow-migrate-", "airflow-secrets-bootstrap-"):
        assert (
            find_prefix(before, "Job", prefix)["metadata"]["name"]
            != find_prefix(after, "Job", prefix)["metadata"]["name"]
        )
    boot = [json.loads(find(m, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"]) for m in (before, after)]
    # Same Secret, same keys and generators: the Job finds every key present and changes nothing.
    assert [(s["name"], s["keys"]) for s in boot[0]["secrets"]] == [(s["name"], s["keys"]) for s in boot[1]["secrets"]]
    for kind, name in [("Deployment", "airflow-scheduler"), ("StatefulSet", "airflow-triggerer")]:
        assert pod(before, kind, name)["containers"][0]["image"] == "apache/airflow:3.3.2"
        assert pod(after, kind, name)["containers"][0]["image"] == "apache/airflow:3.3.1"


BAD_VERSIONS = [
    pytest.param(
        {"image": {"tag": "3.4.0"}},
        "AirflowProps.image.tag: '3.4.0' is not allowed: Airflow 3.4.0 is not supported: supported "
        "minors are 2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        id="newer-than-tested",
    ),
    pytest.param(
        {"image": {"tag": "2.11.0"}, "executor": {"kind": "EdgeExecutor"}},
        "AirflowProps: EdgeExecutor needs Airflow 3; the image runs Airflow 2.11.0",
        id="edge-on-airflow2",
    ),
    pytest.param(
        {"dag_processor": {"enabled": False}},
        "AirflowProps: dag_processor.enabled is false but the image runs Airflow 3.3.2: Airflow 3 parses DAGs "
        "only in the dag-processor",
        id="no-dag-processor-on-airflow3",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_VERSIONS)
def test_bad_version_input(props: dict[str, Any], message: str) -> None:
    chart = Chart(App(), "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", **props)
    assert str(info.value) == message
