"""airflow-constructs: typed, secure-by-default cdk8s constructs for Apache Airflow 3."""

from .airflow import Airflow, AirflowProps
from .api_server import ApiServer, ApiServerProps
from .auth import FabAuth, LdapAuth, OAuthAuth, SimpleAuth
from .autoscaling import HorizontalAutoscaling, KedaAutoscaling, VerticalAutoscaling
from .component import ComponentProps
from .config import AirflowSettings
from .dag_processor import DagProcessor, DagProcessorProps
from .dags import BakedDags, GitBundleDags, GitHttpsAuth, GitSshAuth, GitSyncDags, PvcDags
from .database import DatabaseConnection, DatabaseTls, EmbeddedPostgres, ExternalDatabase, Postgres
from .edge import EdgeWorkers
from .executors import (
    CeleryExecutor,
    CeleryWorkerSet,
    EdgeExecutor,
    EdgeWorkerSet,
    EmbeddedRedis,
    ExternalBroker,
    KubernetesExecutor,
    LocalExecutor,
    PodCleanup,
)
from .exposure import Exposed, Exposure
from .external_secret import ExternalSecret, ExternalSecretProps, RemoteRef, SecretStoreRef
from .flower import Flower, FlowerProps
from .image import AIRFLOW_VERSION, AirflowImage, Image
from .kerberos import Kerberos, KerberosProps
from .kubernetes_executor import KubernetesExecutorPods
from .logs import LogsProps, LogsVolume, RemoteLogging
from .maintenance import DbClean, DbCleanProps, Pool, Pools, PostgresBackup, PostgresBackupProps
from .migrations import Migrations, MigrationsProps
from .network_policies import EgressRule, ExternalService, NetworkPeer, NetworkPolicies, NetworkPolicyProps
from .pgbouncer import PgBouncer, PgBouncerProps
from .pod import EnvVar, PodOptions, SecretRef, Toleration
from .props import PropsError
from .redis import Redis
from .resources import Resources
from .runtime import AirflowRuntime, AirflowSecrets, RuntimeProps, SecretsBackend
from .scheduler import Scheduler, SchedulerProps
from .security import PodSecurity
from .tls import ApiServerTls, ServiceTls
from .triggerer import Triggerer, TriggererProps
from .workers import CeleryWorkers

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
    "KubernetesExecutor",
    "KubernetesExecutorPods",
    "LdapAuth",
    "LocalExecutor",
    "LogsProps",
    "LogsVolume",
    "Migrations",
    "MigrationsProps",
    "NetworkPeer",
    "NetworkPolicies",
    "NetworkPolicyProps",
    "OAuthAuth",
    "PgBouncer",
    "PgBouncerProps",
    "PodCleanup",
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
    "RemoteLogging",
    "RemoteRef",
    "Resources",
    "RuntimeProps",
    "Scheduler",
    "SchedulerProps",
    "SecretRef",
    "SecretStoreRef",
    "SecretsBackend",
    "ServiceTls",
    "SimpleAuth",
    "Toleration",
    "Triggerer",
    "TriggererProps",
    "VerticalAutoscaling",
    "__version__",
]
