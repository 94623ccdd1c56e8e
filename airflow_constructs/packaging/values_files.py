"""``values.yaml`` and ``values.schema.json`` of a chart: every value it honours, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from json import dumps
from json.encoder import encode_basestring_ascii
from typing import Any

from .templates import dump
from .value_leaf import ValueLeaf
from .values import default_values

_FAMILIES = {
    "replicas": "Pods per Airflow component, by workload name (0 stops the component).",
    "image": "The Airflow image every Airflow container runs (the config file's `image`).",
    "resources": "Requests and limits per component (the config file's `<component>.resources`).",
    "settings": "Typed airflow.cfg settings (the config file's `settings`).",
    "config": "More airflow.cfg options, {section: {key: option}} (the config file's `config`).",
}
_COMPONENT = "Settings of {0}: the config file's `{0}`."
_NESTED = {
    "expose": "How {0} is reached from outside the cluster (the config file's `{0}.expose`).",
    "image": "The {0} image (the config file's `{0}.image`).",
    "exporter_image": "The {0} metrics exporter image (the config file's `{0}.exporter_image`).",
}


def values_yaml(chart: str, replicas: Mapping[str, int], leaves: Sequence[ValueLeaf]) -> str:
    """``values.yaml``: the defaults, which render exactly the synthesized manifests."""
    head = (
        f"# Values of the {chart} chart. values.schema.json rejects any key not listed here.\n"
        "# Everything else (secrets, which components exist) is fixed when the chart is\n"
        "# generated: change it in Python with airflow-constructs and regenerate the chart.\n"
    )
    tree = _values_tree(replicas, leaves)
    if not tree:
        return head + "{}\n"
    return head + "".join(f"\n# {_family(key)}\n" + dump({key: value}) for key, value in tree.items())


def _family(key: str) -> str:
    return _FAMILIES.get(key) or _COMPONENT.format(key)


def _values_tree(replicas: Mapping[str, int], leaves: Sequence[ValueLeaf]) -> dict[str, Any]:
    tree: dict[str, Any] = {"replicas": dict(replicas)} if replicas else {}
    return {**tree, **default_values(list(leaves))}


def values_schema(
    chart: str, kinds: Mapping[str, str], replicas: Mapping[str, int], leaves: Sequence[ValueLeaf]
) -> dict[str, Any]:
    """The tree of ``values.schema.json``: exactly the values the chart honours; unknown keys are
    errors (``extra_objects.with_extra_objects`` adds its entry and writes it).

    ``kinds`` maps each workload name to its kind, for the replicas' descriptions.
    """
    properties: dict[str, Any] = {}
    if replicas:
        properties["replicas"] = _object(
            _FAMILIES["replicas"],
            {
                name: {
                    "description": f"spec.replicas of {kinds[name]}/{name}.",
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100,  # ComponentProps.replicas allows the same range
                    "default": count,
                }
                for name, count in replicas.items()
            },
        )
    for leaf in leaves:
        node = properties
        for depth, key in enumerate(leaf.path[:-1]):
            description = _family(key) if depth == 0 else _nested(".".join(leaf.path[:depth]), key)
            node = node.setdefault(key, _object(description, {}))["properties"]
        node[leaf.path[-1]] = {**leaf.schema, "default": leaf.default}
    _require_all(properties)
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"Values of the {chart} chart",
        "description": "Only the keys below are honoured; anything else is an error.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    return schema


def _nested(family: str, key: str) -> str:
    if family == "resources":
        return f"{key}: requests and limits."
    if key in _NESTED:
        return _NESTED[key].format(family)
    return f"Settings of {family}.{key}: the config file's `{family}.{key}`."


def _require_all(properties: dict[str, Any]) -> None:
    for node in properties.values():
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            _require_all(node["properties"])


def _object(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    # Every key is required (``_require_all``): a `--set x=null` would otherwise remove a default
    # the templates read.
    return {"description": description, "type": "object", "additionalProperties": False, "properties": properties}


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2)``, byte for byte, about four times faster for a chart's schema.

    ``indent`` makes ``json`` use its pure-Python encoder (a generator per container); this writes
    the same text with the C function for strings. Anything but dicts with text keys, lists, text,
    whole numbers, booleans and None (a float, a tuple, a subclass of dict) goes to ``json.dumps``.
    """
    parts: list[str] = []
    try:
        _indented(value, "\n", parts)
    except _Other:
        return dumps(value, indent=2)
    return "".join(parts)


class _Other(Exception):
    """A value ``indented_json`` leaves to ``json.dumps``."""


def _indented(value: Any, newline: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring_ascii(value))
    elif value is None or value is True or value is False:
        parts.append("null" if value is None else "true" if value else "false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is dict or kind is list:
        if not value:
            parts.append("{}" if kind is dict else "[]")
            return
        inner = newline + "  "
        parts.append("{" if kind is dict else "[")
        separator = inner
        for item in value.items() if kind is dict else value:
            parts.append(separator)
            separator = "," + inner
            if kind is dict:
                if type(item[0]) is not str:
                    raise _Other
                parts.append(encode_basestring_ascii(item[0]) + ": ")
                item = item[1]
            _indented(item, inner, parts)
        parts.append(newline + ("}" if kind is dict else "]"))
    else:
        raise _Other
