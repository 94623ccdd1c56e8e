"""The dag-processor: parses DAG files into the metadata DB (a separate process in Airflow 3)."""

from __future__ import annotations

from ..core.kube import surge_one
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from .component import Component


class DagProcessorProps(ComponentProps):
    """Options of the dag-processor."""

    enabled: bool = True
    """Run the dag-processor. Airflow 3 always needs it; only Airflow 2 (compatibility mode) can
    leave DAG parsing to the scheduler."""

    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of the dag-processor container."""


class DagProcessor(Component[DagProcessorProps]):
    """Deployment running ``airflow dag-processor``; nobody connects to it, so it has no Service."""

    component = "dag-processor"
    props_class = DagProcessorProps

    def _compose(self, runtime: AirflowRuntime, p: DagProcessorProps) -> None:
        template = self._job_template(p, "DagProcessorJob", reads_dags=True)
        self.workload = self._deployment(p.replicas, template, surge_one())
        self._finish(p, "dag-processor")
