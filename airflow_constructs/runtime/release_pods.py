"""The release's pods by role, as the names flow declarations use: who is there, not who talks to whom.

The composition fills a ``ReleasePods`` (``airflow_constructs.flow_declarations``); each module's
``declare_flows`` reads it to name the ends of its flows, and ``network`` reads it for the pods'
selectors and for the ``all``/``tasks`` groups of the user's egress rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReleasePods:
    """The release's pods by role, as endpoint names (a list holds none or some)."""

    api: str
    scheduler: str
    triggerer: str
    migrate: str
    dag_processor: list[str]
    workers: list[str]
    edge: list[str]
    flower: list[str]
    task_pods: list[str]
    cleanup: list[str]
    restarts: list[str]
    """The CronJobs restarting a Deployment on a schedule."""
    execution: list[str]
    """The separate Execution API server, if any."""
    bootstrap: list[str]
    db_clean: list[str]
    jobs: list[str]
    keycloak_setup: list[str]
    statsd: list[str]
    postgres: list[str]
    redis: list[str]
    pgbouncer: list[str]
    backup: list[str]
    local: bool
    """The LocalExecutor is one of the executors: the scheduler runs tasks."""
    selectors: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)
    """Each pod name's label selector and namespace."""

    @property
    def airflow_pods(self) -> list[str]:
        """Pods running the Airflow image with the runtime's config (everything but the scripts' Jobs)."""
        return [
            self.api,
            *self.execution,
            self.scheduler,
            *self.dag_processor,
            self.triggerer,
            self.migrate,
            *self.workers,
            *self.edge,
            *self.flower,
            *self.task_pods,
            *self.jobs,
        ]

    @property
    def runs_tasks(self) -> list[str]:
        """Pods that run task code."""
        return [*([self.scheduler] if self.local else []), *self.workers, *self.edge, *self.task_pods]

    @property
    def broker_users(self) -> list[str]:
        """Pods that use the Celery broker (none without Celery workers): the scheduler queues tasks,
        workers consume them, Flower watches."""
        return [self.scheduler, *self.workers, *self.flower] if self.workers else []
