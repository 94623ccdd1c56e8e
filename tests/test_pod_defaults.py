"""Release-wide pod placement (``pod_defaults``): every pod of every app gets it unless it sets its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App, Chart

from airflow_constructs import Airflow, AirflowProps, KubernetesExecutor, PodOptions, PropsError
from airflow_constructs.config_file import build_chart, load_config
from airflow_constructs.core.pod_defaults import PodDefaults, with_pod_defaults
from apps.registry import APPS
from tests.conftest import ROOT, Manifest, find, synth_chart

NODE_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["airflow"]}]}]
        }
    }
}
DEFAULTS = {
    "node_selector": {"example.com/pool": "airflow"},
    "tolerations": [{"key": "example.com/dedicated", "value": "airflow", "effect": "NoSchedule"}],
    "affinity": NODE_AFFINITY,
    "priority_class_name": "airflow-default",
}
TOLERATION = {"effect": "NoSchedule", "key": "example.com/dedicated", "operator": "Equal", "value": "airflow"}
TASK_RESOURCES = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}}


def pod_specs(manifests: list[Manifest]) -> dict[str, dict[str, Any]]:
    """``Kind/name`` -> pod spec of every object with a pod template, and of every task pod template file."""
    out = {}
    for m in manifests:
        where = f"{m['kind']}/{m['metadata']['name']}"
        if m["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            out[where] = m["spec"]["template"]["spec"]
        elif m["kind"] == "CronJob":
            out[where] = m["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        elif m["kind"] == "ConfigMap" and "pod_template.yaml" in (m.get("data") or {}):
            out[f"{where}:pod_template.yaml"] = yaml.safe_load(m["data"]["pod_template.yaml"])["spec"]
    return out


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_pod_of_every_app_gets_the_defaults(name: str) -> None:
    chart = APPS[name](App(), pod_defaults=DEFAULTS)
    specs = pod_specs(list(chart.to_json()))
    kinds = {where.split("/")[0] for where in specs}
    assert kinds & {"Deployment", "StatefulSet"}, kinds
    for where, spec in specs.items():
        placement = (
            spec.get("nodeSelector"),
            spec.get("tolerations"),
            {k: v for k, v in (spec.get("affinity") or {}).items() if k != "podAntiAffinity"},
            spec.get("priorityClassName"),
        )
        assert placement == ({"example.com/pool": "airflow"}, [TOLERATION], NODE_AFFINITY, "airflow-default"), where


def test_the_apps_cover_jobs_cronjobs_statefulsets_and_task_pods() -> None:
    kinds: set[str] = set()
    for name in ("production", "kubernetes-executor", "celery", "default"):
        kinds |= {where.split("/")[0] for where in pod_specs(list(APPS[name](App()).to_json()))}
    assert {"Deployment", "StatefulSet", "Job", "CronJob", "ConfigMap"} <= kinds


def test_a_pods_own_option_replaces_the_default_field_by_field() -> None:
    own = [{"key": "example.com/scheduler", "operator": "Exists"}]
    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            pod_defaults=DEFAULTS,
            scheduler={"pod": {"tolerations": own, "priority_class_name": "airflow-critical"}},
        )
    )
    spec = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]
    assert spec["tolerations"] == [{"key": "example.com/scheduler", "operator": "Exists"}]
    assert spec["priorityClassName"] == "airflow-critical"
    assert spec["nodeSelector"] == {"example.com/pool": "airflow"}
    assert spec["affinity"] == NODE_AFFINITY
    other = find(manifests, "StatefulSet", "airflow-triggerer")["spec"]["template"]["spec"]
    assert (other["tolerations"], other["priorityClassName"]) == ([TOLERATION], "airflow-default")


def test_anti_affinity_joins_the_default_affinity() -> None:
    manifests = synth_chart(
        lambda c: Airflow(c, "airflow", pod_defaults=DEFAULTS, api_server={"replicas": 2, "anti_affinity": "required"})
    )
    affinity = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]["affinity"]
    assert affinity["nodeAffinity"] == NODE_AFFINITY["nodeAffinity"]
    assert set(affinity) == {"nodeAffinity", "podAntiAffinity"}


def test_empty_defaults_leave_the_props_as_they_are() -> None:
    given = AirflowProps(scheduler={"pod": {"node_selector": {"a": "b"}}})
    assert with_pod_defaults(given, given.pod_defaults) is given
    assert PodDefaults().options() == PodOptions()


def test_workers_only_pods_get_the_defaults() -> None:
    chart = APPS["workers-only"](App(), pod_defaults={"node_selector": {"example.com/pool": "gpu"}})
    specs = pod_specs(list(chart.to_json()))
    assert any(where.startswith("StatefulSet/") for where in specs), specs.keys()
    assert all(s["nodeSelector"] == {"example.com/pool": "gpu"} for s in specs.values()), specs.keys()


def test_the_config_file_takes_pod_defaults_and_task_pod_options(tmp_path: Path) -> None:
    path = tmp_path / "airflow.yaml"
    executor = {"kind": "KubernetesExecutor", "worker": {"pod": {"pod_labels": {"team": "data"}}}}
    path.write_text(yaml.safe_dump({"namespace": "airflow", "pod_defaults": DEFAULTS, "executor": executor}))
    manifests = list(build_chart(App(), load_config(path)).to_json())
    specs = pod_specs(manifests)
    task = next(spec for where, spec in specs.items() if where.endswith("pod_template.yaml"))
    assert (task["nodeSelector"], task["tolerations"]) == ({"example.com/pool": "airflow"}, [TOLERATION])
    # Setting a pod option keeps the task pods' own resources (not the generic component ones).
    assert task["containers"][0]["resources"] == TASK_RESOURCES
    assert all(s.get("priorityClassName") == "airflow-default" for s in specs.values())


@pytest.mark.parametrize(
    ("defaults", "message"),
    [
        pytest.param(
            {"tolerations": [{"key": "k", "operator": "In"}]},
            "AirflowProps.pod_defaults.tolerations[0].operator: 'In' is not allowed: Input should be 'Equal' or "
            "'Exists'",
            id="toleration-operator",
        ),
        pytest.param(
            {"node_selector": {"Kubernetes.IO/arch": "amd64"}},
            "AirflowProps.pod_defaults.node_selector: {'Kubernetes.IO/arch': 'amd64'} is not allowed: label key "
            "'Kubernetes.IO/arch' is not a qualified name ([prefix/]name): the prefix 'Kubernetes.IO' is not a "
            "lowercase DNS subdomain such as 'example.com'",
            id="label-key",
        ),
        pytest.param(
            {"priority_class_name": "High Priority"},
            "AirflowProps.pod_defaults.priority_class_name: 'High Priority' is not allowed: expected a DNS subdomain: "
            "at most 253 characters, lowercase labels of letters, digits and '-' separated by '.', each starting and "
            "ending with a letter or digit",
            id="priority-class",
        ),
        pytest.param(
            {"pod_labels": {"team": "data"}},
            "AirflowProps.pod_defaults.pod_labels: unknown field (allowed: affinity, node_selector, "
            "priority_class_name, tolerations)",
            id="unknown-field",
        ),
    ],
)
def test_bad_pod_defaults_are_rejected_with_exact_message(defaults: dict[str, Any], message: str) -> None:
    app = App()
    chart = Chart(app, "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow", pod_defaults=defaults)
    assert str(info.value) == message


def test_a_task_pod_option_keeps_the_task_pods_resources() -> None:
    executor = KubernetesExecutor(worker={"pod": {"node_selector": {"example.com/pool": "tasks"}}})
    assert executor.worker.resources.to_kubernetes() == TASK_RESOURCES
    assert KubernetesExecutor().worker.resources.to_kubernetes() == TASK_RESOURCES


def test_the_charts_pod_defaults_value_places_every_pod_as_the_props_do(tmp_path: Path) -> None:
    from airflow_constructs.cli import main
    from tests.test_helm import keyed, parse_all, run_helm

    helm = str(ROOT / ".tools" / "bin" / "helm")
    config = tmp_path / "airflow.yaml"
    config.write_text(yaml.safe_dump({"namespace": "airflow", "pod_defaults": DEFAULTS}))
    assert main(["chart", str(config), "-o", str(tmp_path / "charts")]) == 0
    chart = tmp_path / "charts" / "airflow"

    def rendered(*args: str) -> dict[tuple[str, str], Manifest]:
        out = run_helm(helm, "template", "airflow", chart, "--namespace", "airflow", *args).stdout
        return keyed(parse_all(out))

    def synthesized(**props: Any) -> dict[tuple[str, str], Manifest]:
        given = tmp_path / "given.yaml"
        given.write_text(yaml.safe_dump({"namespace": "airflow", **props}))
        return keyed(build_chart(App(), load_config(given)).to_json())

    assert rendered() == synthesized(pod_defaults=DEFAULTS)
    # Emptied, a component's own value falls back to the release-wide one, as in the props.
    assert rendered("--set-json", "scheduler.pod.tolerations=[]") == synthesized(pod_defaults=DEFAULTS)
    own = [{"key": "example.com/scheduler", "operator": "Exists"}]
    other = [{"key": "example.com/other", "operator": "Exists", "effect": "NoSchedule"}]
    got = rendered(
        "--set-json",
        f"scheduler.pod.tolerations={json.dumps(own)}",
        "--set-json",
        f"pod_defaults.tolerations={json.dumps(other)}",
    )
    assert got == synthesized(pod_defaults={**DEFAULTS, "tolerations": other}, scheduler={"pod": {"tolerations": own}})
    specs = pod_specs(list(got.values()))
    assert specs["Deployment/airflow-scheduler"]["tolerations"] == own
    assert all(spec["tolerations"] == other for where, spec in specs.items() if "scheduler" not in where)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set-json", 'pod_defaults.tolerations=[{"key":"k","operator":"In"}]'],
            "- at '/pod_defaults/tolerations/0/operator': value must be one of 'Equal', 'Exists'",
        ),
        (
            ["--set", "pod_defaults.node_selector.Bad\\.IO/k=x"],
            "- at '/pod_defaults/node_selector': additional properties 'Bad.IO/k' not allowed",
        ),
        (
            ["--set", "pod_defaults.priority_class_name=High"],
            "- at '/pod_defaults/priority_class_name': 'High' does not match pattern "
            "'(^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)|^$'",
        ),
        (
            ["--set", "pod_defaults.pod_labels.team=data"],
            "- at '/pod_defaults': additional properties 'pod_labels' not allowed",
        ),
    ],
    ids=["toleration-operator", "label-key", "priority-class", "unknown-key"],
)
def test_bad_pod_defaults_values_are_refused_by_every_chart_s_schema(args: list[str], message: str) -> None:
    from tests.test_helm import run_helm

    helm = str(ROOT / ".tools" / "bin" / "helm")
    for chart in sorted((ROOT / "dist" / "helm" / "charts").iterdir()):
        result = run_helm(helm, "template", "airflow", chart, *args, check=False)
        assert result.returncode == 1, chart.name
        assert result.stderr == (
            "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n"
            f"{chart.name}:\n{message}\n\n"
        ), chart.name


def test_a_default_affinity_joined_by_an_anti_affinity_rule_is_written_as_it_is(tmp_path: Path) -> None:
    from airflow_constructs.cli import main
    from tests.test_helm import keyed, parse_all, run_helm

    helm = str(ROOT / ".tools" / "bin" / "helm")
    config = tmp_path / "airflow.yaml"
    props = {"namespace": "airflow", "pod_defaults": DEFAULTS, "api_server": {"anti_affinity": "preferred"}}
    config.write_text(yaml.safe_dump(props))
    assert main(["chart", str(config), "-o", str(tmp_path / "charts")]) == 0
    chart = tmp_path / "charts" / "airflow"
    values = yaml.safe_load((chart / "values.yaml").read_text())
    # The api-server's affinity is the default joined with its rule: no value can hold the default.
    assert sorted(values["pod_defaults"]) == ["node_selector", "priority_class_name", "tolerations"]
    schema = json.loads((chart / "values.schema.json").read_text())
    assert schema["properties"]["scheduler"]["properties"]["pod"]["properties"]["affinity"]["minProperties"] == 1
    out = run_helm(helm, "template", "airflow", chart, "--namespace", "airflow").stdout
    assert keyed(parse_all(out)) == keyed(build_chart(App(), load_config(config)).to_json())
