"""Block-style YAML text of the charts, written by libyaml when PyYAML has it: the same bytes, faster.

The charts' YAML reads like the synthesized files: block style, keys in their order, lists indented
under their key, ``|`` for multi-line text. PyYAML's pure-Python emitter writes that with an
``increase_indent`` override (``PureDumper``); it is most of what writing the charts costs. libyaml
(``yaml.CSafeDumper``) writes the same document about ten times faster but always puts a list that
is a mapping's value at the key's own column ("indentless"). ``dump`` makes the document's nodes
itself (``_node``: PyYAML's generic representer was most of the remaining cost), lets libyaml write
them and then moves every such list, and all it holds, two columns right (``_indent_lists``): the
pure emitter's text, byte for byte. ``tests/test_yaml_text.py`` proves the two equal on every chart object and on
generated documents; without libyaml, ``dump`` is the pure emitter.
"""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar

import yaml

_GO_YAML_BOOLS = frozenset({"y", "Y", "n", "N"})


def _represent_str(dumper: yaml.representer.SafeRepresenter, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if value in _GO_YAML_BOOLS:
        # PyYAML (YAML 1.1 without y/n) would write these plain; Go's YAML, which Helm and
        # kubectl use, reads a plain y/n as a boolean.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


class PureDumper(yaml.SafeDumper):
    """The reference: PyYAML's pure-Python emitter, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


PureDumper.add_representer(str, _represent_str)


class _Unsupported(Exception):
    """A document libyaml would write differently: the pure emitter writes it."""


_CDumper: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _LibyamlEmitter(yaml.CSafeDumper):
        """libyaml's emitter (its lists are indentless), writing the nodes ``_node`` makes.

        It asks the resolver, in Python, whether each scalar would read back as its tag when
        written plain; the answer depends only on the scalar's text, so it is kept.
        """

        _plain: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            resolve = super().resolve
            if kind is not yaml.ScalarNode:
                return str(resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
            key = (value, implicit)
            if (tag := self._plain.get(key)) is None:
                if len(self._plain) >= 1 << 16:  # a bound for a long-lived process
                    self._plain.clear()
                tag = self._plain[key] = str(resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
            return tag

    _CDumper = _LibyamlEmitter

_OPTIONS: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 1 << 30}


def dump_pure(obj: Any) -> str:
    """``obj`` as one YAML document by the pure-Python emitter (the reference ``dump`` must equal)."""
    return str(yaml.dump(obj, Dumper=PureDumper, **_OPTIONS))


def dump(obj: Any) -> str:
    """``obj`` as one YAML document (keys in their order): ``dump_pure``'s text, by libyaml if present."""
    if _CDumper is None or not isinstance(obj, dict | list) or not obj:
        # A lone scalar: the pure emitter ends it with "...", libyaml 0.2.5 does not.
        return dump_pure(obj)
    try:
        text = _emit(_node(obj, set()))
    except _Unsupported:
        return dump_pure(obj)
    if text.endswith("\n...\n"):
        # After a keep-chomping "|+" scalar: the pure emitter ends with "..." only when that
        # scalar is the document's last node, libyaml always.
        return dump_pure(obj)
    return _indent_lists(text)


_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{tag}" for tag in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _node(obj: Any, seen: set[int]) -> yaml.Node:
    """The node ``_LibyamlDumper``'s representer makes of ``obj``, made directly (its generic
    dispatch is most of what dumping costs): block collections, keys in order, the same scalar
    tags and styles. Anything else it would represent (a float, a subclass, an object held twice,
    which it writes as an alias) raises _Unsupported.
    """
    kind = type(obj)
    if kind is str:
        style = "|" if "\n" in obj else "'" if obj in _GO_YAML_BOOLS else None
        return yaml.ScalarNode(_STR, obj, style=style)
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if obj else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(obj))
    if obj is None:
        return yaml.ScalarNode(_NULL, "null")
    if kind not in (dict, list) or id(obj) in seen:
        raise _Unsupported(obj)
    seen.add(id(obj))
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_node(item, seen) for item in obj], flow_style=False)
    pairs = []
    for key, value in obj.items():
        if type(key) is not str or not key or len(key) > 100 or "\n" in key:
            raise _Unsupported(key)  # the emitters choose differently between key forms
        pairs.append((_node(key, seen), _node(value, seen)))
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


def _emit(node: yaml.Node) -> str:
    """One document of ``node``, as ``yaml.dump`` with ``_LibyamlDumper`` and ``_OPTIONS`` writes it."""
    stream = io.StringIO()
    dumper = _CDumper(stream, **_OPTIONS)  # type: ignore[misc]
    try:
        dumper.open()
        dumper.serialize(node)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


_DASHES = re.compile(r"(?:- )*")
_BLOCK_HEADER = re.compile(r"(?:^|: |- )[|>][1-9]?[-+]?$")


def _indent_lists(text: str) -> str:
    """Move every list that libyaml wrote at its key's column two columns right, with all it holds.

    Long because it is one pass over the lines with three pieces of state (the open indentless
    lists, the block scalar being read, the key that opened a block value), each explained inline.
    """
    out: list[str] = []
    lists: list[int] = []  # columns of the open indentless lists, innermost last
    scalar_column = -1  # while >= 0: inside a block scalar whose node starts at this column
    scalar_shift = 0
    open_key = -1  # column of the key whose value starts on the next line (the line ended in ':')
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if scalar_column >= 0:
            if not line or indent > scalar_column:
                # Block scalar content (or an empty line in it) moves with the node that holds it.
                out.append(" " * scalar_shift + line if line else line)
                continue
            scalar_column = -1
        if not line:
            out.append(line)
            continue
        dashes = len(_DASHES.match(line, indent).group(0)) // 2  # type: ignore[union-attr]
        while lists and not (indent > lists[-1] or (indent == lists[-1] and dashes)):
            lists.pop()
        if dashes and indent == open_key:
            lists.append(indent)  # a list as a mapping's value, written at the key's column
        shift = 2 * len(lists)
        out.append(" " * shift + line)
        node = indent + 2 * dashes
        open_key = node if line.endswith(":") else -1
        if _BLOCK_HEADER.search(line):
            scalar_column, scalar_shift = (node if line[node:].find(": ") >= 0 else node - 2), shift
    return "\n".join(out)
