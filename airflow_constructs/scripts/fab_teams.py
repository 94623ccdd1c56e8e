"""Make one FAB role per team with DAG-level permissions on the team's DAGs only (the fab-teams Job).

Run in the Airflow image with the FAB auth manager configured. Idempotent, and a sync: each team role
ends up with exactly the Viewer role's permissions minus the global DAG ones (so a member sees the UI,
runs, tasks and logs, but only of DAGs the role names) plus, per DAG id, ``can_read`` on ``DAG:<id>``
(read), ``can_edit``/``can_delete`` (edit), ``can_edit`` on ``DAG:<id>`` and ``can_create`` on
``DAG Run:<id>`` (run: FAB checks edit on the DAG to trigger it). Permissions no longer wanted are
removed; roles of teams that were deleted are left alone.

A team with ``"tags"`` also gets the DAGs carrying one of them: their ids are read from the metadata
database in a read-only transaction each run (the Job, then the fab-teams-sync CronJob), so a DAG
tagged later is added at the next run, and one that lost the tag removed.

Argument: a JSON file ``[{"role": ..., "dags": [...], "tags": [...], "access": ["read", "run", ...]}]``
(``tags`` optional).
"""

from __future__ import annotations

import json
import sys
from typing import Any

GLOBAL_DAG = {("can_read", "DAGs"), ("can_edit", "DAGs"), ("can_delete", "DAGs")}
DAG_ACTIONS = {
    "read": [("can_read", "DAG:{}")],
    "edit": [("can_edit", "DAG:{}"), ("can_delete", "DAG:{}")],
    "run": [("can_edit", "DAG:{}"), ("can_create", "DAG Run:{}")],
}


def wanted(base: set[tuple[str, str]], team: dict[str, object]) -> set[tuple[str, str]]:
    """The (action, resource) pairs of one team's role."""
    out = set(base) - GLOBAL_DAG
    for dag in team["dags"]:  # type: ignore[attr-defined]
        for level in ["read", *team["access"]]:  # type: ignore[misc]
            out |= {(action, resource.format(dag)) for action, resource in DAG_ACTIONS[level]}
    return out


from .dag_tags import dag_ids_by_tag  # noqa: E402 (shipped inline)


def with_tagged_dags(teams: list[dict[str, Any]], by_tag: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The teams, each team's ``dags`` plus the ids of the DAGs carrying its ``tags``."""
    out = []
    for team in teams:
        if team.get("tags"):
            tagged = [d for tag in team["tags"] for d in by_tag.get(tag, [])]
            team = {**team, "dags": sorted({*team.get("dags", []), *tagged})}
            print(f"role {team['role']}: tags {team['tags']} -> {team['dags']}", flush=True)
        out.append(team)
    return out


def main(path: str) -> None:
    from airflow.providers.fab.auth_manager.cli_commands.utils import (  # type: ignore[import-not-found]
        get_application_builder,
    )

    with open(path, encoding="utf-8") as f:
        teams = json.load(f)
    teams = with_tagged_dags(teams, dag_ids_by_tag(sorted({t for team in teams for t in team.get("tags", [])})))
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        viewer = sm.find_role("Viewer")
        base = {(p.action.name, p.resource.name) for p in viewer.permissions}
        for team in teams:
            role = sm.find_role(team["role"]) or sm.add_role(team["role"])
            have = {(p.action.name, p.resource.name): p for p in role.permissions}
            want = wanted(base, team)
            for action, resource in sorted(want - set(have)):
                sm.add_permission_to_role(role, sm.create_permission(action, resource))
            for key in sorted(set(have) - want):
                sm.remove_permission_from_role(role, have[key])
            print(f"role {team['role']}: {len(want)} permissions (+{len(want - set(have))} -{len(set(have) - want)})")


if __name__ == "__main__":
    main(sys.argv[1])
