"""Create Airflow's authorization model in its Keycloak client, and the teams' per-DAG permissions.

Run by the keycloak-setup Job in the Airflow image (which has ``apache-airflow-providers-keycloak``
and its ``python-keycloak``). Idempotent: run twice, it changes nothing the second time.

1. The provider's own CLI (``airflow keycloak-auth-manager``) creates the scopes (only when missing:
   that command is not idempotent), the resources and the role permissions (both idempotent).
2. The resource server decides affirmatively (one permitting permission is enough), so a team's
   permission can grant what the role permissions do not.
3. Each team of ``teams.json`` gets: a group policy (its Keycloak group), a regex policy on the DAG id
   the auth manager pushes as the ``resource_id`` claim, both aggregated unanimously, and two
   permissions: its scopes on the ``Dag`` resource for those DAG ids, and listing DAGs and the DAGs
   menu for the group. Existing policies and permissions of the same name are updated in place.
4. A team named by DAG tags (``"tags"`` in ``teams.json``) gets the ids of the DAGs carrying them,
   read from the metadata database in a read-only transaction, added to its regex policy.

``--sync-tags`` (the tag-sync CronJob) does step 4 only: it resolves the tags again and updates the
regex policy ``team-<name>-dag-ids`` of each team with tags, nothing else (the keycloak-setup Job
must have created it).

Env: ``KEYCLOAK_SERVER_URL``, ``KEYCLOAK_REALM``, ``KEYCLOAK_CLIENT_ID``, ``KEYCLOAK_ADMIN_USER``,
``KEYCLOAK_ADMIN_PASSWORD``, ``KEYCLOAK_ADMIN_REALM``, ``KEYCLOAK_ADMIN_CLIENT_ID``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

DAG_RESOURCE = "Dag"
MENU_RESOURCE = "Dags"
BROWSE_SCOPES = ["LIST", "MENU"]


def dag_id_pattern(dag_ids: list[str]) -> str:
    """A regular expression matching exactly these DAG ids (the props' ``dag_id_pattern``)."""
    return "^(" + "|".join(re.escape(d) for d in sorted(set(dag_ids))) + ")$"


from .dag_tags import dag_ids_by_tag  # noqa: E402 (shipped inline)


def resolve_tags(teams: list[dict[str, Any]], by_tag: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The teams with tags, their ``pattern`` covering their DAG ids and the ids of their tags' DAGs."""
    out = []
    for team in teams:
        if team.get("tags"):
            ids = list(team.get("dags", [])) + [d for tag in team["tags"] for d in by_tag.get(tag, [])]
            team = {**team, "pattern": dag_id_pattern(ids)}
            print(f"team {team['name']}: tags {team['tags']} -> {sorted(set(ids))}", flush=True)
        out.append(team)
    return out


def regex_policy(team: dict[str, Any]) -> dict[str, Any]:
    """The regex policy on the DAG id (``resource_id`` claim) of one team."""
    return {
        "name": f"team-{team['name']}-dag-ids",
        "targetClaim": "resource_id",
        "targetContextAttributes": True,
        "pattern": team["pattern"],
    }


def provider_cli(env: dict[str, str], scopes_exist: bool) -> None:
    """The provider's CLI: scopes when missing, then resources and permissions."""
    creds = [
        "--username",
        env["KEYCLOAK_ADMIN_USER"],
        "--password",
        env["KEYCLOAK_ADMIN_PASSWORD"],
        "--user-realm",
        env["KEYCLOAK_ADMIN_REALM"],
        "--client-id",
        env["KEYCLOAK_ADMIN_CLIENT_ID"],
    ]
    commands = ([] if scopes_exist else ["create-scopes"]) + ["create-resources", "create-permissions"]
    for command in commands:
        print(f"airflow keycloak-auth-manager {command}", flush=True)
        subprocess.run(["airflow", "keycloak-auth-manager", command, *creds], check=True)


class Authz:
    """The authorization settings of one client, through the admin REST API."""

    def __init__(self, admin: Any, realm: str, client_uuid: str) -> None:
        self.admin = admin
        self.base = f"admin/realms/{realm}/clients/{client_uuid}/authz/resource-server"

    def get(self, path: str) -> Any:
        response = self.admin.connection.raw_get(f"{self.base}{path}", max=-1)
        response.raise_for_status()
        return response.json()

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        call = self.admin.connection.raw_post if method == "POST" else self.admin.connection.raw_put
        response = call(f"{self.base}{path}", data=json.dumps(body))
        if response.status_code >= 300:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.text else None

    def ids(self, what: str) -> dict[str, str]:
        return {item["name"]: item.get("_id") or item["id"] for item in self.get(f"/{what}?max=-1")}

    def ensure_policy(self, kind: str, body: dict[str, Any]) -> str:
        """Create the policy or permission ``body["name"]`` of ``kind``, or update it in place."""
        existing = {p["name"]: p["id"] for p in self.get("/policy?max=-1")}  # policies and permissions
        path = f"/permission/{kind}" if kind == "scope" else f"/policy/{kind}"
        body = {"type": kind, "logic": "POSITIVE", **body}
        if body["name"] in existing:
            uid = existing[body["name"]]
            self.send("PUT", f"{path}/{uid}", {**body, "id": uid})
            print(f"updated {kind} {body['name']}", flush=True)
            return str(uid)
        created = self.send("POST", path, body)
        print(f"created {kind} {body['name']}", flush=True)
        return str(created["id"])


def ensure_group(admin: Any, name: str) -> str:
    """The id of the top-level group ``name``, created when missing."""
    for group in admin.get_groups({"search": name, "exact": "true"}):
        if group["name"] == name:
            return str(group["id"])
    return str(admin.create_group({"name": name}, skip_exists=True))


def ensure_team(admin: Any, authz: Authz, team: dict[str, Any]) -> None:
    """Policies and permissions of one team (see the module docstring)."""
    name = team["name"]
    scopes, resources = authz.ids("scope"), authz.ids("resource")
    group = authz.ensure_policy(
        "group", {"name": f"team-{name}-group", "groups": [{"id": ensure_group(admin, team["group"])}]}
    )
    dags = authz.ensure_policy("regex", regex_policy(team))
    both = authz.ensure_policy(
        "aggregate", {"name": f"team-{name}", "decisionStrategy": "UNANIMOUS", "policies": [group, dags]}
    )
    authz.ensure_policy(
        "scope",
        {
            "name": f"team-{name}-dags",
            "decisionStrategy": "UNANIMOUS",
            "resources": [resources[DAG_RESOURCE]],
            "scopes": [scopes[s] for s in team["scopes"] if s not in BROWSE_SCOPES],
            "policies": [both],
        },
    )
    authz.ensure_policy(
        "scope",
        {
            "name": f"team-{name}-browse",
            "decisionStrategy": "UNANIMOUS",
            "resources": [resources[DAG_RESOURCE], resources[MENU_RESOURCE]],
            "scopes": [scopes[s] for s in BROWSE_SCOPES],
            "policies": [group],
        },
    )


def sync_tags(authz: Authz, teams: list[dict[str, Any]]) -> int:
    """Update the regex policy of each team with tags to its resolved ``pattern``; the number changed."""
    existing = {p["name"]: p["id"] for p in authz.get("/policy?max=-1")}
    changed = 0
    for team in teams:
        if not team.get("tags"):
            continue
        body = {"type": "regex", "logic": "POSITIVE", **regex_policy(team)}
        uid = existing.get(body["name"])
        if uid is None:
            raise SystemExit(f"no policy {body['name']!r}: run the keycloak-setup Job first")
        if authz.get(f"/policy/regex/{uid}").get("pattern") == body["pattern"]:
            print(f"unchanged regex {body['name']}", flush=True)
            continue
        authz.send("PUT", f"/policy/regex/{uid}", {**body, "id": uid})
        print(f"updated regex {body['name']}: {body['pattern']}", flush=True)
        changed += 1
    return changed


def main(teams_file: str, sync_only: bool = False) -> None:
    """The whole setup, or (``sync_only``) the tag sync alone."""
    from keycloak import KeycloakAdmin  # type: ignore[import-not-found]  # in the Airflow image, not here

    env = dict(os.environ)
    admin = KeycloakAdmin(
        server_url=env["KEYCLOAK_SERVER_URL"],
        username=env["KEYCLOAK_ADMIN_USER"],
        password=env["KEYCLOAK_ADMIN_PASSWORD"],
        realm_name=env["KEYCLOAK_REALM"],
        user_realm_name=env["KEYCLOAK_ADMIN_REALM"],
        client_id=env["KEYCLOAK_ADMIN_CLIENT_ID"],
        verify=True,
    )
    client_uuid = admin.get_client_id(env["KEYCLOAK_CLIENT_ID"])
    if client_uuid is None:
        raise SystemExit(f"no client {env['KEYCLOAK_CLIENT_ID']!r} in realm {env['KEYCLOAK_REALM']!r}")
    authz = Authz(admin, env["KEYCLOAK_REALM"], client_uuid)
    with open(teams_file, encoding="utf-8") as f:
        teams = json.load(f)
    teams = resolve_tags(teams, dag_ids_by_tag(sorted({t for team in teams for t in team.get("tags", [])})))
    if sync_only:
        print(f"keycloak tag sync done: {sync_tags(authz, teams)} policy(ies) updated", flush=True)
        return
    provider_cli(env, scopes_exist="MENU" in authz.ids("scope"))
    settings = authz.get("")
    if settings.get("decisionStrategy") != "AFFIRMATIVE":
        authz.send("PUT", "", {**settings, "decisionStrategy": "AFFIRMATIVE"})
        print("resource server: decisionStrategy AFFIRMATIVE", flush=True)
    for team in teams:
        ensure_team(admin, authz, team)
    print(f"keycloak setup done: {len(teams)} team(s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[-1], sync_only="--sync-tags" in sys.argv[1:-1])
