"""In-cluster TLS for the api-server: HTTPS from a certificate Secret, trusted by every caller."""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_constructs import (
    Airflow,
    CeleryExecutor,
    DatabaseTls,
    ExternalDatabase,
    KubernetesExecutor,
    PropsError,
    SecretRef,
)
from airflow_constructs.core.tls import RELOAD_EVERY_SECONDS
from airflow_constructs.services.pgbouncer import _serve_and_reload
from tests import conformance
from tests.conftest import Manifest, env_of, find, synth_chart, synth_with_external


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


def test_https_from_a_secret_and_the_execution_api_url_switches() -> None:
    manifests = synth(executor=CeleryExecutor(), api_server={"tls": {"secret": "airflow-api-tls"}})
    cfg = airflow_cfg(manifests)
    assert cfg.get("api", "ssl_cert") == "/opt/airflow/api-tls/tls.crt"
    assert cfg.get("api", "ssl_key") == "/opt/airflow/api-tls-key/tls.key"
    assert not cfg.has_option("api", "ssl_ca_file")  # a self-signed certificate is trusted as is
    api = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    main = api["containers"][0]
    assert main["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert env_of(main)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "https://airflow-api-server.airflow.svc:8080/execution/"
    )
    volumes = {v["name"]: v for v in api["volumes"]}
    assert volumes["api-tls-key"]["secret"] == {
        "defaultMode": 0o440,
        "items": [{"key": "tls.key", "path": "tls.key"}],
        "secretName": "airflow-api-tls",
    }
    # Callers mount the certificate, never the key.
    worker = find(manifests, "StatefulSet", "airflow-worker-default")["spec"]["template"]["spec"]
    worker_volumes = {v["name"]: v for v in worker["volumes"]}
    assert worker_volumes["api-tls"]["secret"] == {
        "items": [{"key": "tls.crt", "path": "tls.crt"}],
        "secretName": "airflow-api-tls",
    }
    assert "api-tls-key" not in worker_volumes
    assert {"mountPath": "/opt/airflow/api-tls", "name": "api-tls", "readOnly": True} in worker["containers"][0][
        "volumeMounts"
    ]
    assert conformance.references_exist(manifests, {"Secret/airflow-api-tls"}) == []


def test_cert_manager_issues_the_internal_certificate() -> None:
    manifests = synth(
        executor=KubernetesExecutor(),
        api_server={"tls": {"secret": "airflow-api-server-internal-tls", "issuer": "cluster-ca"}},
    )
    certificate = find(manifests, "Certificate", "airflow-api-server-internal-tls")
    assert certificate["spec"] == {
        "dnsNames": [
            "airflow-api-server",
            "airflow-api-server.airflow",
            "airflow-api-server.airflow.svc",
            "airflow-api-server.airflow.svc.cluster.local",
        ],
        "issuerRef": {"kind": "ClusterIssuer", "name": "cluster-ca"},
        "secretName": "airflow-api-server-internal-tls",
    }
    cfg = airflow_cfg(manifests)
    assert cfg.get("api", "ssl_ca_file") == "/opt/airflow/api-tls/ca.crt"
    assert conformance.strict_schema([certificate]) == []
    import yaml

    task = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    items = next(v for v in task["spec"]["volumes"] if v["name"] == "api-tls")["secret"]["items"]
    assert items == [{"key": "tls.crt", "path": "tls.crt"}, {"key": "ca.crt", "path": "ca.crt"}]


def test_plain_http_by_default(default_app: list[Manifest]) -> None:
    assert not airflow_cfg(default_app).has_option("api", "ssl_cert")
    main = find(default_app, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(main)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"api_server": {"tls": {"issuer": "cluster-ca"}}},
            "AirflowProps.api_server.tls.secret: required field is missing",
        ),
        (
            {"image": {"tag": "2.11.0"}, "api_server": {"tls": {"secret": "x"}}},
            "AirflowProps.api_server.tls: in-cluster TLS uses Airflow 3's [api] ssl_cert; the image runs Airflow "
            "2.11.0",
        ),
    ],
)
def test_bad_tls(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(**props)
    assert str(err.value) == message


# -- TLS to the embedded PostgreSQL and Redis ------------------------------------------------------

PG_TLS = {"secret": "airflow-postgres-tls", "issuer": "cluster-ca"}
REDIS_TLS = {"secret": "airflow-redis-tls", "issuer": "cluster-ca"}
SERVER_TLS_VOLUME = {
    "defaultMode": 0o440,
    "items": [
        {"key": "ca.crt", "path": "ca.crt"},
        {"key": "tls.crt", "path": "tls.crt"},
        {"key": "tls.key", "path": "tls.key"},
    ],
}


@pytest.fixture(scope="module")
def embedded_tls_and_external() -> tuple[list[Manifest], set[str]]:
    return synth_with_external(
        lambda c: Airflow(
            c,
            "airflow",
            executor=CeleryExecutor(
                broker={"tls": REDIS_TLS},
                worker_sets=[{"name": "default", "autoscaling": {"kind": "keda", "max_replicas": 4}}],
            ),
            database={"tls": PG_TLS},
            pgbouncer={"enabled": True},
            backup={"enabled": True},
        )
    )


@pytest.fixture(scope="module")
def embedded_tls(embedded_tls_and_external: tuple[list[Manifest], set[str]]) -> list[Manifest]:
    return embedded_tls_and_external[0]


def _pod(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = find(manifests, kind, name)["spec"]
    return spec["jobTemplate"]["spec"]["template"]["spec"] if kind == "CronJob" else spec["template"]["spec"]


def test_embedded_postgres_serves_tls_only(embedded_tls: list[Manifest]) -> None:
    pod = _pod(embedded_tls, "StatefulSet", "airflow-postgres")
    main = pod["containers"][0]
    assert main["args"] == [
        "postgres",
        *("-c", "ssl=on"),
        *("-c", "ssl_cert_file=/tls/tls.crt"),
        *("-c", "ssl_key_file=/tls/tls.key"),
        *("-c", "hba_file=/etc/postgresql/hba/pg_hba.conf"),
    ]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tls"]["secret"] == {**SERVER_TLS_VOLUME, "secretName": "airflow-postgres-tls"}
    assert volumes["hba"] == {"configMap": {"name": "airflow-postgres"}, "name": "hba"}
    hba = find(embedded_tls, "ConfigMap", "airflow-postgres")["data"]["pg_hba.conf"]
    rules = [line.split() for line in hba.splitlines() if line and not line.startswith("#")]
    assert rules == [["local", "all", "all", "trust"], ["hostssl", "all", "all", "all", "scram-sha-256"]]
    assert find(embedded_tls, "Certificate", "airflow-postgres-tls")["spec"] == {
        "dnsNames": [
            "airflow-postgres",
            "airflow-postgres.airflow",
            "airflow-postgres.airflow.svc",
            "airflow-postgres.airflow.svc.cluster.local",
        ],
        "issuerRef": {"kind": "ClusterIssuer", "name": "cluster-ca"},
        "secretName": "airflow-postgres-tls",
    }


def test_servers_reload_a_renewed_certificate(embedded_tls: list[Manifest]) -> None:
    for workload, reload in (
        ("airflow-postgres", "psql -h /var/run/postgresql -U airflow -d airflow -qAtc 'select pg_reload_conf()'"),
        ("airflow-redis", "redis-cli --tls --insecure CONFIG SET tls-cert-file /tls/tls.crt"),
    ):
        containers = _pod(embedded_tls, "StatefulSet", workload)["containers"]
        sidecar = next(c for c in containers if c["name"] == "tls-reloader")
        assert sidecar["image"] == containers[0]["image"]
        script = sidecar["command"][2]
        assert "cat /tls/ca.crt /tls/tls.crt /tls/tls.key | cksum" in script and "sleep 300" in script
        assert reload in script
        assert {"mountPath": "/tls", "name": "tls", "readOnly": True} in sidecar["volumeMounts"]
        assert sidecar["resources"]["limits"] == {"cpu": "100m", "memory": "64Mi"}


def test_every_database_client_verifies_the_embedded_postgres(embedded_tls: list[Manifest]) -> None:
    # A projected directory (no subPath), so a rotated CA reaches running pods.
    ca_only = {
        "name": "db-tls",
        "projected": {
            "defaultMode": 0o440,
            "sources": [{"secret": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "airflow-postgres-tls"}}],
        },
    }
    migrate = next(m for m in embedded_tls if m["kind"] == "Job" and "-migrate-" in m["metadata"]["name"])
    assert env_of(migrate["spec"]["template"]["spec"]["containers"][0])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@airflow-postgres.airflow.svc:5432/airflow"
        "?sslmode=verify-full&sslrootcert=/opt/airflow/db-tls/ca.crt"
    )
    for kind, name in (
        ("Deployment", "airflow-scheduler"),
        ("StatefulSet", "airflow-worker-default"),
        ("Deployment", "airflow-pgbouncer"),
        ("CronJob", "airflow-postgres-backup"),
    ):
        pod = _pod(embedded_tls, kind, name)
        assert ca_only in pod["volumes"], name
        mounts = [m for c in pod["containers"] for m in c.get("volumeMounts", []) if m["name"] == "db-tls"]
        assert mounts, name
        assert all(
            m
            == {
                "mountPath": "/opt/airflow/db-tls" if "pgbouncer" not in name else "/etc/pgbouncer-tls",
                "name": "db-tls",
                "readOnly": True,
            }
            for m in mounts
        ), name
    ini = find(embedded_tls, "ConfigMap", "airflow-pgbouncer")["data"]["pgbouncer.ini"]
    assert "server_tls_sslmode = verify-full\n" in ini and "server_tls_ca_file = /etc/pgbouncer-tls/ca.crt\n" in ini
    backup = _pod(embedded_tls, "CronJob", "airflow-postgres-backup")["containers"][0]
    assert env_of(backup)["PGSSLMODE"] == "verify-full"
    assert env_of(backup)["PGSSLROOTCERT"] == "/opt/airflow/db-tls/ca.crt"
    # KEDA has no CA file: its PostgreSQL trigger encrypts without verifying.
    scaled = find(embedded_tls, "ScaledObject", "airflow-worker-default")
    assert scaled["spec"]["triggers"][0]["metadata"]["sslmode"] == "require"


def test_embedded_redis_serves_tls_only_and_celery_verifies_it(embedded_tls: list[Manifest]) -> None:
    pod = _pod(embedded_tls, "StatefulSet", "airflow-redis")
    main = pod["containers"][0]
    assert main["args"][:14] == [
        *("--requirepass", "$(REDIS_PASSWORD)"),
        *("--port", "0"),
        *("--tls-port", "6379"),
        *("--tls-cert-file", "/tls/tls.crt"),
        *("--tls-key-file", "/tls/tls.key"),
        *("--tls-ca-cert-file", "/tls/ca.crt"),
        *("--tls-auth-clients", "no"),
    ]
    assert "redis-cli --tls --cacert /tls/ca.crt ping" in main["readinessProbe"]["exec"]["command"][2]
    assert {v["name"]: v for v in pod["volumes"]}["tls"]["secret"] == {
        **SERVER_TLS_VOLUME,
        "secretName": "airflow-redis-tls",
    }
    assert find(embedded_tls, "Certificate", "airflow-redis-tls")["spec"]["dnsNames"][2] == "airflow-redis.airflow.svc"
    for kind, name in (("Deployment", "airflow-scheduler"), ("StatefulSet", "airflow-worker-default")):
        spec = _pod(embedded_tls, kind, name)
        env = env_of(spec["containers"][0])
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "rediss://:$(REDIS_PASSWORD)@airflow-redis.airflow.svc:6379/0"
        assert env["AIRFLOW__CELERY__SSL_ACTIVE"] == "True"
        assert env["AIRFLOW__CELERY__SSL_CACERT"] == "/opt/airflow/broker-tls/ca.crt"
        assert env["AIRFLOW__CELERY__SSL_MUTUAL_TLS"] == "False"
        broker = {v["name"]: v for v in spec["volumes"]}["broker-tls"]
        assert broker["secret"] == {"items": [{"key": "ca.crt", "path": "ca.crt"}], "secretName": "airflow-redis-tls"}


def test_embedded_tls_passes_the_conformance_suite(embedded_tls_and_external: tuple[list[Manifest], set[str]]) -> None:
    manifests, external = embedded_tls_and_external
    assert {"Secret/airflow-postgres-tls", "Secret/airflow-redis-tls"} <= external
    assert conformance.run(manifests, external=external) == {}


def test_no_certificate_without_an_issuer() -> None:
    manifests = synth(database={"tls": {"secret": "pg-tls"}})
    assert [m for m in manifests if m["kind"] == "Certificate"] == []
    assert (
        "ssl=on"
        in find(manifests, "StatefulSet", "airflow-postgres")["spec"]["template"]["spec"]["containers"][0]["args"]
    )


def test_plain_tcp_to_the_embedded_services_by_default(default_app: list[Manifest]) -> None:
    assert "args" not in _pod(default_app, "StatefulSet", "airflow-postgres")["containers"][0]
    assert "sslmode" not in str(default_app)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"database": {"tls": {"secret": "Postgres_TLS"}}},
            "AirflowProps.database.tls: 'Postgres_TLS' is not a valid name for secret: expected a DNS subdomain: "
            "at most 253 characters, lowercase labels of letters, digits and '-' separated by '.', each starting "
            "and ending with a letter or digit",
        ),
        (
            {"database": {"tls": {"issuer": "cluster-ca"}}},
            "AirflowProps.database.tls.secret: required field is missing",
        ),
        (
            {
                "executor": {"kind": "CeleryExecutor", "broker": {"tls": {"secret": "shared", "issuer": "ca"}}},
                "database": {"tls": {"secret": "shared", "issuer": "ca"}},
            },
            "AirflowProps: executor.broker.tls.secret 'shared' is also database.tls.secret, and cert-manager "
            "issues it for executor.broker.tls alone: give each its own Secret",
        ),
        (
            {
                "api_server": {"tls": {"secret": "shared", "issuer": "ca"}},
                "executor": [
                    {"kind": "KubernetesExecutor"},
                    {"kind": "CeleryExecutor", "broker": {"tls": {"secret": "shared"}}},
                ],
            },
            "AirflowProps: executor[1].broker.tls.secret 'shared' is also api_server.tls.secret, and cert-manager "
            "issues it for api_server.tls alone: give each its own Secret",
        ),
    ],
)
def test_bad_embedded_tls(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(**props)
    assert str(err.value) == message


def test_an_exposed_https_api_server_gets_an_https_backend() -> None:
    manifests = synth(
        api_server={
            "tls": {"secret": "airflow-api-tls"},
            "expose": {"host": "airflow.example.com", "tls_secret": "airflow-web-tls"},
        }
    )
    port = find(manifests, "Service", "airflow-api-server")["spec"]["ports"][0]
    assert port == {"appProtocol": "https", "name": "https", "port": 8080, "protocol": "TCP", "targetPort": "api"}
    ingress = find(manifests, "Ingress", "airflow-api-server")
    assert ingress["metadata"]["annotations"] == {"nginx.ingress.kubernetes.io/backend-protocol": "HTTPS"}
    # Another controller's annotation, or nginx's set otherwise, is the user's to give.
    mine = synth(
        api_server={
            "tls": {"secret": "airflow-api-tls"},
            "expose": {
                "host": "airflow.example.com",
                "tls_secret": "airflow-web-tls",
                "annotations": {"nginx.ingress.kubernetes.io/backend-protocol": "GRPCS"},
            },
        }
    )
    annotations = find(mine, "Ingress", "airflow-api-server")["metadata"]["annotations"]
    assert annotations == {"nginx.ingress.kubernetes.io/backend-protocol": "GRPCS"}


def test_plain_http_backend_by_default() -> None:
    manifests = synth(api_server={"expose": {"host": "airflow.example.com", "tls_secret": "airflow-web-tls"}})
    assert "annotations" not in find(manifests, "Ingress", "airflow-api-server")["metadata"]
    assert find(manifests, "Service", "airflow-api-server")["spec"]["ports"][0]["name"] == "http"


# -- TLS from Airflow to PgBouncer -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pgbouncer_tls_and_external() -> tuple[list[Manifest], set[str]]:
    return synth_with_external(
        lambda c: Airflow(
            c,
            "airflow",
            database={"tls": PG_TLS},
            pgbouncer={
                "enabled": True,
                "metrics_exporter": True,
                "tls": {"secret": "airflow-pgbouncer-tls", "issuer": "cluster-ca"},
            },
        )
    )


def test_pgbouncer_serves_tls_and_airflow_verifies_it(
    pgbouncer_tls_and_external: tuple[list[Manifest], set[str]],
) -> None:
    manifests, external = pgbouncer_tls_and_external
    ini = find(manifests, "ConfigMap", "airflow-pgbouncer")["data"]["pgbouncer.ini"]
    for line in (
        "client_tls_cert_file = /tls/tls.crt",
        "client_tls_key_file = /tls/tls.key",
        "client_tls_sslmode = require",
        "server_tls_sslmode = verify-full",
        "server_tls_ca_file = /etc/pgbouncer-tls/ca.crt",
    ):
        assert f"\n{line}\n" in ini
    pod = _pod(manifests, "Deployment", "airflow-pgbouncer")
    main, exporter = pod["containers"]
    # A shell runs PgBouncer, sends it SIGHUP when the certificate changes, and passes on SIGTERM.
    assert main["command"][:2] == ["sh", "-c"]
    script = main["command"][2]
    assert script.startswith("pgbouncer /etc/pgbouncer/pgbouncer.ini & pid=$!;")
    assert "trap 'stop=1; kill -TERM $pid' TERM" in script and 'kill -HUP "$pid"' in script
    assert {"mountPath": "/tls", "name": "tls", "readOnly": True} in main["volumeMounts"]
    assert {v["name"]: v for v in pod["volumes"]}["tls"]["secret"]["secretName"] == "airflow-pgbouncer-tls"
    assert env_of(exporter)["DATABASE_URL"].endswith("@127.0.0.1:6432/pgbouncer?sslmode=require")
    scheduler = _pod(manifests, "Deployment", "airflow-scheduler")
    assert env_of(scheduler["containers"][0])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@airflow-pgbouncer.airflow.svc:6432/airflow"
        "?sslmode=verify-full&sslrootcert=/opt/airflow/pgbouncer-tls/ca.crt"
    )
    assert {v["name"]: v for v in scheduler["volumes"]}["pgbouncer-tls"]["projected"]["sources"] == [
        {"secret": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "airflow-pgbouncer-tls"}}
    ]
    assert "tls.key" not in str(scheduler["volumes"])
    # The migration Job bypasses PgBouncer and verifies PostgreSQL itself.
    migrate = next(m for m in manifests if m["kind"] == "Job" and "-migrate-" in m["metadata"]["name"])
    url = env_of(migrate["spec"]["template"]["spec"]["containers"][0])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert "@airflow-postgres.airflow.svc:5432/airflow?sslmode=verify-full" in url
    assert find(manifests, "Certificate", "airflow-pgbouncer-tls")["spec"]["dnsNames"][2] == (
        "airflow-pgbouncer.airflow.svc"
    )
    assert conformance.run(manifests, external=external) == {}


def test_pgbouncer_without_tls_files_keeps_its_plain_command() -> None:
    main = _pod(synth(pgbouncer={"enabled": True}), "Deployment", "airflow-pgbouncer")["containers"][0]
    assert main["command"] == ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"pgbouncer": {"tls": {"secret": "airflow-pgbouncer-tls"}}},
            "AirflowProps.pgbouncer: tls is set but enabled is false: TLS is served by the PgBouncer it would deploy",
        ),
        (
            {
                "database": {"tls": {"secret": "shared"}},
                "pgbouncer": {"enabled": True, "tls": {"secret": "shared", "issuer": "ca"}},
            },
            "AirflowProps: pgbouncer.tls.secret 'shared' is also database.tls.secret, and cert-manager issues it "
            "for pgbouncer.tls alone: give each its own Secret",
        ),
        (
            {
                "api_server": {"expose": {"host": "airflow.example.com", "tls_secret": "shared", "issuer": "ca"}},
                "pgbouncer": {"enabled": True, "tls": {"secret": "shared"}},
            },
            "AirflowProps: api_server.expose.tls_secret 'shared' is also pgbouncer.tls.secret, and cert-manager "
            "issues it for api_server.expose alone: give each its own Secret",
        ),
    ],
)
def test_bad_pgbouncer_tls(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(**props)
    assert str(err.value) == message


def test_pgbouncer_reloads_when_the_database_ca_changes() -> None:
    # No TLS of its own, but it verifies an external database: the CA it loaded must follow rotations.
    tls = DatabaseTls(
        ca=SecretRef("db", "ca.crt"),
        client_cert=SecretRef("db-client", "tls.crt"),
        client_key=SecretRef("db-client", "tls.key"),
    )
    database = ExternalDatabase(
        host="pg.internal", user="airflow", database="airflow", password=SecretRef("db", "pw"), tls=tls
    )
    manifests = synth(database=database, pgbouncer={"enabled": True})
    ini = find(manifests, "ConfigMap", "airflow-pgbouncer")["data"]["pgbouncer.ini"]
    assert (
        "\nserver_tls_cert_file = /etc/pgbouncer-tls/tls.crt\nserver_tls_key_file = /etc/pgbouncer-tls/tls.key\n" in ini
    )
    script = _pod(manifests, "Deployment", "airflow-pgbouncer")["containers"][0]["command"][2]
    assert "cat /etc/pgbouncer-tls/ca.crt /etc/pgbouncer-tls/tls.crt /etc/pgbouncer-tls/tls.key | cksum" in script
    assert "/tls/tls.crt" not in script


def test_pgbouncer_wrapper_reloads_on_change_and_passes_sigterm_on(tmp_path: Path) -> None:
    """The wrapper's shell, run for real with a stand-in ``pgbouncer`` and a 0.5 s poll.

    Each step waits for what the wrapper has done (a stand-in ``cksum`` logs each checksum it takes),
    not for a fixed time, so a busy machine only makes it slower.
    """
    (tmp_path / "bin").mkdir()
    log, sums = tmp_path / "log", tmp_path / "sums"
    stub = tmp_path / "bin" / "pgbouncer"
    stub.write_text(
        "#!/bin/sh\n"
        f"trap 'echo HUP >> {log}' HUP\n"
        f"trap 'echo TERM >> {log}; exit 3' TERM\n"
        f"echo started >> {log}\n"
        "while true; do sleep 0.1; done\n"
    )
    stub.chmod(0o755)
    real_cksum = shutil.which("cksum")
    cksum = tmp_path / "bin" / "cksum"
    cksum.write_text(f'#!/bin/sh\necho sum >> {sums}\nexec {real_cksum} "$@"\n')
    cksum.chmod(0o755)
    watched = tmp_path / "tls.crt"
    watched.write_text("one")
    script = _serve_and_reload([str(watched)]).replace(f"sleep {RELOAD_EVERY_SECONDS}", "sleep 0.5")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}

    def lines(path: Path) -> list[str]:
        return path.read_text().split() if path.exists() else []

    def wait_for(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not done():
            assert time.monotonic() < deadline, (lines(log), lines(sums))
            time.sleep(0.05)

    # SIGHUP back to its default first: a shell cannot trap a signal ignored when it started, and
    # this test may run under nohup (PgBouncer's container never starts with SIGHUP ignored).
    trampoline = "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.execvp('sh', sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", trampoline, "sh", "-c", script], env=env)
    try:
        # A second checksum has begun: the first (the baseline, of "one") is complete.
        wait_for(lambda: "started" in lines(log) and len(lines(sums)) >= 2)
        watched.write_text("two")
        wait_for(lambda: "HUP" in lines(log))
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert log.read_text().split() == ["started", "HUP", "TERM"]
    assert code == 3  # PgBouncer's own exit status
