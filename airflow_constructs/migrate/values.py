"""An official-chart values file as leaf keys, each with the line it is on.

A *leaf* is a dotted path (``scheduler.resources.limits.cpu``) whose value is a scalar, a list or an
empty mapping: the unit the migration report accounts for, so that no key of the input can go
unmentioned. Lists are leaves as a whole (``env``, ``tolerations``, ``extraVolumes``): their items
have no names to report by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode


class ValuesError(ValueError):
    """A values file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class Leaf:
    """One key of the input: its dotted path, its value and its 1-based line."""

    path: str
    value: Any
    line: int


def load_values(path: Path, opaque: Callable[[str], bool]) -> tuple[dict[str, Any], list[Leaf]]:
    """The parsed values and their leaves, in file order; ``ValuesError`` when it is not a mapping.

    ``opaque(path)`` says which mappings are one setting (node selectors, annotations) and are not
    walked into: their keys are free-form names.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValuesError(f"{path}: cannot read the file: {getattr(err, 'strerror', None) or err}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ValuesError(f"{path}{where}: malformed YAML: {err.problem or err.context}") from None
    if data is None:
        return {}, []
    if not isinstance(data, dict) or not isinstance(node, MappingNode):
        raise ValuesError(f"{path}: expected a mapping of chart values at the top level, got {type(data).__name__}")
    leaves: list[Leaf] = []
    _walk(node, "", data, leaves, opaque)
    return data, leaves


def _walk(node: Node, prefix: str, value: Any, leaves: list[Leaf], opaque: Callable[[str], bool]) -> None:
    assert isinstance(node, MappingNode)
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        key = str(key_node.value)
        path = f"{prefix}.{key}" if prefix else key
        child = value.get(key_node.value) if isinstance(value, dict) else None
        if child is None and isinstance(value, dict):
            # YAML may have typed the key (``1: x``, ``true: y``); look it up as loaded.
            child = next((v for k, v in value.items() if str(k) == key), None)
        if isinstance(value_node, MappingNode) and isinstance(child, dict) and child and not opaque(path):
            _walk(value_node, path, child, leaves, opaque)
        else:
            leaves.append(Leaf(path, child, key_node.start_mark.line + 1))


def get(data: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path of the parsed values, or ``default``."""
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current
