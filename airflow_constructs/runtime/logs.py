"""Task and component logs: local (emptyDir or a shared PVC) with a groomer, or shipped to remote storage.

By default logs live on an emptyDir and the log servers (scheduler, triggerer, workers) serve
them to the api-server. A ReadWriteMany PVC keeps them across pod restarts and lets the api-server
read them directly. Remote logging (S3, GCS, Azure Blob, Elasticsearch/OpenSearch) uploads each
task's log when it finishes; its connection comes from a Secret.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ..core.network_flow import HTTPS_PORT, Connection, connect
from ..core.pod import SecretRef, container, empty_dir
from ..core.props import Props
from ..core.resources import Resources
from ..core.validators import dns_subdomain_validator
from .release_pods import ReleasePods

LOGS_FOLDER = "/opt/airflow/logs"
REMOTE_CONN_ID = "airflow_remote_logs"
SEARCH_PORT = 9200
"""Elasticsearch's and OpenSearch's HTTP port."""


class LogsVolume(Props):
    """A ReadWriteMany claim shared by every pod that writes or serves logs."""

    existing_claim: str | None = None
    """Name of an existing claim; None: the construct creates ``<name>-logs``."""
    storage_class: str | None = None
    """StorageClass of the created claim (must support ReadWriteMany; pick an encrypted one for
    encryption at rest)."""
    storage_size: str = Field(default="20Gi", pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")
    """Size of the created claim."""
    access_mode: Literal["ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany"] = "ReadWriteMany"
    """Access mode of the created claim: pods on several nodes share it, so only ReadWriteMany works."""

    _names = dns_subdomain_validator("existing_claim", "storage_class", what="a claim or storage class")

    @model_validator(mode="after")
    def _rwx(self) -> LogsVolume:
        if self.access_mode != "ReadWriteMany":
            raise ValueError(
                f"access_mode {self.access_mode!r} cannot be shared by pods on several nodes: "
                "a shared logs volume must be ReadWriteMany"
            )
        if self.existing_claim and self.storage_class:
            raise ValueError("existing_claim and storage_class are both set: the class only applies to a created claim")
        return self


class RemoteLogging(Props):
    """Ship task logs to object storage or a search engine (Airflow's ``[logging] remote_logging``)."""

    kind: Literal["s3", "gcs", "wasb", "elasticsearch", "opensearch"]
    """Where logs go; the matching provider must be in the image."""
    base_folder: str | None = None
    """For s3/gcs/wasb: ``s3://bucket/path``, ``gs://bucket/path`` or ``wasb-container/path``."""
    connection: SecretRef | None = None
    """Secret key with the connection (URI or JSON) as ``AIRFLOW_CONN_AIRFLOW_REMOTE_LOGS``; None uses
    the pod's workload identity (IRSA, GKE Workload Identity...)."""
    host: SecretRef | None = None
    """For elasticsearch/opensearch: Secret key with the host URL (it may hold credentials)."""

    @model_validator(mode="after")
    def _fields(self) -> RemoteLogging:
        search = self.kind in ("elasticsearch", "opensearch")
        if search and self.host is None:
            raise ValueError(f"remote logging to {self.kind} needs host (a Secret key with the URL)")
        if not search and not self.base_folder:
            raise ValueError(f"remote logging to {self.kind} needs base_folder, e.g. s3://bucket/airflow-logs")
        prefixes = {"s3": "s3://", "gcs": "gs://", "wasb": "wasb"}
        if self.base_folder and not search and not self.base_folder.startswith(prefixes[self.kind]):
            raise ValueError(
                f"base_folder {self.base_folder!r} does not start with {prefixes[self.kind]!r} as {self.kind} needs"
            )
        return self


class LogsProps(Props):
    """Where logs are kept and for how long."""

    volume: LogsVolume | None = None
    """A shared ReadWriteMany PVC for logs (None: an emptyDir per pod, served by the log servers)."""
    remote: RemoteLogging | None = None
    """Upload task logs to remote storage when they finish."""
    retention_days: int | None = Field(default=15, ge=1, le=3650)
    """A groomer sidecar deletes local log files older than this many days (None: no groomer)."""
    groomer_resources: Resources = Resources(
        cpu_request="10m", memory_request="32Mi", cpu_limit="100m", memory_limit="128Mi"
    )
    """Requests and limits of the groomer sidecar."""


class LogStorage:
    """What the logs choice adds to airflow.cfg and to the pods that write or serve logs."""

    def __init__(self, props: LogsProps, instance: str) -> None:
        self.props = props
        self.claim_name: str | None = None
        if props.volume is not None:
            self.claim_name = props.volume.existing_claim or f"{instance}-logs"

    def config(self) -> dict[str, dict[str, str]]:
        remote = self.props.remote
        if remote is None:
            return {}
        if remote.kind in ("elasticsearch", "opensearch"):
            return {"logging": {"remote_logging": "True"}, remote.kind: {"json_format": "True", "write_stdout": "True"}}
        assert remote.base_folder is not None
        return {
            "logging": {
                "remote_base_log_folder": remote.base_folder,
                "remote_log_conn_id": REMOTE_CONN_ID,
                "remote_logging": "True",
            }
        }

    def env(self) -> list[dict[str, Any]]:
        remote = self.props.remote
        out = []
        if remote is not None and remote.connection is not None:
            out.append(remote.connection.env(f"AIRFLOW_CONN_{REMOTE_CONN_ID.upper()}"))
        if remote is not None and remote.host is not None:
            out.append(remote.host.env(f"AIRFLOW__{remote.kind.upper()}__HOST"))
        return out

    def volume(self) -> dict[str, Any]:
        if self.claim_name:
            return {"name": "logs", "persistentVolumeClaim": {"claimName": self.claim_name}}
        return empty_dir("logs", "2Gi")

    def groomer(self, image: str, pull_policy: str) -> list[dict[str, Any]]:
        """The groomer sidecar, where logs are local and a retention is set."""
        days = self.props.retention_days
        if days is None:
            return []
        script = (
            "trap 'exit 0' TERM; "
            f"while true; do find {LOGS_FOLDER} -type f -name '*.log' -mtime +{days} -delete; "
            f"find {LOGS_FOLDER} -mindepth 1 -type d -empty -delete; sleep 900 & wait $!; done"
        )
        return [
            container(
                "log-groomer",
                image,
                pull_policy,
                resources=self.props.groomer_resources,
                command=["bash", "-c", script],
                volume_mounts=[{"mountPath": LOGS_FOLDER, "name": "logs"}],
            )
        ]


def declare_flows(logs: LogsProps, pods: ReleasePods) -> list[Connection]:
    """The pods that write or read task logs reach remote log storage (``remote-logs``), when there is one."""
    if logs.remote is None:
        return []
    search = logs.remote.kind in ("elasticsearch", "opensearch")
    ports = [HTTPS_PORT, SEARCH_PORT] if search else [HTTPS_PORT]
    return connect(
        [pods.api, *pods.dag_processor, pods.triggerer, *pods.runs_tasks], "remote-logs", ports, "remote log storage"
    )
