"""Upgrades applied for real (issue 25): v1, then v2 with one field changed, server-side apply with
ApplySet pruning, on the real API server. No apply may fail on an immutable field, and the old
one-shot Jobs are pruned, as docs/upgrade.md says.

The pairs are the named upgrades of ``tests/test_upgrade_properties.py`` and an even sample of its
sweep over every field of the default install; the volume changes it documents as a migration are
applied too, and the API server must refuse them exactly where docs/upgrade.md says it will.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.cluster.cluster import Cluster
from tests.immutable_fields import immutable_conflicts
from tests.test_upgrade_properties import DEFAULT_FIELDS, first_valid_change, synth, with_value

pytestmark = pytest.mark.cluster

Path_ = tuple[str | int, ...]
NAMED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("issue-25-cpu-request", {}, with_value({}, ("migrations", "resources", "cpu_request"), "300m")),
    ("node-selector", {}, with_value({}, ("migrations", "pod", "node_selector"), {"pool": "batch"})),
    ("image-tag", {}, with_value({}, ("image", "tag"), "3.3.1")),
    ("config", {}, with_value({}, ("config",), {"core": {"default_task_retries": "2"}})),
    ("pools", {}, with_value({}, ("pools",), [{"name": "etl", "slots": 4}])),
]
SAMPLE_EVERY = 25
"""One field in 25 of the sweep (17 of 430): each pair costs a namespace and two applies."""


def sampled() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for path in sorted(DEFAULT_FIELDS)[::SAMPLE_EVERY]:
        changed = first_valid_change(path)
        if changed is not None:
            out.append((".".join(map(str, path)), {}, changed))
    return out


def in_namespace(config: dict[str, Any], namespace: str) -> dict[str, Any]:
    return {**config, "namespace": namespace}


def as_yaml(manifests: list[dict[str, Any]]) -> str:
    """JSON documents are YAML: one per document, in order."""
    return "---\n".join(json.dumps(m) + "\n" for m in manifests)


def job_names(cluster: Cluster, namespace: str) -> set[str]:
    return {j["metadata"]["name"] for j in cluster.get("jobs", namespace=namespace)["items"]}


def upgrade(cluster: Cluster, name: str, v1: dict[str, Any], v2: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    namespace = cluster.new_namespace(("upgrade-" + re.sub(r"[^a-z0-9]+", "-", name.lower()))[:63].rstrip("-"))
    first = cluster.apply(as_yaml(synth(in_namespace(v1, namespace))), namespace=namespace, applyset="airflow")
    assert first.ok and not first.warnings, f"{name} v1: {first.stderr}"
    after = synth(in_namespace(v2, namespace))
    return cluster.apply(as_yaml(after), namespace=namespace, applyset="airflow"), after


@pytest.mark.parametrize(("name", "v1", "v2"), NAMED + sampled(), ids=lambda v: v if isinstance(v, str) else "")
def test_an_upgrade_applies_and_prunes_the_old_jobs(
    cluster: Cluster, crds: Any, name: str, v1: dict[str, Any], v2: dict[str, Any]
) -> None:
    result, after = upgrade(cluster, name, v1, v2)
    assert result.ok and not result.warnings, f"{name} v2: {result.stderr}"
    namespace = after[0]["metadata"]["namespace"]
    expected = {m["metadata"]["name"] for m in after if m["kind"] == "Job"}
    assert job_names(cluster, namespace) == expected, "the old Jobs are pruned, the new ones applied"
    cluster.delete_namespace(namespace, wait=False)


def test_the_reported_upgrade_failed_before_the_fix(cluster: Cluster, crds: Any) -> None:
    """The check can fail: the v2 of issue 25 under v1's Job name is refused as immutable."""
    _, v1, v2 = NAMED[0]
    namespace = cluster.new_namespace("upgrade-selftest")
    before = synth(in_namespace(v1, namespace))
    assert cluster.apply(as_yaml(before), namespace=namespace).ok
    old_names = {m["metadata"]["name"] for m in before if m["kind"] == "Job" and "migrate" in m["metadata"]["name"]}
    after = synth(in_namespace(v2, namespace))
    for manifest in after:
        if manifest["kind"] == "Job" and "migrate" in manifest["metadata"]["name"]:
            manifest["metadata"]["name"] = next(iter(old_names))  # the name the old hash kept
    result = cluster.apply(as_yaml(after), namespace=namespace)
    assert not result.ok and "field is immutable" in result.stderr, result.stderr
    cluster.delete_namespace(namespace, wait=False)


def test_the_documented_volume_migration_is_what_the_api_server_refuses(cluster: Cluster, crds: Any) -> None:
    """docs/upgrade.md: a new size of the embedded PostgreSQL volume cannot be applied; it needs
    the documented steps. The offline property predicts the same refusal."""
    v2 = with_value({}, ("database", "storage_size"), "16Gi")
    assert [c[:2] for c in immutable_conflicts(synth({}), synth(v2))] == [("StatefulSet", "airflow-postgres")]
    result, after = upgrade(cluster, "postgres-size", {}, v2)
    assert not result.ok and "spec.volumeClaimTemplates" in result.stderr, result.stderr
    assert "field is immutable" in result.stderr, result.stderr
    # The documented way through: orphan the StatefulSet (pod and claim stay), apply again.
    namespace = after[0]["metadata"]["namespace"]
    orphaned = cluster.kubectl("delete", "statefulset", "airflow-postgres", "-n", namespace, "--cascade=orphan")
    assert orphaned.ok, orphaned.stderr
    again = cluster.apply(as_yaml(after), namespace=namespace, applyset="airflow")
    assert again.ok and not again.warnings, again.stderr
    cluster.delete_namespace(namespace, wait=False)
