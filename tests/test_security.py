"""Security review of every app: API tokens, RBAC, and the checkov skip list.

docs/security.md lists every Role of every app with why each verb is needed; these tests keep the
output to that list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import conformance
from tests.conftest import ROOT, Manifest

TOKEN_PODS = {
    "default": {"Job/airflow-secrets-bootstrap"},
    "celery": {"Job/airflow-secrets-bootstrap"},
    "kubernetes-executor": {
        "Job/airflow-secrets-bootstrap",
        "Deployment/airflow-scheduler",
        "CronJob/airflow-pod-cleanup",
    },
    "production": {"Job/airflow-secrets-bootstrap"},
    "airflow2": {"Job/airflow-secrets-bootstrap"},
}
"""The only pods that mount a service-account token: the ones that call the Kubernetes API."""

RULES = {
    "secrets-bootstrap": [
        {
            "apiGroups": [""],
            "resourceNames": ["airflow-generated"],
            "resources": ["secrets"],
            "verbs": ["get", "patch"],
        },
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ],
    "pod-launcher": [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "get", "list", "patch", "watch"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
    ],
    "pod-cleanup": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "list"]}],
}
"""Every Role the apps contain, by name suffix, with exactly these rules (docs/security.md says why)."""


def _strip_hash(name: str) -> str:
    head, _, tail = name.rpartition("-")
    return head if len(tail) == 8 and all(c in "0123456789abcdef" for c in tail) else name


@pytest.mark.parametrize("app", sorted(TOKEN_PODS))
def test_only_pods_that_call_the_api_mount_a_token(app_manifests: dict[str, list[Manifest]], app: str) -> None:
    mounting = set()
    for name, template in conformance.pod_templates(app_manifests[app]):
        if template["spec"].get("automountServiceAccountToken") is not False:
            mounting.add(_strip_hash(name))
    assert mounting == TOKEN_PODS[app]
    for sa in (m for m in app_manifests[app] if m["kind"] == "ServiceAccount"):
        assert sa["automountServiceAccountToken"] is False, sa["metadata"]["name"]


def test_every_app_is_reviewed(app_manifests: dict[str, list[Manifest]]) -> None:
    assert set(TOKEN_PODS) == set(app_manifests)


@pytest.mark.parametrize("app", sorted(TOKEN_PODS))
def test_roles_are_exactly_the_reviewed_ones(app_manifests: dict[str, list[Manifest]], app: str) -> None:
    manifests = app_manifests[app]
    assert [m for m in manifests if m["kind"] in ("ClusterRole", "ClusterRoleBinding")] == []
    for role in (m for m in manifests if m["kind"] == "Role"):
        suffix = role["metadata"]["name"].removeprefix("airflow-")
        assert role["rules"] == RULES[suffix], suffix
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
    for binding in (m for m in manifests if m["kind"] == "RoleBinding"):
        assert binding["roleRef"]["kind"] == "Role"
        assert [s["kind"] for s in binding["subjects"]] == ["ServiceAccount"]


def _violations(manifests: list[Manifest]) -> list[str]:
    """What the RBAC review refuses: wildcards, and cluster-scoped roles nobody asked for."""
    out = []
    for m in manifests:
        where = f"{m['kind']}/{m['metadata']['name']}"
        if m["kind"] in ("ClusterRole", "ClusterRoleBinding"):
            out.append(f"{where}: cluster-scoped")
        for rule in m.get("rules") or []:
            for field in ("verbs", "resources", "apiGroups"):
                if "*" in rule.get(field, []):
                    out.append(f"{where}: wildcard in {field}")
    return out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"kind": "Role", "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]}, "wildcard in verbs"),
        (
            {"kind": "Role", "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]},
            "wildcard in resources",
        ),
        ({"kind": "ClusterRole", "rules": []}, "cluster-scoped"),
    ],
)
def test_review_catches_wildcards_and_cluster_roles(bad: dict[str, Any], expected: str) -> None:
    manifest = {"metadata": {"name": "x"}, **bad}
    assert _violations([manifest]) == [f"{bad['kind']}/x: {expected}"]


def test_no_app_has_a_violation(app_manifests: dict[str, list[Manifest]]) -> None:
    assert {app: _violations(m) for app, m in app_manifests.items()} == {app: [] for app in app_manifests}


def test_checkov_skip_list_is_short_and_justified() -> None:
    text = (ROOT / ".checkov.yaml").read_text()
    config = yaml.safe_load(text)
    skipped = config["skip-check"]
    assert len(skipped) <= 8
    for check in skipped:
        line = next(line for line in text.splitlines() if line.strip().startswith(f"- {check} "))
        reason = line.split("#", 1)[1].strip()
        assert len(reason) > 40, check
    assert config["skip-download"] is True
    assert Path(ROOT / "Makefile").read_text().count("--config-file .checkov.yaml") == 1
