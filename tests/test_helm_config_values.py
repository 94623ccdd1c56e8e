"""``config.<section>.<key>``: airflow.cfg options as a chart value, merged into airflow.cfg by the template.

The property test of ``test_helm_values`` draws config values for every chart; these tests pin what it
cannot say by itself: every pod that reads airflow.cfg rolls, the checksum Helm computes is the one
Python computes, and the schema refuses what the props refuse plus the chart's own keys, naming them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_constructs.core.kube import CONFIG_CHECKSUM, data_checksum
from airflow_constructs.packaging.config_values import config_props, parse_cfg, render_cfg
from apps.registry import APPS
from tests.conftest import Manifest
from tests.test_helm import CHARTS, helm, run_helm  # noqa: F401 (helm is a fixture)
from tests.test_helm_values import _helm_objects, _python_objects


def _pod_template(obj: Manifest) -> dict[str, Any] | None:
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        return dict(spec["jobTemplate"]["spec"]["template"])
    return spec.get("template") if obj["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet") else None


def _readers(objects: dict[tuple[str, str], Manifest], config_map: str) -> dict[tuple[str, str], str]:
    """``{(kind, base name): checksum annotation}`` of every pod template that mounts ``config_map``."""
    found = {}
    for (kind, name), obj in objects.items():
        template = _pod_template(obj)
        if template is None:
            continue
        volumes = template["spec"].get("volumes", [])
        if any((v.get("configMap") or {}).get("name") == config_map for v in volumes):
            base = name.rsplit("-", 1)[0] if kind == "Job" else name
            found[(kind, base)] = template["metadata"]["annotations"][CONFIG_CHECKSUM]
    return found


@pytest.mark.parametrize("app", ["default", "kubernetes-executor", "production"])
def test_a_config_value_rolls_every_pod_that_reads_airflow_cfg(helm: str, tmp_path: Path, app: str) -> None:  # noqa: F811
    one = {"config": {"core": {"zz_option": "64"}}}
    two = {"config": {"core": {"zz_option": 65}}}
    first, second = _helm_objects(helm, app, one, tmp_path), _helm_objects(helm, app, two, tmp_path)
    readers = _readers(first, "airflow-config")
    assert len(readers) >= 4, readers  # the api-server, scheduler, dag-processor, triggerer at least
    assert readers.keys() == _readers(second, "airflow-config").keys()
    changed = _readers(second, "airflow-config")
    assert all(readers[k] != changed[k] for k in readers), (readers, changed)
    for objects, values in ((first, one), (second, two)):
        data = objects[("ConfigMap", "airflow-config")]["data"]
        assert readers_checksums(objects) == {data_checksum(data)}
        assert objects == _python_objects(app, values)
    assert "\nzz_option = 65\n" in second[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]


def readers_checksums(objects: dict[tuple[str, str], Manifest]) -> set[str]:
    return set(_readers(objects, "airflow-config").values())


def test_default_render_has_no_config_and_keeps_the_apps_text(helm: str, tmp_path: Path) -> None:  # noqa: F811
    values = yaml.safe_load((CHARTS["default"] / "values.yaml").read_text())
    assert values["config"] == {}
    assert _helm_objects(helm, "default", {}, tmp_path) == _python_objects("default", {})


def test_options_are_written_as_the_props_write_them() -> None:
    assert config_props({"core": {"a": True, "b": False, "c": 64, "d": 64.0, "e": "x y", "f": ""}}) == {
        "core": {"a": "True", "b": "False", "c": "64", "d": "64", "e": "x y", "f": ""}
    }
    text = "# head\n\n[core]\na = 1\nz = 2\n"
    head, sections = parse_cfg(text)
    assert (head, sections) == ("# head", {"core": {"a": "1", "z": "2"}})
    assert render_cfg(head, sections, {}) == text
    merged = render_cfg(head, sections, {"core": {"m": True}, "b_new": {"k": 3}, "empty": {}})
    assert merged == "# head\n\n[b_new]\nk = 3\n\n[core]\na = 1\nm = True\nz = 2\n"


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "config.core.executor=x"], "/config/core/executor", "false schema"),
        (["--set", "config.core.parallelism=64"], "/config/core/parallelism", "false schema"),
        (["--set", "config.database.sql_alchemy_conn=x"], "/config/database/sql_alchemy_conn", "false schema"),
        (["--set", "config.metrics.statsd_host=x"], "/config/metrics/statsd_host", "false schema"),
        (["--set", "config.Core.x=1"], "/config", "additional properties 'Core' not allowed"),
        (["--set", "config.core.X=1"], "/config/core", "additional properties 'X' not allowed"),
        (["--set", "config.core=1"], "/config/core", "got number, want object"),
        (["--set", "config.core.x=null"], "/config/core/x", "got null, want boolean or integer or string"),
        (["--set-json", 'config.core.x="a\\nb"'], "/config/core/x", "does not match pattern"),
        (["--set-json", "config.core.x=[1]"], "/config/core/x", "got array"),
        (["--set", "config.core.x=10000000000000000"], "/config/core/x", "maximum"),
    ],
)
def test_invalid_config_values_are_refused_naming_the_field(
    helm: str,  # noqa: F811
    flags: list[str],
    field: str,
    problem: str,
) -> None:
    result = run_helm(helm, "template", "release", CHARTS["default"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


def test_every_chart_honours_config() -> None:
    for app in sorted(APPS):
        schema = (CHARTS[app] / "values.schema.json").read_text()
        assert '"config"' in schema, app
        assert (CHARTS[app] / "templates" / "_airflow_cfg.tpl").is_file(), app
