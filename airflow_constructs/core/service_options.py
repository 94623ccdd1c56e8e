"""How a component's Service is published: its type and annotations (``ServiceOptions``)."""

from __future__ import annotations

from typing import Literal

from .props import Props
from .values import Annotations


class ServiceOptions(Props):
    """The type and annotations of a component's Service.

    ``ClusterIP`` (the default) keeps the Service inside the cluster; reach it from outside through
    ``expose`` (an Ingress or HTTPRoute with TLS). ``NodePort`` and ``LoadBalancer`` are opt-in: they
    publish the port on every node or on a cloud load balancer, in plain HTTP unless the api-server
    serves TLS itself (``tls``), and the network policies still decide who reaches the pods: add the
    clients (an ``ipBlock``) to ``network.ingress_from``.
    """

    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    """Kubernetes Service type: ``ClusterIP``, or opt-in ``NodePort`` / ``LoadBalancer``."""
    annotations: Annotations = {}
    """Annotations of the Service (e.g. a cloud load balancer's settings)."""
