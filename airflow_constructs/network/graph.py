"""The graph of the flows an install needs.

A ``Flow`` is (source, destination, port, protocol, reason), where a source or destination is a pod
of the release (a component, selected by the recommended labels) or a peer outside it (the ingress
controller, DNS, the Kubernetes API, an external database...). ``flows.read_graph`` fills the
graph from the flows the parts of an install declare (``core.network_flow``), so this layer imports
no component and never the composition; ``policies.NetworkPolicies`` renders it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.network_peer import NAMESPACE_LABEL, NetworkPeer


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow: pods of the release (``selector`` + ``namespace``) or peers outside it."""

    name: str
    """A component name (``api-server``) or the name of an outside peer (``dns``, ``kubernetes-api``)."""
    selector: tuple[tuple[str, str], ...] = ()
    """Pod labels selecting the component's pods (release pods only)."""
    namespace: str | None = None
    """Namespace of the component's pods (release pods only)."""
    peers: tuple[NetworkPeer, ...] = ()
    """The peers (outside endpoints only)."""

    @property
    def in_release(self) -> bool:
        return bool(self.selector)

    def to_peers(self, seen_from: str) -> list[dict[str, Any]]:
        """``NetworkPolicyPeer``s selecting this endpoint, in a policy of namespace ``seen_from``."""
        if not self.in_release:
            return [p.to_kubernetes() for p in self.peers]
        out: dict[str, Any] = {}
        if self.namespace != seen_from:
            out["namespaceSelector"] = {"matchLabels": {NAMESPACE_LABEL: self.namespace}}
        out["podSelector"] = {"matchLabels": dict(self.selector)}
        return [out]


@dataclass(frozen=True, order=True)
class Flow:
    """Traffic the install needs: ``source`` opens connections to ``destination`` on ``port``."""

    source: str
    destination: str
    port: int
    protocol: str = "TCP"
    reason: str = field(default="", compare=False)


@dataclass
class NetworkGraph:
    """Who talks to whom: endpoints by name, and the flows between them."""

    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)

    def add_pods(self, name: str, selector: dict[str, str], namespace: str) -> None:
        self.endpoints[name] = Endpoint(name, tuple(sorted(selector.items())), namespace)

    def add_outside(self, name: str, peers: Iterable[NetworkPeer]) -> None:
        self.endpoints[name] = Endpoint(name, peers=tuple(peers))

    def connect(self, source: str, destination: str, ports: Iterable[int], reason: str, protocol: str = "TCP") -> None:
        """Add the flows ``source`` -> ``destination`` on each port (both endpoints must exist)."""
        assert source in self.endpoints and destination in self.endpoints, (source, destination)
        for port in ports:
            flow = Flow(source, destination, port, protocol, reason)
            if flow not in self.flows:
                self.flows.append(flow)

    @property
    def components(self) -> list[str]:
        """Names of the release's pod endpoints, sorted."""
        return sorted(n for n, e in self.endpoints.items() if e.in_release)

    def pod_flows(self) -> set[tuple[str, str, int, str]]:
        """(source, destination, port, protocol) of every flow between two pods of the release."""
        ends = self.endpoints
        return {
            (f.source, f.destination, f.port, f.protocol)
            for f in self.flows
            if ends[f.source].in_release and ends[f.destination].in_release
        }
