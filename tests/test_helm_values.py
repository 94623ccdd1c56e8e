"""The charts' values (image, resources) give the same objects as the same settings through Python props.

A property test draws value sets for every chart, renders ``helm template -f values.yaml`` and
synthesizes the app with the same settings as ``AirflowProps`` arguments: the objects are identical,
one-shot Job names included (the template computes them from the rendered spec). Invalid values are
refused by Helm through ``values.schema.json``, naming the field.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_constructs import __version__
from airflow_constructs.packaging.helm import chart_name
from airflow_constructs.packaging.values import ValueLeaf, airflow_props, props_overrides, value_leaves
from apps.registry import APPS
from tests.conftest import Manifest
from tests.test_helm import CHARTS, helm, keyed, parse_all, run_helm  # noqa: F401 (helm is a fixture)

settings.register_profile(
    "helm-values",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "helm-values-deep",
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile("helm-values-deep" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "helm-values")


def _flatten(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def _chart_leaves(app: str) -> list[ValueLeaf]:
    """The values the app's chart honours: the props' leaves that its values.yaml lists."""
    application = App()
    APPS[app](application)
    listed = _flatten(yaml.safe_load((CHARTS[app] / "values.yaml").read_text()))
    leaves = [leaf for leaf in value_leaves(airflow_props(application)) if leaf.path in listed]
    assert all(listed[leaf.path] == leaf.default for leaf in leaves), f"{app}: values.yaml defaults are not the props'"
    return leaves


LEAVES = {app: _chart_leaves(app) for app in APPS}


def test_every_chart_has_image_resources_and_settings_values() -> None:
    for app, leaves in LEAVES.items():
        families = {leaf.path[0] for leaf in leaves}
        exposed = {"api_server"} if app in ("ldap", "oauth", "keycloak") else set()
        assert families == {"image", "resources", "settings", *exposed}, f"{chart_name(app)}: {families}"
        assert ("resources", "scheduler", "cpu_limit") in [leaf.path for leaf in leaves]


def test_an_exposed_api_server_has_its_host_and_names_as_values() -> None:
    ldap = {leaf.dotted: leaf.default for leaf in LEAVES["ldap"] if leaf.path[0] == "api_server"}
    assert ldap == {
        "api_server.expose.host": "airflow.example.com",
        "api_server.expose.issuer": "letsencrypt",
        "api_server.expose.ingress_class": "nginx",
    }
    oauth = {leaf.dotted for leaf in LEAVES["oauth"] if leaf.path[0] == "api_server"}
    assert oauth == {"api_server.expose.host", "api_server.expose.gateway", "api_server.expose.gateway_listener"}


def _tree(settings_: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in settings_.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


_CPU = st.one_of(st.integers(1, 4000).map(lambda m: f"{m}m"), st.integers(1, 4).map(str))
_MEMORY = st.one_of(st.integers(64, 4096).map(lambda n: f"{n}Mi"), st.integers(1, 8).map(lambda n: f"{n}Gi"))
_REPOSITORY = st.sampled_from(["apache/airflow", "registry.example.com/team/airflow", "ghcr.io/acme/air-flow"])


def _millis(cpu: str) -> int:
    return int(cpu[:-1]) if cpu.endswith("m") else int(cpu) * 1000


def _mebis(memory: str) -> int:
    return int(memory[:-2]) * (1024 if memory.endswith("Gi") else 1)


@st.composite
def value_sets(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """An app and a values tree setting some of its chart's values (requests within limits)."""
    app = draw(st.sampled_from(sorted(APPS)))
    chosen: dict[tuple[str, ...], Any] = {}
    leaves = LEAVES[app]
    for leaf in leaves:
        if leaf.path[0] == "image" and draw(st.booleans()):
            if leaf.path[-1] == "tag":
                major, minor = leaf.default.split(".")[:2]
                chosen[leaf.path] = f"{major}.{minor}.{draw(st.integers(0, 40))}"
            elif leaf.path[-1] == "repository":
                chosen[leaf.path] = draw(_REPOSITORY)
            else:
                chosen[leaf.path] = draw(st.sampled_from(leaf.schema["enum"]))
    for leaf in leaves:
        if leaf.path[0] == "settings" and draw(st.integers(0, 3)) == 0:
            if "enum" in leaf.schema:
                chosen[leaf.path] = draw(st.sampled_from(leaf.schema["enum"]))
            else:
                # Up to 10**7: Helm reads a values file's numbers as floats, printed 1e+06 unless converted.
                chosen[leaf.path] = draw(st.integers(leaf.schema["minimum"], leaf.schema.get("maximum", 10**7)))
    for leaf in leaves:
        if leaf.path[1:2] == ("expose",) and draw(st.booleans()):
            if leaf.path[-1] == "host":
                chosen[leaf.path] = draw(st.sampled_from(["airflow.acme.io", "*.example.org", "a-1.b.c"]))
            else:
                chosen[leaf.path] = draw(st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z"))
    for component in sorted({leaf.path[1] for leaf in leaves if leaf.path[0] == "resources"}):
        if draw(st.integers(0, 3)) == 0:
            cpu = sorted([draw(_CPU), draw(_CPU)], key=_millis)
            memory = sorted([draw(_MEMORY), draw(_MEMORY)], key=_mebis)
            for field, value in zip(("cpu_request", "cpu_limit"), cpu, strict=True):
                chosen[("resources", component, field)] = value
            for field, value in zip(("memory_request", "memory_limit"), memory, strict=True):
                chosen[("resources", component, field)] = value
    return app, _tree(chosen)


def _python_objects(app: str, values: dict[str, Any]) -> dict[tuple[str, str], Manifest]:
    application = App()
    chart = APPS[app](application, **props_overrides(LEAVES[app], values))
    return keyed(json.loads(json.dumps(chart.to_json())))


def _helm_objects(binary: str, app: str, values: dict[str, Any], tmp: Path) -> dict[tuple[str, str], Manifest]:
    file = tmp / "values.yaml"
    file.write_text(yaml.safe_dump(values))
    out = run_helm(binary, "template", "release", CHARTS[app], "--namespace", "airflow", "-f", file).stdout
    return keyed(parse_all(out))


@PROFILE
@given(case=value_sets())
def test_values_equal_props(helm: str, tmp_path: Path, case: tuple[str, dict[str, Any]]) -> None:  # noqa: F811
    app, values = case
    rendered = _helm_objects(helm, app, values, tmp_path)
    assert rendered == _python_objects(app, values)
    # A Job whose spec a value changed has a new name: applying it never edits an immutable template.
    default = {k: o for k, o in _python_objects(app, {}).items() if k[0] == "Job"}
    for (kind, name), obj in rendered.items():
        if kind == "Job" and (kind, name) in default:
            assert default[(kind, name)]["spec"] == obj["spec"]


_JOB_BASE = re.compile(r"-[0-9a-f]{8}$")


def test_a_changed_tag_renames_every_job(helm: str, tmp_path: Path) -> None:  # noqa: F811
    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", {"image": {"tag": "3.3.7"}}, tmp_path)
    jobs = sorted(name for kind, name in before if kind == "Job")
    renamed = sorted(name for kind, name in after if kind == "Job")
    assert [_JOB_BASE.sub("", n) for n in jobs] == [_JOB_BASE.sub("", n) for n in renamed]
    assert not set(jobs) & set(renamed)


def test_a_changed_setting_rolls_the_pods_and_renames_the_migration(helm: str, tmp_path: Path) -> None:  # noqa: F811
    def checksum(objects: dict[tuple[str, str], Manifest]) -> str:
        annotations = objects[("Deployment", "airflow-scheduler")]["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["airflow-constructs.io/config-checksum"])

    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", {"settings": {"parallelism": 1000000}}, tmp_path)
    config = after[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]
    assert "parallelism = 1000000\n" in config
    assert checksum(before) != checksum(after)
    assert {n for k, n in before if k == "Job" and n.startswith("airflow-migrate-")}.isdisjoint(
        {n for k, n in after if k == "Job"}
    )


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "image.typo=x"], "/image", "additional properties 'typo' not allowed"),
        (["--set", "resources.scheduler.cpu_limit=2"], "/resources/scheduler/cpu_limit", "got number, want string"),
        (["--set", "replicas.airflow-scheduler=-1"], "/replicas/airflow-scheduler", "minimum"),
        (["--set-string", "image.tag=3.3 2"], "/image/tag", "does not match pattern"),
        (["--set-string", "image.tag=3.2.0"], "/image/tag", "does not match pattern"),
        (["--set-string", "image.pull_policy=Sometimes"], "/image/pull_policy", "value must be one of"),
        (["--set-string", "resources.scheduler.memory_limit=2GB"], "/resources/scheduler/memory_limit", "pattern"),
        (["--set", "settings.parallelism=0"], "/settings/parallelism", "minimum"),
        (["--set-string", "settings.parallelism=32"], "/settings/parallelism", "got string, want integer"),
        (["--set", "settings.logging_level=LOUD"], "/settings/logging_level", "value must be one of"),
        (["--set", "api_server.expose.host=x"], "", "additional properties 'api_server' not allowed"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(helm: str, flags: list[str], field: str, problem: str) -> None:  # noqa: F811
    result = run_helm(helm, "template", "release", CHARTS["default"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_helm_install_example_works_against_the_packaged_chart(helm: str) -> None:  # noqa: F811
    match = re.search(r"^helm install airflow (?P<chart>\S+\.tgz) (?P<args>(?:.*\\\n)+.*)$", README.read_text(), re.M)
    assert match, "README: the `helm install ... --set image.tag=...` example is missing"
    assert match["chart"] == f"dist/helm/airflow-{__version__}.tgz", "README: the example names another version"
    args = match["args"].replace("\\\n", " ").split()
    assert "image.tag=3.3.1" in args and "resources.scheduler.cpu_limit=4" in args
    archive = README.parent / match["chart"]
    out = run_helm(helm, "template", "airflow", archive, *args).stdout
    scheduler = keyed(parse_all(out))[("Deployment", "airflow-scheduler")]["spec"]["template"]["spec"]
    main = next(c for c in scheduler["containers"] if c["name"] == "scheduler")
    assert main["image"] == "apache/airflow:3.3.1"
    assert main["resources"]["limits"] == {"cpu": "4", "memory": "8Gi"}


def test_an_invalid_host_is_refused_naming_the_field(helm: str) -> None:  # noqa: F811
    flags = ["--set", "api_server.expose.host=Not A Host"]
    result = run_helm(helm, "template", "release", CHARTS["ldap"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert "/api_server/expose/host" in result.stderr and "does not match pattern" in result.stderr, result.stderr
