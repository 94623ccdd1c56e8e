"""airflow-constructs: typed, secure-by-default cdk8s constructs for Apache Airflow 3."""

from .airflow import Airflow, AirflowProps
from .api_server import ApiServer, ApiServerProps
from .autoscaling import HorizontalAutoscaling, KedaAutoscaling, VerticalAutoscaling
from .component import ComponentProps
from .config import AirflowSettings
from .dag_processor import DagProcessor, DagProcessorProps
from .database import DatabaseConnection, EmbeddedPostgres, ExternalDatabase, Postgres
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
from .flower import Flower, FlowerProps
from .image import AIRFLOW_VERSION, AirflowImage, Image
from .kubernetes_executor import KubernetesExecutorPods
from .migrations import Migrations, MigrationsProps
from .pod import EnvVar, PodOptions, SecretRef, Toleration
from .props import PropsError
from .redis import Redis
from .resources import Resources
from .runtime import AirflowRuntime, AirflowSecrets, RuntimeProps
from .scheduler import Scheduler, SchedulerProps
from .security import PodSecurity
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
    "CeleryExecutor",
    "CeleryWorkerSet",
    "CeleryWorkers",
    "ComponentProps",
    "DagProcessor",
    "DagProcessorProps",
    "DatabaseConnection",
    "EdgeExecutor",
    "EdgeWorkerSet",
    "EdgeWorkers",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "EnvVar",
    "ExternalBroker",
    "ExternalDatabase",
    "Flower",
    "FlowerProps",
    "HorizontalAutoscaling",
    "Image",
    "KedaAutoscaling",
    "KubernetesExecutor",
    "KubernetesExecutorPods",
    "LocalExecutor",
    "Migrations",
    "MigrationsProps",
    "PodCleanup",
    "PodOptions",
    "PodSecurity",
    "Postgres",
    "PropsError",
    "Redis",
    "Resources",
    "RuntimeProps",
    "Scheduler",
    "SchedulerProps",
    "SecretRef",
    "Toleration",
    "Triggerer",
    "TriggererProps",
    "VerticalAutoscaling",
    "__version__",
]
