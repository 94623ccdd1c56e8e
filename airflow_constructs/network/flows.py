"""The reader of the flow declarations: from what each part declares to the graph of who talks to whom.

The rules live beside what they concern: each module that deploys something (the api-server,
the workers, PgBouncer, the StatsD exporter...) or holds a rule every Airflow process follows (the
metadata database, DAGs from git, remote logs, authentication) has a ``declare_flows`` function
returning ``core.network_flow`` declarations. The composition gathers them with the release's pods
(``airflow_constructs.flow_declarations``); ``read_graph`` turns them into the ``NetworkGraph`` that
``NetworkPolicies`` renders, placing the outside peers where ``NetworkPolicyProps`` says they are and
adding the user's extra egress rules. This module imports no component: it reads data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.network_flow import Connection, Declared, Outside
from ..core.network_peer import NetworkPeer
from ..core.props import PropsError
from ..runtime.release_pods import ReleasePods
from .graph import NetworkGraph
from .props import ALL, TASKS, ExternalService, NetworkPolicyProps

EXTERNAL_SERVICES = {
    "database": "database",
    "broker": "broker",
    "git": "git",
    "remote-logs": "remote_logs",
    "secrets-backend": "secrets_backend",
    "package-index": "package_index",
    "identity-provider": "identity_provider",
}
"""Outside peers a user places in ``NetworkPolicyProps`` (by the name flows use -> the props field)."""


@dataclass(frozen=True)
class NetworkDeclarations:
    """What the parts of an install declare: the release's pods, and the flows and outside peers."""

    pods: ReleasePods
    declared: list[Declared]


def read_graph(declarations: NetworkDeclarations, p: NetworkPolicyProps) -> NetworkGraph:
    """The graph of every declared flow, each end a pod of the release or a peer outside it."""
    g = NetworkGraph()
    for name, (selector, namespace) in declarations.pods.selectors.items():
        g.add_pods(name, selector, namespace)
    g.add_outside("dns", p.dns)
    g.add_outside("kubernetes-api", [NetworkPeer(cidr=c) for c in p.kubernetes_api])
    g.add_outside("ingress-controller", p.ingress_from)
    known = {d.name: d.peers for d in declarations.declared if isinstance(d, Outside)}
    for d in declarations.declared:
        if not isinstance(d, Connection):
            continue
        for end in (d.source, d.destination):
            if end not in g.endpoints:
                g.add_outside(end, known[end] if end in known else _placed(p, end))
        g.connect(d.source, d.destination, _ports(p, d), d.reason, d.protocol)
    _extra_egress(g, p, declarations.pods)
    return g


def _service(p: NetworkPolicyProps, name: str) -> ExternalService | None:
    field = EXTERNAL_SERVICES.get(name)
    return None if field is None else getattr(p, field)


def _placed(p: NetworkPolicyProps, name: str) -> list[NetworkPeer]:
    """The peers of an outside end no part places itself: where the user's network props say it is."""
    service = _service(p, name)
    if service is not None:
        return service.to
    if name == "keda":
        return p.keda
    raise AssertionError(f"flow end {name!r} is neither a pod of the release nor a known outside peer")


def _ports(p: NetworkPolicyProps, d: Connection) -> list[int]:
    """The declared ports, unless the user's network props give the outside destination's."""
    if d.destination == "kubernetes-api":
        return p.kubernetes_api_ports
    service = _service(p, d.destination)
    return (service.ports if service is not None else None) or list(d.ports)


def _extra_egress(g: NetworkGraph, p: NetworkPolicyProps, pods: ReleasePods) -> None:
    """The egress rules of the props, to ``all``, ``tasks`` or named components."""
    for i, rule in enumerate(p.egress):
        targets: list[str] = []
        for name in rule.components:
            if name == ALL:
                targets.extend(pods.airflow_pods)
            elif name == TASKS:
                targets.extend(pods.runs_tasks)
            elif name in g.components:
                targets.append(name)
            else:
                allowed = ", ".join([ALL, TASKS, *g.components])
                raise PropsError(
                    f"AirflowProps.network_policies.egress[{i}].components: {name!r} is not a component of "
                    f"this install: expected one of {allowed}"
                )
        outside = f"egress-{i}"
        g.add_outside(outside, rule.to)
        for pod in dict.fromkeys(targets):
            g.connect(pod, outside, rule.ports, rule.description, rule.protocol)
