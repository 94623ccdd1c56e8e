"""Exposure of the api-server and Flower: Ingress with TLS (Secret, cert-manager annotation or
Certificate), Gateway API HTTPRoute, the base URL, and bad inputs with exact messages."""

from __future__ import annotations

import configparser
from typing import Any

import pytest

from airflow_constructs import Airflow, CeleryExecutor, PropsError
from tests import conformance
from tests.conftest import Manifest, env_of, find, synth_chart

LABELS = {
    "app.kubernetes.io/component": "api-server",
    "app.kubernetes.io/instance": "airflow",
    "app.kubernetes.io/managed-by": "airflow-constructs",
    "app.kubernetes.io/name": "airflow",
    "app.kubernetes.io/part-of": "airflow",
    "app.kubernetes.io/version": "3.3.2",
}


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


def test_ingress_with_a_tls_secret() -> None:
    manifests = synth(
        api_server={"expose": {"host": "airflow.example.com", "tls_secret": "airflow-tls", "ingress_class": "nginx"}}
    )
    ingress = find(manifests, "Ingress", "airflow-api-server")
    assert ingress == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"labels": LABELS, "name": "airflow-api-server", "namespace": "airflow"},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": "airflow.example.com",
                    "http": {
                        "paths": [
                            {
                                "backend": {"service": {"name": "airflow-api-server", "port": {"number": 8080}}},
                                "path": "/",
                                "pathType": "Prefix",
                            }
                        ]
                    },
                }
            ],
            "tls": [{"hosts": ["airflow.example.com"], "secretName": "airflow-tls"}],
        },
    }
    assert airflow_cfg(manifests).get("api", "base_url") == "https://airflow.example.com"
    assert conformance.wiring_resolves(manifests) == []
    assert conformance.strict_schema([ingress]) == []


def test_cert_manager_annotation_issues_the_certificate() -> None:
    manifests = synth(api_server={"expose": {"host": "airflow.example.com", "issuer": "letsencrypt"}})
    ingress = find(manifests, "Ingress", "airflow-api-server")
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"]["tls"] == [{"hosts": ["airflow.example.com"], "secretName": "airflow-api-server-tls"}]
    assert [m for m in manifests if m["kind"] == "Certificate"] == []
    namespaced = synth(api_server={"expose": {"host": "a.example.com", "issuer": "ca", "issuer_kind": "Issuer"}})
    annotations = find(namespaced, "Ingress", "airflow-api-server")["metadata"]["annotations"]
    assert annotations == {"cert-manager.io/issuer": "ca"}


def test_cert_manager_certificate_object() -> None:
    manifests = synth(
        api_server={
            "expose": {
                "host": "airflow.example.com",
                "issuer": "letsencrypt",
                "certificate": True,
                "tls_secret": "airflow-cert",
                "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "16m"},
            }
        }
    )
    certificate = find(manifests, "Certificate", "airflow-api-server")
    assert certificate["apiVersion"] == "cert-manager.io/v1"
    assert certificate["spec"] == {
        "dnsNames": ["airflow.example.com"],
        "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt"},
        "secretName": "airflow-cert",
    }
    assert certificate["metadata"]["labels"] == LABELS
    ingress = find(manifests, "Ingress", "airflow-api-server")
    assert ingress["metadata"]["annotations"] == {"nginx.ingress.kubernetes.io/proxy-body-size": "16m"}
    assert ingress["spec"]["tls"][0]["secretName"] == "airflow-cert"
    assert conformance.strict_schema([certificate]) == []


def test_http_route_attached_to_a_gateway() -> None:
    manifests = synth(
        api_server={
            "expose": {
                "kind": "httproute",
                "host": "airflow.example.com",
                "path": "/airflow",
                "gateway": "public",
                "gateway_namespace": "gateways",
                "gateway_listener": "https",
            }
        }
    )
    route = find(manifests, "HTTPRoute", "airflow-api-server")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"] == {
        "hostnames": ["airflow.example.com"],
        "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "https"}],
        "rules": [
            {
                "backendRefs": [{"name": "airflow-api-server", "port": 8080}],
                "matches": [{"path": {"type": "PathPrefix", "value": "/airflow"}}],
            }
        ],
    }
    assert [m for m in manifests if m["kind"] == "Ingress"] == []
    assert airflow_cfg(manifests).get("api", "base_url") == "https://airflow.example.com/airflow"
    assert conformance.wiring_resolves(manifests) == []
    assert conformance.strict_schema([route]) == []


def test_plain_http_ingress_when_tls_is_off() -> None:
    manifests = synth(api_server={"expose": {"host": "airflow.internal", "tls": False}})
    assert "tls" not in find(manifests, "Ingress", "airflow-api-server")["spec"]
    assert airflow_cfg(manifests).get("api", "base_url") == "http://airflow.internal"


def test_airflow2_base_url_is_the_webserver_one() -> None:
    manifests = synth(image={"tag": "2.11.0"}, api_server={"expose": {"host": "a.example.com", "tls_secret": "t"}})
    cfg = airflow_cfg(manifests)
    assert cfg.get("webserver", "base_url") == "https://a.example.com"
    assert not cfg.has_option("api", "base_url")


def test_flower_behind_an_ingress_on_a_sub_path() -> None:
    manifests = synth(
        executor=CeleryExecutor(),
        flower={"enabled": True, "expose": {"host": "ops.example.com", "path": "/flower", "tls_secret": "ops-tls"}},
    )
    ingress = find(manifests, "Ingress", "airflow-flower")
    path = ingress["spec"]["rules"][0]["http"]["paths"][0]
    assert path == {
        "backend": {"service": {"name": "airflow-flower", "port": {"number": 5555}}},
        "path": "/flower",
        "pathType": "Prefix",
    }
    container = find(manifests, "Deployment", "airflow-flower")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(container)["AIRFLOW__CELERY__FLOWER_URL_PREFIX"] == "flower"
    assert conformance.wiring_resolves(manifests) == []
    # Flower's exposure leaves Airflow's base URL alone.
    assert not airflow_cfg(manifests).has_option("api", "base_url")


def test_no_exposure_by_default(default_app: list[Manifest]) -> None:
    assert [m for m in default_app if m["kind"] in ("Ingress", "HTTPRoute", "Certificate")] == []


@pytest.mark.parametrize(
    ("expose", "message"),
    [
        (
            {"host": "airflow.example.com"},
            "AirflowProps.api_server.expose: tls is on but neither tls_secret nor issuer is set: name the Secret "
            "holding the certificate, or a cert-manager issuer to issue it (or set tls to false)",
        ),
        (
            {"host": "Airflow_UI", "tls": False},
            "AirflowProps.api_server.expose.host: 'Airflow_UI' is not allowed: not a DNS name: expected lowercase "
            "labels of letters, digits and '-' separated by dots, such as 'airflow.example.com'",
        ),
        (
            {"host": "https://airflow.example.com", "tls": False},
            "AirflowProps.api_server.expose.host: 'https://airflow.example.com' is not allowed: not a DNS name: "
            "expected lowercase labels of letters, digits and '-' separated by dots, such as 'airflow.example.com'",
        ),
        (
            {"host": "a.example.com", "path": "/airflow/", "tls": False},
            "AirflowProps.api_server.expose.path: '/airflow/' is not allowed: expected '/' or a path such as "
            "'/airflow': starting with '/', no trailing '/' or spaces",
        ),
        (
            {"host": "a.example.com", "certificate": True, "tls_secret": "x"},
            "AirflowProps.api_server.expose: certificate is true but issuer is not set: name the cert-manager issuer",
        ),
        (
            {"host": "a.example.com", "kind": "httproute"},
            "AirflowProps.api_server.expose: kind 'httproute' needs gateway: the name of the Gateway to attach to",
        ),
        (
            {"host": "a.example.com", "kind": "httproute", "gateway": "gw", "tls_secret": "x"},
            "AirflowProps.api_server.expose: tls_secret is set but only kind 'ingress' uses it: with an "
            "HTTPRoute, TLS terminates at the Gateway's listener (its certificateRefs)",
        ),
        (
            {"host": "a.example.com", "tls_secret": "x", "gateway": "gw"},
            "AirflowProps.api_server.expose: gateway is set but only kind 'httproute' uses it, not 'ingress'",
        ),
        (
            # the HTTPRoute's rule comes first: a certificate is an Ingress setting, issuer or not
            {"host": "a.example.com", "kind": "httproute", "gateway": "gw", "certificate": True},
            "AirflowProps.api_server.expose: certificate is set but only kind 'ingress' uses it: with an "
            "HTTPRoute, TLS terminates at the Gateway's listener (its certificateRefs)",
        ),
        (
            {"host": "a.example.com", "kind": "httproute", "gateway": "gw", "ingress_class": "nginx", "issuer": "le"},
            "AirflowProps.api_server.expose: ingress_class, issuer are set but only kind 'ingress' uses them: with an "
            "HTTPRoute, TLS terminates at the Gateway's listener (its certificateRefs)",
        ),
        (
            {"host": "a.example.com", "gateway_listener": "l", "gateway_namespace": "n", "tls": False},
            "AirflowProps.api_server.expose: gateway_namespace, gateway_listener are set but only kind 'httproute' "
            "uses them, not 'ingress'",
        ),
        (
            {"host": "a.example.com", "tls": False, "issuer": "le"},
            "AirflowProps.api_server.expose: tls is false but tls_secret or issuer is set: drop them, or leave tls on",
        ),
        (
            {"host": "a.example.com", "tls_secret": "Bad_Secret"},
            "AirflowProps.api_server.expose.tls_secret: 'Bad_Secret' is not allowed: 'Bad_Secret' is not a valid "
            "name for tls_secret: expected a DNS subdomain: at most 253 characters, lowercase labels of letters, "
            "digits and '-' separated by '.', each starting and ending with a letter or digit",
        ),
        (
            {"host": "a.example.com", "kind": "httproute", "gateway": "gw", "gateway_namespace": "g" * 64},
            f"AirflowProps.api_server.expose.gateway_namespace: {'g' * 64!r} is not allowed: {'g' * 64!r} is not a "
            "valid name for "
            "gateway_namespace: use at most 63 lowercase letters, digits and '-', starting and ending with a letter "
            "or digit",
        ),
        (
            {"host": "a.example.com", "tls_secret": "x", "annotations": {"bad key": "1"}},
            "AirflowProps.api_server.expose.annotations: {'bad key': '1'} is not allowed: annotation key 'bad key' "
            "is not a qualified name ([prefix/]name): the name part must be letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit",
        ),
    ],
)
def test_bad_exposure(expose: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(api_server={"expose": expose})
    assert str(err.value) == message


def test_names_of_objects_may_hold_dots() -> None:
    """Secret, Issuer and IngressClass names are DNS subdomains."""
    expose = {"host": "a.example.com", "tls_secret": "airflow.tls", "issuer": "letsencrypt.prod",
              "ingress_class": "nginx.internal"}  # fmt: skip
    ingress = next(o for o in synth(api_server={"expose": expose}) if o["kind"] == "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx.internal"
    assert ingress["spec"]["tls"][0]["secretName"] == "airflow.tls"


def test_base_url_given_twice() -> None:
    with pytest.raises(PropsError) as err:
        synth(
            config={"api": {"base_url": "https://x.example.com"}},
            api_server={"expose": {"host": "a.example.com", "tls_secret": "t"}},
        )
    assert str(err.value) == (
        "AirflowProps.config: api.base_url is set together with api_server.expose: the base URL is the exposed "
        "one (https://a.example.com); remove config api.base_url"
    )
