"""Peers outside the release, as NetworkPolicy peers: what a component declares it talks to.

``NetworkPeer`` lives in ``core`` so that any component (the StatsD exporter's Prometheus, the
Kerberos KDCs) can declare a peer without importing ``network``, which reads the declarations after
composition.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator

from .props import Props
from .validators import dns_label_validator
from .values import Labels

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
"""The label Kubernetes (1.22+) puts on every namespace, with the namespace's name."""


def check_cidr(value: str) -> str:
    """An IPv4 or IPv6 network in CIDR form, without host bits."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError("not a CIDR: expected an IPv4 or IPv6 network such as '10.0.0.0/16'") from None
    if "/" not in value:
        raise ValueError(f"no prefix length: did you mean '{value}/{network.max_prefixlen}'?")
    if str(network) != value:
        raise ValueError(f"host bits are set: did you mean {str(network)!r}?")
    return value


Cidr = Annotated[str, AfterValidator(check_cidr)]
"""A network in CIDR form, e.g. ``10.0.0.0/16``."""


class NetworkPeer(Props):
    """A peer outside the release: a CIDR (``cidr``), or pods chosen by namespace and/or pod labels.

    ``NetworkPeer(namespace="ingress-nginx")`` is every pod of that namespace;
    ``NetworkPeer(namespace="kube-system", pod_labels={"k8s-app": "kube-dns"})`` narrows it to some pods;
    ``NetworkPeer(cidr="10.20.0.0/16")`` is an address range (for things outside the cluster).
    """

    cidr: Cidr | None = None
    """An IP range, e.g. ``10.20.0.0/16`` (``0.0.0.0/0`` is anywhere on IPv4)."""
    except_cidrs: list[Cidr] = []
    """Ranges inside ``cidr`` that are excluded."""
    namespace: str | None = None
    """Pods of this namespace (selected by its ``kubernetes.io/metadata.name`` label)."""
    namespace_labels: Labels | None = None
    """Pods of the namespaces with these labels (``{}``: every namespace)."""
    pod_labels: Labels | None = None
    """Only the pods with these labels (in ``namespace``/``namespace_labels``, else in the release's namespace)."""

    _namespace = dns_label_validator("namespace", what="namespace")

    @model_validator(mode="after")
    def _one_kind(self) -> NetworkPeer:
        selectors = [n for n in ("namespace", "namespace_labels", "pod_labels") if getattr(self, n) is not None]
        if self.cidr is None and not selectors:
            raise ValueError("a peer needs cidr, or namespace, namespace_labels or pod_labels")
        if self.cidr is not None and selectors:
            raise ValueError(f"cidr is set together with {', '.join(selectors)}: a peer is a CIDR or label selectors")
        if self.namespace is not None and self.namespace_labels is not None:
            raise ValueError("namespace and namespace_labels are both set: give one")
        if self.except_cidrs and self.cidr is None:
            raise ValueError("except_cidrs needs cidr")
        if self.cidr is not None:
            outer = ipaddress.ip_network(self.cidr)
            for inner in self.except_cidrs:
                net = ipaddress.ip_network(inner)
                if net.version != outer.version or not net.subnet_of(outer):  # type: ignore[arg-type]
                    raise ValueError(f"except_cidrs entry {inner!r} is not inside cidr {self.cidr!r}")
        return self

    def to_kubernetes(self) -> dict[str, Any]:
        """This peer as a ``NetworkPolicyPeer``."""
        if self.cidr is not None:
            block: dict[str, Any] = {"cidr": self.cidr}
            if self.except_cidrs:
                block["except"] = list(self.except_cidrs)
            return {"ipBlock": block}
        out: dict[str, Any] = {}
        ns_labels = {NAMESPACE_LABEL: self.namespace} if self.namespace else self.namespace_labels
        if ns_labels is not None:
            out["namespaceSelector"] = {"matchLabels": dict(sorted(ns_labels.items()))} if ns_labels else {}
        if self.pod_labels is not None:
            out["podSelector"] = {"matchLabels": dict(sorted(self.pod_labels.items()))} if self.pod_labels else {}
        return out


def check_ports(value: list[int]) -> list[int]:
    """Ports between 1 and 65535, at least one; sorted, each once."""
    if not value:
        raise ValueError("give at least one port")
    for port in value:
        if not 1 <= port <= 65535:
            raise ValueError(f"port {port} is not between 1 and 65535")
    return sorted(set(value))


def check_peers(value: list[NetworkPeer]) -> list[NetworkPeer]:
    """At least one peer."""
    if not value:
        raise ValueError("give at least one peer")
    return value
