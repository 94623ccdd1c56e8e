"""Make one FAB role per team with DAG-level permissions on the team's DAGs only (the fab-teams Job).

Run in the Airflow image with the FAB auth manager configured. Idempotent, and a sync: each team role
ends up with exactly the Viewer role's permissions minus the global DAG ones (so a member sees the UI,
runs, tasks and logs, but only of DAGs the role names) plus, per DAG id, ``can_read`` on ``DAG:<id>``
(read), ``can_edit``/``can_delete`` (edit), ``can_edit`` on ``DAG:<id>`` and ``can_create`` on
``DAG Run:<id>`` (run: FAB checks edit on the DAG to trigger it). Permissions no longer wanted are
removed; roles of teams that were deleted are left alone.

Argument: a JSON file ``[{"role": ..., "dags": [...], "access": ["read", "run", ...]}]``.
"""

from __future__ import annotations

import json
import sys

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


def main(path: str) -> None:
    from airflow.providers.fab.auth_manager.cli_commands.utils import (  # type: ignore[import-not-found]
        get_application_builder,
    )

    with open(path, encoding="utf-8") as f:
        teams = json.load(f)
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
