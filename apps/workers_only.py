"""Workers only: a Celery worker set on its own queue for an Airflow 3 core in another namespace (airflow-core)
(broker, database, Execution API and keys by reference; nothing generated, no migrations)."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import CeleryWorkerSet, ExternalBroker, ExternalDatabase, SecretRef, WorkersOnly
from airflow_constructs.packaging.values import merge_props

CORE = "airflow-core"
"""The namespace of the Airflow core (api-server, scheduler, Redis) the workers join."""


def _core_pods(component: str) -> dict[str, Any]:
    return {"namespace": CORE, "pod_labels": {"app.kubernetes.io/component": component}}


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    WorkersOnly(
        chart,
        "airflow",
        **merge_props(
            dict(
                broker=ExternalBroker(url=SecretRef("airflow-core", "broker-url")),
                database=ExternalDatabase(url=SecretRef("airflow-core", "database-url")),
                execution_api_url=f"http://airflow-api-server.{CORE}.svc.cluster.local:8080/execution/",
                secrets={
                    "fernet_key": SecretRef("airflow-core", "fernet-key"),
                    "api_secret_key": SecretRef("airflow-core", "api-secret-key"),
                    "jwt_secret": SecretRef("airflow-core", "jwt-secret"),
                },
                worker_sets=[CeleryWorkerSet(name="remote", queues=["remote"], replicas=2)],
                network_policies={
                    "broker": {"to": [_core_pods("redis")]},
                    "database": {"to": [_core_pods("postgres")]},
                    "execution_api": {"to": [_core_pods("api-server")]},
                    "log_readers": [_core_pods("api-server")],
                },
            ),
            overrides,
        ),
    )
    return chart
