"""``WorkersOnly``: Celery workers in this cluster for an Airflow whose core runs elsewhere.

The api-server, scheduler, dag-processor, triggerer, metadata database and broker belong to
another install (another namespace, cluster or vendor). This construct deploys only worker sets,
their ServiceAccounts, PodDisruptionBudgets and NetworkPolicies, on an ``AirflowRuntime`` told
where the core is: the broker URL, the database (URL Secret or parts), the Execution API URL and
the core's Fernet key, API secret key and JWT secret, all by Secret reference. Nothing is
generated (no bootstrap Job, no generated Secret), no migration Job runs (the workers wait for
the core's migrations with ``airflow db check-migrations``).

Why a construct of its own rather than ``Airflow(shape="workers")``: almost every field of
``AirflowProps`` (api_server, scheduler, database kinds, flower, pools, auth...) means nothing
here, while the broker, database and Execution API URL become required; a props class of its own
says so in its types, and its errors name its own fields.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from constructs import Construct
from pydantic import field_validator, model_validator

from .components.workers import LOG_SERVER_PORT, CeleryWorkers
from .core.network_flow import HTTPS_PORT
from .core.network_peer import NetworkPeer, check_peers
from .core.pod import SecretRef
from .core.pod_defaults import PodDefaults, with_pod_defaults
from .core.props import Props, PropsError, parse_props
from .core.security import PodSecurity
from .network.graph import NetworkGraph
from .network.policies import NetworkPolicies
from .network.props import ALL, TASKS, EgressRule, ExternalService
from .runtime import config as cfg
from .runtime.airflow_image import AirflowImage
from .runtime.airflow_runtime import AirflowRuntime, check_name_from_id
from .runtime.dags import BakedDags, DagSource, GitBundleDags, GitSyncDags
from .runtime.executors import CeleryExecutor, CeleryWorkerSet
from .runtime.logs import SEARCH_PORT, LogsProps
from .runtime.runtime_props import AirflowSecrets, RuntimeProps, SecretsBackend
from .services.database import ExternalDatabase
from .services.redis import ExternalBroker, external_broker

_EXECUTOR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_EXECUTION_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/(.+/)?execution/$")


class CoreSecrets(Props):
    """The Airflow core's own keys, each a ``SecretRef`` (required: a workers-only install generates nothing)."""

    fernet_key: SecretRef | None = None
    """``[core] fernet_key`` of the core (decrypts connections and variables)."""
    api_secret_key: SecretRef | None = None
    """``[api] secret_key`` of the core."""
    jwt_secret: SecretRef | None = None
    """``[api_auth] jwt_secret`` of the core (the Execution API's task tokens)."""

    @model_validator(mode="after")
    def _all_given(self) -> CoreSecrets:
        missing = [name for name in ("fernet_key", "api_secret_key", "jwt_secret") if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} not given: a workers-only install generates no key; name the Secret "
                "keys the Airflow core uses ({name, key} each)"
            )
        return self


class WorkersNetwork(Props):
    """NetworkPolicies of the worker pods: default deny, then only what the workers need."""

    enabled: bool = True
    """Create the default-deny policy and one allow policy per worker set."""
    dns: list[NetworkPeer] = [NetworkPeer(namespace="kube-system", pod_labels={"k8s-app": "kube-dns"})]
    """The cluster DNS (UDP and TCP 53)."""
    database: ExternalService = ExternalService()
    """Where the metadata database is (ports default to the database's ``port``)."""
    broker: ExternalService = ExternalService()
    """Where the broker is (ports default to 6379)."""
    execution_api: ExternalService = ExternalService()
    """Where the core's Execution API is (ports default to ``execution_api_url``'s)."""
    log_readers: list[NetworkPeer] = []
    """Who may fetch task logs from the workers' log server (8793): the core's api-server pods.
    Default: nobody (use remote logging)."""
    git: ExternalService = ExternalService()
    """Where the DAG repository is (git-sync or DAG bundles)."""
    remote_logs: ExternalService = ExternalService()
    """Where remote logs are stored (ports default to 443, and 9200 for Elasticsearch/OpenSearch)."""
    secrets_backend: ExternalService = ExternalService()
    """Where the secrets backend is (ports default to 443)."""
    package_index: ExternalService = ExternalService()
    """Where ``extra_pip_packages`` come from (ports default to 443)."""
    egress: list[EgressRule] = []
    """Extra egress (``components``: ``tasks``, ``all`` or ``worker-<set>``)."""

    @field_validator("dns")
    @classmethod
    def _peers(cls, value: list[NetworkPeer]) -> list[NetworkPeer]:
        return check_peers(value)


class WorkersOnlyProps(Props):
    """Celery worker sets joining an Airflow 3 core that runs elsewhere."""

    name: str | None = None
    """Release name, the prefix of every object name; default: the construct id (at most 30 characters)."""
    broker: ExternalBroker
    """The core's Celery broker: ``{url: {name, key}}``, a Secret key holding the broker URL."""
    database: ExternalDatabase
    """The core's metadata database (``url`` Secret, or host, user, database and password Secret)."""
    execution_api_url: str
    """The core's Execution API, e.g. ``http://airflow-api-server.airflow.svc.cluster.local:8080/execution/``."""
    secrets: CoreSecrets
    """The core's Fernet key, API secret key and JWT secret, by Secret reference."""
    worker_sets: list[CeleryWorkerSet] = [CeleryWorkerSet(name="default")]
    """Worker sets, each with its queues (route tasks here with ``queue=...``), replicas and scaling."""
    core_executor: str = "CeleryExecutor"
    """The core's ``[core] executor``, as written there (``KubernetesExecutor,CeleryExecutor``: the first is
    the default). A worker set's KEDA query counts the queued and running tasks of its queues that Celery
    runs: with several executors, those whose ``executor`` is ``CeleryExecutor`` (and those naming none
    when it is the first)."""
    image: AirflowImage = AirflowImage()
    """The Airflow image (the core's Airflow version)."""
    settings: cfg.AirflowSettings = cfg.AirflowSettings()
    """Typed airflow.cfg settings."""
    config: dict[str, dict[str, str]] = {}
    """Any other airflow.cfg setting, ``{section: {key: value}}``."""
    security: PodSecurity = PodSecurity()
    """UID/GID of the worker pods."""
    image_pull_secrets: list[str] = []
    """Secrets for pulling images."""
    pod_defaults: PodDefaults = PodDefaults()
    """Placement of every worker pod (node selector, tolerations, affinity, priority class); a worker
    set's own ``pod`` option replaces the default field by field (see ``PodDefaults``)."""
    dags: DagSource = BakedDags()
    """How DAG files reach the workers (the same source as the core's)."""
    logs: LogsProps = LogsProps()
    """Where task logs are kept."""
    connections: dict[str, SecretRef] = {}
    """Airflow connections from Secrets."""
    variables: dict[str, SecretRef] = {}
    """Airflow variables from Secrets."""
    secrets_backend: SecretsBackend | None = None
    """A secrets backend for connections and variables."""
    extra_pip_packages: list[str] = []
    """Packages pip installs at pod start (trials only)."""
    network_policies: WorkersNetwork = WorkersNetwork()
    """Default-deny NetworkPolicies plus the workers' flows (on by default)."""

    @field_validator("execution_api_url")
    @classmethod
    def _execution_url(cls, value: str) -> str:
        if not _EXECUTION_URL.match(value):
            raise ValueError(
                f"{value!r} is not the URL of an Execution API: expected http(s)://<host>[:<port>]/execution/ "
                "(the core's api-server, e.g. http://airflow-api-server.airflow.svc.cluster.local:8080/execution/)"
            )
        return value

    @field_validator("core_executor")
    @classmethod
    def _core_executor(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",")]
        bad = [n for n in names if not _EXECUTOR_NAME.match(n)]
        if bad:
            raise ValueError(
                f"{value!r}: {bad[0]!r} is not an executor name: expected the core's [core] executor, "
                "comma-separated names such as 'KubernetesExecutor,CeleryExecutor'"
            )
        if "CeleryExecutor" not in names:
            raise ValueError(
                f"{value!r} has no CeleryExecutor: a workers-only install runs Celery workers, so the core's "
                "[core] executor must include CeleryExecutor"
            )
        if len(set(names)) != len(names):
            raise ValueError(f"{value!r} names an executor twice")
        return ",".join(names)

    @model_validator(mode="after")
    def _airflow3(self) -> WorkersOnlyProps:
        if self.image.airflow2:
            raise ValueError(
                f"image runs Airflow {self.image.version}: workers-only installs report to Airflow 3's Execution API"
            )
        return self

    def runtime_props(self, instance: str) -> RuntimeProps:
        """The ``AirflowRuntime``'s props: the shared fields, CeleryExecutor, the core's keys."""
        shared = {
            name: getattr(self, name)
            for name in (
                "image",
                "settings",
                "config",
                "security",
                "image_pull_secrets",
                "pod_defaults",
                "dags",
                "logs",
                "connections",
                "variables",
                "secrets_backend",
                "extra_pip_packages",
            )
        }
        s = self.secrets
        return RuntimeProps.model_validate(
            shared
            | {
                "name": instance,
                "executor": CeleryExecutor(worker_sets=self.worker_sets, broker=self.broker),
                "secrets": AirflowSecrets(
                    fernet_key=s.fernet_key, api_secret_key=s.api_secret_key, jwt_secret=s.jwt_secret
                ),
            }
        )


class WorkersOnly(Construct):
    """Celery worker sets (StatefulSets, Services, ServiceAccounts, PDBs, NetworkPolicies) for an
    Airflow 3 core elsewhere.

    Example::

        WorkersOnly(chart, "airflow",
            broker=ExternalBroker(url=SecretRef("airflow-core", "broker-url")),
            database=ExternalDatabase(url=SecretRef("airflow-core", "database-url")),
            execution_api_url="http://airflow-api-server.airflow-core.svc.cluster.local:8080/execution/",
            secrets={"fernet_key": SecretRef("airflow-core", "fernet-key"),
                     "api_secret_key": SecretRef("airflow-core", "api-secret-key"),
                     "jwt_secret": SecretRef("airflow-core", "jwt-secret")},
            worker_sets=[CeleryWorkerSet(name="gpu", queues=["gpu"])])
    """

    def __init__(self, scope: Construct, id: str, props: WorkersOnlyProps | None = None, **kwargs: Any) -> None:
        super().__init__(scope, id)
        self.props = parse_props(WorkersOnlyProps, props, kwargs)
        p = with_pod_defaults(self.props, self.props.pod_defaults)
        instance = p.name or check_name_from_id(id)
        self.runtime = AirflowRuntime(
            self,
            "runtime",
            database=p.database,
            broker=external_broker(p.broker),
            props=p.runtime_props(instance),
            execution_api_url=p.execution_api_url,
        )
        if self.runtime.generated_keys:  # every key is named above: a key generated here is a bug
            raise PropsError(f"WorkersOnlyProps: would generate {self.runtime.generated_keys!r}")
        self.workers = [
            CeleryWorkers(
                self,
                f"worker-{ws.name}",
                runtime=self.runtime,
                props=ws,
                task_executors=p.core_executor.split(","),
            )
            for ws in p.worker_sets
        ]
        self.network_policies: NetworkPolicies | None = None
        if p.network_policies.enabled:
            graph = workers_graph(self.runtime, self.workers, p)
            self.network_policies = NetworkPolicies(self, "network-policies", graph=graph, runtime=self.runtime)


def workers_graph(runtime: AirflowRuntime, workers: list[CeleryWorkers], p: WorkersOnlyProps) -> NetworkGraph:
    """The flows of the worker pods: DNS, database, broker, Execution API, log readers and the extras.

    Long because each outside service the runtime may use adds its own short block, as in
    the parts' ``declare_flows``.
    """
    n = p.network_policies
    g = NetworkGraph()
    pods = []
    for w in workers:
        g.add_pods(w.component_name, runtime.selector(w.component_name), runtime.namespace)
        pods.append(w.component_name)
    g.add_outside("dns", n.dns)
    g.add_outside("database", n.database.to)
    g.add_outside("broker", n.broker.to)
    g.add_outside("execution-api", n.execution_api.to)
    url = urlsplit(p.execution_api_url)
    api_ports = n.execution_api.ports or [url.port or (HTTPS_PORT if url.scheme == "https" else 80)]
    if n.log_readers:
        g.add_outside("log-readers", n.log_readers)
    for pod in pods:
        g.connect(pod, "dns", [53], "DNS lookups", "UDP")
        g.connect(pod, "dns", [53], "DNS lookups (large answers)", "TCP")
        g.connect(pod, "database", n.database.ports or [runtime.database.port], "metadata database")
        g.connect(pod, "broker", n.broker.ports or [runtime.broker.port if runtime.broker else 6379], "Celery broker")
        g.connect(pod, "execution-api", api_ports, "the core's Execution API (task state)")
        if n.log_readers:
            g.connect("log-readers", pod, [LOG_SERVER_PORT], "task logs of running tasks")
    outside: list[tuple[str, ExternalService, list[int]]] = []
    dags = runtime.props.dags
    if isinstance(dags, GitSyncDags | GitBundleDags):
        outside.append(("git", n.git, dags.repository_ports()))
    remote = runtime.props.logs.remote
    if remote is not None:
        search = remote.kind in ("elasticsearch", "opensearch")
        outside.append(("remote-logs", n.remote_logs, [HTTPS_PORT, SEARCH_PORT] if search else [HTTPS_PORT]))
    if runtime.props.secrets_backend is not None:
        outside.append(("secrets-backend", n.secrets_backend, [HTTPS_PORT]))
    if runtime.props.extra_pip_packages:
        outside.append(("package-index", n.package_index, [HTTPS_PORT]))
    for name, service, default_ports in outside:
        g.add_outside(name, service.to)
        for pod in pods:
            g.connect(pod, name, service.ports or default_ports, name.replace("-", " "))
    for i, rule in enumerate(n.egress):
        for component in rule.components:
            if component not in (ALL, TASKS, *pods):
                raise PropsError(
                    f"WorkersOnlyProps.network_policies.egress[{i}].components: {component!r} is not a component "
                    f"of this install: expected one of {', '.join([ALL, TASKS, *pods])}"
                )
        targets = pods if {ALL, TASKS} & set(rule.components) else [c for c in pods if c in rule.components]
        g.add_outside(f"egress-{i}", rule.to)
        for pod in targets:
            g.connect(pod, f"egress-{i}", rule.ports, rule.description, rule.protocol)
    return g
