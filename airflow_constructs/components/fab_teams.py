"""The fab-teams Job: one FAB role per team with DAG-level permissions (``scripts/fab_teams.py``).

``FabAuth(teams=[...])`` becomes roles ``team-<name>`` holding the Viewer role's permissions minus the
global DAG ones, plus read/edit/run on the team's DAG ids; with LDAP or OAuth each team's group is
mapped to its role. The Job runs after migrations, its name carries the hash of its pod template (a
changed team is a new Job), no Helm hook.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.auth import FabAuth, team_role
from ..runtime.keycloak import Team, teams_with_tags
from .airflow_job import TeamsSync, teams_file, teams_script_job


def fab_teams_json(auth: FabAuth) -> str:
    """The teams as the script reads them: role name, DAG ids, access, and the tags when a team has some."""
    return teams_file(auth.teams, _row)


def _row(t: Team) -> dict[str, Any]:
    team: dict[str, Any] = {"access": list(t.access), "dags": sorted(set(t.dags)), "role": team_role(t)}
    if t.tags:
        team["tags"] = list(t.tags)
    return team


class FabTeams(Construct):
    """ServiceAccount, ConfigMap and the ``<release>-fab-teams-<hash>`` Job; with teams by DAG tags, the
    ``<release>-fab-teams-sync`` CronJob running the same script, which resolves the tags again."""

    component = "fab-teams"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, auth: FabAuth) -> None:
        super().__init__(scope, id)
        teams = fab_teams_json(auth)
        sync = TeamsSync("fab-teams-sync", auth.tag_sync_schedule) if teams_with_tags(auth.teams) else None
        self.config_map, self.job, self.tag_sync = teams_script_job(
            self, runtime, self.component, "fab_teams.py", teams, sync=sync
        )
