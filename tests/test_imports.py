"""The generated CRD bindings import from ``airflow_constructs.imports.*`` and synthesize.

Everything runs in this one Python process (jsii starts one node process per
Python process): a session fixture imports every binding and builds one object
of each API kind into a single chart, and the tests read its ``to_json()``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cdk8s
import pytest

IMPORTS_DIR = Path(__file__).resolve().parent.parent / "airflow_constructs" / "imports"

BINDINGS = ("keda", "monitoring_coreos_com", "external_secrets", "cert_manager", "gateway_api", "vpa")

# construct id -> (apiVersion, kind)
EXPECTED = {
    "scaledobject": ("keda.sh/v1alpha1", "ScaledObject"),
    "triggerauth": ("keda.sh/v1alpha1", "TriggerAuthentication"),
    "servicemonitor": ("monitoring.coreos.com/v1", "ServiceMonitor"),
    "podmonitor": ("monitoring.coreos.com/v1", "PodMonitor"),
    "prometheusrule": ("monitoring.coreos.com/v1", "PrometheusRule"),
    "externalsecret": ("external-secrets.io/v1", "ExternalSecret"),
    "secretstore": ("external-secrets.io/v1", "SecretStore"),
    "certificate": ("cert-manager.io/v1", "Certificate"),
    "issuer": ("cert-manager.io/v1", "Issuer"),
    "httproute": ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    "vpa": ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"),
    "vpacheckpoint": ("autoscaling.k8s.io/v1", "VerticalPodAutoscalerCheckpoint"),
}


def _bindings() -> SimpleNamespace:
    return SimpleNamespace(**{name: importlib.import_module(f"airflow_constructs.imports.{name}") for name in BINDINGS})


def _build(chart: cdk8s.Chart, b: SimpleNamespace) -> None:
    keda, mon, eso, cm, gw, vpa = (
        b.keda,
        b.monitoring_coreos_com,
        b.external_secrets,
        b.cert_manager,
        b.gateway_api,
        b.vpa,
    )
    labels = {"app.kubernetes.io/name": "airflow"}

    keda.ScaledObject(
        chart,
        "scaledobject",
        metadata=cdk8s.ApiObjectMetadata(name="airflow-worker"),
        spec=keda.ScaledObjectSpec(
            scale_target_ref=keda.ScaledObjectSpecScaleTargetRef(name="airflow-worker"),
            min_replica_count=0,
            triggers=[
                keda.ScaledObjectSpecTriggers(
                    type="postgresql",
                    metadata={"query": "SELECT 1"},
                    authentication_ref=keda.ScaledObjectSpecTriggersAuthenticationRef(name="airflow-db"),
                )
            ],
        ),
    )
    keda.TriggerAuthentication(
        chart,
        "triggerauth",
        metadata=cdk8s.ApiObjectMetadata(name="airflow-db"),
        spec=keda.TriggerAuthenticationSpec(),
    )
    mon.ServiceMonitor(
        chart,
        "servicemonitor",
        spec=mon.ServiceMonitorSpec(
            selector=mon.ServiceMonitorSpecSelector(match_labels=labels),
            endpoints=[mon.ServiceMonitorSpecEndpoints(port="metrics", path="/metrics")],
        ),
    )
    mon.PodMonitor(
        chart,
        "podmonitor",
        spec=mon.PodMonitorSpec(selector=mon.PodMonitorSpecSelector(match_labels=labels)),
    )
    mon.PrometheusRule(
        chart,
        "prometheusrule",
        spec=mon.PrometheusRuleSpec(
            groups=[
                mon.PrometheusRuleSpecGroups(
                    name="airflow",
                    rules=[
                        mon.PrometheusRuleSpecGroupsRules(
                            alert="AirflowSchedulerDown",
                            expr=mon.PrometheusRuleSpecGroupsRulesExpr.from_string("up == 0"),
                        )
                    ],
                )
            ]
        ),
    )
    eso.ExternalSecret(
        chart,
        "externalsecret",
        spec=eso.ExternalSecretSpec(
            secret_store_ref=eso.ExternalSecretSpecSecretStoreRef(
                name="vault", kind=eso.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE
            ),
            data=[
                eso.ExternalSecretSpecData(
                    secret_key="password",
                    remote_ref=eso.ExternalSecretSpecDataRemoteRef(key="airflow/db"),
                )
            ],
        ),
    )
    eso.SecretStore(
        chart,
        "secretstore",
        spec=eso.SecretStoreSpec(
            provider=eso.SecretStoreSpecProvider(
                kubernetes=eso.SecretStoreSpecProviderKubernetes(
                    remote_namespace="airflow",
                    auth=eso.SecretStoreSpecProviderKubernetesAuth(
                        service_account=eso.SecretStoreSpecProviderKubernetesAuthServiceAccount(name="eso")
                    ),
                )
            )
        ),
    )
    cm.Certificate(
        chart,
        "certificate",
        spec=cm.CertificateSpec(
            secret_name="airflow-tls",
            dns_names=["airflow.example.com"],
            issuer_ref=cm.CertificateSpecIssuerRef(name="selfsigned", kind="Issuer"),
        ),
    )
    cm.Issuer(chart, "issuer", spec=cm.IssuerSpec(self_signed=cm.IssuerSpecSelfSigned()))
    gw.HttpRoute(
        chart,
        "httproute",
        spec=gw.HttpRouteSpec(
            parent_refs=[gw.HttpRouteSpecParentRefs(name="gateway")],
            hostnames=["airflow.example.com"],
            rules=[
                gw.HttpRouteSpecRules(
                    backend_refs=[gw.HttpRouteSpecRulesBackendRefs(name="airflow-api-server", port=8080)]
                )
            ],
        ),
    )
    vpa.VerticalPodAutoscaler(
        chart,
        "vpa",
        spec=vpa.VerticalPodAutoscalerSpec(
            target_ref=vpa.VerticalPodAutoscalerSpecTargetRef(
                api_version="apps/v1", kind="Deployment", name="airflow-scheduler"
            ),
            update_policy=vpa.VerticalPodAutoscalerSpecUpdatePolicy(
                update_mode=vpa.VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF
            ),
        ),
    )
    vpa.VerticalPodAutoscalerCheckpoint(chart, "vpacheckpoint")


@pytest.fixture(scope="session")
def manifests() -> dict[str, dict[str, Any]]:
    """Every object of the test chart, keyed by construct id."""
    app = cdk8s.App()
    chart = cdk8s.Chart(app, "imports")
    _build(chart, _bindings())
    by_id: dict[str, dict[str, Any]] = {}
    for api_object in chart.api_objects:
        by_id[api_object.node.id] = api_object.to_json()
    # the chart as a whole renders too (what `cdk8s synth` does)
    assert len(chart.to_json()) == len(EXPECTED)
    return by_id


def test_package_init_imports_nothing() -> None:
    """``airflow_constructs.imports`` must not load any jsii assembly eagerly."""
    tree = ast.parse((IMPORTS_DIR / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_bindings_are_nested_and_ship_their_assembly() -> None:
    for name in BINDINGS:
        assert len(list((IMPORTS_DIR / name / "_jsii").glob("*.jsii.tgz"))) == 1, name
    # nothing generated at top level under cdk8s' own package names
    for stray in ("sh", "com", "io", "imports"):
        assert not (IMPORTS_DIR / stray).exists()


@pytest.mark.parametrize("construct_id", sorted(EXPECTED))
def test_api_version_and_kind(manifests: dict[str, dict[str, Any]], construct_id: str) -> None:
    api_version, kind = EXPECTED[construct_id]
    manifest = manifests[construct_id]
    assert manifest["apiVersion"] == api_version
    assert manifest["kind"] == kind


def test_spec_serialization(manifests: dict[str, dict[str, Any]]) -> None:
    """Typed structs, enums and union helpers serialize to the CRD's field names."""
    so = manifests["scaledobject"]
    assert so["metadata"]["name"] == "airflow-worker"
    assert so["spec"]["scaleTargetRef"] == {"name": "airflow-worker"}
    assert so["spec"]["minReplicaCount"] == 0
    assert so["spec"]["triggers"][0]["authenticationRef"] == {"name": "airflow-db"}
    assert manifests["externalsecret"]["spec"]["secretStoreRef"] == {"name": "vault", "kind": "SecretStore"}
    assert manifests["prometheusrule"]["spec"]["groups"][0]["rules"][0]["expr"] == "up == 0"
    assert manifests["secretstore"]["spec"]["provider"]["kubernetes"]["auth"] == {"serviceAccount": {"name": "eso"}}
    assert manifests["certificate"]["spec"]["issuerRef"] == {"name": "selfsigned", "kind": "Issuer"}
    assert manifests["issuer"]["spec"] == {"selfSigned": {}}
    assert manifests["httproute"]["spec"]["rules"][0]["backendRefs"] == [{"name": "airflow-api-server", "port": 8080}]
    assert manifests["vpa"]["spec"]["updatePolicy"] == {"updateMode": "Off"}


def test_unserved_versions_are_not_generated() -> None:
    """refresh.py drops CRD versions with ``served: false`` (the API server rejects them)."""
    b = _bindings()
    assert not hasattr(b.external_secrets, "ExternalSecretV1Beta1")
    assert not hasattr(b.external_secrets, "SecretStoreV1Beta1")
    assert not hasattr(b.vpa, "VerticalPodAutoscalerV1Beta2")
    # served older versions stay available
    assert hasattr(b.gateway_api, "HttpRouteV1Beta1")
