"""The charts' YAML is written by libyaml (fast) and must be byte for byte the pure-Python emitter's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_constructs.packaging import yaml_text
from airflow_constructs.packaging.templates import load_all

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = 300 if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else 150

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: dump is the pure emitter")


def _chart_objects() -> list[Any]:
    """Every object the charts are written from (the synthesized files, values and Chart.yaml)."""
    files = sorted(ROOT.glob("dist/*/*.k8s.yaml")) + sorted(ROOT.glob("dist/helm/charts/*/*.yaml"))
    return [doc for path in files for doc in load_all(path.read_text())]


def test_libyaml_is_used() -> None:
    assert yaml_text._CDumper is not None


def test_every_chart_object_dumps_to_the_pure_emitters_bytes() -> None:
    objects = _chart_objects()
    assert len(objects) > 300
    # Whole objects, and their parts (a Job's spec, a ConfigMap's data are dumped on their own).
    parts = [value for obj in objects if isinstance(obj, dict) for value in obj.values()]
    for node in objects + parts:
        assert yaml_text.dump(node) == yaml_text.dump_pure(node)


def test_lists_under_keys_are_indented_like_the_pure_emitters() -> None:
    doc = {"a": [{"b": ["x", {"c": "line 1\n- not a list\nc:\n"}]}, [" lead", "end: |"]], "d": {"e": []}}
    text = yaml_text.dump(doc)
    assert text == yaml_text.dump_pure(doc)
    assert text.startswith("a:\n  - b:\n      - x\n      - c: |\n          line 1\n          - not a list\n")


@pytest.mark.parametrize(
    "doc",
    [
        {"": None},  # the pure emitter writes an empty key as "? ''"
        {"k" * 130: 1},  # and a long key the same way
        [[1], ["\n", 2]],  # libyaml ends with "..." after a "|+" scalar that is not the last node
        {"data": {"a": "x\n\n", "b": " lead\n", "c": "trailing \n"}},
        "a lone scalar",
        {"held": (shared := {"k": [1]}), "twice": shared},  # PyYAML writes an anchor and an alias
        {"float": 1.5, "text": "1.5"},
    ],
)
def test_documents_the_emitters_write_differently_fall_back_to_the_pure_one(doc: Any) -> None:
    assert yaml_text.dump(doc) == yaml_text.dump_pure(doc)


_PIECES = [*"ab -:|>#'\"\n\t{}[],&*!%@`?~é", "{{", "true", "1.5", "y", "null", "- ", ": "]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)
_SCALARS = st.one_of(_TEXT, st.integers(-(2**40), 2**40), st.booleans(), st.none())
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCS)
def test_generated_documents_dump_to_the_pure_emitters_bytes(doc: Any) -> None:
    assert yaml_text.dump(doc) == yaml_text.dump_pure(doc)
