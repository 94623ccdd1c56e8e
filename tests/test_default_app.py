"""Exact behaviour of the default app: commands, env, ports, probes, volumes, selectors, security."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Manifest, env_of, find, find_prefix

SELECTOR = {"app.kubernetes.io/instance": "airflow", "app.kubernetes.io/name": "airflow"}
AIRFLOW_CMD = ["/usr/bin/dumb-init", "--", "airflow"]
EXEC_API = "http://airflow-api-server.airflow.svc:8080/execution/"
CONN = "postgresql+psycopg2://airflow:$(AIRFLOW_DB_PASSWORD)@airflow-postgres.airflow.svc:5432/airflow"


def generated(key: str) -> dict[str, Any]:
    return {"secretKeyRef": {"key": key, "name": "airflow-generated"}}


def main_container(workload: Manifest) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]["containers"][0]


def test_object_inventory(default_app: list[Manifest]) -> None:
    names = sorted((m["kind"], m["metadata"]["name"]) for m in default_app)
    job_names = {n for k, n in names if k == "Job"}
    assert len(job_names) == 2
    # NetworkPolicies have their own exhaustive tests (tests/test_network_policies.py).
    assert [(k, n) for k, n in names if k not in ("Job", "NetworkPolicy")] == [
        ("ConfigMap", "airflow-config"),
        ("ConfigMap", "airflow-secrets-bootstrap"),
        ("ConfigMap", "airflow-statsd"),
        ("CronJob", "airflow-db-clean"),
        ("Deployment", "airflow-api-server"),
        ("Deployment", "airflow-dag-processor"),
        ("Deployment", "airflow-scheduler"),
        ("Deployment", "airflow-statsd"),
        ("PodDisruptionBudget", "airflow-api-server"),
        ("PodDisruptionBudget", "airflow-dag-processor"),
        ("PodDisruptionBudget", "airflow-scheduler"),
        ("PodDisruptionBudget", "airflow-triggerer"),
        ("Role", "airflow-secrets-bootstrap"),
        ("RoleBinding", "airflow-secrets-bootstrap"),
        ("Service", "airflow-api-server"),
        ("Service", "airflow-postgres"),
        ("Service", "airflow-scheduler"),
        ("Service", "airflow-statsd"),
        ("Service", "airflow-triggerer"),
        ("ServiceAccount", "airflow-api-server"),
        ("ServiceAccount", "airflow-dag-processor"),
        ("ServiceAccount", "airflow-db-clean"),
        ("ServiceAccount", "airflow-migrate"),
        ("ServiceAccount", "airflow-postgres"),
        ("ServiceAccount", "airflow-scheduler"),
        ("ServiceAccount", "airflow-secrets-bootstrap"),
        ("ServiceAccount", "airflow-statsd"),
        ("ServiceAccount", "airflow-triggerer"),
        ("StatefulSet", "airflow-postgres"),
        ("StatefulSet", "airflow-triggerer"),
    ]
    assert all(m["metadata"]["namespace"] == "airflow" for m in default_app)


@pytest.mark.parametrize(
    ("kind", "name", "args"),
    [
        ("Deployment", "airflow-api-server", ["api-server", "--port", "8080"]),
        ("Deployment", "airflow-scheduler", ["scheduler"]),
        ("Deployment", "airflow-dag-processor", ["dag-processor"]),
        ("StatefulSet", "airflow-triggerer", ["triggerer"]),
    ],
)
def test_component_commands_and_env(default_app: list[Manifest], kind: str, name: str, args: list[str]) -> None:
    workload = find(default_app, kind, name)
    c = main_container(workload)
    assert c["image"] == "apache/airflow:3.3.2"
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["command"] == AIRFLOW_CMD
    assert c["args"] == args
    assert c["env"] == [
        {"name": "AIRFLOW_CONFIG", "value": "/opt/airflow/airflow.cfg"},
        {"name": "AIRFLOW_HOME", "value": "/opt/airflow"},
        {"name": "AIRFLOW__CORE__FERNET_KEY", "valueFrom": generated("fernet-key")},
        {"name": "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "value": EXEC_API},
        {"name": "AIRFLOW__API__SECRET_KEY", "valueFrom": generated("api-secret-key")},
        {"name": "AIRFLOW__API_AUTH__JWT_SECRET", "valueFrom": generated("jwt-secret")},
        {"name": "AIRFLOW_DB_PASSWORD", "valueFrom": generated("postgres-password")},
        {"name": "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "value": CONN},
    ]
    spec = workload["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == name
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False
    init = spec["initContainers"][-1]
    assert init["name"] == "wait-for-migrations"
    assert init["command"] == AIRFLOW_CMD
    assert init["args"] == ["db", "check-migrations", "--migration-wait-timeout", "600"]
    assert init["env"] == c["env"]
    component = name.removeprefix("airflow-")
    assert workload["spec"]["selector"] == {"matchLabels": {**SELECTOR, "app.kubernetes.io/component": component}}
    sa = find(default_app, "ServiceAccount", name)
    assert sa["automountServiceAccountToken"] is False


def test_api_server_ports_probes_and_service(default_app: list[Manifest]) -> None:
    deployment = find(default_app, "Deployment", "airflow-api-server")
    c = main_container(deployment)
    assert c["ports"] == [{"containerPort": 8080, "name": "api", "protocol": "TCP"}]
    get = {"path": "/api/v2/monitor/health", "port": "api", "scheme": "HTTP"}
    assert c["readinessProbe"] == {"failureThreshold": 3, "httpGet": get, "periodSeconds": 10, "timeoutSeconds": 10}
    assert c["livenessProbe"] == {"failureThreshold": 5, "httpGet": get, "periodSeconds": 15, "timeoutSeconds": 10}
    assert c["startupProbe"]["httpGet"] == get
    service = find(default_app, "Service", "airflow-api-server")
    assert service["spec"] == {
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": "api"}],
        "selector": {**SELECTOR, "app.kubernetes.io/component": "api-server"},
        "type": "ClusterIP",
    }
    assert deployment["spec"]["strategy"] == {
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
        "type": "RollingUpdate",
    }
    spec = deployment["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["auth-secret"] == {
        "name": "auth-secret",
        "secret": {
            "items": [{"key": "admin-passwords", "path": "simple_auth_manager_passwords.json"}],
            "secretName": "airflow-generated",
        },
    }
    # The auth manager writes to its passwords file: a copy in an emptyDir, not the Secret volume.
    assert volumes["auth"] == {"emptyDir": {"sizeLimit": "1Mi"}, "name": "auth"}
    assert {"mountPath": "/opt/airflow/auth", "name": "auth"} in c["volumeMounts"]
    copy = spec["initContainers"][0]
    assert copy["name"] == "copy-passwords"
    assert copy["command"] == [
        "cp",
        "/opt/airflow/auth-secret/simple_auth_manager_passwords.json",
        "/opt/airflow/auth/simple_auth_manager_passwords.json",
    ]
    assert [i["name"] for i in spec["initContainers"]] == ["copy-passwords", "wait-for-migrations"]


@pytest.mark.parametrize(
    ("kind", "name", "job_type"),
    [
        ("Deployment", "airflow-scheduler", "SchedulerJob"),
        ("Deployment", "airflow-dag-processor", "DagProcessorJob"),
        ("StatefulSet", "airflow-triggerer", "TriggererJob"),
    ],
)
def test_liveness_by_jobs_check(default_app: list[Manifest], kind: str, name: str, job_type: str) -> None:
    c = main_container(find(default_app, kind, name))
    assert c["livenessProbe"] == {
        "exec": {"command": ["airflow", "jobs", "check", "--job-type", job_type, "--local"]},
        "failureThreshold": 5,
        "initialDelaySeconds": 10,
        "periodSeconds": 60,
        "timeoutSeconds": 30,
    }


def test_log_servers_have_headless_services(default_app: list[Manifest]) -> None:
    scheduler = find(default_app, "Deployment", "airflow-scheduler")
    assert main_container(scheduler)["ports"] == [{"containerPort": 8793, "name": "task-logs", "protocol": "TCP"}]
    assert scheduler["spec"]["template"]["spec"]["subdomain"] == "airflow-scheduler"
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    svc = find(default_app, "Service", "airflow-scheduler")
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["ports"] == [{"name": "task-logs", "port": 8793, "protocol": "TCP", "targetPort": "task-logs"}]
    triggerer = find(default_app, "StatefulSet", "airflow-triggerer")
    assert triggerer["spec"]["serviceName"] == "airflow-triggerer"
    assert main_container(triggerer)["ports"] == [{"containerPort": 8794, "name": "trigger-logs", "protocol": "TCP"}]
    assert find(default_app, "Service", "airflow-triggerer")["spec"]["clusterIP"] == "None"


def test_volumes_read_only_root_and_writable_scratch(default_app: list[Manifest]) -> None:
    for kind, name in [
        ("Deployment", "airflow-scheduler"),
        ("Deployment", "airflow-dag-processor"),
        ("StatefulSet", "airflow-triggerer"),
    ]:
        spec = find(default_app, kind, name)["spec"]["template"]["spec"]
        assert spec["volumes"] == [
            {"configMap": {"name": "airflow-config"}, "name": "config"},
            {"emptyDir": {"sizeLimit": "2Gi"}, "name": "logs"},
            {"emptyDir": {"sizeLimit": "1Gi"}, "name": "tmp"},
        ]
        assert spec["containers"][0]["volumeMounts"] == [
            {"mountPath": "/opt/airflow/airflow.cfg", "name": "config", "readOnly": True, "subPath": "airflow.cfg"},
            {"mountPath": "/opt/airflow/logs", "name": "logs"},
            {"mountPath": "/tmp", "name": "tmp"},
        ]
        assert spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True


def test_security_contexts(default_app: list[Manifest]) -> None:
    spec = find(default_app, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]
    assert spec["securityContext"] == {
        "fsGroup": 0,
        "runAsGroup": 0,
        "runAsNonRoot": True,
        "runAsUser": 50000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert spec["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    pg = find(default_app, "StatefulSet", "airflow-postgres")["spec"]["template"]["spec"]
    assert pg["securityContext"]["runAsUser"] == 999
    assert pg["securityContext"]["fsGroup"] == 999


def test_config_map_and_checksum(default_app: list[Manifest]) -> None:
    text = find(default_app, "ConfigMap", "airflow-config")["data"]["airflow.cfg"]
    assert (
        "[core]\nauth_manager = airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager\n"
        in text
    )
    assert "executor = LocalExecutor\n" in text
    assert "load_examples = False\n" in text
    assert "simple_auth_manager_users = admin:admin\n" in text
    assert "fernet" not in text and "password =" not in text
    checksums = {
        m["spec"]["template"]["metadata"]["annotations"]["airflow-constructs.io/config-checksum"]
        for m in default_app
        if m["kind"] in ("Deployment", "StatefulSet")
        and m["metadata"]["name"] not in ("airflow-postgres", "airflow-statsd")
    }
    assert len(checksums) == 1 and len(next(iter(checksums))) == 64


def test_migration_job(default_app: list[Manifest]) -> None:
    job = find_prefix(default_app, "Job", "airflow-migrate-")
    assert len(job["metadata"]["name"]) == len("airflow-migrate-") + 8
    assert "annotations" not in job["metadata"]
    assert job["spec"]["backoffLimit"] == 6
    assert job["spec"]["ttlSecondsAfterFinished"] == 3600
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "OnFailure"
    assert spec["serviceAccountName"] == "airflow-migrate"
    c = spec["containers"][0]
    assert c["command"] == AIRFLOW_CMD and c["args"] == ["db", "migrate"]
    assert env_of(c)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == CONN
    assert "initContainers" not in spec


def test_secrets_bootstrap(default_app: list[Manifest]) -> None:
    cm = find(default_app, "ConfigMap", "airflow-secrets-bootstrap")
    spec = json.loads(cm["data"]["spec.json"])
    assert [s["name"] for s in spec["secrets"]] == ["airflow-generated"]
    assert spec["secrets"][0]["keys"] == {
        "admin-passwords": {"kind": "password-json", "options": {"users": ["admin"]}},
        "api-secret-key": {"kind": "token", "options": {}},
        "fernet-key": {"kind": "fernet-key", "options": {}},
        "jwt-secret": {"kind": "token", "options": {}},
        "postgres-password": {"kind": "password", "options": {}},
    }
    assert "def ensure(" in cm["data"]["bootstrap_secrets.py"]
    role = find(default_app, "Role", "airflow-secrets-bootstrap")
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resourceNames": ["airflow-generated"],
            "resources": ["secrets"],
            "verbs": ["get", "patch"],
        },
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ]
    binding = find(default_app, "RoleBinding", "airflow-secrets-bootstrap")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "airflow-secrets-bootstrap", "namespace": "airflow"}
    ]
    job = find_prefix(default_app, "Job", "airflow-secrets-bootstrap-")
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is True
    assert pod["containers"][0]["command"] == [
        "python",
        "/opt/bootstrap/bootstrap_secrets.py",
        "/opt/bootstrap/spec.json",
    ]
    # Only the bootstrap Job gets an API token.
    tokens = [
        m["metadata"]["name"]
        for m in default_app
        if m["kind"] in ("Deployment", "StatefulSet", "Job")
        and m["spec"]["template"]["spec"].get("automountServiceAccountToken") is not False
    ]
    assert tokens == [job["metadata"]["name"]]


def test_embedded_postgres(default_app: list[Manifest]) -> None:
    sts = find(default_app, "StatefulSet", "airflow-postgres")
    c = main_container(sts)
    assert c["image"] == "postgres:17.6-bookworm"
    assert env_of(c) == {
        "PGDATA": "/var/lib/postgresql/data/pgdata",
        "POSTGRES_DB": "airflow",
        "POSTGRES_PASSWORD": generated("postgres-password"),
        "POSTGRES_USER": "airflow",
    }
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "8Gi"}},
    }
    assert sts["spec"]["serviceName"] == "airflow-postgres"
    assert c["readinessProbe"]["exec"]["command"][0] == "pg_isready"


def test_availability_defaults(default_app: list[Manifest]) -> None:
    for kind, name in [
        ("Deployment", "airflow-api-server"),
        ("Deployment", "airflow-scheduler"),
        ("Deployment", "airflow-dag-processor"),
        ("StatefulSet", "airflow-triggerer"),
    ]:
        component = name.removeprefix("airflow-")
        selector = {**SELECTOR, "app.kubernetes.io/component": component}
        pdb = find(default_app, "PodDisruptionBudget", name)
        assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": selector}}
        spec = find(default_app, kind, name)["spec"]["template"]["spec"]
        assert spec["topologySpreadConstraints"] == [
            {
                "labelSelector": {"matchLabels": selector},
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
            }
        ]
        assert "affinity" not in spec


def test_resources_defaults(default_app: list[Manifest]) -> None:
    c = main_container(find(default_app, "Deployment", "airflow-scheduler"))
    assert c["resources"] == {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}}
