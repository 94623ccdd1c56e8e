"""The admin user of a database-backed auth manager (FAB), created once by a Job.

Airflow 2's webserver (and the FAB auth manager of Airflow 3) keep users in the metadata database.
The Job creates the admin user with a password read from a Secret (generated in-cluster by
default) and does nothing when the user exists, so re-running it never resets a changed password.
"""

from __future__ import annotations

from constructs import Construct

from ..core.kube import service_account
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import INIT_RESOURCES


class AdminUser(Construct):
    """ServiceAccount and the ``<release>-admin-user-<hash>`` Job."""

    component = "admin-user"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, username: str) -> None:
        super().__init__(scope, id)
        base = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        service_account(self, "service-account", name=base, labels=labels)
        main = runtime.airflow_container("create-admin", [], resources=INIT_RESOURCES)
        main.pop("args", None)
        main["command"] = [
            "bash",
            "-c",
            (
                f'if airflow users list --output plain | grep -qw "{username}"; then echo "{username} exists"; '
                f'else exec airflow users create --username "{username}" --password "$ADMIN_PASSWORD" --role Admin '
                f'--firstname Admin --lastname User --email "{username}@airflow.invalid"; fi'
            ),
        ]
        assert runtime.admin_passwords is not None  # generated or named whenever FAB keeps the users
        main["env"] = [*main["env"], runtime.admin_passwords.env("ADMIN_PASSWORD")]
        template = runtime.job_pod_template(self.component, main, base)
        self.job = runtime.one_shot_job(self, base, labels, template)
