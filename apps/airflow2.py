"""Airflow 2.11 in compatibility mode: the webserver instead of the api-server, no execution API,
the FAB admin user created by a Job with a generated password."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow
from airflow_constructs.packaging.values import merge_props


def build(app: App, **overrides: Any) -> Chart:
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", **merge_props(dict(image={"tag": "2.11.0"}), overrides))
    return chart
