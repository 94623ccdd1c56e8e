"""A production-shaped install: external PostgreSQL over TLS through PgBouncer, git-sync over SSH
with pinned host keys, logs on a ReadWriteMany volume, Celery workers (recycled), db clean, HA replicas,
a daily api-server restart."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import (
    Airflow,
    CeleryExecutor,
    CeleryWorkerSet,
    DatabaseTls,
    ExternalBroker,
    ExternalDatabase,
    GitSshAuth,
    GitSyncDags,
    HorizontalAutoscaling,
    SecretRef,
)
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        **merge_props(
            dict(
                database=ExternalDatabase(
                    host="airflow-db.prod.internal",
                    user="airflow",
                    database="airflow",
                    password=SecretRef("airflow-db", "password"),
                    tls=DatabaseTls(ca=SecretRef("airflow-db", "ca.crt")),
                ),
                pgbouncer={"enabled": True, "metrics_exporter": True},
                dags=GitSyncDags(
                    repo="git@github.com:acme/airflow-dags.git",
                    ref="main",
                    subdir="dags",
                    ssh=GitSshAuth(
                        private_key=SecretRef("airflow-git", "id_ed25519"),
                        known_hosts=SecretRef("airflow-git", "known_hosts"),
                    ),
                ),
                logs={"volume": {"storage_class": "efs-encrypted", "storage_size": "50Gi"}, "retention_days": 30},
                executor=CeleryExecutor(
                    broker=ExternalBroker(url=SecretRef("airflow-broker", "url")),
                    worker_sets=[
                        CeleryWorkerSet(
                            name="default",
                            autoscaling=HorizontalAutoscaling(min_replicas=2, max_replicas=10),
                            max_tasks_per_child=200,
                            max_memory_per_child="1Gi",
                        ),
                    ],
                ),
                api_server={"replicas": 2, "restart": {"schedule": "30 4 * * *"}},
                scheduler={"replicas": 2},
                triggerer={"replicas": 2},
                db_clean={"retention_days": 60},
                pools=[{"name": "warehouse", "slots": 8, "description": "Concurrent warehouse queries"}],
            ),
            overrides,
        ),
    )
    return chart
