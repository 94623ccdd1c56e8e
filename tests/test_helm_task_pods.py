"""The KubernetesExecutor's task pods in the chart: ``executor.worker.pod.*`` rewrite the pod template file.

The file is indented JSON (a YAML document: Airflow reads it with ``yaml.safe_load``), written as
Helm's ``toPrettyJson`` writes it, so the chart renders it from the values byte for byte as Python
does (``packaging/json_files.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App, Chart

from airflow_constructs.core.kube import CONFIG_CHECKSUM, go_json, go_pretty_json
from airflow_constructs.packaging.changelog import release
from airflow_constructs.packaging.chart_yaml import ChartMetadata
from airflow_constructs.packaging.helm import build_chart, write_chart
from airflow_constructs.packaging.values import merge_props
from apps.registry import APPS
from apps.synthesis import CHANGELOG, chart_values
from tests.conftest import ROOT, Manifest
from tests.test_helm import CHARTS, dist_objects, helm, keyed, parse_all, run_helm  # noqa: F401 (helm is a fixture)
from tests.test_helm_values import _helm_objects, _python_objects

APP = "kubernetes-executor"
POD_TEMPLATE = ("ConfigMap", "airflow-pod-template")
FILE = "pod_template.yaml"
EXAMPLE = ROOT / "tests" / "pod_templates" / "tasks.yaml"

_OPTIONS: dict[str, Any] = {
    "node_selector": {"pool": "tasks", "example.com/gpu": "true"},
    "tolerations": [{"key": "pool", "operator": "Equal", "value": "tasks", "effect": "NoSchedule"}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]
            }
        }
    },
    "topology_spread_constraints": [
        {"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway"}
    ],
    "priority_class_name": "batch",
    "pod_annotations": {"cost-center": "a <b> & c", "note": "{{ ti.dag_id }}", "text": "é\nline"},
    "pod_labels": {"team": "data"},
    "extra_env": [
        {"name": "TEAM", "value": "1"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "team-settings", "key": "token"}}},
    ],
}
"""Every task pod option, with text JSON escapes (``<>&``, non-ASCII, a newline) and Airflow's ``{{ }}``."""


def _pod(objects: dict[tuple[str, str], Manifest]) -> dict[str, Any]:
    return yaml.safe_load(objects[POD_TEMPLATE]["data"][FILE])  # type: ignore[no-any-return]


def test_the_pod_template_file_is_json_as_helm_writes_it_and_airflow_reads_it() -> None:
    text = dist_objects(APP)[POD_TEMPLATE]["data"][FILE]
    pod = json.loads(text)
    # Airflow's PodGenerator.deserialize_model_file reads the file with yaml.safe_load.
    assert yaml.safe_load(text) == pod
    assert text == go_pretty_json(pod)
    assert text.startswith('{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {\n')


def test_go_pretty_json_writes_as_go_json_marshal_indent() -> None:
    value = {"b": [1, {}, []], "a": "<&> é \u2028", "c": {"y": None, "x": True}}
    assert go_pretty_json(value) == (
        "{\n"
        '  "a": "\\u003c\\u0026\\u003e é \\u2028",\n'
        '  "b": [\n    1,\n    {},\n    []\n  ],\n'
        '  "c": {\n    "x": true,\n    "y": null\n  }\n'
        "}"
    )
    assert json.loads(go_pretty_json(value)) == json.loads(go_json(value)) == value


def test_task_pod_options_land_in_the_pod_template_file_only(helm: str, tmp_path: Path) -> None:  # noqa: F811
    values = {"executor": {"worker": {"pod": _OPTIONS}}}
    before = _helm_objects(helm, APP, {}, tmp_path)
    after = _helm_objects(helm, APP, values, tmp_path)
    assert after == _python_objects(APP, values)  # the file's bytes included
    assert {key for key in after if after[key] != before[key]} == {POD_TEMPLATE}
    pod = _pod(after)
    spec = pod["spec"]
    assert spec["nodeSelector"] == _OPTIONS["node_selector"]
    assert spec["tolerations"] == _OPTIONS["tolerations"]
    assert spec["affinity"] == _OPTIONS["affinity"]
    assert spec["topologySpreadConstraints"] == _OPTIONS["topology_spread_constraints"]
    assert spec["priorityClassName"] == "batch"
    assert pod["metadata"]["annotations"] == {
        **_OPTIONS["pod_annotations"],
        CONFIG_CHECKSUM: _pod(before)["metadata"]["annotations"][CONFIG_CHECKSUM],
    }
    assert pod["metadata"]["labels"]["team"] == "data"
    assert spec["containers"][0]["env"][-2:] == _OPTIONS["extra_env"]
    text = after[POD_TEMPLATE]["data"][FILE]
    assert '"cost-center": "a \\u003cb\\u003e \\u0026 c"' in text and '"text": "é\\nline"' in text


def test_empty_task_pod_options_render_the_default_file(helm: str, tmp_path: Path) -> None:  # noqa: F811
    empty = {key: type(value)() for key, value in _OPTIONS.items()}
    rendered = _helm_objects(helm, APP, {"executor": {"worker": {"pod": empty}}}, tmp_path)
    assert rendered == dist_objects(APP)


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "executor.worker.pod.node_selector.disk=a b"], "/executor/worker/pod/node_selector/disk", "pattern"),
        (["--set", "executor.worker.pod.typo=x"], "/executor/worker/pod", "additional properties 'typo' not allowed"),
        (
            ["--set", "executor.worker.pod.pod_annotations.airflow-constructs\\.io/x=y"],
            "/executor/worker/pod/pod_annotations/airflow-constructs.io~1x",
            "false schema",
        ),
        (
            [
                "--set-json",
                'executor.worker.pod.extra_env=[{"name":"A","value":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]',
            ],
            "/executor/worker/pod/extra_env/0",
            "'oneOf' failed, subschemas 0, 1 matched",
        ),
        (["--set", "executor.worker.pod.tolerations=x"], "/executor/worker/pod/tolerations", "got string, want array"),
    ],
)
def test_invalid_task_pod_values_are_refused_naming_the_field(
    helm: str,  # noqa: F811
    flags: list[str],
    field: str,
    problem: str,
) -> None:
    result = run_helm(helm, "template", "release", CHARTS[APP], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


def _with_user_pod(app: App, **overrides: Any) -> Chart:
    chart: Chart = APPS[APP](app, **merge_props({"executor": {"pod_template": str(EXAMPLE)}}, overrides))
    return chart


@pytest.fixture(scope="module")
def user_pod_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chart of the kubernetes-executor app with the user pod template ``tests/pod_templates/tasks.yaml``."""
    app = App()
    chart = _with_user_pod(app)
    meta = ChartMetadata(name="airflow-user-pod", description="KubernetesExecutor with a user pod template")
    changes = release(CHANGELOG.read_text(), meta.version)
    files = build_chart({"airflow.yaml": list(chart.to_json())}, meta, changes, chart_values(_with_user_pod))
    directory = tmp_path_factory.mktemp("chart") / meta.name
    write_chart(files, directory)
    return directory


def test_with_a_user_pod_template_the_fields_it_sets_are_no_values(user_pod_chart: Path) -> None:
    pod = yaml.safe_load((user_pod_chart / "values.yaml").read_text())["executor"]["worker"]["pod"]
    # nodeSelector, tolerations and priorityClassName are merged with the user's (core/pod_merge.py).
    assert sorted(pod) == [
        "affinity",
        "extra_env",
        "pod_annotations",
        "pod_labels",
        "topology_spread_constraints",
    ]


def test_with_a_user_pod_template_the_values_merge_as_in_python(
    helm: str,  # noqa: F811
    user_pod_chart: Path,
    tmp_path: Path,
) -> None:
    # Keys and env names the user's pod does not set (tasks.yaml: label team, annotation cost-center, env TEAM).
    options = {
        "affinity": _OPTIONS["affinity"],
        "extra_env": [{"name": "EXTRA", "value": "1"}],
        "pod_annotations": {"owner": "a <b> & c"},
        "pod_labels": {"tier": "batch"},
    }
    file = tmp_path / "values.json"
    file.write_text(json.dumps({"executor": {"worker": {"pod": options}}}))
    out = run_helm(helm, "template", "release", user_pod_chart, "--namespace", "airflow", "-f", file).stdout
    rendered = keyed(parse_all(out))
    app = App()
    python = keyed(json.loads(json.dumps(_with_user_pod(app, executor={"worker": {"pod": options}}).to_json())))
    assert rendered == python
    pod = _pod(rendered)
    # Ours, then the user's env after (core/pod_merge.py): the value's entries sit between them.
    assert [e["name"] for e in pod["spec"]["containers"][0]["env"]][-2:] == ["EXTRA", "TEAM"]
    assert {"team": "data", "tier": "batch"}.items() <= pod["metadata"]["labels"].items()
    assert {"cost-center": "analytics", "owner": "a <b> & c"}.items() <= pod["metadata"]["annotations"].items()
    assert pod["spec"]["affinity"] == _OPTIONS["affinity"]
    assert pod["spec"]["nodeSelector"] == {"pool": "tasks"}  # the user's, fixed in the chart


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "executor.worker.pod.pod_labels.team=x"], "/executor/worker/pod/pod_labels/team", "false schema"),
        (
            ["--set", "executor.worker.pod.pod_annotations.cost-center=x"],
            "/executor/worker/pod/pod_annotations/cost-center",
            "false schema",
        ),
        (
            ["--set-json", 'executor.worker.pod.extra_env=[{"name":"TEAM","value":"x"}]'],
            "/executor/worker/pod/extra_env/0/name",
            "'not' failed",
        ),
    ],
)
def test_with_a_user_pod_template_its_own_keys_are_refused(
    helm: str,  # noqa: F811
    user_pod_chart: Path,
    flags: list[str],
    field: str,
    problem: str,
) -> None:
    """In Python ours would replace the user's label, annotation or env var; a template would write both."""
    result = run_helm(helm, "template", "release", user_pod_chart, "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr
