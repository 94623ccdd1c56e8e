"""The fab-teams Job: one FAB role per team with DAG-level permissions (``scripts/fab_teams.py``).

``FabAuth(teams=[...])`` becomes roles ``team-<name>`` holding the Viewer role's permissions minus the
global DAG ones, plus read/edit/run on the team's DAG ids; with LDAP or OAuth each team's group is
mapped to its role. The Job runs after migrations, its name carries the hash of its pod template (a
changed team is a new Job), no Helm hook.
"""

from __future__ import annotations

import importlib.resources as pkg_resources
import json
from typing import Any

from constructs import Construct

from ..core.kube import config_map, cron_job, data_checksum, service_account
from ..core.pod import PodOptions
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.auth import FabAuth, team_role
from ..runtime.container import INIT_RESOURCES
from ..runtime.keycloak import teams_with_tags

SCRIPT_DIR = "/opt/fab-teams"
CHECKSUM = "airflow-constructs.io/fab-teams-checksum"


def fab_teams_json(auth: FabAuth) -> str:
    """The teams as the script reads them: role name, DAG ids, access, and the tags when a team has some."""
    teams: list[dict[str, Any]] = []
    for t in sorted(auth.teams, key=lambda t: t.name):
        team: dict[str, Any] = {"access": list(t.access), "dags": sorted(set(t.dags)), "role": team_role(t)}
        if t.tags:
            team["tags"] = list(t.tags)
        teams.append(team)
    return json.dumps(teams, indent=2, sort_keys=True) + "\n"


class FabTeams(Construct):
    """ServiceAccount, ConfigMap and the ``<release>-fab-teams-<hash>`` Job; with teams by DAG tags, the
    ``<release>-fab-teams-sync`` CronJob running the same script, which resolves the tags again."""

    component = "fab-teams"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, auth: FabAuth) -> None:
        super().__init__(scope, id)
        base = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        service_account(self, "service-account", name=base, labels=labels)
        script = (pkg_resources.files("airflow_constructs") / "scripts" / "fab_teams.py").read_text()
        data = {"fab_teams.py": script, "teams.json": fab_teams_json(auth)}
        self.config_map = config_map(self, "script", name=base, labels=labels, data=data)
        main = runtime.airflow_container("fab-teams", [], resources=INIT_RESOURCES)
        main.pop("args", None)
        main["command"] = ["python", f"{SCRIPT_DIR}/fab_teams.py", f"{SCRIPT_DIR}/teams.json"]
        mount = {"mountPath": SCRIPT_DIR, "name": "script", "readOnly": True}
        main["volumeMounts"] = sorted([*main["volumeMounts"], mount], key=lambda m: str(m["mountPath"]))
        volumes = [{"configMap": {"name": base}, "name": "script"}]
        template = runtime.job_pod_template(self.component, main, base, volumes)
        template["metadata"]["annotations"][CHECKSUM] = data_checksum(data)
        self.job = runtime.one_shot_job(self, base, labels, template)
        self.tag_sync = None
        if teams_with_tags(auth.teams):
            sync_template = runtime.pod_template(
                self.component,
                containers=[{**main, "name": "fab-teams-sync"}],
                options=PodOptions(),
                service_account=base,
                restart_policy="Never",
                volumes=volumes,
            )
            sync_template["metadata"]["annotations"][CHECKSUM] = data_checksum(data)
            name = f"{runtime.instance}-fab-teams-sync"
            self.tag_sync = cron_job(
                self, "tag-sync", name=name, labels=labels, schedule=auth.tag_sync_schedule, template=sync_template
            )
