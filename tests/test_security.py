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
    "production": {"Job/airflow-secrets-bootstrap", "CronJob/airflow-api-server-restart"},
    "airflow2": {"Job/airflow-secrets-bootstrap"},
    "ldap": {"Job/airflow-secrets-bootstrap"},
    "oauth": {"Job/airflow-secrets-bootstrap"},
    "keycloak": {"Job/airflow-secrets-bootstrap"},
    "workers-only": set(),
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
    "api-server-restart": [
        {
            "apiGroups": ["apps"],
            "resourceNames": ["airflow-api-server"],
            "resources": ["deployments"],
            "verbs": ["get", "patch"],
        }
    ],
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


# -- secrets from a secret manager ------------------------------------------------------------------
VAULT = {
    "name": "airflow-vault",
    "store": {"name": "vault", "kind": "ClusterSecretStore"},
    "data": {
        "fernet-key": {"key": "airflow/prod", "property": "fernet_key"},
        "db-url": {"key": "airflow/prod", "property": "sql_alchemy_conn"},
    },
}


def test_external_secret_from_vault_produces_the_secret_pods_read() -> None:
    from airflow_constructs import Airflow, ExternalDatabase, SecretRef
    from tests.conftest import env_of, find, synth_chart

    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            database=ExternalDatabase(url=SecretRef("airflow-vault", "db-url")),
            secrets={"fernet_key": SecretRef("airflow-vault", "fernet-key")},
            external_secrets=[VAULT],
        )
    )
    external = find(manifests, "ExternalSecret", "airflow-vault")
    assert external["apiVersion"] == "external-secrets.io/v1"
    assert external["spec"] == {
        "data": [
            {"remoteRef": {"key": "airflow/prod", "property": "sql_alchemy_conn"}, "secretKey": "db-url"},
            {"remoteRef": {"key": "airflow/prod", "property": "fernet_key"}, "secretKey": "fernet-key"},
        ],
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault"},
        "target": {"creationPolicy": "Owner", "name": "airflow-vault"},
    }
    assert external["metadata"]["labels"]["app.kubernetes.io/component"] == "secrets"
    scheduler = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]["containers"][0]
    env = env_of(scheduler)
    assert env["AIRFLOW__CORE__FERNET_KEY"] == {"secretKeyRef": {"key": "fernet-key", "name": "airflow-vault"}}
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == {"secretKeyRef": {"key": "db-url", "name": "airflow-vault"}}
    assert conformance.strict_schema([external]) == []
    # Fernet key external: the bootstrap Job no longer generates it.
    spec = find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"]
    assert "fernet-key" not in spec


def test_aws_secrets_manager_store_in_the_namespace() -> None:
    from airflow_constructs import Airflow, SecretRef
    from tests.conftest import find, synth_chart

    aws = {
        "name": "airflow-aws",
        "store": {"name": "aws-secrets-manager", "kind": "SecretStore"},
        "data": {"jwt": {"key": "prod/airflow/jwt", "version": "AWSCURRENT"}},
        "refresh_interval": "15m",
    }
    manifests = synth_chart(
        lambda c: Airflow(c, "airflow", secrets={"jwt_secret": SecretRef("airflow-aws", "jwt")}, external_secrets=[aws])
    )
    spec = find(manifests, "ExternalSecret", "airflow-aws")["spec"]
    assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "aws-secrets-manager"}
    assert spec["data"] == [{"remoteRef": {"key": "prod/airflow/jwt", "version": "AWSCURRENT"}, "secretKey": "jwt"}]
    assert spec["refreshInterval"] == "15m"


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"secrets": {"fernet_key": {"name": "airflow-vault", "key": "fernet"}}, "external_secrets": [VAULT]},
            "AirflowProps.secrets.fernet_key: key 'fernet' of Secret 'airflow-vault' is not produced by its "
            "ExternalSecret (keys: db-url, fernet-key)",
        ),
        (
            {"external_secrets": [VAULT, VAULT]},
            "AirflowProps.external_secrets: airflow-vault declared more than once",
        ),
        (
            {"external_secrets": [{**VAULT, "name": "airflow-generated"}]},
            "AirflowProps.external_secrets: 'airflow-generated' is the Secret the bootstrap Job generates: produce "
            "another name and reference it with SecretRef",
        ),
        (
            {"external_secrets": [{**VAULT, "data": {}}]},
            "AirflowProps.external_secrets[0].data: give at least one key",
        ),
        (
            {"external_secrets": [{**VAULT, "refresh_interval": "0s"}]},
            "AirflowProps.external_secrets[0].refresh_interval: '0s' is not allowed: expected a positive duration "
            "such as '1h', '30m' or '1h30m'",
        ),
        (
            {"external_secrets": [{**VAULT, "store": {"name": "vault", "kind": "Vault"}}]},
            "AirflowProps.external_secrets[0].store.kind: 'Vault' is not allowed: Input should be 'SecretStore' or "
            "'ClusterSecretStore'",
        ),
    ],
)
def test_bad_external_secrets(props: dict[str, Any], message: str) -> None:
    from airflow_constructs import Airflow, PropsError
    from tests.conftest import synth_chart

    with pytest.raises(PropsError) as err:
        synth_chart(lambda c: Airflow(c, "airflow", **props))
    assert str(err.value) == message


# -- OpenShift -----------------------------------------------------------------------------------------
def test_openshift_leaves_uids_to_the_scc() -> None:
    from airflow_constructs import Airflow, CeleryExecutor, KubernetesExecutor
    from tests.conftest import find, synth_chart

    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            openshift=True,
            executor=[CeleryExecutor(), KubernetesExecutor(cleanup={"enabled": True})],
            metrics={"statsd": True},
        )
    )
    templates = list(conformance.pod_templates(manifests))
    assert len(templates) >= 10
    for name, template in templates:
        context = template["spec"]["securityContext"]
        assert context == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}, name
    task_pod = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    assert task_pod["spec"]["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert conformance.restricted_pod_security(manifests) == []


def test_fixed_uids_by_default(default_app: list[Manifest]) -> None:
    uids = {t["spec"]["securityContext"]["runAsUser"] for _, t in conformance.pod_templates(default_app)}
    assert uids == {50000, 999, 65534}  # Airflow, PostgreSQL and Redis, the StatsD exporter (nobody)


# -- docs/security.md and docs/audit-policy.yaml ----------------------------------------------------
def test_every_control_names_code_and_tests_that_exist() -> None:
    import re

    text = (ROOT / "docs" / "security.md").read_text()
    refs = re.findall(r"`([A-Za-z0-9_./-]+\.(?:py|yaml|yml|md))(?:::([A-Za-z0-9_]+))?`", text)
    assert len(refs) > 30
    for path, name in refs:
        file = ROOT / path
        assert file.exists(), path
        if name:
            assert re.search(rf"^def {name}\(", file.read_text(), re.M), f"{path}::{name}"


def test_rbac_review_lists_every_role(app_manifests: dict[str, list[Manifest]]) -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    roles = {
        m["metadata"]["name"].replace("airflow-", "<release>-", 1)
        for manifests in app_manifests.values()
        for m in manifests
        if m["kind"] == "Role"
    }
    assert roles == {
        "<release>-secrets-bootstrap",
        "<release>-pod-launcher",
        "<release>-pod-cleanup",
        "<release>-api-server-restart",
    }
    for role in roles:
        assert f"`{role}`" in text
    for rules in RULES.values():
        for rule in rules:
            for verb in rule["verbs"]:
                assert f"`{verb}`" in text


def test_audit_policy_covers_secrets_exec_and_rbac() -> None:
    policy = yaml.safe_load((ROOT / "docs" / "audit-policy.yaml").read_text())
    assert (policy["apiVersion"], policy["kind"]) == ("audit.k8s.io/v1", "Policy")
    by_resource = {}
    for rule in policy["rules"]:
        for group in rule.get("resources", []):
            for resource in group["resources"]:
                by_resource.setdefault(resource, rule["level"])
    assert by_resource["secrets"] == "Metadata"  # who read a Secret, never its value
    assert by_resource["pods/exec"] == "RequestResponse"
    assert by_resource["pods/attach"] == "RequestResponse"
    assert by_resource["roles"] == "RequestResponse"
    assert by_resource["rolebindings"] == "RequestResponse"
    assert policy["rules"][-1] == {"level": "None", "namespaces": ["airflow"]}
    assert {rule["level"] for rule in policy["rules"]} <= {"None", "Metadata", "Request", "RequestResponse"}


def test_release_workflow_scans_every_pinned_image() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    scan = workflow["jobs"]["image-scan"]
    step = scan["steps"][0]
    assert step["uses"].startswith("aquasecurity/trivy-action@")
    assert step["with"]["exit-code"] == "1"
    assert "image-scan" in workflow["jobs"]["build"]["needs"]


# -- Kerberos ------------------------------------------------------------------------------------------
KERBEROS = {
    "enabled": True,
    "principal": "airflow@EXAMPLE.COM",
    "keytab": {"name": "airflow-keytab", "key": "airflow.keytab"},
    "krb5_conf": "[libdefaults]\n  default_realm = EXAMPLE.COM\n",
    "kdc": [{"cidr": "10.40.0.0/24"}],
}


def test_kerberos_sidecar_for_the_pods_that_run_tasks() -> None:
    import configparser

    from airflow_constructs import Airflow, CeleryExecutor, KubernetesExecutor
    from tests.conftest import env_of, find, synth_chart

    manifests = synth_chart(
        lambda c: Airflow(c, "airflow", executor=[CeleryExecutor(), KubernetesExecutor()], kerberos=KERBEROS)
    )
    worker = find(manifests, "StatefulSet", "airflow-worker-default")["spec"]["template"]
    spec = worker["spec"]
    names = [c["name"] for c in spec["containers"]]
    assert names[0] == "worker" and "kerberos" in names
    sidecar = next(c for c in spec["containers"] if c["name"] == "kerberos")
    assert sidecar["args"] == ["kerberos"]
    assert {"mountPath": "/etc/airflow-kerberos/keytab", "name": "kerberos-keytab", "readOnly": True} in sidecar[
        "volumeMounts"
    ]
    main = spec["containers"][0]
    assert env_of(main)["KRB5CCNAME"] == "FILE:/var/kerberos-ccache/krb5cc"
    assert env_of(main)["KRB5_CONFIG"] == "/etc/airflow-kerberos/conf/krb5.conf"
    assert "kerberos-keytab" not in {m["name"] for m in main["volumeMounts"]}  # the keytab stays in the sidecar
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["kerberos-ccache"] == {
        "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"},
        "name": "kerberos-ccache",
    }
    assert volumes["kerberos-keytab"]["secret"]["secretName"] == "airflow-keytab"
    assert "airflow-constructs.io/krb5-conf-checksum" in worker["metadata"]["annotations"]
    assert find(manifests, "ConfigMap", "airflow-kerberos")["data"]["krb5.conf"] == KERBEROS["krb5_conf"]
    # The scheduler runs no task (Celery + Kubernetes): no sidecar there.
    scheduler = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]
    assert "kerberos" not in [c["name"] for c in scheduler["containers"]]
    # Task pods: a one-time kinit init container, no sidecar.
    task = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    assert task["spec"]["initContainers"][0]["args"] == ["kerberos", "--one-time"]
    assert [c["name"] for c in task["spec"]["containers"]] == ["base"]
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    assert cfg.get("core", "security") == "kerberos"
    assert dict(cfg["kerberos"]) == {
        "ccache": "/var/kerberos-ccache/krb5cc",
        "keytab": "/etc/airflow-kerberos/keytab/airflow.keytab",
        "principal": "airflow@EXAMPLE.COM",
        "reinit_frequency": "3600",
    }
    # The KDC is reachable on 88 from the Kerberos pods only.
    policy = find(manifests, "NetworkPolicy", "airflow-worker-default")["spec"]["egress"]
    assert {
        "ports": [{"port": 88, "protocol": "TCP"}, {"port": 88, "protocol": "UDP"}],
        "to": [{"ipBlock": {"cidr": "10.40.0.0/24"}}],
    } in policy
    api = find(manifests, "NetworkPolicy", "airflow-api-server")["spec"]["egress"]
    assert not [r for r in api if {"port": 88, "protocol": "TCP"} in r["ports"]]
    assert conformance.restricted_pod_security(manifests) == []
    assert conformance.resources_on_every_container(manifests) == []


def test_kerberos_for_named_components() -> None:
    from airflow_constructs import Airflow
    from tests.conftest import find, synth_chart

    manifests = synth_chart(lambda c: Airflow(c, "airflow", kerberos={**KERBEROS, "components": ["triggerer"]}))
    triggerer = find(manifests, "StatefulSet", "airflow-triggerer")["spec"]["template"]["spec"]
    assert "kerberos" in [c["name"] for c in triggerer["containers"]]
    scheduler = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]
    assert "kerberos" not in [c["name"] for c in scheduler["containers"]]


@pytest.mark.parametrize(
    ("kerberos", "message"),
    [
        (
            {"enabled": True, "principal": "airflow@EXAMPLE.COM"},
            "AirflowProps.kerberos: enabled is true but keytab, krb5_conf is not set: Kerberos needs all three",
        ),
        (
            {**KERBEROS, "principal": "airflow"},
            "AirflowProps.kerberos: principal 'airflow' is not a Kerberos principal such as 'airflow@EXAMPLE.COM'",
        ),
        (
            {**KERBEROS, "components": ["webserver"]},
            "AirflowProps.kerberos.components: 'webserver' is not a component of this install: expected one of "
            "tasks, api-server, dag-processor, scheduler, triggerer",
        ),
    ],
)
def test_bad_kerberos(kerberos: dict[str, Any], message: str) -> None:
    from airflow_constructs import Airflow, PropsError
    from tests.conftest import synth_chart

    with pytest.raises(PropsError) as err:
        synth_chart(lambda c: Airflow(c, "airflow", kerberos=kerberos))
    assert str(err.value) == message
