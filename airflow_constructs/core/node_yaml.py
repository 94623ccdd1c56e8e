"""The YAML cdk8s writes (``Yaml.stringify``), written by Python for the documents it can prove.

cdk8s writes each chart with the ``yaml`` package (``YAML.stringify(doc, {keepUndefined: true,
lineWidth: 0, version: '1.1'})``, documents joined by ``---``): in node, about 40 ms for a chart of
60 objects, and over 0.1 s in a fresh process (the package's code is not yet compiled). ``dump``
writes the same bytes in Python for the values this module knows how that package writes: maps
and lists in block style, ``{}`` and ``[]`` when empty, booleans, integers a JavaScript number holds
exactly, and strings (plain, double-quoted or ``|`` literal blocks, by the package's rules for
YAML 1.1). For anything else (a float, a null, a string that would need single quotes, escapes or
an explicit key, ...) it returns None, and the caller lets node write the file.
``tests/test_node_yaml.py`` compares it with node's writer on every app and on tricky strings.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .body_object import js_ordered

_INDICATORS = re.compile(r"^[\n\t ,\[\]{}#&*!|>'\"%@`]|^[?-]\Z|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]\Z")
"""A string that cannot be plain (the package's ``plainString`` test)."""
_OTHER_TYPES = re.compile(
    r"^(?:"
    r"~|[Nn]ull|NULL|"  # null (also the empty string)
    r"Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF|"  # bool (1.1)
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+|"  # int (1.1)
    r"[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|"  # float
    r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*|"
    r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|"  # sexagesimal
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"  # timestamp
    r"(?:(?:t|T|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?"
    r")?\Z"
)
"""A string YAML 1.1 would read as another type: the package quotes it."""
_UNSURE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\r]|^(?:%|---|\.\.\.)", re.MULTILINE)
"""Characters and line starts this module leaves to node (escaped characters, document markers)."""
_BLOCK_END_NEWLINES = re.compile(r"(?:^|(?<!\n))\n+(?!\n|\Z)")
_MAX_SAFE = 2**53


class _Unsure(Exception):
    """A value this module does not know how the package writes."""


class _Reorder(Exception):
    """A mapping jsii would change on its way to node (a ``None`` entry, a key starting with a digit)."""


def dump(docs: list[Any]) -> str | None:
    """The text ``Yaml.stringify(*docs)`` gives, or None when a value is outside what this module knows.

    ``docs`` as node holds them (``body_object.js_ordered``: no ``None`` in a mapping, keys in
    JavaScript's order)."""
    try:
        return "---\n".join(_document(doc, False) for doc in docs)
    except _Unsure:
        return None


def dump_held(docs: list[Any]) -> str | None:
    """``dump(js_ordered(docs))``, for ``docs`` as Python holds them, without copying them first.

    ``js_ordered`` changes only a mapping with a ``None`` entry or a key starting with a digit: the
    other mappings are written as they are (the same text), those from ``js_ordered`` of them."""
    try:
        return "---\n".join(_document(doc, True) for doc in docs)
    except _Unsure:
        return None
    except _Reorder:
        return dump(js_ordered(docs))


def _document(doc: Any, held: bool) -> str:
    if not isinstance(doc, dict) or not doc:
        raise _Unsure
    out: list[str] = []
    _mapping(doc, "", held, None, out)
    return "".join(out)


def _mapping(value: dict[str, Any], indent: str, held: bool, first: str | None, out: list[str]) -> None:
    """Append the lines of a non-empty block map whose keys stand at ``indent`` (the first at
    ``first``, after ``- ``) to ``out``.

    ``held``: the map as Python holds it; one that ``js_ordered`` changes is written from
    ``js_ordered(value)`` (or, when nothing is left of it, by the map around it)."""
    if not held:
        _lines(value, indent, False, first, out)
        return
    start = len(out)
    try:
        _lines(value, indent, True, first, out)
    except _Reorder:
        del out[start:]
        ordered = js_ordered(value)
        if not ordered:
            raise
        _lines(ordered, indent, False, first, out)


def _lines(value: dict[str, Any], indent: str, held: bool, first: str | None, out: list[str]) -> None:
    key_text = _held_key if held else _key
    inner = indent + "  "
    lead = indent if first is None else first
    for key, item in value.items():
        if item is None and held:
            raise _Reorder
        head = f"{lead}{key_text(key)}:"
        lead = indent
        if isinstance(item, dict) and item:
            out.append(head + "\n")
            _mapping(item, inner, held, None, out)
        elif isinstance(item, list) and item:
            out.append(head + "\n")
            _sequence(item, inner, held, None, out)
        else:
            out.append(f"{head} {_scalar(item, inner)}\n")


def _sequence(value: list[Any], indent: str, held: bool, first: str | None, out: list[str]) -> None:
    inner = indent + "  "
    lead = indent if first is None else first
    for item in value:
        if isinstance(item, dict) and item:
            _mapping(item, inner, held, f"{lead}- ", out)
        elif isinstance(item, list) and item:
            _sequence(item, inner, held, f"{lead}- ", out)
        else:
            out.append(f"{lead}- {_scalar(item, inner)}\n")
        lead = indent


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise _Unsure
    return _text_key(key)


def _held_key(key: Any) -> str:
    if not isinstance(key, str):
        raise _Unsure
    return _held_text_key(key)


@functools.lru_cache(maxsize=8192)
def _held_text_key(key: str) -> str:
    if key[:1].isdigit():
        raise _Reorder
    return _text_key(key)


@functools.lru_cache(maxsize=8192)
def _text_key(key: str) -> str:
    if "\n" in key or len(key) > 1000 or _UNSURE.search(key):
        raise _Unsure
    return _quoted(key) if _INDICATORS.search(key) or _OTHER_TYPES.match(key) else key


@functools.lru_cache(maxsize=8192)
def _line(value: str) -> str:
    """A one-line string value: plain, or quoted where plain would not read back as this string."""
    if _UNSURE.search(value):
        raise _Unsure
    return _quoted(value) if _INDICATORS.search(value) or _OTHER_TYPES.match(value) else value


def _scalar(value: Any, indent: str) -> str:
    """A value after ``key: `` or ``- ``; ``indent``: where a block's lines start."""
    if isinstance(value, str):
        if "\n" in value:
            if _UNSURE.search(value):
                raise _Unsure
            return _block(value, indent)
        return _line(value)
    if value == {} and isinstance(value, dict):
        return "{}"
    if value == [] and isinstance(value, list):
        return "[]"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int) and -_MAX_SAFE < value < _MAX_SAFE:
        return str(value)
    raise _Unsure


def _quoted(value: str) -> str:
    """Quotes as the package chooses them: single quotes for a string with ``"`` and no ``'``, else
    double quotes (when nothing in the string needs an escape)."""
    if "\t" in value:
        raise _Unsure  # escaped as \t in double quotes
    if '"' in value and "'" not in value:
        return f"'{value}'"
    if '"' in value or "\\" in value:
        raise _Unsure  # escaped in double quotes
    return f'"{value}"'


def _block(value: str, indent: str) -> str:
    """A ``|`` literal block, as the package's ``blockString`` writes one."""
    if re.search(r"\n[\t ]+\Z", value):
        raise _Unsure  # the package writes it quoted, with escapes
    end_start = len(value)
    while end_start > 0 and value[end_start - 1] in "\n\t ":
        end_start -= 1
    end = value[end_start:]
    newline = end.find("\n")
    chomp = "-" if newline == -1 else "+" if value == end or newline != len(end) - 1 else ""
    if end:
        value = value[: -len(end)]
        end = end[:-1] if end.endswith("\n") else end
        end = _BLOCK_END_NEWLINES.sub(lambda m: m.group(0) + indent, end)
    start_with_space, start_newline, start_end = False, -1, len(value)
    for i, char in enumerate(value):
        if char == " ":
            start_with_space = True
        elif char == "\n":
            start_newline = i
        else:
            start_end = i
            break
    start = value[: start_newline + 1 if start_newline < start_end else start_end]
    if start:
        value = value[len(start) :]
        start = re.sub(r"\n+", lambda m: m.group(0) + indent, start)
    header = ("2" if indent else "1") + chomp if start_with_space else chomp
    value = re.sub(r"\n+", lambda m: m.group(0) + indent, value)
    return f"|{header}\n{indent}{start}{value}{end}"
