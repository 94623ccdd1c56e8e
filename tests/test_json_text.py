"""``values_files.indented_json``: the text ``json.dumps(value, indent=2)`` writes, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_constructs.packaging.values_files import indented_json
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        "",
        0,
        -3,
        True,
        False,
        None,
        {"a": [], "b": {}, "c": [[[]]]},
        {'é \u2028 " \\ \n \t \x00 😀': ["x", 1, True, None, False, {"": {}}]},
        {"k": [1, [2, {"z": None, "y": "</script>"}]], "n": 10**30},
        # left to json.dumps: a float, a number key, a tuple, a subclass of dict or str
        {"f": 1.5},
        {1: 2},
        {"t": (1, 2)},
        {"o": type("D", (dict,), {})(a=1)},
        {"s": type("S", (str,), {})("x")},
    ],
)
def test_indented_json_writes_what_json_dumps_writes(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, indent=2)


def test_every_charts_schema_is_written_as_json_dumps_writes_it() -> None:
    schemas = sorted((ROOT / "dist" / "helm" / "charts").glob("*/values.schema.json"))
    assert len(schemas) == 9
    for path in schemas:
        text = path.read_text()
        assert indented_json(json.loads(text)) + "\n" == text
