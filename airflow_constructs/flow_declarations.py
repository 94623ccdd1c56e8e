"""The network declarations of a composed install: which pods are there, and what each part declares.

``network_graph(airflow)`` names the release's pods by role (``ReleasePods``), asks every module
that deploys something for its flows (each one's ``declare_flows``: the rules live there, next to
the ports they use), and hands both to ``network.flows.read_graph``, which derives the graph the
NetworkPolicies and the diagrams are drawn from. This module knows which parts an install has, as
``airflow.py`` does; it holds no rule of who talks to whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .components import (
    api_server,
    edge,
    execution_api,
    flower,
    kerberos,
    kubernetes_executor,
    maintenance,
    recycling,
    scheduler,
    statsd,
    triggerer,
    workers,
)
from .components.api_server import ApiServer
from .components.component import AirflowComponent
from .components.kubernetes_executor import KubernetesExecutorPods
from .components.migrations import Migrations
from .core.network_flow import Declared
from .network.flows import NetworkDeclarations, read_graph
from .network.graph import NetworkGraph
from .network.props import NetworkPolicyProps
from .runtime import airflow_runtime, auth, dags, keycloak, logs, secrets_bootstrap
from .runtime.airflow_runtime import AirflowRuntime
from .runtime.executors import LocalExecutor
from .runtime.release_pods import ReleasePods
from .services import pgbouncer, postgres, redis
from .services.database import database_endpoint
from .services.pgbouncer import PgBouncer


class Composition(Protocol):
    """What the gathering reads of a composed install (``Airflow`` is one): its parts, None when absent."""

    @property
    def props(self) -> Any: ...
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
    def workers(self) -> Sequence[AirflowComponent]: ...
    @property
    def edge_workers(self) -> Sequence[AirflowComponent]: ...
    @property
    def kubernetes_executor(self) -> KubernetesExecutorPods | None: ...
    @property
    def pgbouncer(self) -> PgBouncer | None: ...
    # Parts it only needs to know are there.
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


def network_graph(airflow: Composition, props: NetworkPolicyProps | None = None) -> NetworkGraph:
    """Every flow the parts of ``airflow`` declare, as the graph ``NetworkPolicies`` renders.

    A component added to ``Airflow`` must be named in ``release_pods`` and declare its flows in
    ``network_declarations`` (a test checks that every pod of every app is in the graph): the
    default-deny policy would otherwise isolate it.
    """
    return read_graph(network_declarations(airflow), props or airflow.props.network_policies)


def network_declarations(airflow: Composition) -> NetworkDeclarations:
    """The release's pods and the flows each part declares for them."""
    pods = release_pods(airflow)
    runtime = airflow.runtime
    metrics = airflow.props.metrics
    database = database_endpoint(pods.postgres, runtime.database.port)
    declared: list[Declared] = [
        *airflow_runtime.declare_flows(runtime, pods),
        *maintenance.declare_flows(pods, database),
        *postgres.declare_flows(pods.postgres, _keda_scaled(airflow)),
        *redis.declare_flows(pods.broker_users, pods.redis),
        *api_server.declare_flows(pods),
        *execution_api.declare_flows(pods, runtime.airflow2),
        *edge.declare_flows(pods),
        *flower.declare_flows(pods),
        *scheduler.declare_flows(pods),
        *triggerer.declare_flows(pods),
        *workers.declare_flows(pods),
        *secrets_bootstrap.declare_flows(pods),
        *kubernetes_executor.declare_flows(pods),
        *recycling.declare_flows(pods),
        *dags.declare_flows(runtime.props.dags, pods, runtime.runs_tasks_locally),
        *logs.declare_flows(runtime.props.logs, pods),
        *auth.declare_flows(runtime.props.auth, pods),
        *keycloak.declare_flows(runtime.props.auth, pods),
        *kerberos.declare_flows(airflow, pods),
        *statsd.declare_flows(metrics, pods),
    ]
    if airflow.pgbouncer is not None:
        declared += pgbouncer.declare_flows(pods.pgbouncer[0], airflow.pgbouncer.props, database, metrics.prometheus)
    return NetworkDeclarations(pods, declared)


def _keda_scaled(airflow: Composition) -> bool:
    return any(c.keda_scaled for c in [*airflow.workers, *airflow.edge_workers, airflow.triggerer])


def release_pods(airflow: Composition) -> ReleasePods:
    """The release's pods by role, each with its selector and namespace."""
    runtime = airflow.runtime
    selectors: dict[str, tuple[dict[str, str], str]] = {}

    def pods(component: str, namespace: str = runtime.namespace) -> str:
        selectors[component] = (runtime.selector(component), namespace)
        return component

    def optional(part: object | None, component: str) -> list[str]:
        return [pods(component)] if part is not None else []

    k8s = airflow.kubernetes_executor
    task_pods = []  # in each further namespace their own endpoint, so their own policy
    for i, ns in enumerate(k8s.namespaces if k8s else []):
        task_pods.append(pods(f"kubernetes-worker-{ns}" if i else "kubernetes-worker", ns))
    db_clean = optional(airflow.db_clean, "db-clean")
    keycloak_setup = optional(airflow.keycloak_setup, "keycloak-setup")
    jobs = [*db_clean, *optional(airflow.pools, "pools"), *optional(airflow.admin_user, "admin-user")]
    jobs += [*optional(airflow.fernet_rotation, "rotate-fernet-key"), *optional(airflow.fab_teams, "fab-teams")]
    return ReleasePods(
        api=pods(airflow.api_server.component_name),
        scheduler=pods(airflow.scheduler.component_name),
        triggerer=pods(airflow.triggerer.component_name),
        migrate=pods(airflow.migrations.component),
        dag_processor=optional(airflow.dag_processor, "dag-processor"),
        workers=[pods(w.component_name) for w in airflow.workers],
        edge=[pods(w.component_name) for w in airflow.edge_workers],
        flower=optional(airflow.flower, "flower"),
        task_pods=task_pods,
        cleanup=optional(k8s.cleanup if k8s else None, "pod-cleanup"),
        restarts=[pods(r.component) for r in (airflow.api_server.restart,) if r is not None],
        execution=optional(airflow.execution_api, "execution-api"),
        bootstrap=optional(runtime.secrets_bootstrap, "secrets-bootstrap"),
        db_clean=db_clean,
        jobs=[*jobs, *keycloak_setup],
        keycloak_setup=keycloak_setup,
        statsd=optional(airflow.statsd, "statsd"),
        postgres=optional(airflow.postgres, "postgres"),
        redis=optional(airflow.redis, "redis"),
        pgbouncer=optional(airflow.pgbouncer, "pgbouncer"),
        backup=optional(airflow.backup, "postgres-backup"),
        local=any(isinstance(e, LocalExecutor) for e in airflow.props.executors),
        selectors=selectors,
    )
