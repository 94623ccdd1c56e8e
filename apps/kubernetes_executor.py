"""KubernetesExecutor: a pod per task from a pod template, with the finished-pod cleanup CronJob."""

from __future__ import annotations

from cdk8s import App, Chart

from airflow_constructs import Airflow, KubernetesExecutor


def build(app: App) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", executor=KubernetesExecutor(cleanup={"enabled": True}))
    return chart
