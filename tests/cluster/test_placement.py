"""``pod_defaults`` on the real control plane: apps built with a release-wide toleration and node
selector are applied, and every pod template the API server stores (Deployments, StatefulSets, Jobs,
CronJobs) carries them, the housekeeping Jobs and CronJobs included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.apps import AppManifests
from tests.cluster.cluster import Cluster

pytestmark = pytest.mark.cluster

TOLERATION = {"effect": "NoSchedule", "key": "example.com/dedicated", "operator": "Equal", "value": "airflow"}
NODE_SELECTOR = {"example.com/pool": "airflow"}
DEFAULTS = {"node_selector": NODE_SELECTOR, "tolerations": [TOLERATION]}
KINDS = ("deployments", "statefulsets", "jobs", "cronjobs")


def _built(name: str) -> AppManifests:
    # Imported here: the other cluster tests read dist/ and never start jsii.
    from cdk8s import App

    from apps.registry import APPS

    chart = APPS[name](App(), pod_defaults=DEFAULTS)
    return AppManifests.of(name, list(chart.to_json()))


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    template = spec["jobTemplate"]["spec"]["template"] if obj["kind"] == "CronJob" else spec["template"]
    return dict(template["spec"])


@pytest.fixture(scope="module", params=["default", "production", "kubernetes-executor"])
def applied(request: pytest.FixtureRequest, cluster: Cluster, crds: list[Path]) -> Iterator[tuple[str, str]]:
    app = _built(request.param)
    namespace = cluster.new_namespace(f"placement-{request.param}")
    moved = app.moved_to(namespace)
    result = cluster.apply(moved.text)
    assert result.ok, result.stderr
    yield request.param, namespace
    cluster.delete_namespace(namespace, wait=False)


def test_every_stored_pod_template_carries_the_defaults(applied: tuple[str, str], cluster: Cluster) -> None:
    name, namespace = applied
    stored = [o for kind in KINDS for o in cluster.get(kind, namespace=namespace)["items"]]
    kinds = {o["kind"] for o in stored}
    assert {"Deployment", "StatefulSet", "Job", "CronJob"} <= kinds or name != "production", kinds
    assert stored
    for obj in stored:
        spec = _pod_spec(obj)
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        assert spec.get("nodeSelector") == NODE_SELECTOR, where
        assert spec.get("tolerations") == [TOLERATION], where
