"""airflow-constructs: typed, secure-by-default cdk8s constructs for Apache Airflow 3."""

from .airflow import Airflow, AirflowProps
from .api_server import ApiServer, ApiServerProps
from .component import ComponentProps
from .config import AirflowSettings
from .dag_processor import DagProcessor, DagProcessorProps
from .database import DatabaseConnection, EmbeddedPostgres, ExternalDatabase, Postgres
from .executors import LocalExecutor
from .image import AIRFLOW_VERSION, AirflowImage, Image
from .migrations import Migrations, MigrationsProps
from .pod import EnvVar, PodOptions, SecretRef, Toleration
from .props import PropsError
from .resources import Resources
from .runtime import AirflowRuntime, AirflowSecrets, RuntimeProps
from .scheduler import Scheduler, SchedulerProps
from .security import PodSecurity
from .triggerer import Triggerer, TriggererProps

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
    "ComponentProps",
    "DagProcessor",
    "DagProcessorProps",
    "DatabaseConnection",
    "EmbeddedPostgres",
    "EnvVar",
    "ExternalDatabase",
    "Image",
    "LocalExecutor",
    "Migrations",
    "MigrationsProps",
    "PodOptions",
    "PodSecurity",
    "Postgres",
    "PropsError",
    "Resources",
    "RuntimeProps",
    "Scheduler",
    "SchedulerProps",
    "SecretRef",
    "Toleration",
    "Triggerer",
    "TriggererProps",
    "__version__",
]
