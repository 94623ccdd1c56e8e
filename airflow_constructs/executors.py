"""Executors: where tasks run. LocalExecutor for now; Celery and Kubernetes plug in here.

An executor contributes airflow.cfg settings and tells the umbrella construct which extra
components it needs; the scheduler, api-server and the rest stay the same.
"""

from __future__ import annotations

from typing import Literal

from .props import Props


class LocalExecutor(Props):
    """Tasks run as subprocesses of the scheduler (no extra components).

    Good for small installs: the scheduler's resources bound how much runs at once, and its
    log server (port 8793) serves task logs to the api-server.
    """

    kind: Literal["LocalExecutor"] = "LocalExecutor"
    """Discriminator for the ``executor`` choice; also the ``[core] executor`` value."""

    def to_config(self) -> dict[str, dict[str, str]]:
        """airflow.cfg settings this executor needs."""
        return {"core": {"executor": self.kind}}

    @property
    def scheduler_runs_tasks(self) -> bool:
        """True when task processes (and their logs) live in the scheduler pod."""
        return True


Executor = LocalExecutor
"""The executor choice (a tagged union as more executors land)."""
