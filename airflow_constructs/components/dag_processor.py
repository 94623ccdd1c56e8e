"""The dag-processor: parses DAG files into the metadata DB (a separate process in Airflow 3)."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..core.kube import surge_one
from ..core.props import parse_props
from ..core.resources import Resources
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from .component import AirflowComponent, jobs_check


class DagProcessorProps(ComponentProps):
    """Options of the dag-processor."""

    enabled: bool = True
    """Run the dag-processor. Airflow 3 always needs it; only Airflow 2 (compatibility mode) can
    leave DAG parsing to the scheduler."""

    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of the dag-processor container."""


class DagProcessor(AirflowComponent):
    """Deployment running ``airflow dag-processor``; nobody connects to it, so it has no Service."""

    component = "dag-processor"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        props: DagProcessorProps | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, runtime=runtime)
        self.props = parse_props(DagProcessorProps, props, kwargs)
        p = self.props
        main = runtime.airflow_container(
            "dag-processor",
            ["dag-processor"],
            resources=p.resources,
            reads_dags=True,
            probes={"livenessProbe": jobs_check("DagProcessorJob")},
        )
        template = self._long_running_template(p, main, reads_dags=True)
        self.workload = self._deployment(p.replicas, template, surge_one())
        self._finish(p, "dag-processor")
