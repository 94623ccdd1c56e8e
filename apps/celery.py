"""CeleryExecutor: two worker sets on their own queues, KEDA on the high-memory set, Flower, embedded Redis."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, CeleryExecutor, CeleryWorkerSet, KedaAutoscaling, Resources
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        **merge_props(
            dict(
                executor=CeleryExecutor(
                    worker_sets=[
                        CeleryWorkerSet(name="default", queues=["default"], replicas=2),
                        CeleryWorkerSet(
                            name="highmem",
                            queues=["highmem"],
                            concurrency=4,
                            resources=Resources(
                                cpu_request="1", memory_request="8Gi", cpu_limit="4", memory_limit="16Gi"
                            ),
                            autoscaling=KedaAutoscaling(min_replicas=0, max_replicas=5),
                        ),
                    ]
                ),
                flower={"enabled": True},
            ),
            overrides,
        ),
    )
    return chart
