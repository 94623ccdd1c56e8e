"""Flow declarations: what a module says its pods talk to, for ``network`` to read after composition.

A module that deploys something (or holds a rule every Airflow process follows) has a
``declare_flows`` function returning ``Connection``s (``source`` opens connections to
``destination`` on ``ports``) and ``Outside`` peers it knows the addresses of (the KDCs, Prometheus).
Ends are names: a component of the release (``api-server``) or a peer outside it (``dns``,
``kubernetes-api``, ``git``...); the peers of the outside services the user places in
``network_policies`` are filled in by ``network``, which also lets the ports given there replace the
declared ones. These types live here so that no declaring module imports ``network``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .network_peer import NetworkPeer

HTTPS_PORT = 443
SSH_PORT = 22
DNS_PORT = 53


@dataclass(frozen=True)
class Connection:
    """Traffic a module declares: ``source`` opens connections to ``destination`` on ``ports``.

    Empty ``ports``: the ports the install's network props give for the outside peer ``destination``.
    """

    source: str
    destination: str
    ports: tuple[int, ...]
    reason: str
    protocol: str = "TCP"


@dataclass(frozen=True)
class Outside:
    """A peer outside the release that a module knows the addresses of, by the name its flows use."""

    name: str
    peers: tuple[NetworkPeer, ...]


Declared = Connection | Outside


def connect(
    sources: Iterable[str], destination: str, ports: Iterable[int], reason: str, protocol: str = "TCP"
) -> list[Connection]:
    """One ``Connection`` from each of ``sources`` to ``destination``."""
    return [Connection(source, destination, tuple(ports), reason, protocol) for source in sources]


def serve(
    source: str, destinations: Iterable[str], ports: Iterable[int], reason: str, protocol: str = "TCP"
) -> list[Connection]:
    """One ``Connection`` from ``source`` to each of ``destinations``."""
    return [Connection(source, destination, tuple(ports), reason, protocol) for destination in destinations]


def dns_lookups(pods: Iterable[str]) -> list[Connection]:
    """The cluster DNS, over UDP and (for large answers) TCP, for each of ``pods``."""
    out: list[Connection] = []
    for pod in pods:
        out += [
            Connection(pod, "dns", (DNS_PORT,), "DNS lookups", "UDP"),
            Connection(pod, "dns", (DNS_PORT,), "DNS lookups (large answers)", "TCP"),
        ]
    return out
