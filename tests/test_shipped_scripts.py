"""The scripts pods run ship as one file each, while code two of them need is written once.

``scripts/dag_tags.py`` holds ``dag_ids_by_tag``; ``fab_teams.py`` and ``keycloak_setup.py`` import it
with a ``# shipped inline`` line that the shipped text replaces by the function's source.
``scripts/in_cluster.py`` holds the API set-up of ``cleanup_pods.py`` and ``restart_deployment.py``
(``api_access``); their ``main()`` imports and calls it, and the shipped text has its body there instead.
"""

from __future__ import annotations

import hashlib

import pytest

from airflow_constructs.core.shipped_scripts import (
    BLOCK,
    INLINE,
    block_source,
    function_source,
    script_source,
    shipped_script,
)

TEAM_SCRIPTS = ["fab_teams.py", "keycloak_setup.py"]
API_SCRIPTS = ["cleanup_pods.py", "restart_deployment.py"]
SHIPPED_SHA256 = {
    "fab_teams.py": "012b6e720810b7e3a7d46000897ef2b3b8e479da6d077a76f721fbc4edcc55fe",
    "keycloak_setup.py": "b658ca988866ce40f51e256b4e9e7c44c33c1de3340cc0544d3ff6986eae59dc",
    "cleanup_pods.py": "748f2f45afd30dae6193825a3619db62d4787033f30856845ddfeb779af45c86",
    "restart_deployment.py": "b71f375bbb9f73e0677414444682857e7dc19724197d7318e785088022f1c7a7",
}
"""The shipped texts as they were when each script still held its own copy of ``dag_ids_by_tag`` or of
the API set-up: the ConfigMaps (and the checksums that roll the pods) did not change when the copies
became one."""


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


@pytest.mark.parametrize("script", API_SCRIPTS)
def test_an_api_script_ships_its_set_up_inline(script: str) -> None:
    shipped = shipped_script(script)
    assert BLOCK.search(script_source(script)), "the repository's script imports and calls the shared block"
    assert "in_cluster" not in shipped
    assert "api_access" not in shipped
    assert block_source("in_cluster.py", "api_access", "SA_DIR", "host, port, token, ctx", "    ") in shipped
    assert 'host = os.environ["KUBERNETES_SERVICE_HOST"]' in shipped
    namespace: dict[str, object] = {"__name__": "shipped"}
    exec(compile(shipped, script, "exec"), namespace)
    assert callable(namespace["main"])


def test_the_api_set_up_is_written_once() -> None:
    for script in API_SCRIPTS:
        assert "KUBERNETES_SERVICE_HOST" not in script_source(script)
    assert script_source("in_cluster.py").count('os.environ["KUBERNETES_SERVICE_HOST"]') == 1


def test_a_block_is_its_body_without_docstring_and_return() -> None:
    assert block_source("in_cluster.py", "api_access", "SA_DIR", "host, port, token, ctx", "        ") == (
        '        host = os.environ["KUBERNETES_SERVICE_HOST"]\n'
        '        port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")\n'
        '        if ":" in host:\n'
        '            host = f"[{host}]"\n'
        '        with open(f"{SA_DIR}/token") as fh:\n'
        "            token = fh.read().strip()\n"
        '        ctx = ssl.create_default_context(cafile=f"{SA_DIR}/ca.crt")\n'
    )


def test_a_block_called_with_other_names_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        block_source("in_cluster.py", "api_access", "sa_dir", "host, port, token, ctx", "    ")
    assert str(caught.value) == "scripts/in_cluster.py: api_access's parameters must be the call's arguments (sa_dir)"
    with pytest.raises(ValueError) as caught:
        block_source("in_cluster.py", "api_access", "SA_DIR", "host, port, token", "    ")
    assert str(caught.value) == (
        "scripts/in_cluster.py: api_access must end with `return host, port, token`, the names the call assigns"
    )


@pytest.mark.parametrize("script", TEAM_SCRIPTS + API_SCRIPTS)
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


def test_scripts_without_shared_code_ship_as_written() -> None:
    for script in ["bootstrap_secrets.py"]:
        assert shipped_script(script) == script_source(script)
