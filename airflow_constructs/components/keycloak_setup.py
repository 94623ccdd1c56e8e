"""The keycloak-setup Job: Airflow's scopes, resources and permissions in its Keycloak client, and the
teams' per-DAG permissions, created idempotently with the provider's own CLI (``scripts/keycloak_setup.py``).

The Job runs in the Airflow image with the admin credentials by reference (``auth.setup.password``),
its script and the teams in a ConfigMap; its name carries the hash of its pod template (a changed
team means a new Job), no Helm hook.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.keycloak import KeycloakAuth, Team, keycloak_ca_volume, teams_with_tags
from .airflow_job import TeamsSync, teams_file, teams_script_job


def teams_json(auth: KeycloakAuth) -> str:
    """The teams as the script reads them: name, group, DAG id pattern and Keycloak scopes; a team with
    tags also its DAG ids and tags (the script resolves the tags and widens the pattern)."""
    return teams_file(auth.teams, _row)


def _row(t: Team) -> dict[str, Any]:
    team: dict[str, Any] = {"group": t.group, "name": t.name, "pattern": t.pattern(), "scopes": t.scopes()}
    if t.tags:
        team.update(dags=sorted(set(t.dags)), tags=list(t.tags))
    return team


def setup_env(auth: KeycloakAuth) -> list[dict[str, Any]]:
    """The script's env: where Keycloak is, and the admin credentials by reference."""
    assert auth.setup is not None
    s = auth.setup
    return [
        {"name": "KEYCLOAK_ADMIN_CLIENT_ID", "value": s.client_id},
        s.password.env("KEYCLOAK_ADMIN_PASSWORD"),
        {"name": "KEYCLOAK_ADMIN_REALM", "value": s.realm},
        {"name": "KEYCLOAK_ADMIN_USER", "value": s.username},
        {"name": "KEYCLOAK_CLIENT_ID", "value": auth.client_id},
        {"name": "KEYCLOAK_REALM", "value": auth.realm},
        {"name": "KEYCLOAK_SERVER_URL", "value": auth.server_url},
    ]


class KeycloakSetup(Construct):
    """ServiceAccount, ConfigMap and the ``<release>-keycloak-setup-<hash>`` Job; with teams by DAG tags,
    the ``<release>-keycloak-tag-sync`` CronJob: the same script with ``--sync-tags``, which reads the
    tags from the metadata database (read-only) and updates only the teams' DAG id policies."""

    component = "keycloak-setup"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, auth: KeycloakAuth) -> None:
        super().__init__(scope, id)
        assert auth.setup is not None
        env = setup_env(auth)
        mounts, volumes = [], []
        ca = keycloak_ca_volume(auth)
        if ca is not None:
            env.append({"name": "REQUESTS_CA_BUNDLE", "value": ca[1]["mountPath"] + "/ca.crt"})
            mounts.append(ca[1])
            volumes.append(ca[0])
        teams = teams_json(auth)
        sync = (
            TeamsSync("keycloak-tag-sync", auth.tag_sync_schedule, ("--sync-tags",))
            if teams_with_tags(auth.teams)
            else None
        )
        self.config_map, self.job, self.tag_sync = teams_script_job(
            self,
            runtime,
            self.component,
            "keycloak_setup.py",
            teams,
            env=env,
            mounts=mounts,
            volumes=volumes,
            sync=sync,
        )
