"""KubernetesExecutor: a pod per task from a pod template, with the finished-pod cleanup CronJob."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, KubernetesExecutor
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", **merge_props(dict(executor=KubernetesExecutor(cleanup={"enabled": True})), overrides))
    return chart
