"""Objects rendered by Python (core/body_object.py) and synthesis from them (core/synthesis.py):
the same output as cdk8s's own ``App.synth()``, byte for byte, in every app and in a user's app."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsii
import pytest
import yaml
from cdk8s import ApiObject, ApiObjectMetadata, App, Chart, JsonPatch
from constructs import Construct
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_constructs.core.body_object import BodyObject, js_ordered, object_reference
from airflow_constructs.core.kube import api_object, one_shot_job
from airflow_constructs.core.synthesis import app_documents, chart_json, synth
from airflow_constructs.packaging.helm import load_documents
from apps.registry import APPS

LABELS = {"app.kubernetes.io/name": "demo"}


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_app_synthesizes_byte_for_byte_as_app_synth(name: str, tmp_path: Path) -> None:
    theirs, ours = App(outdir=str(tmp_path / "cdk8s")), App(outdir=str(tmp_path / "ours"))
    APPS[name](theirs)
    APPS[name](ours)
    theirs.synth()
    documents: dict[str, list[dict[str, Any]]] = {}
    written = synth(ours, documents=documents)
    assert _files(tmp_path / "ours") == _files(tmp_path / "cdk8s")
    # Without documents asked for, the YAML is written from the objects as Python holds them.
    held = App(outdir=str(tmp_path / "held"))
    APPS[name](held)
    assert synth(held) == {tmp_path / "held" / path.name: count for path, count in written.items()}
    assert _files(tmp_path / "held") == _files(tmp_path / "cdk8s")
    assert written == {
        tmp_path / "ours" / path.name: len([d for d in yaml.safe_load_all(path.read_text()) if d])
        for path in (tmp_path / "cdk8s").iterdir()
    }
    # python -m apps builds each chart from these objects instead of reading the files back.
    assert json.dumps(app_documents(ours)) == json.dumps(load_documents(tmp_path / "cdk8s"))
    assert json.dumps(documents) == json.dumps(app_documents(ours))


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_chart_json_is_what_chart_to_json_hands_back(name: str) -> None:
    app = App()
    APPS[name](app)
    for chart in app.charts:
        # json.dumps compares the order of keys too
        assert json.dumps(chart_json(chart)) == json.dumps(list(chart.to_json()))


def _user_chart(**chart: Any) -> tuple[App, Chart]:
    app = App()
    return app, Chart(app, "user", namespace="team", **chart)


def _settings(chart: Chart, body: dict[str, Any]) -> Any:
    """A ConfigMap with our labels and two annotations whose order differs from their sorted order."""
    return api_object(
        chart,
        "cm",
        api_version="v1",
        kind="ConfigMap",
        name="settings",
        labels=LABELS,
        annotations={"z": "1", "a": "2"},
        body=body,
    )


def test_a_body_object_in_a_users_app_renders_as_cdk8s_merges_metadata(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    chart = Chart(app, "user", namespace="team", labels={"team": "data", "app.kubernetes.io/name": "chart"})
    _settings(chart, {"data": {"b": "1", "10": "x", "2": "y", "a": "z"}, "binaryData": None})
    app.synth()
    assert yaml.safe_load((tmp_path / "user.k8s.yaml").read_text()) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "annotations": {"a": "2", "z": "1"},
            "labels": {"app.kubernetes.io/name": "demo", "team": "data"},
            "name": "settings",
            "namespace": "team",
        },
        "data": {"2": "y", "10": "x", "b": "1", "a": "z"},
    }
    assert json.dumps(chart_json(chart)) == json.dumps(list(chart.to_json()))
    assert list(chart_json(chart)[0]["data"]) == ["2", "10", "b", "a"]


def test_escape_hatches_move_the_body_to_node_and_still_apply() -> None:
    _, chart = _user_chart()
    patched = api_object(
        chart, "a", api_version="v1", kind="ConfigMap", name="a", labels=LABELS, body={"data": {"k": "v"}}
    )
    labelled = api_object(chart, "b", api_version="v1", kind="ConfigMap", name="b", labels=LABELS, body={"data": {}})
    assert isinstance(patched, BodyObject) and not patched.in_node
    patched.add_json_patch(JsonPatch.add("/data/extra", "1"))
    labelled.metadata.add_label("added", "later")
    assert patched.in_node and labelled.in_node
    rendered = {m["metadata"]["name"]: m for m in chart.to_json()}
    assert rendered["a"]["data"] == {"extra": "1", "k": "v"}
    assert rendered["b"]["metadata"]["labels"] == {**LABELS, "added": "later"}
    assert chart_json(chart) == list(chart.to_json())
    with pytest.raises(
        ValueError, match=r"^user/a: the body was moved to node \(add_json_patch or metadata\): patch it there$"
    ):
        patched.body  # noqa: B018


def test_node_renders_a_moved_object_as_python_did() -> None:
    """The labels and annotations, kept in Python until then, reach node's metadata when the object moves."""
    _, chart = _user_chart(labels={"team": "data", "app.kubernetes.io/name": "chart"})
    objects = [
        _settings(chart, {"data": {"b": "1", "10": "x"}}),
        api_object(chart, "other", api_version="v1", kind="Secret", name="s", labels={}, namespace="elsewhere"),
    ]
    before = [json.dumps(js_ordered(obj.to_json())) for obj in objects]
    for obj in objects:
        obj.to_node()
    assert [json.dumps(obj.to_json()) for obj in objects] == before
    assert all(obj.in_node for obj in objects)


@pytest.fixture
def create_requests() -> Iterator[list[Any]]:
    """The ``create`` requests Python sends to node while the test runs."""
    provider, requests = jsii.kernel.provider, list[Any]()
    original = provider.create
    provider.create = lambda request: requests.append(request) or original(request)
    yield requests
    provider.create = original


@pytest.mark.parametrize("namespace", [None, "elsewhere"])
def test_a_body_object_sends_node_what_a_checked_api_object_sends(
    namespace: str | None, create_requests: list[Any]
) -> None:
    _, chart = _user_chart()
    api_object(chart, "a", api_version="v1", kind="ConfigMap", name="n", labels=LABELS, namespace=namespace)
    ApiObject(chart, "b", api_version="v1", kind="ConfigMap", metadata=ApiObjectMetadata(name="n", namespace=namespace))
    ours, theirs = create_requests[-2:]
    assert ours.args[:2] == [chart, "a"] and theirs.args[:2] == [chart, "b"]
    assert (ours.fqn, ours.args[2], ours.interfaces) == (theirs.fqn, theirs.args[2], theirs.interfaces)
    assert ours.args[2]["$jsii.struct"]["data"]["metadata"]["$jsii.struct"]["data"]["namespace"] == namespace
    assert {o.method for o in ours.overrides} == {"toJson", "addJsonPatch"}


@pytest.mark.parametrize(
    ("argument", "value", "allowed"),
    [
        ("scope", "chart", "a Construct"),
        ("id", 1, "a str"),
        ("api_version", None, "a str"),
        ("kind", b"ConfigMap", "a str"),
        ("name", 3, "a str"),
        ("labels", {"a": 1}, "a mapping of str to str"),
        ("annotations", {1: "a"}, "a mapping of str to str or None"),
        ("namespace", ["ns"], "a str or None"),
    ],
)
def test_a_body_object_refuses_arguments_of_the_wrong_type(argument: str, value: Any, allowed: str) -> None:
    _, chart = _user_chart()
    args: dict[str, Any] = {"scope": chart, "id": "cm", "api_version": "v1", "kind": "ConfigMap", "name": "c"}
    args["labels"] = LABELS
    args[argument] = value
    with pytest.raises(TypeError) as err:
        api_object(**args)
    assert str(err.value) == f"BodyObject: argument {argument} is {value!r}: expected {allowed}"


@pytest.fixture
def jsii_calls() -> Iterator[Counter[str]]:
    """How many requests of each kind Python sends to node while the test runs."""
    provider, counts = jsii.kernel.provider, Counter[str]()
    names = ("create", "invoke", "sinvoke", "get", "sget", "set", "sset")
    originals = {name: getattr(provider, name) for name in names}
    for name, original in originals.items():
        setattr(provider, name, lambda request, _o=original, _n=name: counts.update([_n]) or _o(request))
    yield counts
    for name, original in originals.items():
        setattr(provider, name, original)


def _once(chart: Chart) -> ApiObject:
    """A one-shot Job named ``once-<hash of its spec>``."""
    return one_shot_job(
        chart,
        "job",
        base_name="once",
        labels=LABELS,
        template={"spec": {}},
        backoff_limit=1,
        ttl_seconds_after_finished=60,
    )


def test_a_body_object_costs_one_round_trip(jsii_calls: Counter[str]) -> None:
    _, chart = _user_chart()
    jsii_calls.clear()
    api_object(chart, "cm", api_version="v1", kind="ConfigMap", name="c", labels=LABELS, body={"data": {"k": "v"}})
    _once(chart)
    assert jsii_calls == Counter({"create": 2})


def test_an_objects_reference_is_read_without_a_round_trip(jsii_calls: Counter[str]) -> None:
    _, chart = _user_chart()
    held = api_object(chart, "d", api_version="apps/v1", kind="Deployment", name="web", labels=LABELS)
    plain = ApiObject(chart, "p", api_version="v1", kind="ConfigMap", metadata={"name": "plain"})
    jsii_calls.clear()
    assert object_reference(held) == ("apps/v1", "Deployment", "web")
    assert jsii_calls == Counter()
    assert object_reference(plain) == ("v1", "ConfigMap", "plain")


def test_a_one_shot_job_is_named_by_its_spec_in_python_and_in_node() -> None:
    _, chart = _user_chart()
    job = _once(chart)
    python_name = chart_json(chart)[0]["metadata"]["name"]
    assert python_name.startswith("once-") and len(python_name) == len("once-") + 8
    assert next(iter(chart.to_json()))["metadata"]["name"] == python_name
    job.add_json_patch(JsonPatch.replace("/spec/backoffLimit", 2))
    assert next(iter(chart.to_json()))["metadata"]["name"] not in ("once", python_name)


def _dependent_app(tmp_path: Path, nested: bool) -> App:
    app = App(outdir=str(tmp_path))
    chart = Chart(app, "user", namespace="team")
    scope: Construct = Chart(chart, "inner") if nested else chart
    first = api_object(scope, "first", api_version="v1", kind="ConfigMap", name="first", labels=LABELS, body={})
    second = api_object(chart, "second", api_version="v1", kind="ConfigMap", name="second", labels=LABELS, body={})
    ApiObject(chart, "plain", api_version="v1", kind="ConfigMap", metadata={"name": "plain"})
    if not nested:
        first.node.add_dependency(second)  # cdk8s writes "second" first
    return app


@pytest.mark.parametrize("nested", [False, True], ids=["dependency", "nested chart"])
def test_an_app_whose_order_cdk8s_changes_is_written_as_cdk8s_writes_it(nested: bool, tmp_path: Path) -> None:
    _dependent_app(tmp_path / "cdk8s", nested).synth()
    ours = _dependent_app(tmp_path / "ours", nested)
    documents: dict[str, list[dict[str, Any]]] = {}
    synth(ours, documents=documents)
    assert _files(tmp_path / "ours") == _files(tmp_path / "cdk8s")
    assert documents == app_documents(ours)
    if not nested:
        docs = yaml.safe_load_all((tmp_path / "ours" / "user.k8s.yaml").read_text())
        assert [d["metadata"]["name"] for d in docs] == ["second", "first", "plain"]


def test_js_ordered_puts_array_index_keys_first_and_drops_none() -> None:
    value = {"b": 1, "10": 2, "01": 3, "2": {"y": None, "x": [None, {"1": 0, "a": 1}]}, "4294967295": 4}
    assert json.dumps(js_ordered(value)) == json.dumps(
        {"2": {"x": [None, {"1": 0, "a": 1}]}, "10": 2, "b": 1, "01": 3, "4294967295": 4}
    )


_INDEX_LIKE = ["0", "7", "10", "01", "4294967294", "4294967295"]
_KEYS = st.one_of(st.text(alphabet="ab01 9", max_size=4), st.sampled_from(_INDEX_LIKE))


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=3)),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)),
        max_leaves=10,
    )
)
def test_js_ordered_is_what_a_round_trip_through_node_hands_back(value: Any) -> None:
    document = {"root": value}
    assert json.dumps(js_ordered(document)) == json.dumps(JsonPatch.apply(document))
