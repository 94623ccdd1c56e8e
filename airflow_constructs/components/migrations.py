"""Schema migrations: a plain Job running ``airflow db migrate``, no Helm hooks.

The Job's name carries a hash of its rendered spec (``kube.one_shot_job``), so any change to its
pod (image, airflow.cfg through the config checksum, env, resources...) creates a new Job (a Job's
pod template is immutable) while re-applying the same manifests changes nothing.
Components wait for it in their ``wait-for-migrations`` init container.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct
from pydantic import Field

from ..core.kube import service_account
from ..core.pod import PodOptions
from ..core.props import Props, parse_props
from ..core.resources import Resources
from ..runtime.airflow_runtime import AirflowRuntime


class MigrationsProps(Props):
    """Options of the migration Job."""

    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of the migration container."""
    backoff_limit: int = Field(default=6, ge=0, le=20)
    """Retries (with exponential back-off) while the database is not reachable yet."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the Job's pod."""


class Migrations(Construct):
    """ServiceAccount and the ``<release>-migrate-<hash>`` Job."""

    component = "migrate"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: AirflowRuntime,
        props: MigrationsProps | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id)
        self.props = parse_props(MigrationsProps, props, kwargs)
        p = self.props
        base = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        self.service_account = service_account(self, "service-account", name=base, labels=labels)
        main = runtime.airflow_container("migrate", ["db", "migrate"], resources=p.resources, direct_db=True)
        template = runtime.pod_template(
            self.component,
            containers=[main],
            options=p.pod,
            service_account=base,
            restart_policy="OnFailure",
        )
        self.job = runtime.one_shot_job(self, base, labels, template, p.backoff_limit)
