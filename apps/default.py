"""The default install: LocalExecutor, embedded PostgreSQL, every secret generated in-cluster."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", **overrides)
    return chart
