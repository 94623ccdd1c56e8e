"""The graph of the flows an install needs, and what it reads of a composed install.

A ``Flow`` is (source, destination, port, protocol, reason), where a source or destination is a pod
of the release (a component, selected by the recommended labels) or a peer outside it (the ingress
controller, DNS, the Kubernetes API, an external database...). ``flows.network_graph`` fills the
graph from a composed install, read through the ``Composition`` protocol (``Airflow`` is one), so
this layer never imports the composition; ``policies.NetworkPolicies`` renders it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..components.api_server import ApiServer
from ..components.component import AirflowComponent
from ..components.kerberos import KerberosProps
from ..components.kubernetes_executor import KubernetesExecutorPods
from ..components.migrations import Migrations
from ..components.statsd import MetricsProps
from ..components.workers import CeleryWorkers
from ..core.network_peer import NAMESPACE_LABEL, NetworkPeer
from ..runtime.airflow_runtime import AirflowRuntime
from ..services.pgbouncer import PgBouncer
from .props import NetworkPolicyProps


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


class ComposedProps(Protocol):
    """What the graph reads of the install's props (``AirflowProps`` is one)."""

    @property
    def network_policies(self) -> NetworkPolicyProps: ...
    @property
    def executors(self) -> Sequence[object]: ...
    @property
    def kerberos(self) -> KerberosProps: ...
    @property
    def metrics(self) -> MetricsProps: ...


class Composition(Protocol):
    """What the graph reads of a composed install (``Airflow`` is one): its parts, None when absent."""

    @property
    def props(self) -> ComposedProps: ...
    @property
    def runtime(self) -> AirflowRuntime: ...
    @property
    def api_server(self) -> ApiServer: ...
    @property
    def scheduler(self) -> AirflowComponent: ...
    @property
    def triggerer(self) -> AirflowComponent: ...
    @property
    def migrations(self) -> Migrations: ...
    @property
    def workers(self) -> Sequence[CeleryWorkers]: ...
    @property
    def edge_workers(self) -> Sequence[AirflowComponent]: ...
    @property
    def kubernetes_executor(self) -> KubernetesExecutorPods | None: ...
    @property
    def pgbouncer(self) -> PgBouncer | None: ...
    # Parts the graph only needs to know are there.
    @property
    def dag_processor(self) -> object | None: ...
    @property
    def flower(self) -> object | None: ...
    @property
    def db_clean(self) -> object | None: ...
    @property
    def pools(self) -> object | None: ...
    @property
    def admin_user(self) -> object | None: ...
    @property
    def fernet_rotation(self) -> object | None: ...
    @property
    def execution_api(self) -> object | None: ...
    @property
    def keycloak_setup(self) -> object | None: ...
    @property
    def fab_teams(self) -> object | None: ...
    @property
    def statsd(self) -> object | None: ...
    @property
    def postgres(self) -> object | None: ...
    @property
    def redis(self) -> object | None: ...
    @property
    def backup(self) -> object | None: ...
