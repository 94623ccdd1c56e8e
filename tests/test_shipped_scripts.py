"""The scripts pods run ship as one file each, while a function two of them need is written once.

``scripts/dag_tags.py`` holds ``dag_ids_by_tag``; ``fab_teams.py`` and ``keycloak_setup.py`` import it
with a ``# shipped inline`` line that the shipped text replaces by the function's source.
"""

from __future__ import annotations

import hashlib

import pytest

from airflow_constructs.core.shipped_scripts import INLINE, function_source, script_source, shipped_script

TEAM_SCRIPTS = ["fab_teams.py", "keycloak_setup.py"]
SHIPPED_SHA256 = {
    "fab_teams.py": "012b6e720810b7e3a7d46000897ef2b3b8e479da6d077a76f721fbc4edcc55fe",
    "keycloak_setup.py": "b658ca988866ce40f51e256b4e9e7c44c33c1de3340cc0544d3ff6986eae59dc",
}
"""The shipped texts as they were when each script still held its own copy of ``dag_ids_by_tag``: the
ConfigMaps (and the checksums that roll the pods) did not change when the copies became one."""


@pytest.mark.parametrize("script", TEAM_SCRIPTS)
def test_a_team_script_ships_self_contained(script: str) -> None:
    shipped = shipped_script(script)
    assert INLINE.search(script_source(script)), "the repository's script imports the shared function"
    assert "from .dag_tags" not in shipped
    assert shipped.count("def dag_ids_by_tag(") == 1
    assert function_source("dag_tags.py", "dag_ids_by_tag") in shipped
    namespace: dict[str, object] = {"__name__": "shipped"}
    exec(compile(shipped, script, "exec"), namespace)
    assert callable(namespace["dag_ids_by_tag"])


@pytest.mark.parametrize("script", TEAM_SCRIPTS)
def test_the_shipped_text_is_unchanged(script: str) -> None:
    assert hashlib.sha256(shipped_script(script).encode()).hexdigest() == SHIPPED_SHA256[script]


def test_the_shared_function_is_written_once() -> None:
    for script in TEAM_SCRIPTS:
        assert "def dag_ids_by_tag(" not in script_source(script)
    assert script_source("dag_tags.py").count("def dag_ids_by_tag(") == 1


def test_a_missing_shared_function_is_named() -> None:
    with pytest.raises(ValueError) as caught:
        function_source("dag_tags.py", "dag_ids_by_owner")
    assert str(caught.value) == "scripts/dag_tags.py has no top-level function 'dag_ids_by_owner'"


def test_scripts_without_shared_functions_ship_as_written() -> None:
    for script in ["bootstrap_secrets.py", "cleanup_pods.py", "restart_deployment.py"]:
        assert shipped_script(script) == script_source(script)
