"""core/node_yaml.py writes what cdk8s's ``Yaml.stringify`` writes, byte for byte, or declines."""

from __future__ import annotations

from typing import Any

import pytest
from cdk8s import App, Yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_constructs.core import node_yaml
from airflow_constructs.core.body_object import js_ordered
from airflow_constructs.core.synthesis import _plain_charts, _render
from apps.registry import APPS

TRICKY = [
    "",
    "plain",
    "3.3.2",
    "1",
    "0755",
    "0x1F",
    "1_000",
    "1e3",
    ".5",
    ".inf",
    "-.Inf",
    ".nan",
    "12:30",
    "190:20:30.15",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 Z",
    "y",
    "Yes",
    "off",
    "ON",
    "null",
    "~",
    "<<",
    "=",
    "-",
    "?",
    "- item",
    "? key",
    "a: b",
    "a:b",
    "ends:",
    "ends ",
    " starts",
    "#comment",
    "a #b",
    "a#b",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "'single'",
    '"double"',
    "it's",
    'say "hi"',
    "both ' and \"",
    "back\\slash",
    "tab\there",
    "%directive",
    "---",
    "...",
    "@at",
    "`tick",
    "{flow}",
    "[flow]",
    "a, b",
    "héllo",
    "line\n",
    "line\nline",
    "line\nline\n",
    "line\n\n",
    "line\n\nline\n\n\nline",
    "  indented\nline\n",
    "\nleading newline",
    "trailing space \nline",
    "line\n  more indented\n",
    "line\n ",
    "line\r\n",
    "--- marker\nline",
    "line\n...\n",
    "bell\x07",
]


def _node(docs: list[Any]) -> str:
    return str(Yaml.stringify(*docs))


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_app_is_written_as_node_writes_it(name: str) -> None:
    app = App()
    APPS[name](app)
    charts = _plain_charts(app)
    assert charts is not None
    for chart, objects in charts:
        docs = [js_ordered(_render(obj, chart)) for obj in objects]
        assert node_yaml.dump(docs) == _node(docs)


@pytest.mark.parametrize("text", TRICKY, ids=repr)
def test_a_tricky_string_is_written_as_node_writes_it_or_left_to_node(text: str) -> None:
    docs = [
        {"key": text, text or "empty": "value", "list": [text, {"in": text, "n": 1}], "nested": {"deeper": {"k": text}}}
    ]
    written = node_yaml.dump(js_ordered(docs))
    assert written is None or written == _node(docs)


def test_the_values_it_declines_are_left_to_node() -> None:
    for value in (None, 1.5, 2**53, "\r", "'both' and \"", "#back\\slash", "line\n "):
        assert node_yaml.dump([{"k": value}]) is None
    assert node_yaml.dump([{"k": [], "m": {}, "t": True, "f": False, "i": -3}]) == _node(
        [{"k": [], "m": {}, "t": True, "f": False, "i": -3}]
    )


_TEXT = st.text(alphabet=st.sampled_from(list("ab0:1 -#'\"\n.xyYe_\t%&*!|>@`[]{},?~\\é")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(_TEXT, st.integers(-(2**60), 2**60), st.booleans()),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
        max_leaves=8,
    )
)
def test_any_value_is_written_as_node_writes_it_or_left_to_node(value: Any) -> None:
    docs = [{"root": value}]
    written = node_yaml.dump(js_ordered(docs))
    assert written is None or written == _node(docs)


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_app_is_written_from_the_objects_python_holds_as_from_node_s(name: str) -> None:
    app = App()
    APPS[name](app)
    charts = _plain_charts(app)
    assert charts is not None
    for chart, objects in charts:
        docs = [_render(obj, chart) for obj in objects]
        assert node_yaml.dump_held(docs) == node_yaml.dump([js_ordered(doc) for doc in docs])


def test_held_mappings_that_jsii_would_change_are_written_as_node_gets_them() -> None:
    docs = [
        {
            "kind": "K",
            "gone": {"x": None},
            "list": [{"y": None}, {"z": None, "k": "v"}, None],
            "spec": {"replicas": None, "b": 1, "10": "ten", "2": {"1": "one", "a": "b"}},
        },
        {"kind": "K", "data": {"only": None}},
    ]
    ordered = js_ordered(docs)
    assert node_yaml.dump_held(docs) == node_yaml.dump(ordered) is None  # the None in the list
    docs[0]["list"] = docs[0]["list"][:2]
    assert node_yaml.dump_held(docs) == node_yaml.dump(js_ordered(docs)) == _node(js_ordered(docs))
    assert node_yaml.dump_held([{"all": None}]) is None


_HELD_KEY = st.one_of(_TEXT, st.sampled_from(["0", "1", "10", "01", "4294967295"]))


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(_TEXT, st.integers(-(2**60), 2**60), st.booleans(), st.none()),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_HELD_KEY, inner, max_size=3)),
        max_leaves=8,
    )
)
def test_any_held_value_is_written_as_from_what_node_gets(value: Any) -> None:
    docs = [{"root": value, "kind": "K"}]
    assert node_yaml.dump_held(docs) == node_yaml.dump(js_ordered(docs))
