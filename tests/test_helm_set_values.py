"""Resources held outside a component field: Celery worker sets by name, KubernetesExecutor task pods.

The property test of ``test_helm_values`` draws them for every chart; these tests pin where each lands,
that the task pods' pod template file is written as the library writes it (JSON, as Helm's
toPrettyJson writes it), and the schema's refusals.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_constructs.core.kube import CONFIG_CHECKSUM
from airflow_constructs.core.props import PropsError
from tests.conftest import Manifest
from tests.test_helm import CHARTS, helm, run_helm  # noqa: F401 (helm is a fixture)
from tests.test_helm_values import _helm_objects, _python_objects


def _main_resources(objects: dict[tuple[str, str], Manifest], kind: str, name: str) -> Any:
    return objects[(kind, name)]["spec"]["template"]["spec"]["containers"][0]["resources"]


def test_a_worker_set_is_set_by_its_name_and_only_it_changes(helm: str, tmp_path: Path) -> None:  # noqa: F811
    resources = {"cpu_request": "1", "memory_request": "8Gi", "cpu_limit": "6", "memory_limit": "20Gi"}
    values = {"executor": {"worker_sets": {"highmem": {"resources": resources}}}}
    before = _helm_objects(helm, "celery", {}, tmp_path)
    after = _helm_objects(helm, "celery", values, tmp_path)
    assert _main_resources(after, "StatefulSet", "airflow-worker-highmem") == {
        "limits": {"cpu": "6", "memory": "20Gi"},
        "requests": {"cpu": "1", "memory": "8Gi"},
    }
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {("StatefulSet", "airflow-worker-highmem")}
    assert after == _python_objects("celery", values)


def test_task_pod_resources_rewrite_the_pod_template_file(helm: str, tmp_path: Path) -> None:  # noqa: F811
    # All four, as the property test sets them: a props model given only some takes Resources()'s others.
    resources = {"cpu_limit": "3", "memory_limit": "3Gi", "cpu_request": "0.5", "memory_request": "512Mi"}
    values = {"executor": {"worker": {"resources": resources}}}
    before = _helm_objects(helm, "kubernetes-executor", {}, tmp_path)
    after = _helm_objects(helm, "kubernetes-executor", values, tmp_path)
    text = after[("ConfigMap", "airflow-pod-template")]["data"]["pod_template.yaml"]
    assert '"cpu": "3"' in text and '"cpu": "0.5"' in text and '"memory": "3Gi"' in text
    pod = yaml.safe_load(text)
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "3", "memory": "3Gi"},
        "requests": {"cpu": "0.5", "memory": "512Mi"},
    }

    # The scheduler reads the file for each task pod, from a directory mount the kubelet refreshes
    # (no subPath): a changed file needs no roll, and neither the Python nor the Helm output rolls it.
    scheduler = after[("Deployment", "airflow-scheduler")]["spec"]["template"]["spec"]
    mount = next(m for m in scheduler["containers"][0]["volumeMounts"] if m["name"] == "pod-template")
    assert mount == {"mountPath": "/opt/airflow/pod_templates", "name": "pod-template", "readOnly": True}
    assert after == _python_objects("kubernetes-executor", values)
    assert before[("ConfigMap", "airflow-config")] == after[("ConfigMap", "airflow-config")]
    # The task pods' own airflow.cfg checksum, which the file carries, stays the rendered one.
    assert (
        CONFIG_CHECKSUM in text
        and pod["metadata"]["annotations"][CONFIG_CHECKSUM]
        == (after[("Deployment", "airflow-scheduler")]["spec"]["template"]["metadata"]["annotations"][CONFIG_CHECKSUM])
    )


@pytest.mark.parametrize(
    ("app", "flags", "field", "problem"),
    [
        (
            "celery",
            ["--set", "executor.worker_sets.nosuch.resources.cpu_limit=1"],
            "/executor/worker_sets",
            "additional properties 'nosuch' not allowed",
        ),
        (
            "celery",
            ["--set", "executor.worker_sets.highmem.resources.cpu_limit=4"],
            "/executor/worker_sets/highmem/resources/cpu_limit",
            "got number, want string",
        ),
        (
            "celery",
            ["--set-string", "executor.worker_sets.default.resources.memory_limit=4GB"],
            "/executor/worker_sets/default/resources/memory_limit",
            "does not match pattern",
        ),
        (
            "kubernetes-executor",
            ["--set-string", "executor.worker.resources.cpu_limit=two"],
            "/executor/worker/resources/cpu_limit",
            "does not match pattern",
        ),
        (
            "workers-only",
            ["--set", "worker_sets.nosuch.resources.cpu_limit=1"],
            "/worker_sets",
            "additional properties 'nosuch' not allowed",
        ),
        (
            "workers-only",
            ["--set-string", "worker_sets.remote.resources.memory_limit=4GB"],
            "/worker_sets/remote/resources/memory_limit",
            "does not match pattern",
        ),
        (
            "workers-only",
            ["--set", "worker_sets.remote.pod.tolerations=x"],
            "/worker_sets/remote/pod/tolerations",
            "got string, want array",
        ),
        ("workers-only", ["--set", "secrets.jwt_secret.name=Core_JWT"], "/secrets/jwt_secret/name", "pattern"),
        ("workers-only", ["--set", "broker.url.typo=x"], "/broker/url", "additional properties 'typo' not allowed"),
        ("workers-only", ["--set", "image.tag=3.4.0"], "/image/tag", "does not match pattern"),
        ("workers-only", ["--set", "settings.logging_level=LOUD"], "/settings/logging_level", "value must be one of"),
        ("workers-only", ["--set", "scheduler.replicas=1"], "", "additional properties 'scheduler' not allowed"),
        (
            "kubernetes-executor",
            ["--set", "executor.worker.typo=x"],
            "/executor/worker",
            "additional properties 'typo' not allowed",
        ),
    ],
)
def test_invalid_set_values_are_refused_naming_the_field(
    helm: str,  # noqa: F811
    app: str,
    flags: list[str],
    field: str,
    problem: str,
) -> None:
    result = run_helm(helm, "template", "release", CHARTS[app], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


def test_a_set_name_that_is_no_go_identifier_is_read_with_index() -> None:
    text = (CHARTS["celery"] / "templates" / "airflow.yaml").read_text()
    assert ".Values.executor.worker_sets.highmem.resources.cpu_limit" in text
    assert not re.search(r"\.Values\.[\w.]*-", text)


def test_a_workers_only_chart_takes_the_same_values_as_its_props(helm: str, tmp_path: Path) -> None:  # noqa: F811
    resources = {"cpu_request": "1", "memory_request": "3Gi", "cpu_limit": "3", "memory_limit": "6Gi"}
    values = {
        "image": {"tag": "3.3.5"},
        "worker_sets": {"remote": {"resources": resources, "pod": {"node_selector": {"pool": "remote"}}}},
        "secrets": {"jwt_secret": {"name": "core-jwt", "key": "jwt"}},
        "settings": {"logging_level": "DEBUG"},
        "config": {"celery": {"worker_prefetch_multiplier": 2}},
    }
    before = _helm_objects(helm, "workers-only", {}, tmp_path)
    after = _helm_objects(helm, "workers-only", values, tmp_path)
    assert after == _python_objects("workers-only", values)
    worker = after[("StatefulSet", "airflow-worker-remote")]["spec"]["template"]
    assert worker["spec"]["nodeSelector"] == {"pool": "remote"}
    assert worker["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "3", "memory": "6Gi"},
        "requests": {"cpu": "1", "memory": "3Gi"},
    }
    assert worker["spec"]["containers"][0]["image"] == "apache/airflow:3.3.5"
    refs = [e["valueFrom"]["secretKeyRef"] for e in worker["spec"]["containers"][0]["env"] if "valueFrom" in e]
    assert {"name": "core-jwt", "key": "jwt"} in refs
    config = after[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]
    assert "\nworker_prefetch_multiplier = 2\n" in config and "\nlogging_level = DEBUG\n" in config
    checksum = "airflow-constructs.io/config-checksum"
    old = before[("StatefulSet", "airflow-worker-remote")]["spec"]["template"]["metadata"]["annotations"][checksum]
    assert worker["metadata"]["annotations"][checksum] != old


def test_a_memory_limit_below_max_memory_per_child_is_refused_by_the_props_not_the_schema(
    helm: str,  # noqa: F811
) -> None:
    """A cross-field rule: JSON Schema (draft-07 here; no draft Helm's validator knows, up to 2020-12,
    compares two values) cannot say it, so the value's description does; Python refuses it."""
    schema = json.loads((CHARTS["production"] / "values.schema.json").read_text())
    limit = schema["properties"]["executor"]["properties"]["worker_sets"]["properties"]["default"]["properties"][
        "resources"
    ]["properties"]["memory_limit"]
    assert limit["description"].endswith("Keep it above this set's max_memory_per_child (1Gi).")
    resources = {"memory_request": "256Mi", "memory_limit": "512Mi"}
    low = [f"--set-string=executor.worker_sets.default.resources.{k}={v}" for k, v in resources.items()]
    rendered = run_helm(helm, "template", "release", CHARTS["production"], "--namespace", "airflow", *low, check=False)
    assert rendered.returncode == 0, rendered.stderr  # the documented limit of the schema
    values = {"executor": {"worker_sets": {"default": {"resources": resources}}}}
    with pytest.raises(PropsError) as refused:
        _python_objects("production", values)
    assert str(refused.value).endswith(
        "max_memory_per_child '1Gi' is not below resources.memory_limit '512Mi': the container would be "
        "OOM-killed before a task process is replaced"
    )
