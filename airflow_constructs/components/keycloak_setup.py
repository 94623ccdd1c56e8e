"""The keycloak-setup Job: Airflow's scopes, resources and permissions in its Keycloak client, and the
teams' per-DAG permissions, created idempotently with the provider's own CLI (``scripts/keycloak_setup.py``).

The Job runs in the Airflow image with the admin credentials by reference (``auth.setup.password``),
its script and the teams in a ConfigMap; its name carries the hash of its pod template (a changed
team means a new Job), no Helm hook.
"""

from __future__ import annotations

from constructs import Construct

from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.keycloak import KeycloakAuth, keycloak_ca_volume
from .airflow_job import teams_file, teams_script_job


def teams_json(auth: KeycloakAuth) -> str:
    """The teams as the script reads them: name, group, DAG id pattern and Keycloak scopes."""
    return teams_file(
        auth.teams, lambda t: {"group": t.group, "name": t.name, "pattern": t.pattern(), "scopes": t.scopes()}
    )


class KeycloakSetup(Construct):
    """ServiceAccount, ConfigMap and the ``<release>-keycloak-setup-<hash>`` Job."""

    component = "keycloak-setup"

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, auth: KeycloakAuth) -> None:
        super().__init__(scope, id)
        assert auth.setup is not None
        s = auth.setup
        env = [
            {"name": "KEYCLOAK_ADMIN_CLIENT_ID", "value": s.client_id},
            s.password.env("KEYCLOAK_ADMIN_PASSWORD"),
            {"name": "KEYCLOAK_ADMIN_REALM", "value": s.realm},
            {"name": "KEYCLOAK_ADMIN_USER", "value": s.username},
            {"name": "KEYCLOAK_CLIENT_ID", "value": auth.client_id},
            {"name": "KEYCLOAK_REALM", "value": auth.realm},
            {"name": "KEYCLOAK_SERVER_URL", "value": auth.server_url},
        ]
        mounts, volumes = [], []
        ca = keycloak_ca_volume(auth)
        if ca is not None:
            env.append({"name": "REQUESTS_CA_BUNDLE", "value": ca[1]["mountPath"] + "/ca.crt"})
            mounts.append(ca[1])
            volumes.append(ca[0])
        teams = teams_json(auth)
        self.config_map, self.job = teams_script_job(
            self, runtime, self.component, "keycloak_setup.py", teams, env=env, mounts=mounts, volumes=volumes
        )
