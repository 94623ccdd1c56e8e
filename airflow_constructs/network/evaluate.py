"""NetworkPolicy objects evaluated with Kubernetes semantics: does a policy set allow this connection?

The tests check with ``allows()`` that every pod pair of every app is allowed exactly when the graph
has the flow; nothing in the synthesized output depends on this module.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ..core.label_selector import selects
from ..core.network_peer import NAMESPACE_LABEL


@dataclass(frozen=True)
class Pod:
    """What a policy sees of a pod: namespace, labels and named container ports; or, with ``ip``,
    an address outside the cluster's pods (matched by ``ipBlock`` peers only)."""

    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    ip: str | None = None


def _peer_matches(peer: dict[str, Any], pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer or pod.ip is not None:
        # ipBlock is for addresses outside the pod network (what it does to pod IPs depends on the
        # network plugin), and an address is matched by nothing but an ipBlock.
        if "ipBlock" not in peer or pod.ip is None:
            return False
        address = ipaddress.ip_address(pod.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except") or []
        )
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], {NAMESPACE_LABEL: pod.namespace}):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector", {}), pod.labels)


def _port_matches(rule_ports: list[dict[str, Any]] | None, port: int, protocol: str, dest: Pod) -> bool:
    if not rule_ports:
        return True
    for item in rule_ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        value = item.get("port")
        if value is None:
            return True
        number = dest.ports.get(value) if isinstance(value, str) else value
        if number is None:
            continue
        if number == port or (item.get("endPort") is not None and number <= port <= item["endPort"]):
            return True
    return False


def _direction_allows(
    policies: list[dict[str, Any]], subject: Pod, other: Pod, port: int, protocol: str, dest: Pod, kind: str
) -> bool:
    field_name, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == subject.namespace
        and selects(p["spec"].get("podSelector"), subject.labels)
        and kind in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not selecting:
        return True  # not isolated in this direction
    for policy in selecting:
        namespace = policy["metadata"]["namespace"]
        for rule in policy["spec"].get(field_name) or []:
            peers = rule.get(peers_key)
            if peers and not any(_peer_matches(peer, other, namespace) for peer in peers):
                continue
            if _port_matches(rule.get("ports"), port, protocol, dest):
                return True
    return False


def allows(policies: list[dict[str, Any]], source: Pod, destination: Pod, port: int, protocol: str = "TCP") -> bool:
    """Whether NetworkPolicy objects let ``source`` open a connection to ``destination`` on ``port``:
    the source's egress and the destination's ingress must both allow it."""
    return _direction_allows(
        policies, source, destination, port, protocol, destination, "Egress"
    ) and _direction_allows(policies, destination, source, port, protocol, destination, "Ingress")
