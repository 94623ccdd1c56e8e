"""The admin user of a database-backed auth manager (FAB), created once by a Job.

Airflow 2's webserver (and the FAB auth manager of Airflow 3) keep users in the metadata database.
The Job creates the admin user with a password read from a Secret (generated in-cluster by
default) and does nothing when the user exists, so re-running it never resets a changed password.
"""

from __future__ import annotations

from constructs import Construct

from ..runtime.airflow_runtime import AirflowRuntime
from .airflow_job import command_container, job_account


class AdminUser(Construct):
    """ServiceAccount and the ``<release>-admin-user-<hash>`` Job."""

    component = "admin-user"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, username: str) -> None:
        super().__init__(scope, id)
        base, labels = job_account(self, runtime, self.component)
        script = (
            f'if airflow users list --output plain | grep -qw "{username}"; then echo "{username} exists"; '
            f'else exec airflow users create --username "{username}" --password "$ADMIN_PASSWORD" --role Admin '
            f'--firstname Admin --lastname User --email "{username}@airflow.invalid"; fi'
        )
        main = command_container(runtime, "create-admin", ["bash", "-c", script])
        assert runtime.admin_passwords is not None  # generated or named whenever FAB keeps the users
        main["env"] = [*main["env"], runtime.admin_passwords.env("ADMIN_PASSWORD")]
        template = runtime.job_pod_template(self.component, main, base)
        self.job = runtime.one_shot_job(self, base, labels, template)
