"""Where the chart's values land in the manifests, found by comparing two syntheses of one app.

The app is synthesized with its own settings and again with a sentinel for every value
(``values.sentinel_values``). Walking both outputs side by side, every field that differs must be a
string in which the sentinels stand where the defaults stood; that field gets placeholders, which
``templates.to_template`` turns into ``.Values`` lookups. Anything else that differs (a number, a
field only one output has, a checksum computed from a value) means a value reaches the manifests
in a form a template cannot reproduce: the chart is refused, naming the field and the values.

One-shot Job names differ by design (their hash covers the spec): the template computes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.kube import data_checksum
from .json_files import JSON_FILE, parse_json_file
from .templates import Manifest, RoundTripError, where_of
from .value_leaf import ValueLeaf
from .with_blocks import Placeholder

inline_placeholder = Placeholder[int]("v")
"""Stands for value ``index`` inside a longer string."""
whole_placeholder = Placeholder[int]("w")
"""Stands for a field whose whole value is value ``index``."""
field_placeholder = Placeholder[int]("f")
"""A mapping key standing for the field that is value ``index`` whole, absent when it is empty."""
entries_placeholder = Placeholder[int]("m")
"""A mapping key standing for the entries of value ``index`` among a map's own (pod labels)."""
checksum_placeholder = Placeholder[str]("cm_")
"""Stands for the checksum of the data of ConfigMap ``config_map`` (``kube.data_checksum``)."""
inline_checksum_placeholder = Placeholder[str]("cmi_")
"""Stands for that checksum inside a longer string (a pod template file that carries it)."""


def checksummed_config_maps(placed: Sequence[Manifest]) -> list[str]:
    """The ConfigMaps whose checksum the template computes (their data then lives in a named template)."""
    text = json.dumps(list(placed))
    names = [str(o["metadata"]["name"]) for o in placed if o.get("kind") == "ConfigMap"]
    return [n for n in names if checksum_placeholder(n) in text or inline_checksum_placeholder(n) in text]


def place_values(
    default: Sequence[Manifest], sentinel: Sequence[Manifest], leaves: Sequence[ValueLeaf]
) -> tuple[list[Manifest], list[int], dict[int, Any]]:
    """The default objects with placeholders where values land, the indexes of the values that land,
    and what the library computes where each empty ``fallback`` value lands (``ValueLeaf.fallback``).

    ``default`` and ``sentinel`` are the app's objects synthesized with the leaves' defaults and
    with their sentinels. A value that lands nowhere (a component the app does not deploy) is left
    out of the chart.
    """
    if [where_of(o) for o in default if o.get("kind") != "Job"] != [
        where_of(o) for o in sentinel if o.get("kind") != "Job"
    ] or len(default) != len(sentinel):
        raise RoundTripError("the chart's values change which objects the app makes; a value may not do that")
    text = json.dumps(list(default))
    # A sentinel that occurs in the default output (an enum value) is only recognised as a whole field.
    substrings = sorted(
        (i for i, leaf in enumerate(leaves) if leaf.text(leaf.sentinel) not in text),
        key=lambda i: -len(leaves[i].text(leaves[i].sentinel)),
    )
    walker = _Walker(leaves, substrings, _checksums(default), _checksums(sentinel))
    placed = [walker.walk(d, s, where_of(d), ()) for d, s in zip(default, sentinel, strict=True)]
    return placed, sorted(walker.used), walker.fallbacks


def _checksums(objects: Sequence[Manifest]) -> dict[str, str]:
    """``{data checksum: name}`` of the ConfigMaps."""
    return {
        data_checksum(o.get("data") or {}): str(o["metadata"]["name"]) for o in objects if o.get("kind") == "ConfigMap"
    }


class _Walker:
    def __init__(
        self,
        leaves: Sequence[ValueLeaf],
        substrings: list[int],
        default_checksums: dict[str, str],
        sentinel_checksums: dict[str, str],
    ) -> None:
        self.leaves = leaves
        self.structured = [i for i, leaf in enumerate(leaves) if leaf.key]
        self.default_checksums = default_checksums
        self.sentinel_checksums = sentinel_checksums
        self.substrings = substrings
        # A word two values share (the pull policies of two images) cannot say which one it is.
        spelled = [(leaf.text(leaf.sentinel), leaf.text(leaf.default)) for leaf in leaves]
        self.words = [
            i
            for i in range(len(leaves))
            if i not in substrings and spelled.count(spelled[i]) == 1 and not leaves[i].key
        ]
        self.used: set[int] = set()
        self.fallbacks: dict[int, Any] = {}
        self.index = {leaf.path: i for i, leaf in enumerate(leaves)}
        # Only a text value can be a whole field: a number there would render as a YAML number.
        self.wholes: dict[str, list[int]] = {}
        for i, leaf in enumerate(leaves):
            if isinstance(leaf.sentinel, str) and not leaf.prefix and not leaf.optional:
                self.wholes.setdefault(leaf.sentinel, []).append(i)

    def walk(self, d: Any, s: Any, where: str, path: tuple[str, ...]) -> Any:
        if d == s:
            return d
        if path == ("metadata", "name") and where.startswith("Job/"):
            return d  # the template computes it from the rendered spec
        order: list[str] = []
        if isinstance(d, dict) and isinstance(s, dict) and self.structured:
            d, s, order = self.structures(d, s, path)
        if isinstance(d, dict) and isinstance(s, dict) and list(d) == list(s):
            placed = {key: self.walk(d[key], s[key], where, (*path, str(key))) for key in d}
            if order:
                # A placeholder stands where the sentinel synthesis put its field or first entry.
                placed = {key: placed.get(key) for key in order}
            if not any(isinstance(v, _Choice) for v in placed.values()):
                return placed
            siblings = json.dumps([v for v in placed.values() if not isinstance(v, _Choice)])
            return {key: self.choose(v, siblings) if isinstance(v, _Choice) else v for key, v in placed.items()}
        if isinstance(d, list) and isinstance(s, list) and self.structured and (run := self.run(d, s, path)):
            i, kept, default_end, sentinel_end = run
            before = self.walk(d[:kept], s[:kept], where, path)
            return [*before, entries_placeholder(i), *self.walk(d[default_end:], s[sentinel_end:], where, path)]
        if isinstance(d, list) and isinstance(s, list) and len(d) == len(s):
            items = [self.walk(a, b, where, (*path, str(i))) for i, (a, b) in enumerate(zip(d, s, strict=True))]
            return [self.choose(v, "") if isinstance(v, _Choice) else v for v in items]
        if isinstance(d, str) and isinstance(s, str):
            return self.string(d, s, where, path)
        raise self.refused(d, s, where, path)

    def string(self, d: str, s: str, where: str, path: tuple[str, ...]) -> str | _Choice | dict[str, Any]:
        config_map = self.default_checksums.get(d)
        if config_map is not None and self.sentinel_checksums.get(s) == config_map:
            return checksum_placeholder(config_map)  # the template recomputes it from the rendered data
        whole = [i for i in self.wholes.get(s, ()) if self.leaves[i].default == d]
        if len(whole) == 1:
            self.used.add(whole[0])
            return whole_placeholder(whole[0])
        if whole:
            return _Choice(whole, d, s, where, path)
        d_file, s_file = parse_json_file(d), parse_json_file(s)
        if d_file is not None and s_file is not None:
            return {JSON_FILE: self.walk(d_file, s_file, where, path)}  # a file the template writes as JSON
        if "\n" in s and d.count("\n") == s.count("\n"):
            # A file in a ConfigMap: line by line, so an enum's word elsewhere in the file stays.
            # A shared word is told apart by its anchor on the line before (image, then imagePullPolicy).
            placed_lines: list[str] = []
            for a, b in zip(d.split("\n"), s.split("\n"), strict=True):
                before = placed_lines[-1] if placed_lines else ""
                placed_lines.append(a if a == b else self.substitute(a, b, where, path, before))
            return "\n".join(placed_lines)
        return self.substitute(d, s, where, path)

    def structures(
        self, d: dict[str, Any], s: dict[str, Any], path: tuple[str, ...]
    ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """``d`` and ``s`` without the fields and entries that structured values make, and the keys
        of ``s`` in order with a placeholder for each of those (empty when there is none)."""
        order = list(s)
        d, s = dict(d), dict(s)
        for i in self.structured:
            leaf = self.leaves[i]
            key = str(leaf.key)
            # Empty, a value with a release-wide one (``or_else``) holds that one where it lands.
            base = self.leaves[self.index[leaf.or_else]].default if leaf.or_else and not leaf.default else leaf.default
            present = (key not in d and not base) or (key in d and d[key] == base)
            computed = leaf.fallback and not leaf.default and key in d
            if key in s and s[key] == leaf.sentinel and (present or computed):
                # The whole field is the value (a merged map holding only the value's entries too).
                if computed and self.fallbacks.setdefault(i, d[key]) != d[key]:
                    raise RoundTripError(f"{leaf.dotted} lands where the library computes different rules")
                order[order.index(key)] = field_placeholder(i)
                d.pop(key, None)
                del s[key]
                self.used.add(i)
                if leaf.or_else:  # the template reads that one too
                    self.used.add(self.index[leaf.or_else])
            elif leaf.merge and path[-1:] == (key,) and _holds(s, leaf.sentinel) and _holds(d, leaf.default):
                first = next(k for k in order if k in leaf.sentinel)
                order[order.index(first)] = entries_placeholder(i)
                order = [k for k in order if k not in leaf.sentinel]
                d = {k: v for k, v in d.items() if k not in leaf.default}
                s = {k: v for k, v in s.items() if k not in leaf.sentinel}
                self.used.add(i)
        if len(order) == len(s):
            return d, s, []
        return d, s, order

    def run(self, d: list[Any], s: list[Any], path: tuple[str, ...]) -> tuple[int, int, int, int] | None:
        """``(value, items before it, end of its items in d, in s)`` when the lists hold a value's items
        (extra env vars), at the end or before items of the same length in both (a user's pod template
        env after ours)."""
        for i in self.structured:
            leaf = self.leaves[i]
            default, sentinel = leaf.default, leaf.sentinel
            if not (leaf.merge and path[-1:] == (leaf.key,) and isinstance(sentinel, list)):
                continue
            if len(d) - len(default) != len(s) - len(sentinel):
                continue
            for kept in range(len(s) - len(sentinel), -1, -1):  # the last place first: the value ends a list
                if s[kept : kept + len(sentinel)] == sentinel and d[kept : kept + len(default)] == default:
                    self.used.add(i)
                    return i, kept, kept + len(default), kept + len(sentinel)
        return None

    def anchored(self, context: str) -> list[int]:
        """The shared words whose anchor value ``context`` holds, one per spelling at most."""
        paths = {leaf.path: i for i, leaf in enumerate(self.leaves)}
        found: dict[tuple[str, str], list[int]] = {}
        for i, leaf in enumerate(self.leaves):
            j = paths.get(leaf.anchor) if leaf.anchor else None
            if i not in self.words and i not in self.substrings and j is not None and inline_placeholder(j) in context:
                found.setdefault((leaf.text(leaf.sentinel), leaf.text(leaf.default)), []).append(i)
        return [group[0] for group in found.values() if len(group) == 1]

    def substitute(self, d: str, s: str, where: str, path: tuple[str, ...], context: str = "") -> str:
        placed = s
        checksums = {name: digest for digest, name in self.default_checksums.items()}
        for digest, name in self.sentinel_checksums.items():
            if name in checksums and digest in placed:
                placed = placed.replace(digest, inline_checksum_placeholder(name))
        for i in self.substrings:
            placed = placed.replace(self.leaves[i].text(self.leaves[i].sentinel), inline_placeholder(i))
        # A sentinel that also occurs in the defaults (an enum) is tried as a whole word; if that
        # also takes an occurrence that was not the value's, the check below refuses the field.
        words = [*self.words, *self.anchored(context)]
        for i in words:
            word = re.escape(self.leaves[i].text(self.leaves[i].sentinel))
            placed = re.sub(rf"(?<![-\w.]){word}(?![-\w.])", inline_placeholder(i), placed)
        restored = placed
        for name, digest in checksums.items():
            restored = restored.replace(inline_checksum_placeholder(name), digest)
        for i in [*self.substrings, *words]:
            restored = restored.replace(inline_placeholder(i), self.leaves[i].text(self.leaves[i].default))
        if restored != d:
            raise self.refused(d, s, where, path)
        self.used.update(i for i in [*self.substrings, *words] if inline_placeholder(i) in placed)
        return placed

    def choose(self, choice: _Choice, siblings: str) -> str:
        """The one candidate whose anchor value a sibling field holds, or the field is refused."""
        paths = {leaf.path: i for i, leaf in enumerate(self.leaves)}
        found = []
        for i in choice.candidates:
            anchor = self.leaves[i].anchor
            j = paths.get(anchor) if anchor else None
            if j is not None and (inline_placeholder(j) in siblings or whole_placeholder(j) in siblings):
                found.append(i)
        if len(found) != 1:
            raise self.refused(choice.d, choice.s, choice.where, choice.path)
        self.used.add(found[0])
        return whole_placeholder(found[0])

    def refused(self, d: Any, s: Any, where: str, path: tuple[str, ...]) -> RoundTripError:
        return RoundTripError(
            f"{where}: {'.'.join(path)} is {_short(d)} with the app's settings and {_short(s)} with the "
            "chart's sentinel values: a value reaches this field in a form a template cannot reproduce "
            "(computed from it, not copied); leave that value out of the chart or make the field a copy"
        )


def _holds(mapping: dict[str, Any], entries: Any) -> bool:
    """``mapping`` has every entry of ``entries`` (a map value), with the same values."""
    return isinstance(entries, dict) and all(k in mapping and mapping[k] == v for k, v in entries.items())


@dataclass(frozen=True)
class _Choice:
    """A whole field that several values could hold (same default, same sentinel): their anchors
    in the sibling fields decide (``ValueLeaf.anchor``)."""

    candidates: list[int]
    d: str
    s: str
    where: str
    path: tuple[str, ...]


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."
