"""The keycloak-setup Job: Airflow's scopes, resources and permissions in its Keycloak client, and the
teams' per-DAG permissions, created idempotently with the provider's own CLI (``scripts/keycloak_setup.py``).

The Job runs in the Airflow image with the admin credentials by reference (``auth.setup.password``),
its script and the teams in a ConfigMap; its name carries the hash of its pod template (a changed
team means a new Job), no Helm hook.
"""

from __future__ import annotations

import importlib.resources as pkg_resources
import json
from typing import Any

from constructs import Construct

from ..core.kube import config_map, cron_job, data_checksum, service_account
from ..core.pod import PodOptions
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import INIT_RESOURCES
from ..runtime.keycloak import KeycloakAuth, keycloak_ca_volume, teams_with_tags

SCRIPT_DIR = "/opt/keycloak-setup"
CHECKSUM = "airflow-constructs.io/keycloak-setup-checksum"


def setup_script() -> str:
    """Source of the Job's script (shipped inside the package)."""
    return (pkg_resources.files("airflow_constructs") / "scripts" / "keycloak_setup.py").read_text()


def teams_json(auth: KeycloakAuth) -> str:
    """The teams as the script reads them: name, group, DAG id pattern and Keycloak scopes; a team with
    tags also its DAG ids and tags (the script resolves the tags and widens the pattern)."""
    teams: list[dict[str, Any]] = []
    for t in sorted(auth.teams, key=lambda t: t.name):
        team: dict[str, Any] = {"group": t.group, "name": t.name, "pattern": t.pattern(), "scopes": t.scopes()}
        if t.tags:
            team.update(dags=sorted(set(t.dags)), tags=list(t.tags))
        teams.append(team)
    return json.dumps(teams, indent=2, sort_keys=True) + "\n"


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
        base = f"{runtime.instance}-{self.component}"
        labels = runtime.labels(self.component)
        service_account(self, "service-account", name=base, labels=labels)
        data = {"keycloak_setup.py": setup_script(), "teams.json": teams_json(auth)}
        self.config_map = config_map(self, "script", name=base, labels=labels, data=data)
        main = runtime.airflow_container("keycloak-setup", [], resources=INIT_RESOURCES)
        main.pop("args", None)
        main["command"] = ["python", f"{SCRIPT_DIR}/keycloak_setup.py", f"{SCRIPT_DIR}/teams.json"]
        main["env"] = [*main["env"], *setup_env(auth)]
        mounts = [{"mountPath": SCRIPT_DIR, "name": "script", "readOnly": True}]
        volumes = [{"configMap": {"name": base}, "name": "script"}]
        ca = keycloak_ca_volume(auth)
        if ca is not None:
            main["env"].append({"name": "REQUESTS_CA_BUNDLE", "value": ca[1]["mountPath"] + "/ca.crt"})
            mounts.append(ca[1])
            volumes.append(ca[0])
        main["volumeMounts"] = sorted([*main["volumeMounts"], *mounts], key=lambda m: str(m["mountPath"]))
        template = runtime.job_pod_template(self.component, main, base, volumes)
        template["metadata"]["annotations"][CHECKSUM] = data_checksum(data)
        self.job = runtime.one_shot_job(self, base, labels, template)
        self.tag_sync = None
        if teams_with_tags(auth.teams):
            sync = {
                **main,
                "name": "keycloak-tag-sync",
                "command": [*main["command"][:2], "--sync-tags", main["command"][2]],
            }
            sync_template = runtime.pod_template(
                self.component,
                containers=[sync],
                options=PodOptions(),
                service_account=base,
                restart_policy="Never",
                volumes=volumes,
            )
            sync_template["metadata"]["annotations"][CHECKSUM] = data_checksum(data)
            name = f"{runtime.instance}-keycloak-tag-sync"
            self.tag_sync = cron_job(
                self, "tag-sync", name=name, labels=labels, schedule=auth.tag_sync_schedule, template=sync_template
            )
