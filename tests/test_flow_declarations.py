"""Who talks to whom is declared by each part, beside its ports; ``network/`` only reads the declarations.

The direction is checked both ways: ``network/`` imports no component or backing service (so no
rule can live there again), and every module that declares flows is asked by the composition and its
declarations all end up in the graph the NetworkPolicies are rendered from.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

import airflow_constructs
from airflow_constructs import Airflow, EdgeExecutor
from airflow_constructs.core.network_flow import Connection, Declared
from airflow_constructs.flow_declarations import network_graph
from airflow_constructs.network.flows import NetworkDeclarations, read_graph
from airflow_constructs.network.props import NetworkPolicyProps
from airflow_constructs.runtime.release_pods import ReleasePods
from tests.test_layers import _graph, _sources
from tests.test_security import KERBEROS

ROOT = Path(airflow_constructs.__file__).parent
DECLARING = sorted(
    module
    for module, path in _sources().items()
    if any(isinstance(n, ast.FunctionDef) and n.name == "declare_flows" for n in ast.parse(path.read_text()).body)
)
"""Every module with a ``declare_flows`` function."""
OWNERS = {
    "components.api_server": "the UI/API through the ingress controller",
    "components.execution_api": "the task processes' Execution API",
    "components.edge": "the Edge workers' API calls",
    "components.flower": "Flower's UI",
    "components.scheduler": "its log server (LocalExecutor)",
    "components.triggerer": "its log server",
    "components.workers": "their log servers",
    "components.kubernetes_executor": "launching and cleaning task pods",
    "components.recycling": "rollout restarts",
    "components.maintenance": "the PostgreSQL backup",
    "components.kerberos": "the KDCs",
    "components.statsd": "StatsD, Prometheus, OpenTelemetry",
    "runtime.airflow_runtime": "DNS, the metadata database, secrets backend, package index",
    "runtime.dags": "the DAG repository",
    "runtime.logs": "remote logs",
    "runtime.auth": "LDAP / OAuth",
    "runtime.keycloak": "Keycloak",
    "runtime.secrets_bootstrap": "the bootstrap Job's Kubernetes API calls",
    "services.pgbouncer": "PgBouncer's server connections and exporter",
    "services.postgres": "KEDA's PostgreSQL scaler",
    "services.redis": "the Celery broker",
}
"""The modules that own a rule of who talks to whom (what each declares)."""


def _extra(app: App) -> Chart:
    """An install with the parts no example app has: Edge workers, Kerberos, the backup, remote logs."""
    chart = Chart(app, "extra", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(
        chart,
        "airflow",
        executor=EdgeExecutor(),
        kerberos=KERBEROS,
        backup={"enabled": True},
        logs={"remote": {"kind": "s3", "base_folder": "s3://logs/airflow"}},
    )
    return chart


def test_the_owners_declare_flows() -> None:
    assert sorted(f"{airflow_constructs.__name__}.{m}" for m in OWNERS) == DECLARING


def test_network_imports_no_component_or_backing_service() -> None:
    """The rules cannot drift back into ``network/``: it reads declarations, it knows no part."""
    parts = (f"{airflow_constructs.__name__}.components", f"{airflow_constructs.__name__}.services")
    found = [
        f"{module} imports {target}"
        for module, targets in sorted(_graph().items())
        if module.startswith(f"{airflow_constructs.__name__}.network")
        for target in sorted(targets)
        if target.startswith(parts)
    ]
    assert not found, "\n".join(found)


def test_every_declaration_reaches_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each owner is asked by the composition, declares flows in some install, and each of its flows is
    in the graph (the ports of outside services may be replaced by the user's network props)."""
    from apps.registry import APPS

    declared: dict[str, list[Declared]] = {m: [] for m in OWNERS}

    def recording(module: str, original: Callable[..., list[Declared]]) -> Callable[..., list[Declared]]:
        def record(*args: Any, **kwargs: Any) -> list[Declared]:
            out = original(*args, **kwargs)
            declared[module].extend(out)
            return out

        return record

    for module in OWNERS:
        imported = importlib.import_module(f"{airflow_constructs.__name__}.{module}")
        monkeypatch.setattr(imported, "declare_flows", recording(module, imported.declare_flows))
    builds = [*(b for name, b in sorted(APPS.items()) if name != "workers-only"), _extra]
    edges: set[tuple[str, str, str]] = set()
    for build in builds:
        for module in OWNERS:
            declared[module].clear()
        chart = build(App())
        airflow = next(c for c in chart.node.find_all() if isinstance(c, Airflow))
        graph = network_graph(airflow.composition)
        flows = {(f.source, f.destination, f.protocol) for f in graph.flows}
        for module, out in declared.items():
            for d in out:
                if isinstance(d, Connection):
                    assert (d.source, d.destination, d.protocol) in flows, (module, d)
                    edges.add((module, d.source, d.destination))
    silent = sorted(m for m in OWNERS if not any(e[0] == m for e in edges))
    assert not silent, f"declared no flow in any install: {silent}"


LISTS = "dag_processor workers edge flower task_pods cleanup restarts execution bootstrap db_clean jobs"
LISTS += " keycloak_setup statsd postgres redis pgbouncer backup"


def _pods() -> ReleasePods:
    """An api-server and a scheduler, nothing else."""
    base: dict[str, Any] = {name: [] for name in LISTS.split()}
    base |= {"api": "api-server", "scheduler": "scheduler", "triggerer": "triggerer", "migrate": "migrate"}
    base |= {"local": False, "selectors": {n: ({"c": n}, "airflow") for n in ("api-server", "scheduler")}}
    return ReleasePods(**base)


def test_an_end_nobody_places_is_refused() -> None:
    flows: list[Declared] = [Connection("api-server", "mail-server", (25,), "mail")]
    with pytest.raises(AssertionError) as caught:
        read_graph(NetworkDeclarations(_pods(), flows), NetworkPolicyProps())
    assert str(caught.value) == "flow end 'mail-server' is neither a pod of the release nor a known outside peer"


def test_network_props_place_outside_services_and_replace_their_ports() -> None:
    flows: list[Declared] = [
        Connection("scheduler", "git", (22,), "DAG repository"),
        Connection("scheduler", "kubernetes-api", (), "launches task pods"),
        Connection("api-server", "scheduler", (8793,), "logs"),
    ]
    props = NetworkPolicyProps(git={"to": [{"cidr": "10.1.0.0/16"}], "ports": [2222]}, kubernetes_api_ports=[6443])
    graph = read_graph(NetworkDeclarations(_pods(), flows), props)
    assert sorted((f.source, f.destination, f.port) for f in graph.flows) == [
        ("api-server", "scheduler", 8793),
        ("scheduler", "git", 2222),
        ("scheduler", "kubernetes-api", 6443),
    ]
    assert [p.cidr for p in graph.endpoints["git"].peers] == ["10.1.0.0/16"]
