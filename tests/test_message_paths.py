"""Every refusal in the bad-input catalogues names a field that exists in schema/airflow.schema.json.

A message starts with where the problem is: ``<Model>.<path>`` (Python, e.g.
``AirflowProps.executor.worker_sets[1].pod.pod_labels``) or ``<file>:<line>:<col>: <path>`` (the
config file). The path is walked through the JSON Schema (``properties``, ``items``, ``anyOf`` /
``oneOf`` members, ``$ref``); it must reach a field. A message at a whole model (``AirflowProps:``,
``Toleration:``) is a check across fields: the fields it names must then resolve from that model.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_bad_inputs import BAD
from tests.test_cli import BAD_CONFIGS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA: dict[str, Any] = json.loads((ROOT / "schema" / "airflow.schema.json").read_text())
_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_FIELD_IN_TEXT = re.compile(r"\b([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\b")


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _members(node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _deref(node)
    alternatives = node.get("anyOf") or node.get("oneOf") or node.get("allOf")
    if alternatives:
        return [m for alt in alternatives for m in _members(alt)]
    return [node]


def resolve(root: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The schema nodes ``path`` reaches from ``root`` (empty: it names no field)."""
    nodes = [root]
    pos = 0
    while pos < len(path):
        match = _STEP.match(path, pos)
        if not match:
            return []
        pos = match.end()
        name, index = match.groups()
        following: list[dict[str, Any]] = []
        for node in (m for n in nodes for m in _members(n)):
            if index is not None and "items" in node:
                following.append(node["items"])
            elif name is not None and name in node.get("properties", {}):
                following.append(node["properties"][name])
            elif name is not None and isinstance(node.get("additionalProperties"), dict):
                following.append(node["additionalProperties"])  # a key of a mapping field
        nodes = following
    return nodes


def _model_schema(model: str) -> dict[str, Any] | None:
    if model == "AirflowProps":
        return SCHEMA
    return SCHEMA["$defs"].get(model)


def _python_cases() -> list[Any]:
    return [pytest.param(p.values[1], id=p.id) for p in BAD if p.id not in NOT_A_PROP]


def _named_fields_resolve(root: dict[str, Any], text: str) -> bool:
    """A check across fields: at least one field it names (``flower.enabled``) is a field of ``root``."""
    return any(resolve(root, candidate) for candidate in _FIELD_IN_TEXT.findall(text) if "_" in candidate or "." in
               candidate or candidate in root.get("properties", {}))  # fmt: skip


NOT_A_PROP = {
    "bad-release-name": "the construct id, which becomes the release name: the message names both",
    **dict.fromkeys(
        ["release-instance", "release-instance-length", "release-pull-secrets"],
        "a backing service's Release, which only Python gives (Airflow builds it from its own props)",
    ),
}
"""Catalogue cases whose message is about something other than a prop, and why."""


def _where(path: str, text: str) -> str:
    # An unknown field is by definition not in the schema: the mapping it was found in must be.
    return path.rpartition(".")[0] if text.startswith("unknown field") else path


def check_python_message(message: str) -> str | None:
    """None when the message's location resolves, else why not."""
    first = message.splitlines()[0]
    head, _, text = first.partition(": ")
    model, _, path = head.partition(".")
    path = _where(path, text)
    root = _model_schema(model)
    if root is None:
        return f"{model!r} is not a model of the schema"
    if not path and not text.startswith("unknown field"):
        return None if _named_fields_resolve(root, text) else f"{first!r} names no field of {model}"
    nodes = resolve(root, path)
    if not nodes:
        return f"{path!r} is not a field of {model}"
    return _leaf_problem(nodes, text, path)


WHOLE_VALUE = ("expected kind", "Input should be a valid dictionary", "required field is missing", "unknown field")
"""Refusals of a whole model value (its kind, its type, its presence): the model is the right place."""


def _leaf_problem(nodes: list[dict[str, Any]], text: str, path: str) -> str | None:
    """A message at a model (not a leaf) must be about the whole value or name the model's fields."""
    members = [m for n in nodes for m in _members(n)]
    fields = {f for m in members for f in m.get("properties", {})}
    if any(m.get("type") == "array" for m in members):  # a check of the list as a whole
        return None
    if not fields or any(w in text for w in WHOLE_VALUE) or any(re.search(rf"\b{f}\b", text) for f in fields):
        return None
    return f"{path!r} is a model and the message names none of its fields: name the leaf ({', '.join(sorted(fields))})"


@pytest.mark.parametrize("message", _python_cases())
def test_python_message_names_a_schema_field(message: str) -> None:
    assert check_python_message(message) is None


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_config_file_message_names_a_schema_field(name: str) -> None:
    for line in BAD_CONFIGS[name].splitlines():
        if re.match(r"^[^:]+(:\d+:\d+)?: (malformed|expected a mapping)", line):
            continue  # not YAML/JSON, or not a mapping: no field to name
        match = re.match(r"^[^:]+:\d+:\d+: ([^:]+): (.*)", line)
        assert match, line
        path = _where(match.group(1), match.group(2))
        nodes = resolve(SCHEMA, path) if path else [SCHEMA]
        assert nodes, f"{path!r} is not a field of the config file"
        assert _leaf_problem(nodes, match.group(2), path) is None


def test_the_resolver_refuses_what_is_not_a_field() -> None:
    assert resolve(SCHEMA, "executor[0].worker_sets[1].pod.pod_labels")
    assert resolve(SCHEMA, "scheduler.pod.extra_env[0].name")
    assert not resolve(SCHEMA, "scheduler.pods")
    assert not resolve(SCHEMA, "image.airflow_versions")
    assert check_python_message("AirflowProps.imag: x") == "'imag' is not a field of AirflowProps"
    assert check_python_message("AirflowProps.image: Airflow version '2.9.3' is not supported") == (
        "'image' is a model and the message names none of its fields: name the leaf (airflow_version, digest, "
        "pull_policy, repository, tag)"
    )
