"""An install in the shape of the official Apache Airflow chart, hand-written for the migration test.

What matters for a migration is what the official chart's templates write: the Secret names
(``<release>-fernet-key``, ``<release>-airflow-metadata``, ``<fullname>-api-secret-key``,
``<fullname>-jwt-secret``), the env vars that read them, the ``airflow.cfg`` ConfigMap mounted at
``/opt/airflow/airflow.cfg``, ``bash -c "exec airflow <component>"`` (as ``command``: the chart
gives it as ``args`` to the image's entrypoint, which the harness does not model), a migration Job and
the api-server Service. Nothing of the official chart is copied: these are a few plain manifests
with that shape, LocalExecutor, and the simple auth manager with a test password file.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "airflow"
PASSWORDS_FILE = "/opt/airflow/auth/passwords.json"
"""Where the simple auth manager writes the admin password it generates (the official chart uses FAB;
the test reads the file from the api-server pod's emptyDir)."""


def fullname(release: str) -> str:
    """The official chart's ``airflow.fullname`` without overrides."""
    return release if "airflow" in release else f"{release}-airflow"


def secret_names(release: str) -> dict[str, tuple[str, str]]:
    """What each secret is called in the official chart: purpose -> (Secret name, key)."""
    return {
        "fernet": (f"{release}-fernet-key", "fernet-key"),
        "metadata": (f"{release}-airflow-metadata", "connection"),
        "api": (f"{fullname(release)}-api-secret-key", "api-secret-key"),
        "jwt": (f"{fullname(release)}-jwt-secret", "jwt-secret"),
    }


def _env(release: str) -> list[dict[str, Any]]:
    names = secret_names(release)

    def ref(env: str, purpose: str) -> dict[str, Any]:
        name, key = names[purpose]
        return {"name": env, "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}

    return [
        ref("AIRFLOW__CORE__FERNET_KEY", "fernet"),
        ref("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "metadata"),
        ref("AIRFLOW_CONN_AIRFLOW_DB", "metadata"),
        ref("AIRFLOW__API__SECRET_KEY", "api"),
        ref("AIRFLOW__API_AUTH__JWT_SECRET", "jwt"),
    ]


def _airflow_cfg(release: str) -> str:
    return "\n".join(
        [
            "[core]",
            "executor = LocalExecutor",
            "dags_folder = /opt/airflow/dags",
            "load_examples = False",
            "auth_manager = airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "simple_auth_manager_users = admin:admin",
            f"simple_auth_manager_passwords_file = {PASSWORDS_FILE}",
            f"execution_api_server_url = http://{release}-api-server.{NAMESPACE}.svc:8080/execution/",
            "[logging]",
            "base_log_folder = /opt/airflow/logs",
            "[scheduler]",
            "standalone_dag_processor = True",
            "",
        ]
    )


def _workload(release: str, component: str, image: str, kind: str = "Deployment", port: int | None = None) -> Any:
    labels = {"tier": "airflow", "component": component, "release": release}
    container: dict[str, Any] = {
        "name": component,
        "image": image,
        # The chart passes these as args to the image's entrypoint, which the harness does not model.
        "command": [
            "bash",
            "-c",
            f"exec airflow {'db migrate' if component == 'run-airflow-migrations' else component}",
        ],
        "env": _env(release),
        "volumeMounts": [
            {"name": "config", "mountPath": "/opt/airflow/airflow.cfg", "subPath": "airflow.cfg", "readOnly": True},
            {"name": "logs", "mountPath": "/opt/airflow/logs"},
            {"name": "auth", "mountPath": "/opt/airflow/auth"},
        ],
    }
    if port is not None:
        container["ports"] = [{"name": component, "containerPort": port}]
    if component == "api-server":
        container["readinessProbe"] = {"httpGet": {"path": "/api/v2/version", "port": 8080}, "periodSeconds": 5}
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "restartPolicy": "Never" if kind == "Job" else "Always",
            "containers": [container],
            "volumes": [
                {"name": "config", "configMap": {"name": f"{release}-config"}},
                {"name": "logs", "emptyDir": {}},
                {"name": "auth", "emptyDir": {}},
            ],
        },
    }
    spec: dict[str, Any] = {"template": pod}
    if kind != "Job":
        spec |= {"replicas": 1, "selector": {"matchLabels": labels}}
    if kind == "StatefulSet":
        spec["serviceName"] = f"{release}-{component}"
    name = f"{release}-{component}"
    return {
        "apiVersion": "batch/v1" if kind == "Job" else "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": spec,
    }


def manifests(release: str, image: str) -> list[dict[str, Any]]:
    """The objects of the official-shaped install (Secrets are given to the harness, not written here)."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{release}-config", "namespace": NAMESPACE},
            "data": {"airflow.cfg": _airflow_cfg(release)},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"{release}-api-server", "namespace": NAMESPACE},
            "spec": {
                "selector": {"tier": "airflow", "component": "api-server", "release": release},
                "ports": [{"name": "api-server", "port": 8080, "targetPort": 8080}],
            },
        },
        _workload(release, "run-airflow-migrations", image, kind="Job"),
        _workload(release, "api-server", image, port=8080),
        _workload(release, "scheduler", image, port=8793),
        _workload(release, "dag-processor", image),
        _workload(release, "triggerer", image, kind="StatefulSet", port=8794),
    ]
