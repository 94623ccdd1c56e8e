"""Template actions inside ``with`` blocks: values whose emptiness writes nothing.

* An optional text value (an image digest) with its prefix: ``{{ with .Values.x }}@{{ . }}{{ end }}``.
* A structured value that is a whole field (``nodeSelector``): the field and its JSON, or nothing.
* A map or list value whose entries join a map or list of the library's own (pod labels, extra env
  vars after the library's): its YAML, or nothing.

The last two replace a whole line, the placeholder entry ``<placeholder>: null`` (or list item
``- <placeholder>``) the placement put there, indented as that entry. ``render_with_blocks``
renders all three as Helm would, for the round-trip proof (``templates.render_locally``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..core.kube import go_json

PLACEHOLDER_PREFIX = "__airflow_constructs_helm_"

K = TypeVar("K", int, str)
"""What a placeholder of a kind is keyed by: a value's index, or a ConfigMap's name."""


@dataclass(frozen=True)
class Placeholder(Generic[K]):
    """A kind of placeholder: called with its key, the text ``PLACEHOLDER_PREFIX + tag + key + "__"``
    that stands in the chart's default objects where the template writes an action."""

    tag: str

    def __call__(self, key: K) -> str:
        return f"{PLACEHOLDER_PREFIX}{self.tag}{key}__"


_ENTRY_LINE = re.compile(
    rf"^(?P<indent> *)(?:(?P<placeholder>{PLACEHOLDER_PREFIX}[fm][0-9]+__): null"
    rf"|- (?P<item>{PLACEHOLDER_PREFIX}m[0-9]+__))$",
    re.M,
)
"""A mapping entry or list item standing for a structured value (``placement.field_placeholder``,
``entries_placeholder``)."""


def entry_actions(text: str, actions: Mapping[str, str]) -> str:
    """``text`` with each placeholder entry line that ``actions`` knows replaced by its action block."""

    def replaced(match: re.Match[str]) -> str:
        action = actions.get(match["placeholder"] or match["item"])
        if action is None:
            return match.group(0)
        indent = match["indent"]
        lines = action.replace("<nindent>", str(len(indent))).split("\n")
        return "\n".join(indent + line for line in lines)

    return _ENTRY_LINE.sub(replaced, text)


def optional_action(ref: str, prefix: str) -> str:
    """The text value at ``ref`` (``ValueLeaf.ref``) after ``prefix``, or nothing when it is empty."""
    return f"{{{{ with {ref} }}}}{prefix}{{{{ . }}}}{{{{ end }}}}"


def field_action(ref: str, key: str, fallback: Any = None) -> str:
    """Field ``key`` holding the value at ``ref`` as JSON, or nothing (key included) when it is empty;
    with a ``fallback``, that (what the library computes) when it is empty."""
    text = "" if fallback is None else go_json(fallback)
    if "{{" in text or "\n" in text:
        raise ValueError(f"{ref}: the library's own {key} holds '{{{{' or a newline")
    otherwise = "" if fallback is None else f"\n{{{{- else }}}}\n{key}: {text}"
    return f"{{{{- with {ref} }}}}\n{key}: {{{{ toJson . }}}}{otherwise}\n{{{{- end }}}}"


def entries_action(ref: str) -> str:
    """The value at ``ref``, a map, as entries of the enclosing map (``<nindent>``: the entries' indent)."""
    return f"{{{{- with {ref} }}}}{{{{ toYaml . | nindent <nindent> }}}}{{{{- end }}}}"


_ONE_REF = r"(?:\.Values\.[\w.]+|\(index \.Values(?: \"[^\"]+\")+\))"
_REF = rf"(?P<ref>\(default \.Values\.[\w.]+ {_ONE_REF}\)|{_ONE_REF})"
"""A ``ValueLeaf.ref``: ``.Values.a.b``, or ``(index .Values "a" "b-c")`` when a key is no Go identifier;
or ``(default .Values.pod_defaults.x <ref>)``, a value falling back to a release-wide one (``ValueLeaf.or_else``)."""
_OPTIONAL_ACTION = re.compile(rf"\{{\{{ with {_REF} \}}\}}(?P<prefix>[^{{]*)\{{\{{ \. \}}\}}\{{\{{ end \}}\}}")
_FIELD_ACTION = re.compile(
    rf"\n(?P<indent> *)\{{\{{- with {_REF} \}}\}}\n(?P=indent)(?P<key>\w+): \{{\{{ toJson \. \}}\}}"
    r"(?:\n(?P=indent)\{\{- else \}\}\n(?P=indent)(?P=key): (?P<fallback>[^\n]*))?"
    r"\n(?P=indent)\{\{- end \}\}"
)
_ENTRIES_ACTION = re.compile(
    rf"\n *\{{\{{- with {_REF} \}}\}}\{{\{{ toYaml \. \| nindent (?P<n>[0-9]+) \}}\}}\{{\{{- end \}}\}}"
)


def ref_keys(ref: str) -> list[str]:
    """The keys of a ``ValueLeaf.ref``."""
    if ref.startswith(".Values."):
        return ref.removeprefix(".Values.").split(".")
    return [str(k) for k in json.loads("[" + ref.removeprefix("(index .Values ")[:-1].replace('" "', '", "') + "]")]


def render_with_blocks(text: str, values: Mapping[str, Any]) -> str:
    """Render the three kinds of ``with`` block as Helm would (Go's ``{{-`` trims the newline before)."""

    def lookup(ref: str) -> Any:
        if ref.startswith("(default "):
            fallback, given = ref.removeprefix("(default ").removesuffix(")").split(" ", 1)
            return lookup(given) or lookup(fallback)
        found: Any = values
        for key in ref_keys(ref):
            found = found[key]
        return found

    def optional(match: re.Match[str]) -> str:
        found = lookup(match["ref"])
        return f"{match['prefix']}{found}" if found else ""

    def field(match: re.Match[str]) -> str:
        found = lookup(match["ref"])
        if not found:
            fallback = match["fallback"]
            return f"\n{match['indent']}{match['key']}: {fallback}" if fallback is not None else ""
        return f"\n{match['indent']}{match['key']}: {go_json(found)}"

    def entries(match: re.Match[str]) -> str:
        found = lookup(match["ref"])
        pad = " " * int(match["n"])
        if isinstance(found, list):
            return "".join(f"\n{pad}- {go_json(item)}" for item in found)
        return "".join(f"\n{pad}{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(found.items())) if found else ""

    text = _OPTIONAL_ACTION.sub(optional, text)
    text = _FIELD_ACTION.sub(field, text)
    return _ENTRIES_ACTION.sub(entries, text)
