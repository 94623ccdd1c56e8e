"""The Mermaid diagram drawn from manifests: the default app, and small fixtures for what it lacks."""

from __future__ import annotations

from typing import Any

from airflow_constructs.docs.diagram import mermaid
from tests.conftest import Manifest


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_default_app_shows_workloads_services_storage_and_secret_names(default_app: list[Manifest]) -> None:
    lines = _lines(mermaid(default_app))
    assert lines[0] == "flowchart LR"
    for expected in [
        'subgraph component_api_server["api-server"]',
        'deployment_airflow_api_server["Deployment<br/>airflow-api-server<br/>1 replica"]',
        'service_airflow_api_server(["Service<br/>airflow-api-server<br/>8080/TCP"])',
        "service_airflow_api_server --> deployment_airflow_api_server",
        'statefulset_airflow_postgres["StatefulSet<br/>airflow-postgres<br/>1 replica"]',
        'persistentvolumeclaim_airflow_postgres_data[("PVC data<br/>per pod, 8Gi")]',
        "statefulset_airflow_postgres --- persistentvolumeclaim_airflow_postgres_data",
        'service_airflow_triggerer(["Service (headless)<br/>airflow-triggerer<br/>8794/TCP"])',
        "service_airflow_triggerer --> statefulset_airflow_triggerer",
        'configmap_airflow_config[/"ConfigMap<br/>airflow-config"/]',
        'secret_airflow_generated{{"Secret<br/>airflow-generated"}}',
        "deployment_airflow_scheduler -.-> secret_airflow_generated",
        "deployment_airflow_scheduler -.-> configmap_airflow_config",
    ]:
        assert expected in lines
    # The bootstrap Job's Role lets it write the generated Secret: that is drawn, and only for it.
    writes = [line for line in lines if '==>|"writes"|' in line]
    assert len(writes) == 1
    assert writes[0].startswith("job_airflow_secrets_bootstrap_")
    assert writes[0].endswith("secret_airflow_generated")
    # The default app's NetworkPolicies: the flows of the component graph (ingress rules).
    migrate_hash = next(
        m["metadata"]["name"] for m in default_app if m["kind"] == "Job" and "-migrate-" in m["metadata"]["name"]
    )[-8:]
    assert sorted(line for line in lines if "==>" in line and "writes" not in line) == [
        'cronjob_airflow_db_clean ==>|"TCP 5432"| statefulset_airflow_postgres',
        'cronjob_airflow_db_clean ==>|"UDP 9125"| deployment_airflow_statsd',
        'deployment_airflow_api_server ==>|"TCP 5432"| statefulset_airflow_postgres',
        'deployment_airflow_api_server ==>|"TCP 8793"| deployment_airflow_scheduler',
        'deployment_airflow_api_server ==>|"TCP 8794"| statefulset_airflow_triggerer',
        'deployment_airflow_api_server ==>|"UDP 9125"| deployment_airflow_statsd',
        'deployment_airflow_dag_processor ==>|"TCP 5432"| statefulset_airflow_postgres',
        'deployment_airflow_dag_processor ==>|"UDP 9125"| deployment_airflow_statsd',
        'deployment_airflow_scheduler ==>|"TCP 5432"| statefulset_airflow_postgres',
        'deployment_airflow_scheduler ==>|"TCP 8080"| deployment_airflow_api_server',
        'deployment_airflow_scheduler ==>|"UDP 9125"| deployment_airflow_statsd',
        "job_airflow_migrate_" + migrate_hash + ' ==>|"TCP 5432"| statefulset_airflow_postgres',
        "job_airflow_migrate_" + migrate_hash + ' ==>|"UDP 9125"| deployment_airflow_statsd',
        'namespaces_kubernetes_io_metadata_name_ingress_nginx_all ==>|"TCP 8080"| deployment_airflow_api_server',
        'namespaces_kubernetes_io_metadata_name_monitoring_all ==>|"TCP 9102"| deployment_airflow_statsd',
        'statefulset_airflow_triggerer ==>|"TCP 5432"| statefulset_airflow_postgres',
        'statefulset_airflow_triggerer ==>|"UDP 9125"| deployment_airflow_statsd',
    ]


def test_the_diagram_is_deterministic(default_app: list[Manifest]) -> None:
    assert mermaid(default_app) == mermaid(list(default_app))


def _deployment(name: str, component: str, **pod_labels: str) -> Manifest:
    labels = {"app.kubernetes.io/component": component, **pod_labels}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/component": component}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "main", "image": "x:1"}]}},
        },
    }


def _policy(
    name: str, target: dict[str, str], ingress: list[dict[str, Any]], types: list[str] | None = None
) -> Manifest:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": target}, "ingress": ingress}
    if types is not None:
        spec["policyTypes"] = types
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}


WEB = {"app.kubernetes.io/component": "web"}
DB = {"app.kubernetes.io/component": "db"}
WORKER = {"app.kubernetes.io/component": "worker"}


def test_network_policies_become_flows_with_their_ports() -> None:
    manifests = [
        _deployment("web", "web"),
        _deployment("worker", "worker", tier="backend"),
        _deployment("db", "db"),
        # db accepts web and the backend tier (matchExpressions) on 5432.
        _policy(
            "db",
            DB,
            [
                {
                    "from": [
                        {"podSelector": {"matchLabels": WEB}},
                        {
                            "podSelector": {
                                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]
                            }
                        },
                    ],
                    "ports": [{"port": 5432, "protocol": "TCP"}],
                }
            ],
            ["Ingress", "Egress"],
        ),
        # web accepts the ingress controller's namespace and a CIDR on 8080, and anyone on 9090.
        _policy(
            "web",
            WEB,
            [
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
                        {"ipBlock": {"cidr": "10.0.0.0/8"}},
                    ],
                    "ports": [{"port": 8080}],
                },
                {"ports": [{"port": 9090, "protocol": "TCP"}]},
            ],
        ),
        # Egress-only: draws nothing.
        _policy("worker-egress", WORKER, [], ["Egress"]),
    ]
    text = mermaid(manifests)
    flows = [line for line in _lines(text) if "==>" in line]
    namespaces = "namespaces_kubernetes_io_metadata_name_ingress_nginx_all"
    assert flows == [
        'deployment_web ==>|"TCP 5432"| deployment_db',
        'deployment_worker ==>|"TCP 5432"| deployment_db',
        f'{namespaces} ==>|"TCP 8080"| deployment_web',
        'peer_10_0_0_0_8 ==>|"TCP 8080"| deployment_web',
        'peer_anywhere ==>|"TCP 9090"| deployment_web',
    ]
    assert 'peer_anywhere(("anywhere"))' in _lines(text)
    assert f'{namespaces}(("pods (all)<br/>in namespaces (kubernetes.io/metadata.name=ingress-nginx)"))' in _lines(text)


def test_a_policy_without_ports_allows_any_port_and_several_ports_share_one_edge() -> None:
    manifests = [
        _deployment("web", "web"),
        _deployment("db", "db"),
        _policy("db", DB, [{"from": [{"podSelector": {"matchLabels": WEB}}]}]),
        _policy(
            "db-metrics",
            DB,
            [
                {
                    "from": [{"podSelector": {"matchLabels": WEB}}],
                    "ports": [{"port": 9187}, {"port": 53, "protocol": "UDP"}],
                }
            ],
        ),
    ]
    flows = [line for line in _lines(mermaid(manifests)) if "==>" in line]
    assert flows == ['deployment_web ==>|"TCP 9187, UDP 53, any port"| deployment_db']


def test_ingress_and_http_route_point_at_services() -> None:
    manifests = [
        _deployment("web", "web"),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "labels": WEB},
            "spec": {"selector": WEB, "ports": [{"port": 80, "protocol": "TCP"}]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "web"},
            "spec": {
                "rules": [
                    {
                        "host": "airflow.example.com",
                        "http": {
                            "paths": [{"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]
                        },
                    }
                ]
            },
        },
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": "web"},
            "spec": {"hostnames": ["airflow.example.org"], "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]},
        },
    ]
    lines = _lines(mermaid(manifests))
    assert 'ingress_web>"Ingress<br/>web"]' in lines
    assert 'ingress_web -->|"airflow.example.com/"| service_web' in lines
    assert 'httproute_web -->|"airflow.example.org"| service_web' in lines
    assert "service_web --> deployment_web" in lines


def test_secrets_and_config_maps_are_drawn_by_name_from_every_kind_of_reference() -> None:
    pod = _deployment("app", "app")
    spec = pod["spec"]["template"]["spec"]
    spec["containers"][0]["envFrom"] = [{"secretRef": {"name": "env-secret"}}, {"configMapRef": {"name": "env-cm"}}]
    spec["volumes"] = [
        {"name": "a", "secret": {"secretName": "vol-secret"}},
        {
            "name": "b",
            "projected": {"sources": [{"secret": {"name": "proj-secret"}}, {"configMap": {"name": "proj-cm"}}]},
        },
        {"name": "c", "persistentVolumeClaim": {"claimName": "shared"}},
    ]
    spec["imagePullSecrets"] = [{"name": "registry"}]
    lines = _lines(mermaid([pod]))
    for secret in ("env-secret", "vol-secret", "proj-secret", "registry"):
        assert f"deployment_app -.-> secret_{secret.replace('-', '_')}" in lines
    for config_map in ("env-cm", "proj-cm"):
        assert f"deployment_app -.-> configmap_{config_map.replace('-', '_')}" in lines
    assert "deployment_app --- persistentvolumeclaim_shared" in lines


def test_autoscalers_point_at_the_workload_they_resize() -> None:
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "labels": WEB},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 10},
    }
    lines = _lines(mermaid([_deployment("web", "web"), hpa]))
    assert 'horizontalpodautoscaler_web[/"HorizontalPodAutoscaler<br/>web<br/>1-10 replicas"\\]' in lines
    assert 'horizontalpodautoscaler_web -.->|"scales"| deployment_web' in lines
