"""airflow-constructs: typed, secure-by-default cdk8s constructs for Apache Airflow 3."""

from .core.jsii_start import start_in_background
from .core.node_runtime import quiet_node_end_of_life_banner

# Before anything imports cdk8s: jsii checks the Node.js version when its node process starts.
quiet_node_end_of_life_banner()
# Node starts in a thread while the modules below are imported (see core/jsii_start.py).
start_in_background()

from .airflow import Airflow, AirflowProps
from .components.api_server import ApiServer, ApiServerProps
from .components.dag_processor import DagProcessor, DagProcessorProps
from .components.edge import EdgeWorkers
from .components.execution_api import ExecutionApiProps
from .components.flower import Flower, FlowerProps
from .components.kerberos import Kerberos, KerberosProps
from .components.kubernetes_executor import KubernetesExecutorPods
from .components.maintenance import DbClean, DbCleanProps, Pool, Pools, PostgresBackup, PostgresBackupProps
from .components.migrations import Migrations, MigrationsProps
from .components.recycling import PeriodicRestart
from .components.scheduler import Scheduler, SchedulerProps
from .components.statsd import MetricsProps, OpenTelemetry
from .components.triggerer import Triggerer, TriggererProps
from .components.workers import CeleryWorkers
from .core.autoscaling import HorizontalAutoscaling, KedaAutoscaling, VerticalAutoscaling
from .core.exposure import Exposed, Exposure
from .core.external_secret import ExternalSecret, ExternalSecretProps, RemoteRef, SecretStoreRef
from .core.image import Image
from .core.network_peer import NetworkPeer
from .core.pod import EnvVar, PodOptions, SecretRef, Toleration
from .core.pod_defaults import PodDefaults
from .core.props import PropsError
from .core.resources import Resources
from .core.security import PodSecurity
from .core.service_options import ServiceOptions
from .core.tls import ServiceTls
from .core.workload import ComponentProps
from .network.policies import NetworkPolicies
from .network.props import EgressRule, ExternalService, NetworkPolicyProps
from .runtime.airflow_image import AIRFLOW_VERSION, AirflowImage
from .runtime.airflow_runtime import AirflowRuntime
from .runtime.api_tls import ApiServerTls
from .runtime.auth import FabAuth, LdapAuth, OAuthAuth, SimpleAuth
from .runtime.config import AirflowSettings
from .runtime.dags import BakedDags, GitBundleDags, GitHttpsAuth, GitSshAuth, GitSyncDags, PvcDags
from .runtime.executors import (
    CeleryExecutor,
    CeleryWorkerSet,
    EdgeExecutor,
    EdgeWorkerSet,
    KubernetesExecutor,
    LocalExecutor,
    PodCleanup,
    TaskPodProps,
)
from .runtime.keycloak import KeycloakAdminCredentials, KeycloakAuth, Team
from .runtime.logs import LogsProps, LogsVolume, RemoteLogging
from .runtime.runtime_props import AirflowSecrets, RuntimeProps, SecretsBackend
from .services.database import DatabaseConnection, DatabaseTls, EmbeddedPostgres, ExternalDatabase
from .services.pgbouncer import PgBouncer, PgBouncerProps
from .services.postgres import Postgres
from .services.redis import EmbeddedRedis, ExternalBroker, Redis
from .services.release_service import Release
from .workers_only import CoreSecrets, WorkersNetwork, WorkersOnly, WorkersOnlyProps

__version__ = "0.1.0"

__all__ = [
    "AIRFLOW_VERSION",
    "Airflow",
    "AirflowImage",
    "AirflowProps",
    "AirflowRuntime",
    "AirflowSecrets",
    "AirflowSettings",
    "ApiServer",
    "ApiServerProps",
    "ApiServerTls",
    "BakedDags",
    "CeleryExecutor",
    "CeleryWorkerSet",
    "CeleryWorkers",
    "ComponentProps",
    "CoreSecrets",
    "DagProcessor",
    "DagProcessorProps",
    "DatabaseConnection",
    "DatabaseTls",
    "DbClean",
    "DbCleanProps",
    "EdgeExecutor",
    "EdgeWorkerSet",
    "EdgeWorkers",
    "EgressRule",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "EnvVar",
    "ExecutionApiProps",
    "Exposed",
    "Exposure",
    "ExternalBroker",
    "ExternalDatabase",
    "ExternalSecret",
    "ExternalSecretProps",
    "ExternalService",
    "FabAuth",
    "Flower",
    "FlowerProps",
    "GitBundleDags",
    "GitHttpsAuth",
    "GitSshAuth",
    "GitSyncDags",
    "HorizontalAutoscaling",
    "Image",
    "KedaAutoscaling",
    "Kerberos",
    "KerberosProps",
    "KeycloakAdminCredentials",
    "KeycloakAuth",
    "KubernetesExecutor",
    "KubernetesExecutorPods",
    "LdapAuth",
    "LocalExecutor",
    "LogsProps",
    "LogsVolume",
    "MetricsProps",
    "Migrations",
    "MigrationsProps",
    "NetworkPeer",
    "NetworkPolicies",
    "NetworkPolicyProps",
    "OAuthAuth",
    "OpenTelemetry",
    "PeriodicRestart",
    "PgBouncer",
    "PgBouncerProps",
    "PodCleanup",
    "PodDefaults",
    "PodOptions",
    "PodSecurity",
    "Pool",
    "Pools",
    "Postgres",
    "PostgresBackup",
    "PostgresBackupProps",
    "PropsError",
    "PvcDags",
    "Redis",
    "Release",
    "RemoteLogging",
    "RemoteRef",
    "Resources",
    "RuntimeProps",
    "Scheduler",
    "SchedulerProps",
    "SecretRef",
    "SecretStoreRef",
    "SecretsBackend",
    "ServiceOptions",
    "ServiceTls",
    "SimpleAuth",
    "TaskPodProps",
    "Team",
    "Toleration",
    "Triggerer",
    "TriggererProps",
    "VerticalAutoscaling",
    "WorkersNetwork",
    "WorkersOnly",
    "WorkersOnlyProps",
    "__version__",
]
