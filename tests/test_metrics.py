"""Metrics: the StatsD exporter (on by default), its mapping config, ServiceMonitor, OpenTelemetry."""

from __future__ import annotations

import configparser
from typing import Any

import pytest
import yaml

from airflow_constructs import Airflow, PropsError
from airflow_constructs.flow_declarations import network_graph
from tests import conformance
from tests.conftest import Manifest, find, synth_chart

SELECTOR = {
    "app.kubernetes.io/component": "statsd",
    "app.kubernetes.io/instance": "airflow",
    "app.kubernetes.io/name": "airflow",
}


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


@pytest.fixture(scope="module")
def statsd_app(default_app: list[Manifest]) -> list[Manifest]:
    return default_app


def test_on_by_default_and_off_on_request(default_app: list[Manifest]) -> None:
    assert airflow_cfg(default_app)["metrics"]["statsd_on"] == "True"
    assert {m["kind"] for m in default_app if m["metadata"]["name"] == "airflow-statsd"} == {
        "ConfigMap",
        "Deployment",
        "NetworkPolicy",
        "Service",
        "ServiceAccount",
    }
    off = synth(metrics={"statsd": False})
    assert not airflow_cfg(off).has_section("metrics")
    assert [m for m in off if "statsd" in m["metadata"]["name"]] == []


def test_every_process_sends_statsd_to_the_exporter(statsd_app: list[Manifest]) -> None:
    assert dict(airflow_cfg(statsd_app)["metrics"]) == {
        "statsd_host": "airflow-statsd.airflow.svc",
        "statsd_on": "True",
        "statsd_port": "9125",
        "statsd_prefix": "airflow",
    }


def test_exporter_deployment_and_service(statsd_app: list[Manifest]) -> None:
    default_app = statsd_app
    deployment = find(default_app, "Deployment", "airflow-statsd")
    spec = deployment["spec"]["template"]["spec"]
    (main,) = spec["containers"]
    assert main["image"] == "prom/statsd-exporter:v0.28.0"
    assert main["imagePullPolicy"] == "IfNotPresent"
    assert main["args"] == [
        "--statsd.listen-udp=:9125",
        "--statsd.listen-tcp=",
        "--web.listen-address=:9102",
        "--statsd.mapping-config=/etc/statsd-exporter/mappings.yml",
    ]
    assert main["ports"] == [
        {"containerPort": 9125, "name": "statsd", "protocol": "UDP"},
        {"containerPort": 9102, "name": "metrics", "protocol": "TCP"},
    ]
    assert main["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"},
        "requests": {"cpu": "50m", "memory": "64Mi"},
    }
    assert spec["securityContext"]["runAsUser"] == 65534
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == "airflow-statsd"
    assert deployment["spec"]["selector"] == {"matchLabels": SELECTOR}
    service = find(default_app, "Service", "airflow-statsd")
    assert service["spec"] == {
        "ports": [
            {"name": "statsd", "port": 9125, "protocol": "UDP", "targetPort": "statsd"},
            {"name": "metrics", "port": 9102, "protocol": "TCP", "targetPort": "metrics"},
        ],
        "selector": SELECTOR,
        "type": "ClusterIP",
    }
    assert conformance.services_select_pods([deployment, service]) == []
    assert [m for m in default_app if m["kind"] == "ServiceMonitor"] == []


def test_mapping_config_labels_dag_task_and_pool(statsd_app: list[Manifest]) -> None:
    default_app = statsd_app
    config_map = find(default_app, "ConfigMap", "airflow-statsd")
    mappings = yaml.safe_load(config_map["data"]["mappings.yml"])["mappings"]
    by_name = {m["name"]: m for m in mappings}
    assert by_name["airflow_task_duration"] == {
        "labels": {"dag_id": "$1", "task_id": "$2"},
        "match": "airflow.dag.*.*.duration",
        "name": "airflow_task_duration",
    }
    assert by_name["airflow_ti_finish"]["labels"] == {"dag_id": "$1", "task_id": "$2", "state": "$3"}
    assert by_name["airflow_pool_open_slots"]["labels"] == {"pool": "$1"}
    assert by_name["airflow_operator_failures"]["match_type"] == "regex"
    # Every rule is one statsd_exporter accepts: a match, a metric name, glob by default.
    for rule in mappings:
        assert set(rule) <= {"match", "name", "labels", "match_type"}
        assert rule["name"].startswith("airflow_")
    # The pods roll when the mappings change.
    template = find(default_app, "Deployment", "airflow-statsd")["spec"]["template"]
    assert "airflow-constructs.io/config-checksum" in template["metadata"]["annotations"]


def test_extra_mappings_come_first() -> None:
    rule = {"match": "airflow.custom.*", "name": "acme_custom", "labels": {"what": "$1"}}
    manifests = synth(metrics={"statsd": True, "extra_mappings": [rule]})
    mappings = yaml.safe_load(find(manifests, "ConfigMap", "airflow-statsd")["data"]["mappings.yml"])["mappings"]
    assert mappings[0] == rule


def test_service_monitor() -> None:
    manifests = synth(
        metrics={
            "statsd": True,
            "service_monitor": True,
            "service_monitor_labels": {"release": "prometheus"},
            "scrape_interval": "1m",
        }
    )
    monitor = find(manifests, "ServiceMonitor", "airflow-statsd")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"] == {
        "endpoints": [{"interval": "1m", "path": "/metrics", "port": "metrics"}],
        "selector": {"matchLabels": SELECTOR},
    }
    assert conformance.wiring_resolves(manifests) == []
    assert conformance.strict_schema([monitor]) == []


def test_prometheus_may_scrape_and_airflow_may_send() -> None:
    holder: dict[str, Airflow] = {}

    def build(chart: Any) -> None:
        holder["a"] = Airflow(
            chart, "airflow", metrics={"statsd": True, "prometheus": [{"namespace": "observability"}]}
        )

    manifests = synth_chart(build)
    graph = network_graph(holder["a"].composition)
    to_statsd = {(f.source, f.port, f.protocol) for f in graph.flows if f.destination == "statsd"}
    assert ("prometheus", 9102, "TCP") in to_statsd
    assert ("scheduler", 9125, "UDP") in to_statsd
    assert not [f for f in graph.flows if f.source == "statsd"]  # the exporter calls nothing
    policy = find(manifests, "NetworkPolicy", "airflow-statsd")["spec"]
    assert "egress" not in policy
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}} in [
        peer for rule in policy["ingress"] for peer in rule["from"]
    ]


def test_opentelemetry_instead_of_statsd() -> None:
    holder: dict[str, Airflow] = {}

    def build(chart: Any) -> None:
        holder["a"] = Airflow(
            chart,
            "airflow",
            metrics={"otel": {"host": "otel-collector.observability.svc", "to": [{"namespace": "observability"}]}},
        )

    manifests = synth_chart(build)
    cfg = airflow_cfg(manifests)
    assert dict(cfg["metrics"]) == {
        "otel_host": "otel-collector.observability.svc",
        "otel_on": "True",
        "otel_port": "4318",
        "otel_prefix": "airflow",
        "otel_ssl_active": "False",
    }
    assert dict(cfg["traces"]) == {
        "otel_host": "otel-collector.observability.svc",
        "otel_on": "True",
        "otel_port": "4318",
        "otel_ssl_active": "False",
    }
    assert [m for m in manifests if "statsd" in m["metadata"]["name"]] == []
    flows = {
        (f.source, f.port) for f in network_graph(holder["a"].composition).flows if f.destination == "otel-collector"
    }
    assert ("scheduler", 4318) in flows and ("api-server", 4318) in flows


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"metrics": {"statsd": True, "otel": {"host": "collector"}}},
            "AirflowProps.metrics: otel is set while statsd is true: send metrics one way",
        ),
        (
            {"metrics": {"statsd": False, "service_monitor": True}},
            "AirflowProps.metrics: service_monitor is true but statsd is false: the ServiceMonitor scrapes the "
            "exporter",
        ),
        (
            {"metrics": {"scrape_interval": "30"}},
            "AirflowProps.metrics.scrape_interval: '30' is not allowed: expected a duration in seconds or minutes, "
            "such as '30s' or '1m'",
        ),
        (
            {"metrics": {"extra_mappings": [{"match": "airflow.x"}]}},
            "AirflowProps.metrics: extra_mappings[0] needs a 'match' and a 'name' (statsd_exporter mapping rule)",
        ),
        (
            {"metrics": {"statsd": True}, "config": {"metrics": {"statsd_host": "elsewhere"}}},
            "AirflowProps.config: metrics.statsd_host set through metrics, not config",
        ),
    ],
)
def test_bad_metrics_props(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(**props)
    assert str(err.value) == message
