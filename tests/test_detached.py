"""Apps built without node (airflow_constructs/core/detached.py): the same constructs and objects as
the same app built with node, or None (built with node then) when the app needs node."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsii
import pytest
from cdk8s import ApiObject, ApiObjectMetadata, App, Chart, JsonPatch
from constructs import Construct

from airflow_constructs.core.detached import detached_build
from airflow_constructs.core.kube import api_object, namespace_of
from airflow_constructs.core.synthesis import app_documents, synth, write_documents
from airflow_constructs.imports import keda
from airflow_constructs.packaging.values import airflow_props, props_overrides, sentinel_values, value_leaves
from apps.registry import APPS
from apps.synthesis import BUILT_WITH_NODE

LABELS = {"app.kubernetes.io/name": "demo"}
CALLS = ("create", "get", "set", "invoke", "sinvoke", "sget", "sset", "ainvoke")


def _with_node(build: Callable[[App], object]) -> App:
    app = App()
    build(app)
    return app


def _same_as_with_node(build: Callable[[App], object]) -> int:
    """How many objects node made in the detached build, which gives what the build with node gives."""
    detached = detached_build(build)
    assert detached is not None
    app = _with_node(build)
    # json.dumps compares the order of keys and of objects too
    assert json.dumps(detached.documents) == json.dumps(app_documents(app))
    built = [(type(c), c.node.path) for c in app.node.find_all()[1:]]
    assert [(type(c), path) for c, path in zip(detached.constructs, detached.paths, strict=True)] == built
    return detached.in_node


@pytest.mark.parametrize("name", list(APPS))
def test_every_example_app_detached_is_the_app_built_with_node_with_its_settings_and_sentinels(name: str) -> None:
    build = APPS[name]
    leaves = value_leaves(airflow_props(_with_node(build)))
    overrides = props_overrides(leaves, sentinel_values(leaves))
    # Only the CRD bindings' objects are made by node: python -m apps hands those apps to the process
    # whose node is up (BUILT_WITH_NODE).
    assert bool(_same_as_with_node(build)) == (name in BUILT_WITH_NODE)
    assert bool(_same_as_with_node(lambda app: build(app, **overrides))) == (name in BUILT_WITH_NODE)


def test_the_detached_constructs_give_the_props_the_chart_values_come_from() -> None:
    detached = detached_build(APPS["production"])
    assert detached is not None
    assert airflow_props(detached.constructs) == airflow_props(_with_node(APPS["production"]))


def _user_app(app: App) -> None:
    chart = Chart(app, "user", namespace="team", labels={"team": "data", "app.kubernetes.io/name": "chart"})
    group = Construct(Construct(chart, "outer"), "inner")
    api_object(group, "cm", api_version="v1", kind="ConfigMap", name="deep", labels=LABELS, body={"data": {"b": "1"}})
    api_object(
        chart,
        "cm",
        api_version="v1",
        kind="ConfigMap",
        name=str(namespace_of(group)),  # Chart.of and the chart's namespace, asked from a nested scope
        labels=LABELS,
        annotations={"z": "1", "a": "2"},
        body={"data": {"b": "1", "10": "x", "2": "y", "a": "z"}, "binaryData": None},
    )
    other = Chart(app, "other", labels={"tier": "x"})
    obj = api_object(other, "svc", api_version="v1", kind="Service", name="svc", labels={}, body={"spec": {}})
    api_object(other, "copy", api_version="v1", kind="ConfigMap", name=f"{obj.name}-{obj.kind}", labels={}, body={})
    for scope, name in ((chart, "a"), (group, "b"), (other, "c")):  # made by node, in a shadow of their chart
        scaled = keda.ScaledObject(
            scope,
            f"so-{name}",
            metadata=ApiObjectMetadata(name=name, labels={"z": "1", "b": "2"}),
            spec=keda.ScaledObjectSpec(
                scale_target_ref=keda.ScaledObjectSpecScaleTargetRef(name=obj.name, kind=obj.kind),
                triggers=[keda.ScaledObjectSpecTriggers(type="cron", metadata={"z": "1", "10": "x", "a": "2"})],
                max_replica_count=3,
            ),
        )
        api_object(scope, f"after-{name}", api_version="v1", kind="ConfigMap", name=scaled.name, labels={})


def test_a_users_app_detached_is_the_app_built_with_node() -> None:
    assert _same_as_with_node(_user_app) == 3


def _plain_api_object(app: App) -> None:
    ApiObject(Chart(app, "c"), "plain", api_version="v1", kind="ConfigMap")


def _unnamed_crd_object(app: App) -> None:
    keda.ScaledObject(
        Chart(app, "c"),
        "so",
        spec=keda.ScaledObjectSpec(scale_target_ref=keda.ScaledObjectSpecScaleTargetRef(name="x"), triggers=[]),
    )


def _crd_object_twice(app: App) -> None:
    chart = Chart(app, "c")
    api_object(chart, "so", api_version="v1", kind="ConfigMap", name="a", labels={})
    keda.ScaledObject(
        chart,
        "so",
        metadata=ApiObjectMetadata(name="so"),
        spec=keda.ScaledObjectSpec(scale_target_ref=keda.ScaledObjectSpecScaleTargetRef(name="x"), triggers=[]),
    )


def _patched(app: App) -> None:
    obj = api_object(Chart(app, "c"), "a", api_version="v1", kind="ConfigMap", name="a", labels={}, body={"data": {}})
    obj.add_json_patch(JsonPatch.add("/data/k", "v"))


def _metadata_read(app: App) -> None:
    obj = api_object(Chart(app, "c"), "a", api_version="v1", kind="ConfigMap", name="a", labels={}, body={})
    obj.metadata.add_label("added", "later")


def _nested_chart(app: App) -> None:
    api_object(Chart(Chart(app, "outer"), "inner"), "a", api_version="v1", kind="ConfigMap", name="a", labels={})


def _construct_at_the_top(app: App) -> None:
    api_object(Construct(app, "group"), "a", api_version="v1", kind="ConfigMap", name="a", labels={})


def _hashed_file_name(app: App) -> None:
    api_object(Chart(app, "My_Chart"), "a", api_version="v1", kind="ConfigMap", name="a", labels={})


def _dependency(app: App) -> None:
    chart = Chart(app, "c")
    a = api_object(chart, "a", api_version="v1", kind="ConfigMap", name="a", labels={})
    b = api_object(chart, "b", api_version="v1", kind="ConfigMap", name="b", labels={})
    b.node.add_dependency(a)


def _twice(app: App) -> None:
    chart = Chart(app, "c")
    api_object(chart, "a", api_version="v1", kind="ConfigMap", name="a", labels={})
    api_object(chart, "a", api_version="v1", kind="ConfigMap", name="b", labels={})


def _fails(app: App) -> None:
    Chart(app, "c")
    raise ValueError("the user's own error")


@pytest.mark.parametrize(
    "build",
    [
        _plain_api_object,
        _unnamed_crd_object,
        _crd_object_twice,
        _patched,
        _metadata_read,
        _nested_chart,
        _construct_at_the_top,
        _hashed_file_name,
        _dependency,
        _twice,
        _fails,
    ],
)
def test_an_app_that_needs_node_is_not_built_detached_and_jsii_is_left_as_it_was(
    build: Callable[[App], object],
) -> None:
    before = {name: getattr(jsii, name) for name in CALLS}
    assert detached_build(build) is None
    assert {name: getattr(jsii, name) for name in CALLS} == before


def test_an_error_of_the_app_is_raised_by_its_build_with_node() -> None:
    # detached_build gives None; the caller's build with node raises the app's error.
    assert detached_build(_fails) is None
    with pytest.raises(ValueError, match=r"^the user's own error$"):
        _with_node(_fails)
    with pytest.raises(RuntimeError, match="There is already a Construct with name 'a'"):
        _with_node(_twice)


def test_construct_metadata_is_left_to_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK8S_RECORD_CONSTRUCT_METADATA", "true")
    assert detached_build(_user_app) is None


@pytest.mark.parametrize("name", [name for name in APPS if name not in BUILT_WITH_NODE])
def test_detached_objects_are_written_as_synth_writes_them(name: str, tmp_path: Path) -> None:
    detached = detached_build(APPS[name])
    assert detached is not None
    written = write_documents(tmp_path / "detached", detached.documents)
    app = App(outdir=str(tmp_path / "node"))
    APPS[name](app)
    assert written == {tmp_path / "detached" / path.name: count for path, count in synth(app).items()}
    for path in (tmp_path / "node").iterdir():
        assert (tmp_path / "detached" / path.name).read_bytes() == path.read_bytes()


def test_documents_node_yaml_declines_are_not_written(tmp_path: Path) -> None:
    documents: dict[str, list[dict[str, Any]]] = {
        "ok.yaml": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}],
        "float.yaml": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"x": 1.5}}],
    }
    assert write_documents(tmp_path / "out", documents) is None
    assert not (tmp_path / "out").exists()
