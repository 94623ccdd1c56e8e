"""Every flow an install needs, in this one place: who talks to whom, and why.

``network_graph(airflow)`` reads the parts of a composed install (the ``Composition`` protocol) and
the ports each component declares, and returns the ``NetworkGraph`` that ``NetworkPolicies``
renders. The same graph feeds the tests (every pod pair of every app is allowed exactly when the
graph has the flow).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..components.execution_api import EXECUTION_PORT as EXECUTION_TARGET
from ..components.flower import FLOWER_PORT
from ..components.kerberos import KDC_PORT, kerberos_targets
from ..components.scheduler import LOG_SERVER_PORT as SCHEDULER_LOGS
from ..components.statsd import METRICS_PORT, STATSD_PORT
from ..components.triggerer import LOG_SERVER_PORT as TRIGGERER_LOGS
from ..components.workers import LOG_SERVER_PORT as WORKER_LOGS
from ..core.network_peer import HTTPS_PORT, NetworkPeer
from ..core.props import PropsError
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.auth import FabAuth
from ..runtime.container import API_PORT
from ..runtime.dags import GitBundleDags, GitSyncDags
from ..runtime.executors import LocalExecutor
from ..runtime.keycloak import KeycloakAuth
from ..services.database import POSTGRES_PORT
from ..services.pgbouncer import EXPORTER_PORT as PGBOUNCER_EXPORTER_PORT
from ..services.pgbouncer import PGBOUNCER_PORT
from ..services.redis import REDIS_PORT
from .graph import Composition, NetworkGraph
from .props import ALL, TASKS, NetworkPolicyProps

SEARCH_PORT = 9200


def network_graph(airflow: Composition, props: NetworkPolicyProps | None = None) -> NetworkGraph:
    """Every flow the parts of ``airflow`` need: the one place that knows who talks to whom.

    A component added to ``Airflow`` must be added here too (a test checks that every pod of every
    app is in the graph): the default-deny policy would otherwise isolate it.
    """
    p = props or airflow.props.network_policies
    g = NetworkGraph()
    pods = _release_pods(g, airflow)
    # Peers outside the release.
    g.add_outside("dns", p.dns)
    g.add_outside("kubernetes-api", [NetworkPeer(cidr=c) for c in p.kubernetes_api])
    g.add_outside("ingress-controller", p.ingress_from)
    _database_flows(g, airflow, p, pods)
    _airflow_flows(g, airflow, p, pods)
    _outside_flows(g, airflow.runtime, p, pods)
    _kerberos_and_metrics_flows(g, airflow, pods)
    _extra_egress(g, p, pods)
    return g


@dataclass
class _Pods:
    """The release's pods by role, as endpoint names of the graph (a list holds none or some)."""

    api: str
    scheduler: str
    triggerer: str
    migrate: str
    dag_processor: list[str]
    workers: list[str]
    edge: list[str]
    flower: list[str]
    task_pods: list[str]
    cleanup: list[str]
    restarts: list[str]
    execution: list[str]
    """The separate Execution API server, if any."""
    """The CronJobs restarting a Deployment on a schedule."""
    bootstrap: list[str]
    db_clean: list[str]
    jobs: list[str]
    keycloak_setup: list[str]
    statsd: list[str]
    postgres: list[str]
    redis: list[str]
    pgbouncer: list[str]
    backup: list[str]
    local: bool
    """The LocalExecutor is one of the executors: the scheduler runs tasks."""

    @property
    def airflow_pods(self) -> list[str]:
        """Pods running the Airflow image with the runtime's config (everything but the scripts' Jobs)."""
        return [
            self.api,
            *self.execution,
            self.scheduler,
            *self.dag_processor,
            self.triggerer,
            self.migrate,
            *self.workers,
            *self.edge,
            *self.flower,
            *self.task_pods,
            *self.jobs,
        ]

    @property
    def runs_tasks(self) -> list[str]:
        """Pods that run task code."""
        return [*([self.scheduler] if self.local else []), *self.workers, *self.edge, *self.task_pods]


def _task_pods(g: NetworkGraph, airflow: Composition) -> list[str]:
    """The KubernetesExecutor's task pods: in each further namespace their own endpoint, so their own policy."""
    k8s = airflow.kubernetes_executor
    names = []
    for i, ns in enumerate(k8s.namespaces if k8s else []):
        name = f"kubernetes-worker-{ns}" if i else "kubernetes-worker"
        g.add_pods(name, airflow.runtime.selector("kubernetes-worker"), ns)
        names.append(name)
    return names


def _release_pods(g: NetworkGraph, airflow: Composition) -> _Pods:
    """Add the release's pods to ``g`` as endpoints."""
    runtime = airflow.runtime

    def pods(component: str, namespace: str = runtime.namespace) -> str:
        g.add_pods(component, runtime.selector(component), namespace)
        return component

    def optional(part: object | None, component: str) -> list[str]:
        return [pods(component)] if part is not None else []

    k8s = airflow.kubernetes_executor
    api = pods(airflow.api_server.component_name)
    execution = optional(airflow.execution_api, "execution-api")
    scheduler = pods(airflow.scheduler.component_name)
    dag_processor = optional(airflow.dag_processor, "dag-processor")
    triggerer = pods(airflow.triggerer.component_name)
    migrate = pods(airflow.migrations.component)
    workers = [pods(w.component_name) for w in airflow.workers]
    edge = [pods(w.component_name) for w in airflow.edge_workers]
    flower = optional(airflow.flower, "flower")
    task_pods = _task_pods(g, airflow)
    cleanup = optional(k8s.cleanup if k8s else None, "pod-cleanup")
    restarts = [pods(r.component) for r in (airflow.api_server.restart,) if r is not None]
    bootstrap = optional(runtime.secrets_bootstrap, "secrets-bootstrap")
    db_clean = optional(airflow.db_clean, "db-clean")
    jobs = [
        *db_clean,
        *optional(airflow.pools, "pools"),
        *optional(airflow.admin_user, "admin-user"),
        *optional(airflow.fernet_rotation, "rotate-fernet-key"),
    ]
    jobs += optional(airflow.fab_teams, "fab-teams")
    keycloak_setup = optional(airflow.keycloak_setup, "keycloak-setup")
    jobs += keycloak_setup
    return _Pods(
        api=api,
        scheduler=scheduler,
        triggerer=triggerer,
        migrate=migrate,
        dag_processor=dag_processor,
        workers=workers,
        edge=edge,
        flower=flower,
        task_pods=task_pods,
        cleanup=cleanup,
        restarts=restarts,
        execution=execution,
        bootstrap=bootstrap,
        db_clean=db_clean,
        jobs=jobs,
        keycloak_setup=keycloak_setup,
        statsd=optional(airflow.statsd, "statsd"),
        postgres=optional(airflow.postgres, "postgres"),
        redis=optional(airflow.redis, "redis"),
        pgbouncer=optional(airflow.pgbouncer, "pgbouncer"),
        backup=optional(airflow.backup, "postgres-backup"),
        local=any(isinstance(e, LocalExecutor) for e in airflow.props.executors),
    )


def _database_flows(g: NetworkGraph, airflow: Composition, p: NetworkPolicyProps, pods: _Pods) -> None:
    """DNS, and the metadata database: direct, or through PgBouncer."""
    # DNS: every pod that resolves a name (the scripts that only call the API use its IP from env).
    for pod in [*pods.airflow_pods, *pods.pgbouncer, *pods.backup]:
        g.connect(pod, "dns", [53], "DNS lookups", "UDP")
        g.connect(pod, "dns", [53], "DNS lookups (large answers)", "TCP")

    # Airflow processes (init containers included) go through PgBouncer when there is one;
    # migrations and db clean need a real session and connect directly.
    runtime = airflow.runtime
    if pods.postgres:
        database, db_ports = pods.postgres[0], [POSTGRES_PORT]
    else:
        database, db_ports = "database", p.database.ports or [runtime.database.port]
        g.add_outside(database, p.database.to)
    direct_users = [pods.migrate, *pods.db_clean]
    pooled_users = [pod for pod in pods.airflow_pods if pod not in (*direct_users, *pods.flower, *pods.task_pods)]
    if runtime.airflow2:
        pooled_users += pods.task_pods  # Airflow 2 tasks talk to the database; Airflow 3 tasks never do
    for pod in direct_users:
        g.connect(pod, database, db_ports, "metadata database (direct: needs a real session)")
    if pods.pgbouncer:
        for pod in pooled_users:
            g.connect(pod, pods.pgbouncer[0], [PGBOUNCER_PORT], "metadata database through PgBouncer")
        g.connect(pods.pgbouncer[0], database, db_ports, "PgBouncer's server connections")
    else:
        for pod in pooled_users:
            g.connect(pod, database, db_ports, "metadata database")
    for pod in pods.backup:
        g.connect(pod, database, db_ports, "pg_dump")
    if pods.postgres and any(c.keda_scaled for c in [*airflow.workers, *airflow.edge_workers, airflow.triggerer]):
        g.add_outside("keda", p.keda)
        g.connect("keda", pods.postgres[0], [POSTGRES_PORT], "KEDA's PostgreSQL scaler counts queued tasks")


def _airflow_flows(g: NetworkGraph, airflow: Composition, p: NetworkPolicyProps, pods: _Pods) -> None:
    """The broker, the api-server, the log servers and the Kubernetes API."""
    # The Celery broker: the scheduler queues tasks, workers consume them, Flower watches.
    broker_users = [pods.scheduler, *pods.workers, *pods.flower] if pods.workers else []
    if pods.redis:
        for pod in broker_users:
            g.connect(pod, pods.redis[0], [REDIS_PORT], "Celery broker")
    elif broker_users:
        g.add_outside("broker", p.broker.to)
        for pod in broker_users:
            g.connect(pod, "broker", p.broker.ports or [REDIS_PORT], "external Celery broker")

    # The api-server: UI/API from the ingress controller; execution API (Airflow 3) and Edge API
    # from the pods that run tasks.
    api = pods.api
    g.connect("ingress-controller", api, [API_PORT], "UI and REST API through the ingress controller")
    execution_api = pods.execution[0] if pods.execution else api
    for pod in pods.runs_tasks:
        if pod in pods.edge:
            g.connect(pod, api, [API_PORT], "Edge worker API")
        if pod in pods.edge and execution_api == api:
            continue
        if not airflow.runtime.airflow2:
            g.connect(
                pod, execution_api, [EXECUTION_TARGET if pods.execution else API_PORT], "execution API (task processes)"
            )
    for pod in pods.flower:
        g.connect("ingress-controller", pod, [FLOWER_PORT], "Flower UI through the ingress controller")

    # Log servers: the api-server fetches the logs of running tasks and triggers.
    if pods.local:
        g.connect(api, pods.scheduler, [SCHEDULER_LOGS], "task logs served by the scheduler (LocalExecutor)")
    g.connect(api, pods.triggerer, [TRIGGERER_LOGS], "trigger logs served by the triggerer")
    for pod in pods.workers:
        g.connect(api, pod, [WORKER_LOGS], "task logs served by the Celery worker")

    # The Kubernetes API: only the pods that mount a token.
    api_ports = p.kubernetes_api_ports
    for pod in pods.bootstrap:
        g.connect(pod, "kubernetes-api", api_ports, "creates the generated Secret")
    if pods.task_pods:
        g.connect(pods.scheduler, "kubernetes-api", api_ports, "KubernetesExecutor launches and watches task pods")
    for pod in pods.cleanup:
        g.connect(pod, "kubernetes-api", api_ports, "deletes finished task pods")
    for pod in pods.restarts:
        g.connect(pod, "kubernetes-api", api_ports, "rollout restart of its Deployment")


def _outside_flows(g: NetworkGraph, runtime: AirflowRuntime, p: NetworkPolicyProps, pods: _Pods) -> None:
    """Services outside the cluster that features need: git, remote logs, secrets, packages, identity."""
    dags = runtime.props.dags
    if isinstance(dags, GitSyncDags | GitBundleDags):
        reads_dags = [*([pods.scheduler] if runtime.runs_tasks_locally else []), *pods.dag_processor]
        reads_dags = list(dict.fromkeys([*reads_dags, pods.triggerer, *pods.runs_tasks]))
        g.add_outside("git", p.git.to)
        ports = p.git.ports or dags.repository_ports()
        for pod in reads_dags:
            g.connect(pod, "git", ports, "DAG repository")
    remote = runtime.props.logs.remote
    if remote is not None:
        g.add_outside("remote-logs", p.remote_logs.to)
        search = remote.kind in ("elasticsearch", "opensearch")
        ports = p.remote_logs.ports or ([HTTPS_PORT, SEARCH_PORT] if search else [HTTPS_PORT])
        for pod in [pods.api, *pods.dag_processor, pods.triggerer, *pods.runs_tasks]:
            g.connect(pod, "remote-logs", ports, "remote log storage")
    if runtime.props.secrets_backend is not None:
        g.add_outside("secrets-backend", p.secrets_backend.to)
        for pod in pods.airflow_pods:
            g.connect(pod, "secrets-backend", p.secrets_backend.ports or [HTTPS_PORT], "secrets backend")
    if runtime.props.extra_pip_packages:
        g.add_outside("package-index", p.package_index.to)
        for pod in pods.airflow_pods:
            g.connect(pod, "package-index", p.package_index.ports or [HTTPS_PORT], "pip install at start-up")

    # Authentication: the api-server calls the LDAP server or the OAuth/OIDC provider.
    auth = runtime.props.auth
    if isinstance(auth, FabAuth) and (auth.ldap is not None or auth.oauth is not None):
        g.add_outside("identity-provider", p.identity_provider.to)
        ports = p.identity_provider.ports or _identity_ports(auth)
        g.connect(pods.api, "identity-provider", ports, "LDAP server" if auth.ldap else "OAuth/OIDC provider")
    if isinstance(auth, KeycloakAuth):
        g.add_outside("identity-provider", p.identity_provider.to)
        ports = p.identity_provider.ports or [auth.port]
        g.connect(pods.api, "identity-provider", ports, "Keycloak (sign-in, authorization decisions)")
        for pod in pods.keycloak_setup:
            g.connect(pod, "identity-provider", ports, "Keycloak admin API (keycloak-setup Job, tag-sync CronJob)")


def _kerberos_and_metrics_flows(g: NetworkGraph, airflow: Composition, pods: _Pods) -> None:
    """The KDCs the Kerberos sidecars call; StatsD, Prometheus scrapes and OpenTelemetry."""
    # Kerberos: the ticket-renewing sidecars (and task pods' init container) call the KDCs.
    if airflow.props.kerberos.enabled:
        kerberos_pods, kerberos_tasks = kerberos_targets(airflow)
        g.add_outside("kdc", airflow.props.kerberos.kdc)
        for pod in [*kerberos_pods, *(pods.task_pods if kerberos_tasks else [])]:
            for proto in ("TCP", "UDP"):
                g.connect(pod, "kdc", [KDC_PORT], "Kerberos KDC", proto)

    # Metrics: every Airflow process sends StatsD (UDP) to the exporter; Prometheus scrapes it, and
    # PgBouncer's exporter. Or every process sends OTLP to a collector.
    metrics = airflow.props.metrics
    scraped = [(pod, METRICS_PORT) for pod in pods.statsd]
    if airflow.pgbouncer is not None and airflow.pgbouncer.props.metrics_exporter:
        scraped.append((pods.pgbouncer[0], PGBOUNCER_EXPORTER_PORT))
    if scraped:
        g.add_outside("prometheus", metrics.prometheus)
        for pod, port in scraped:
            g.connect("prometheus", pod, [port], "Prometheus scrapes metrics")
    for pod in pods.statsd:
        for sender in pods.airflow_pods:
            g.connect(sender, pod, [STATSD_PORT], "StatsD metrics", "UDP")
    if metrics.otel is not None:
        g.add_outside("otel-collector", metrics.otel.to)
        for pod in pods.airflow_pods:
            g.connect(pod, "otel-collector", [metrics.otel.port], "OpenTelemetry metrics and traces")


def _extra_egress(g: NetworkGraph, p: NetworkPolicyProps, pods: _Pods) -> None:
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


def _identity_ports(auth: FabAuth) -> list[int]:
    """The LDAP URI's port, or the OAuth provider URLs' ports."""
    if auth.ldap is not None:
        parts = urlsplit(auth.ldap.uri)
        return [parts.port or (636 if parts.scheme == "ldaps" else 389)]
    assert auth.oauth is not None
    o = auth.oauth
    urls = [u for u in (o.metadata_url, o.api_base_url, o.access_token_url, o.authorize_url) if u]
    return sorted({urlsplit(u).port or HTTPS_PORT for u in urls})
