"""In-cluster TLS for the api-server: HTTPS from a certificate Secret, trusted by every caller."""

from __future__ import annotations

import configparser
from typing import Any

import pytest

from airflow_constructs import Airflow, CeleryExecutor, KubernetesExecutor, PropsError
from tests import conformance
from tests.conftest import Manifest, env_of, find, synth_chart


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


def test_https_from_a_secret_and_the_execution_api_url_switches() -> None:
    manifests = synth(executor=CeleryExecutor(), api_server={"tls": {"secret": "airflow-api-tls"}})
    cfg = airflow_cfg(manifests)
    assert cfg.get("api", "ssl_cert") == "/opt/airflow/api-tls/tls.crt"
    assert cfg.get("api", "ssl_key") == "/opt/airflow/api-tls-key/tls.key"
    assert not cfg.has_option("api", "ssl_ca_file")  # a self-signed certificate is trusted as is
    api = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    main = api["containers"][0]
    assert main["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert env_of(main)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        "https://airflow-api-server.airflow.svc:8080/execution/"
    )
    volumes = {v["name"]: v for v in api["volumes"]}
    assert volumes["api-tls-key"]["secret"] == {
        "defaultMode": 0o440,
        "items": [{"key": "tls.key", "path": "tls.key"}],
        "secretName": "airflow-api-tls",
    }
    # Callers mount the certificate, never the key.
    worker = find(manifests, "StatefulSet", "airflow-worker-default")["spec"]["template"]["spec"]
    worker_volumes = {v["name"]: v for v in worker["volumes"]}
    assert worker_volumes["api-tls"]["secret"] == {
        "items": [{"key": "tls.crt", "path": "tls.crt"}],
        "secretName": "airflow-api-tls",
    }
    assert "api-tls-key" not in worker_volumes
    assert {"mountPath": "/opt/airflow/api-tls", "name": "api-tls", "readOnly": True} in worker["containers"][0][
        "volumeMounts"
    ]
    assert conformance.references_exist(manifests, {"Secret/airflow-api-tls"}) == []


def test_cert_manager_issues_the_internal_certificate() -> None:
    manifests = synth(
        executor=KubernetesExecutor(),
        api_server={"tls": {"secret": "airflow-api-server-internal-tls", "issuer": "cluster-ca"}},
    )
    certificate = find(manifests, "Certificate", "airflow-api-server-internal-tls")
    assert certificate["spec"] == {
        "dnsNames": [
            "airflow-api-server",
            "airflow-api-server.airflow",
            "airflow-api-server.airflow.svc",
            "airflow-api-server.airflow.svc.cluster.local",
        ],
        "issuerRef": {"kind": "ClusterIssuer", "name": "cluster-ca"},
        "secretName": "airflow-api-server-internal-tls",
    }
    cfg = airflow_cfg(manifests)
    assert cfg.get("api", "ssl_ca_file") == "/opt/airflow/api-tls/ca.crt"
    assert conformance.strict_schema([certificate]) == []
    import yaml

    task = yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])
    items = next(v for v in task["spec"]["volumes"] if v["name"] == "api-tls")["secret"]["items"]
    assert items == [{"key": "tls.crt", "path": "tls.crt"}, {"key": "ca.crt", "path": "ca.crt"}]


def test_plain_http_by_default(default_app: list[Manifest]) -> None:
    assert not airflow_cfg(default_app).has_option("api", "ssl_cert")
    main = find(default_app, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(main)["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"api_server": {"tls": {"issuer": "cluster-ca"}}},
            "AirflowProps.api_server.tls.secret: required field is missing",
        ),
        (
            {"image": {"tag": "2.11.0"}, "api_server": {"tls": {"secret": "x"}}},
            "AirflowProps.api_server.tls: in-cluster TLS uses Airflow 3's [api] ssl_cert; the image runs Airflow "
            "2.11.0",
        ),
    ],
)
def test_bad_tls(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(**props)
    assert str(err.value) == message
