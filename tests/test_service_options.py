"""``api_server.service``: the Service's type and annotations; ClusterIP without annotations by default."""

from __future__ import annotations

from typing import Any

from cdk8s import App, Chart

from airflow_constructs import Airflow, ServiceOptions


def _service(**api_server: Any) -> dict[str, Any]:
    chart = Chart(App(), "airflow", namespace="airflow")
    Airflow(chart, "airflow", api_server=api_server)
    found = [o for o in chart.to_json() if o["kind"] == "Service" and o["metadata"]["name"] == "airflow-api-server"]
    assert len(found) == 1
    return dict(found[0])


def test_default_is_cluster_ip_without_annotations() -> None:
    service = _service()
    assert service["spec"]["type"] == "ClusterIP"
    assert "annotations" not in service["metadata"]
    assert ServiceOptions() == ServiceOptions(type="ClusterIP", annotations={})


def test_load_balancer_with_annotations_is_opt_in() -> None:
    annotations = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}
    service = _service(service={"type": "LoadBalancer", "annotations": annotations})
    assert service["spec"] == {**_service()["spec"], "type": "LoadBalancer"}
    assert service["metadata"] == {**_service()["metadata"], "annotations": annotations}


def test_node_port_changes_only_the_type() -> None:
    assert _service(service=ServiceOptions(type="NodePort"))["spec"]["type"] == "NodePort"
