"""Network policies derived from the component graph: deny everything, then allow who talks to whom.

``network_graph(airflow)`` builds, in this one place, the graph of every flow an install needs: a
``Flow`` is (source, destination, port, protocol, reason), where a source or destination is a pod
of the release (a component, selected by the recommended labels) or a peer outside it (the
ingress controller, DNS, the Kubernetes API, an external database...). ``NetworkPolicies`` renders
that graph into NetworkPolicy objects:

* ``<release>-default-deny`` selects every pod of the release and allows nothing (ingress and
  egress), so a pod the graph forgets stays isolated rather than open;
* ``<release>-<component>`` per component: its ingress rules are the flows that end at it, its
  egress rules the flows that start from it, each peer selected by labels, never by object names.

The same graph feeds the tests (every pod pair of every app is allowed exactly when the graph has
the flow) and the diagram; ``allows()`` evaluates NetworkPolicy objects with Kubernetes semantics.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from cdk8s import ApiObject
from constructs import Construct
from pydantic import AfterValidator, field_validator, model_validator

from ..components.flower import FLOWER_PORT
from ..components.scheduler import LOG_SERVER_PORT as SCHEDULER_LOGS
from ..components.triggerer import LOG_SERVER_PORT as TRIGGERER_LOGS
from ..components.workers import LOG_SERVER_PORT as WORKER_LOGS
from ..core.autoscaling import KedaAutoscaling
from ..core.kube import api_object, check_dns_label
from ..core.label_selector import selects
from ..core.props import Props, PropsError
from ..runtime.airflow_runtime import API_PORT, AirflowRuntime
from ..runtime.auth import FabAuth
from ..runtime.dags import GitBundleDags, GitSyncDags
from ..runtime.executors import LocalExecutor
from ..services.database import POSTGRES_PORT
from ..services.pgbouncer import EXPORTER_PORT as PGBOUNCER_EXPORTER_PORT
from ..services.pgbouncer import PGBOUNCER_PORT
from ..services.redis import REDIS_PORT

if TYPE_CHECKING:
    from ..airflow import Airflow

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
"""The label Kubernetes (1.22+) puts on every namespace, with the namespace's name."""

Protocol = Literal["TCP", "UDP", "SCTP"]

TASKS = "tasks"
"""In ``EgressRule.components``: every pod that runs task code (scheduler with LocalExecutor,
Celery and Edge workers, KubernetesExecutor task pods)."""
HTTPS_PORT = 443
SSH_PORT = 22
SEARCH_PORT = 9200
ALL = "all"
"""In ``EgressRule.components``: every Airflow pod (not PostgreSQL or Redis)."""


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


def _check_labels(value: dict[str, str] | None) -> dict[str, str] | None:
    for key in sorted(value or {}):
        if not key or len(key) > 317:
            raise ValueError(f"label key {key!r} is not valid")
    return value


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
    namespace_labels: dict[str, str] | None = None
    """Pods of the namespaces with these labels (``{}``: every namespace)."""
    pod_labels: dict[str, str] | None = None
    """Only the pods with these labels (in ``namespace``/``namespace_labels``, else in the release's namespace)."""

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_dns_label("namespace", value)

    @field_validator("namespace_labels", "pod_labels")
    @classmethod
    def _labels(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _check_labels(value)

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


class ExternalService(Props):
    """Where a service outside the release is (external database, broker) and on which ports."""

    to: list[NetworkPeer] = [NetworkPeer(cidr="0.0.0.0/0")]
    """Its addresses or pods; the default allows any address, on ``ports`` only: narrow it."""
    ports: list[int] | None = None
    """Its TCP ports; None: the port the connection props give (5432 for a database, 6379 for Redis)."""

    @field_validator("to")
    @classmethod
    def _some(cls, value: list[NetworkPeer]) -> list[NetworkPeer]:
        if not value:
            raise ValueError("give at least one peer")
        return value

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else _check_ports(value)


def _check_ports(value: list[int]) -> list[int]:
    if not value:
        raise ValueError("give at least one port")
    for port in value:
        if not 1 <= port <= 65535:
            raise ValueError(f"port {port} is not between 1 and 65535")
    return sorted(set(value))


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

    @field_validator("to")
    @classmethod
    def _some(cls, value: list[NetworkPeer]) -> list[NetworkPeer]:
        if not value:
            raise ValueError("give at least one peer")
        return value

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: list[int]) -> list[int]:
        return _check_ports(value)


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
    """Where the LDAP server or OAuth/OIDC provider the api-server calls is; ports default to the LDAP
    URI's (636 for ldaps, 389 for ldap) or the provider URLs' (443)."""
    keda: list[NetworkPeer] = [NetworkPeer(namespace="keda")]
    """The KEDA operator, which queries the embedded PostgreSQL for worker sets scaled by KEDA."""
    egress: list[EgressRule] = []
    """Extra egress: git remotes, remote logs, SMTP, and whatever your tasks call (nothing by default)."""

    @field_validator("kubernetes_api_ports")
    @classmethod
    def _api_ports(cls, value: list[int]) -> list[int]:
        return _check_ports(value)


# -- the graph ------------------------------------------------------------------------------------
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


def network_graph(airflow: Airflow, props: NetworkPolicyProps | None = None) -> NetworkGraph:
    """Every flow the parts of ``airflow`` need: the one place that knows who talks to whom.

    A component added to ``Airflow`` must be added here too (a test checks that every pod of every
    app is in the graph): the default-deny policy would otherwise isolate it.
    """
    p = props or airflow.props.network_policies
    runtime = airflow.runtime
    ns = runtime.namespace
    g = NetworkGraph()

    def pods(component: str, namespace: str = ns) -> str:
        g.add_pods(component, runtime.selector(component), namespace)
        return component

    def optional(part: Any, component: str) -> list[str]:
        return [pods(component)] if part is not None else []

    # The release's pods.
    api = pods(airflow.api_server.component_name)
    scheduler = pods(airflow.scheduler.component_name)
    dag_processor = optional(airflow.dag_processor, "dag-processor")
    triggerer = pods(airflow.triggerer.component_name)
    migrate = pods(airflow.migrations.component)
    workers = [pods(w.component_name) for w in airflow.workers]
    edge = [pods(w.component_name) for w in airflow.edge_workers]
    flower = optional(airflow.flower, "flower")
    k8s = airflow.kubernetes_executor
    task_pods = [pods("kubernetes-worker", k8s.namespace)] if k8s else []
    cleanup = optional(k8s.cleanup if k8s else None, "pod-cleanup")
    bootstrap = optional(runtime.secrets_bootstrap, "secrets-bootstrap")
    jobs = [*optional(airflow.db_clean, "db-clean"), *optional(airflow.pools, "pools")]
    jobs += optional(airflow.admin_user, "admin-user")
    statsd = optional(airflow.statsd, "statsd")
    postgres = optional(airflow.postgres, "postgres")
    redis = optional(airflow.redis, "redis")
    pgbouncer = optional(airflow.pgbouncer, "pgbouncer")
    backup = optional(airflow.backup, "postgres-backup")

    # Pods running the Airflow image with the runtime's config (everything but the scripts' Jobs).
    airflow_pods = [api, scheduler, *dag_processor, triggerer, migrate, *workers, *edge, *flower, *task_pods, *jobs]
    local = any(isinstance(e, LocalExecutor) for e in airflow.props.executors)
    runs_tasks = [*([scheduler] if local else []), *workers, *edge, *task_pods]
    reads_dags = [*([scheduler] if runtime.runs_tasks_locally else []), *dag_processor, triggerer, *runs_tasks]
    reads_dags = list(dict.fromkeys(reads_dags))

    # Peers outside the release.
    g.add_outside("dns", p.dns)
    g.add_outside("kubernetes-api", [NetworkPeer(cidr=c) for c in p.kubernetes_api])
    g.add_outside("ingress-controller", p.ingress_from)

    # DNS: every pod that resolves a name (the scripts that only call the API use its IP from env).
    for pod in [*airflow_pods, *pgbouncer, *backup]:
        g.connect(pod, "dns", [53], "DNS lookups", "UDP")
        g.connect(pod, "dns", [53], "DNS lookups (large answers)", "TCP")

    # The metadata database. Airflow processes (init containers included) go through PgBouncer when
    # there is one; migrations and db clean need a real session and connect directly.
    direct = runtime.database
    if postgres:
        database, db_ports = postgres[0], [POSTGRES_PORT]
    else:
        database, db_ports = "database", p.database.ports or [direct.port]
        g.add_outside(database, p.database.to)
    direct_users = [migrate, *optional(airflow.db_clean, "db-clean")]
    pooled_users = [pod for pod in airflow_pods if pod not in (*direct_users, *flower, *task_pods)]
    if runtime.airflow2:
        pooled_users += task_pods  # Airflow 2 tasks talk to the database; Airflow 3 tasks never do
    for pod in direct_users:
        g.connect(pod, database, db_ports, "metadata database (direct: needs a real session)")
    if pgbouncer:
        for pod in pooled_users:
            g.connect(pod, pgbouncer[0], [PGBOUNCER_PORT], "metadata database through PgBouncer")
        g.connect(pgbouncer[0], database, db_ports, "PgBouncer's server connections")
    else:
        for pod in pooled_users:
            g.connect(pod, database, db_ports, "metadata database")
    for pod in backup:
        g.connect(pod, database, db_ports, "pg_dump")
    if postgres and any(isinstance(w.props.autoscaling, KedaAutoscaling) for w in airflow.workers):
        g.add_outside("keda", p.keda)
        g.connect("keda", postgres[0], [POSTGRES_PORT], "KEDA's PostgreSQL scaler counts queued tasks")

    # The Celery broker: the scheduler queues tasks, workers consume them, Flower watches.
    broker_users = [scheduler, *workers, *flower] if workers else []
    if redis:
        for pod in broker_users:
            g.connect(pod, redis[0], [REDIS_PORT], "Celery broker")
    elif broker_users:
        g.add_outside("broker", p.broker.to)
        for pod in broker_users:
            g.connect(pod, "broker", p.broker.ports or [REDIS_PORT], "external Celery broker")

    # The api-server: UI/API from the ingress controller; execution API (Airflow 3) and Edge API
    # from the pods that run tasks.
    g.connect("ingress-controller", api, [API_PORT], "UI and REST API through the ingress controller")
    for pod in runs_tasks:
        if pod in edge:
            g.connect(pod, api, [API_PORT], "Edge worker API")
        elif not runtime.airflow2:
            g.connect(pod, api, [API_PORT], "execution API (task processes)")
    for pod in flower:
        g.connect("ingress-controller", pod, [FLOWER_PORT], "Flower UI through the ingress controller")

    # Log servers: the api-server fetches the logs of running tasks and triggers.
    if local:
        g.connect(api, scheduler, [SCHEDULER_LOGS], "task logs served by the scheduler (LocalExecutor)")
    g.connect(api, triggerer, [TRIGGERER_LOGS], "trigger logs served by the triggerer")
    for pod in workers:
        g.connect(api, pod, [WORKER_LOGS], "task logs served by the Celery worker")

    # The Kubernetes API: only the pods that mount a token.
    api_ports = p.kubernetes_api_ports
    for pod in bootstrap:
        g.connect(pod, "kubernetes-api", api_ports, "creates the generated Secret")
    if task_pods:
        g.connect(scheduler, "kubernetes-api", api_ports, "KubernetesExecutor launches and watches task pods")
    for pod in cleanup:
        g.connect(pod, "kubernetes-api", api_ports, "deletes finished task pods")

    # Services outside the cluster that features need.
    dags = runtime.props.dags
    if isinstance(dags, GitSyncDags | GitBundleDags):
        g.add_outside("git", p.git.to)
        ports = p.git.ports or _git_ports(dags)
        for pod in reads_dags:
            g.connect(pod, "git", ports, "DAG repository")
    remote = runtime.props.logs.remote
    if remote is not None:
        g.add_outside("remote-logs", p.remote_logs.to)
        search = remote.kind in ("elasticsearch", "opensearch")
        ports = p.remote_logs.ports or ([HTTPS_PORT, SEARCH_PORT] if search else [HTTPS_PORT])
        for pod in [api, *dag_processor, triggerer, *runs_tasks]:
            g.connect(pod, "remote-logs", ports, "remote log storage")
    if runtime.props.secrets_backend is not None:
        g.add_outside("secrets-backend", p.secrets_backend.to)
        for pod in airflow_pods:
            g.connect(pod, "secrets-backend", p.secrets_backend.ports or [HTTPS_PORT], "secrets backend")
    if runtime.props.extra_pip_packages:
        g.add_outside("package-index", p.package_index.to)
        for pod in airflow_pods:
            g.connect(pod, "package-index", p.package_index.ports or [HTTPS_PORT], "pip install at start-up")

    # Authentication: the api-server calls the LDAP server or the OAuth/OIDC provider.
    auth = runtime.props.auth
    if isinstance(auth, FabAuth) and (auth.ldap is not None or auth.oauth is not None):
        g.add_outside("identity-provider", p.identity_provider.to)
        ports = p.identity_provider.ports or _identity_ports(auth)
        g.connect(api, "identity-provider", ports, "LDAP server" if auth.ldap else "OAuth/OIDC provider")

    # Kerberos: the ticket-renewing sidecars (and task pods' init container) call the KDCs.
    if airflow.props.kerberos.enabled:
        from ..components.kerberos import KDC_PORT, kerberos_targets

        kerberos_pods, kerberos_tasks = kerberos_targets(airflow)
        g.add_outside("kdc", airflow.props.kerberos.kdc)
        for pod in [*kerberos_pods, *(task_pods if kerberos_tasks else [])]:
            for proto in ("TCP", "UDP"):
                g.connect(pod, "kdc", [KDC_PORT], "Kerberos KDC", proto)

    # Metrics: every Airflow process sends StatsD (UDP) to the exporter; Prometheus scrapes it, and
    # PgBouncer's exporter. Or every process sends OTLP to a collector.
    from ..components.statsd import METRICS_PORT, STATSD_PORT

    metrics = airflow.props.metrics
    scraped = [(pod, METRICS_PORT) for pod in statsd]
    if airflow.pgbouncer is not None and airflow.pgbouncer.props.metrics_exporter:
        scraped.append((pgbouncer[0], PGBOUNCER_EXPORTER_PORT))
    if scraped:
        g.add_outside("prometheus", metrics.prometheus)
        for pod, port in scraped:
            g.connect("prometheus", pod, [port], "Prometheus scrapes metrics")
    for pod in statsd:
        for sender in airflow_pods:
            g.connect(sender, pod, [STATSD_PORT], "StatsD metrics", "UDP")
    if metrics.otel is not None:
        g.add_outside("otel-collector", metrics.otel.to)
        for pod in airflow_pods:
            g.connect(pod, "otel-collector", [metrics.otel.port], "OpenTelemetry metrics and traces")

    # Extra egress from the props.
    for i, rule in enumerate(p.egress):
        targets: list[str] = []
        for name in rule.components:
            if name == ALL:
                targets.extend(airflow_pods)
            elif name == TASKS:
                targets.extend(runs_tasks)
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
    return g


def _identity_ports(auth: FabAuth) -> list[int]:
    """The LDAP URI's port, or the OAuth provider URLs' ports."""
    if auth.ldap is not None:
        parts = urlsplit(auth.ldap.uri)
        return [parts.port or (636 if parts.scheme == "ldaps" else 389)]
    assert auth.oauth is not None
    o = auth.oauth
    urls = [u for u in (o.metadata_url, o.api_base_url, o.access_token_url, o.authorize_url) if u]
    return sorted({urlsplit(u).port or HTTPS_PORT for u in urls})


def _git_ports(dags: GitSyncDags | GitBundleDags) -> list[int]:
    """The ports a DAG repository is reached on: from the URL when known, else HTTPS and SSH."""
    if isinstance(dags, GitBundleDags):
        return [SSH_PORT, HTTPS_PORT]  # the URL is inside a connection Secret
    if dags.repo.startswith("https://"):
        return [urlsplit(dags.repo).port or HTTPS_PORT]
    if dags.repo.startswith("ssh://"):
        return [urlsplit(dags.repo).port or SSH_PORT]
    return [SSH_PORT]


# -- rendering ------------------------------------------------------------------------------------
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
            other = None if namespace == runtime.namespace else namespace
            self.policies.append(
                api_object(
                    self,
                    "default-deny" if other is None else f"default-deny-{namespace}",
                    api_version="networking.k8s.io/v1",
                    kind="NetworkPolicy",
                    name=f"{runtime.instance}-default-deny",
                    labels=runtime.labels("network-policy"),
                    body={"spec": {"podSelector": {"matchLabels": release}, "policyTypes": ["Ingress", "Egress"]}},
                    namespace=other,
                )
            )
        for component in self.graph.components:
            namespace = self.graph.endpoints[component].namespace or runtime.namespace
            self.policies.append(
                api_object(
                    self,
                    component,
                    api_version="networking.k8s.io/v1",
                    kind="NetworkPolicy",
                    name=f"{runtime.instance}-{component}",
                    labels=runtime.labels(component),
                    body={"spec": policy_rules(self.graph, component)},
                    namespace=None if namespace == runtime.namespace else namespace,
                )
            )


# -- evaluation (Kubernetes semantics) ------------------------------------------------------------
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
