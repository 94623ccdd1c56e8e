"""Network policies derived from the component graph: deny everything, then allow who talks to whom.

``NetworkPolicies`` renders a ``NetworkGraph`` (see ``flow_declarations.network_graph``) into NetworkPolicy
objects:

* ``<release>-default-deny`` selects every pod of the release and allows nothing (ingress and
  egress), so a pod the graph forgets stays isolated rather than open;
* ``<release>-<component>`` per component: its ingress rules are the flows that end at it, its
  egress rules the flows that start from it, each peer selected by labels, never by object names.

``evaluate.allows()`` evaluates NetworkPolicy objects with Kubernetes semantics (for the tests).
"""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject
from constructs import Construct

from ..core.kube import api_object
from ..runtime.airflow_runtime import AirflowRuntime
from .graph import Flow, NetworkGraph


def _rules(graph: NetworkGraph, flows: list[Flow], other_end: str, namespace: str) -> list[tuple[Any, ...]]:
    """Rules grouping the endpoints at the other end of ``flows`` that share the same ports."""
    by_end: dict[str, set[tuple[str, int]]] = {}
    for f in flows:
        by_end.setdefault(getattr(f, other_end), set()).add((f.protocol, f.port))
    by_ports: dict[tuple[tuple[str, int], ...], list[str]] = {}
    for end, end_ports in sorted(by_end.items()):
        by_ports.setdefault(tuple(sorted(end_ports)), []).append(end)
    out = []
    for ports, ends in sorted(by_ports.items()):
        peers = [peer for end in ends for peer in graph.endpoints[end].to_peers(namespace)]
        out.append(([{"port": port, "protocol": proto} for proto, port in ports], peers))
    return out


def policy_rules(graph: NetworkGraph, component: str) -> dict[str, Any]:
    """The NetworkPolicy spec of one component: ingress from its sources, egress to its destinations.

    Endpoints reached on the same ports share one rule.
    """
    me = graph.endpoints[component]
    assert me.namespace is not None
    incoming = [f for f in graph.flows if f.destination == component]
    outgoing = [f for f in graph.flows if f.source == component]
    spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(me.selector)}, "policyTypes": ["Ingress", "Egress"]}
    if outgoing:
        spec["egress"] = [
            {"ports": ports, "to": peers} for ports, peers in _rules(graph, outgoing, "destination", me.namespace)
        ]
    if incoming:
        spec["ingress"] = [
            {"from": peers, "ports": ports} for ports, peers in _rules(graph, incoming, "source", me.namespace)
        ]
    return spec


class NetworkPolicies(Construct):
    """The default-deny policy (per namespace the release has pods in) and one allow policy per component
    of ``graph`` (see ``network_graph``)."""

    def __init__(self, scope: Construct, id: str, *, graph: NetworkGraph, runtime: AirflowRuntime) -> None:
        super().__init__(scope, id)
        self.graph = graph
        self.policies: list[ApiObject] = []
        release = {"app.kubernetes.io/instance": runtime.instance, "app.kubernetes.io/name": "airflow"}
        namespaces = sorted({e.namespace for e in self.graph.endpoints.values() if e.namespace})
        for namespace in namespaces:
            spec = {"podSelector": {"matchLabels": release}, "policyTypes": ["Ingress", "Egress"]}
            name = "default-deny" if namespace == runtime.namespace else f"default-deny-{namespace}"
            self._policy(runtime, name, "default-deny", "network-policy", spec, namespace)
        for component in self.graph.components:
            namespace = self.graph.endpoints[component].namespace or runtime.namespace
            self._policy(runtime, component, component, component, policy_rules(self.graph, component), namespace)

    def _policy(
        self, runtime: AirflowRuntime, id: str, suffix: str, component: str, spec: dict[str, Any], namespace: str
    ) -> None:
        self.policies.append(
            api_object(
                self,
                id,
                api_version="networking.k8s.io/v1",
                kind="NetworkPolicy",
                name=f"{runtime.instance}-{suffix}",
                labels=runtime.labels(component),
                body={"spec": spec},
                namespace=None if namespace == runtime.namespace else namespace,
            )
        )
