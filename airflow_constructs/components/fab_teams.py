"""The fab-teams Job: one FAB role per team with DAG-level permissions (``scripts/fab_teams.py``).

``FabAuth(teams=[...])`` becomes roles ``team-<name>`` holding the Viewer role's permissions minus the
global DAG ones, plus read/edit/run on the team's DAG ids; with LDAP or OAuth each team's group is
mapped to its role. The Job runs after migrations, its name carries the hash of its pod template (a
changed team is a new Job), no Helm hook.
"""

from __future__ import annotations

from constructs import Construct

from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.auth import FabAuth, team_role
from .airflow_job import teams_file, teams_script_job


def fab_teams_json(auth: FabAuth) -> str:
    """The teams as the script reads them: role name, DAG ids and access."""
    return teams_file(
        auth.teams, lambda t: {"access": list(t.access), "dags": sorted(set(t.dags)), "role": team_role(t)}
    )


class FabTeams(Construct):
    """ServiceAccount, ConfigMap and the ``<release>-fab-teams-<hash>`` Job."""

    component = "fab-teams"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, auth: FabAuth) -> None:
        super().__init__(scope, id)
        teams = fab_teams_json(auth)
        self.config_map, self.job = teams_script_job(self, runtime, self.component, "fab_teams.py", teams)
