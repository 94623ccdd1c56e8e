"""jsii's node process starts in the background while the package imports (airflow_constructs/core/jsii_start.py).

Each case runs in a fresh Python process: the provider is chosen when jsii is first imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _last_line(code: str, **env: str) -> str:
    """What ``code`` printed last, once it has exited 0."""
    done = _run(code, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


# The node processes started by this process: jsii's runtime, and the kernel it starts.
_NODES = """
import os, json
from pathlib import Path


def nodes(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\\0")
            if b"node" in cmd[0]:
                found.append(child)
            found += nodes(int(child))
    return found
"""


def test_importing_the_package_first_starts_node_in_the_background_and_synthesizes_alike() -> None:
    code = (
        _NODES + "import airflow_constructs, jsii\n"
        "from cdk8s import App, Chart\n"
        "from airflow_constructs import Airflow\n"
        "assert type(jsii.kernel.provider).__name__ == 'BackgroundStart', type(jsii.kernel.provider)\n"
        "app = App(); chart = Chart(app, 'c', namespace='airflow'); Airflow(chart, 'airflow')\n"
        "objects = chart.to_json()\n"
        "print(json.dumps({'objects': len(objects), 'nodes': len(nodes(os.getpid()))}))\n"
    )
    result = _last_line(code)
    # One jsii runtime (node running jsii-runtime.js and the kernel node it spawns), as jsii starts.
    assert result == '{"objects": 42, "nodes": 2}'


def test_jsii_imported_before_the_package_is_left_as_jsii_made_it() -> None:
    done = _run(
        "import cdk8s, jsii\nimport airflow_constructs\n"
        "from jsii._kernel.providers.process import ProcessProvider\n"
        "print(type(jsii.kernel.provider) is ProcessProvider)"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_a_node_that_cannot_start_fails_the_package_as_it_fails_jsii(tmp_path: Path) -> None:
    # The error is raised where the first answer from node is awaited: at import or at the first call.
    missing = tmp_path / "no-node"
    ours = _run("import airflow_constructs\nfrom cdk8s import App\nApp()", JSII_NODE=str(missing))
    theirs = _run("import cdk8s", JSII_NODE=str(missing))
    error = f"FileNotFoundError: [Errno 2] No such file or directory: '{missing}'"
    assert ours.returncode == theirs.returncode == 1
    assert error in ours.stderr.splitlines() and error in theirs.stderr.splitlines()


def test_a_jsii_whose_private_provider_differs_is_recognised() -> None:
    # cdk8s allows other jsii versions: where the private provider differs, node starts as jsii does.
    from jsii._kernel.providers.process import ProcessProvider, _NodeProcess

    from airflow_constructs.core.jsii_start import _provider_interface_matches

    class OtherProvider:
        def load(self) -> None: ...

    class OtherNode:
        def start(self) -> None: ...

    assert _provider_interface_matches(ProcessProvider, _NodeProcess)
    assert not _provider_interface_matches(OtherProvider, _NodeProcess)
    assert not _provider_interface_matches(ProcessProvider, OtherNode)


_CHECKS = """
from jsii._type_checking import check_type
def checked():
    try:
        check_type(argname="argument id", value=1, expected_type=str)
    except TypeError:
        return True
    return False
"""


def test_the_commands_turn_off_jsii_argument_checks_and_the_package_import_does_not() -> None:
    result = _last_line(
        "import airflow_constructs\n" + _CHECKS + "before = checked()\n"
        "from airflow_constructs.core.jsii_start import skip_argument_checks\n"
        "print(before, skip_argument_checks(), checked())\n"
    )
    assert result == "True True False"


def test_the_console_script_runs_main_without_argument_checks(tmp_path: Path) -> None:
    result = _last_line(
        "import sys\nfrom airflow_constructs import cli\n" + _CHECKS + "sys.argv = ['airflow-constructs', 'synth', "
        f"'examples/default.yaml', '-o', {str(tmp_path)!r}]\n"
        "status = cli.console_main()\nprint(status, checked())\n"
    )
    assert result == "0 False"
    assert (tmp_path / "airflow.k8s.yaml").read_bytes() == (ROOT / "dist" / "default" / "airflow.k8s.yaml").read_bytes()


def test_on_demand_node_starts_only_when_a_call_needs_it() -> None:
    # A python -m apps worker: apps built without node (core.detached) start none; the first call
    # that needs node starts it, and it answers as usual.
    code = (
        _NODES + "import airflow_constructs, jsii\n"
        "from cdk8s import App, Chart\n"
        "from airflow_constructs import Airflow\n"
        "from airflow_constructs.core.detached import detached_build\n"
        "from apps.registry import APPS\n"
        "detached = detached_build(APPS['default'])\n"
        "before = len(nodes(os.getpid()))\n"
        "app = App(); chart = Chart(app, 'c', namespace='airflow'); Airflow(chart, 'airflow')\n"
        "objects = chart.to_json()\n"
        "print(json.dumps({'detached': sum(map(len, detached.documents.values())), 'before': before, "
        "'objects': len(objects), 'nodes': len(nodes(os.getpid()))}))\n"
    )
    result = _last_line(code, AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND="1")
    assert result == '{"detached": 42, "before": 0, "objects": 42, "nodes": 2}'


def test_on_demand_node_says_whether_it_started_and_starts_when_asked() -> None:
    # python -m apps forks its workers only while node_started() is False, then starts its own node.
    code = (
        _NODES + "import airflow_constructs\n"
        "from airflow_constructs.core.jsii_start import node_started, start_node\n"
        "from cdk8s import App\n"
        "before = node_started()\n"
        "start_node(); start_node()\n"
        "after = node_started()\n"
        "App()\n"
        "print(json.dumps({'before': before, 'after': after, 'nodes': len(nodes(os.getpid()))}))\n"
    )
    result = _last_line(code, AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND="1")
    assert result == '{"before": false, "after": true, "nodes": 2}'
    started = _run("from airflow_constructs.core.jsii_start import node_started\nprint(node_started())")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "True"  # started while the package imported
    jsii_first = _run("import jsii\nfrom airflow_constructs.core.jsii_start import node_started\nprint(node_started())")
    assert jsii_first.stdout.strip() == "True"  # another provider: it may have started


def test_the_workers_name_the_same_switch_as_the_package() -> None:
    # apps.workers imports nothing of the library (it starts before the library is imported), so it
    # spells the variable's name itself: it must be the one core.jsii_start reads.
    from airflow_constructs.core.jsii_start import ON_DEMAND
    from apps.workers import NODE_ON_DEMAND

    assert NODE_ON_DEMAND == ON_DEMAND == "AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND"
