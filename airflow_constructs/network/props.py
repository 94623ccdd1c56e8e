"""What a user says about the network: where the services outside the release are, and extra egress.

``NetworkPolicyProps`` is ``AirflowProps.network_policies``; ``network_graph`` reads it together with
the composed install.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from ..core.network_peer import Cidr, NetworkPeer, check_peers, check_ports
from ..core.props import Props

Protocol = Literal["TCP", "UDP", "SCTP"]

TASKS = "tasks"
"""In ``EgressRule.components``: every pod that runs task code (scheduler with LocalExecutor,
Celery and Edge workers, KubernetesExecutor task pods)."""
ALL = "all"
"""In ``EgressRule.components``: every Airflow pod (not PostgreSQL or Redis)."""


def _some_peers(cls: Any, value: list[NetworkPeer]) -> list[NetworkPeer]:
    return check_peers(value)


def _some_ports(cls: Any, value: list[int] | None) -> list[int] | None:
    return None if value is None else check_ports(value)


class ExternalService(Props):
    """Where a service outside the release is (external database, broker) and on which ports."""

    to: list[NetworkPeer] = [NetworkPeer(cidr="0.0.0.0/0")]
    """Its addresses or pods; the default allows any address, on ``ports`` only: narrow it."""
    ports: list[int] | None = None
    """Its TCP ports; None: the port the connection props give (5432 for a database, 6379 for Redis)."""

    _some = field_validator("to")(_some_peers)
    _ports = field_validator("ports")(_some_ports)


class EgressRule(Props):
    """Extra egress for some components: a git remote, remote-log storage, SMTP, what tasks call...

    ``EgressRule(components=["tasks"], to=[NetworkPeer(cidr="0.0.0.0/0")], ports=[443])`` lets every
    pod that runs tasks reach HTTPS anywhere.
    """

    components: list[str]
    """Component names (``scheduler``, ``dag-processor``, ``worker-default``...), ``tasks`` (every pod
    that runs tasks) or ``all`` (every Airflow pod)."""
    to: list[NetworkPeer]
    """Destinations."""
    ports: list[int]
    """Destination ports."""
    protocol: Protocol = "TCP"
    """Protocol of ``ports``."""
    description: str = "extra egress"
    """Why (shown in the graph and the diagram)."""

    @field_validator("components")
    @classmethod
    def _components(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one component, 'tasks' or 'all'")
        return value

    _some = field_validator("to")(_some_peers)
    _ports = field_validator("ports")(_some_ports)


class NetworkPolicyProps(Props):
    """Network policies of an install: on by default, deny everything the component graph does not need."""

    enabled: bool = True
    """Create the default-deny policy and the per-component allow policies."""
    ingress_from: list[NetworkPeer] = [NetworkPeer(namespace="ingress-nginx")]
    """Who may open the UI/API (api-server port 8080) and Flower: your ingress controller or gateway pods."""
    dns: list[NetworkPeer] = [NetworkPeer(namespace="kube-system", pod_labels={"k8s-app": "kube-dns"})]
    """The cluster DNS (UDP and TCP 53). Add ``NetworkPeer(cidr="169.254.20.10/32")`` for NodeLocal DNSCache."""
    kubernetes_api: list[Cidr] = ["0.0.0.0/0"]
    """CIDRs of the Kubernetes API server endpoints, for the pods that call it (secrets bootstrap Job,
    scheduler with KubernetesExecutor, pod cleanup). Narrow it to the addresses of
    ``kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes``."""
    kubernetes_api_ports: list[int] = [443, 6443]
    """Ports of the Kubernetes API server endpoints."""
    database: ExternalService = ExternalService()
    """Where an ``ExternalDatabase`` is (ports default to its ``port``)."""
    broker: ExternalService = ExternalService()
    """Where an ``ExternalBroker`` is (ports default to 6379)."""
    git: ExternalService = ExternalService()
    """Where the DAG repository is (git-sync or DAG bundles); ports default to the repository URL's."""
    remote_logs: ExternalService = ExternalService()
    """Where remote logs are stored (S3, GCS, Azure Blob, Elasticsearch...); ports default to 443
    (and 9200 for Elasticsearch/OpenSearch)."""
    secrets_backend: ExternalService = ExternalService()
    """Where the secrets backend is (Vault, AWS Secrets Manager...); ports default to 443."""
    package_index: ExternalService = ExternalService()
    """Where ``extra_pip_packages`` are downloaded from (PyPI or a mirror); ports default to 443."""
    identity_provider: ExternalService = ExternalService()
    """Where the LDAP server, OAuth/OIDC provider or Keycloak the api-server calls is; ports default to the
    LDAP URI's (636 for ldaps, 389 for ldap), the provider URLs' (443) or Keycloak's ``server_url``'s."""
    keda: list[NetworkPeer] = [NetworkPeer(namespace="keda")]
    """The KEDA operator, which queries the embedded PostgreSQL for worker sets scaled by KEDA."""
    egress: list[EgressRule] = []
    """Extra egress: git remotes, remote logs, SMTP, and whatever your tasks call (nothing by default)."""

    _api_ports = field_validator("kubernetes_api_ports")(_some_ports)
