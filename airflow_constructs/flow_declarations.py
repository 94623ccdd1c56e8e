"""The network declarations of a composed install: which pods are there, and what each part declares.

``network_graph(airflow.composition)`` names the release's pods by role (``ReleasePods``), asks every
module that deploys something for its flows (each one's ``declare_flows``: the rules live there, next to
the ports they use), and hands both to ``network.flows.read_graph``, which derives the graph the
NetworkPolicies and the diagrams are drawn from. This module knows which parts an install has, as
``airflow.py`` does; it holds no rule of who talks to whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, kw_only=True)
class Composition:
    """What the gathering reads of a composed install: its parts, None when absent (``Airflow.composition``
    builds it, from its own attributes of the same names)."""

    props: Any
    """The install's props (``AirflowProps``): network policies, metrics, executors, Kerberos."""
    runtime: AirflowRuntime
    api_server: ApiServer
    scheduler: AirflowComponent
    triggerer: AirflowComponent
    migrations: Migrations
    workers: Sequence[AirflowComponent]
    edge_workers: Sequence[AirflowComponent]
    kubernetes_executor: KubernetesExecutorPods | None
    pgbouncer: PgBouncer | None
    # Parts it only needs to know are there.
    dag_processor: object | None
    flower: object | None
    db_clean: object | None
    pools: object | None
    admin_user: object | None
    fernet_rotation: object | None
    execution_api: object | None
    keycloak_setup: object | None
    fab_teams: object | None
    statsd: object | None
    postgres: object | None
    redis: object | None
    backup: object | None


def network_graph(parts: Composition, props: NetworkPolicyProps | None = None) -> NetworkGraph:
    """Every flow the parts of an install declare (``parts``: ``Airflow.composition``), as the graph
    ``NetworkPolicies`` renders.

    A component added to ``Airflow`` must be a part of ``Composition``, be named in ``release_pods`` and
    declare its flows in ``network_declarations`` (a test checks that every pod of every app is in the graph): the
    default-deny policy would otherwise isolate it.
    """
    return read_graph(network_declarations(parts), props or parts.props.network_policies)


def network_declarations(parts: Composition) -> NetworkDeclarations:
    """The release's pods and the flows each part declares for them."""
    pods = release_pods(parts)
    runtime = parts.runtime
    metrics = parts.props.metrics
    database = database_endpoint(pods.postgres, runtime.database.port)
    declared: list[Declared] = [
        *airflow_runtime.declare_flows(runtime, pods),
        *maintenance.declare_flows(pods, database),
        *postgres.declare_flows(pods.postgres, _keda_scaled(parts)),
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
        *kerberos.declare_flows(parts, pods),
        *statsd.declare_flows(metrics, pods),
    ]
    if parts.pgbouncer is not None:
        declared += pgbouncer.declare_flows(pods.pgbouncer[0], parts.pgbouncer.props, database, metrics.prometheus)
    return NetworkDeclarations(pods, declared)


def _keda_scaled(parts: Composition) -> bool:
    return any(c.keda_scaled for c in [*parts.workers, *parts.edge_workers, parts.triggerer])


def release_pods(parts: Composition) -> ReleasePods:
    """The release's pods by role, each with its selector and namespace."""
    runtime = parts.runtime
    selectors: dict[str, tuple[dict[str, str], str]] = {}

    def pods(component: str, namespace: str = runtime.namespace) -> str:
        selectors[component] = (runtime.selector(component), namespace)
        return component

    def optional(part: object | None, component: str) -> list[str]:
        return [pods(component)] if part is not None else []

    k8s = parts.kubernetes_executor
    task_pods = []  # in each further namespace their own endpoint, so their own policy
    for i, ns in enumerate(k8s.namespaces if k8s else []):
        task_pods.append(pods(f"kubernetes-worker-{ns}" if i else "kubernetes-worker", ns))
    db_clean = optional(parts.db_clean, "db-clean")
    keycloak_setup = optional(parts.keycloak_setup, "keycloak-setup")
    jobs = [*db_clean, *optional(parts.pools, "pools"), *optional(parts.admin_user, "admin-user")]
    jobs += [*optional(parts.fernet_rotation, "rotate-fernet-key"), *optional(parts.fab_teams, "fab-teams")]
    return ReleasePods(
        api=pods(parts.api_server.component_name),
        scheduler=pods(parts.scheduler.component_name),
        triggerer=pods(parts.triggerer.component_name),
        migrate=pods(parts.migrations.component),
        dag_processor=optional(parts.dag_processor, "dag-processor"),
        workers=[pods(w.component_name) for w in parts.workers],
        edge=[pods(w.component_name) for w in parts.edge_workers],
        flower=optional(parts.flower, "flower"),
        task_pods=task_pods,
        cleanup=optional(k8s.cleanup if k8s else None, "pod-cleanup"),
        restarts=[pods(r.component) for r in (parts.api_server.restart,) if r is not None],
        execution=optional(parts.execution_api, "execution-api"),
        bootstrap=optional(runtime.secrets_bootstrap, "secrets-bootstrap"),
        db_clean=db_clean,
        jobs=[*jobs, *keycloak_setup],
        keycloak_setup=keycloak_setup,
        statsd=optional(parts.statsd, "statsd"),
        postgres=optional(parts.postgres, "postgres"),
        redis=optional(parts.redis, "redis"),
        pgbouncer=optional(parts.pgbouncer, "pgbouncer"),
        backup=optional(parts.backup, "postgres-backup"),
        local=any(isinstance(e, LocalExecutor) for e in parts.props.executors),
        selectors=selectors,
    )
