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
from typing import Any

from ..core.kube import data_checksum
from .templates import PLACEHOLDER_PREFIX, Manifest, RoundTripError, where_of
from .values import ValueLeaf


def inline_placeholder(index: int) -> str:
    """Stands for value ``index`` inside a longer string."""
    return f"{PLACEHOLDER_PREFIX}v{index}__"


def whole_placeholder(index: int) -> str:
    """Stands for a field whose whole value is value ``index``."""
    return f"{PLACEHOLDER_PREFIX}w{index}__"


def checksum_placeholder(config_map: str) -> str:
    """Stands for the checksum of the data of ConfigMap ``config_map`` (``kube.data_checksum``)."""
    return f"{PLACEHOLDER_PREFIX}cm_{config_map}__"


def inline_checksum_placeholder(config_map: str) -> str:
    """Stands for that checksum inside a longer string (a pod template file that carries it)."""
    return f"{PLACEHOLDER_PREFIX}cmi_{config_map}__"


def checksummed_config_maps(placed: Sequence[Manifest]) -> list[str]:
    """The ConfigMaps whose checksum the template computes (their data then lives in a named template)."""
    text = json.dumps(list(placed))
    names = [str(o["metadata"]["name"]) for o in placed if o.get("kind") == "ConfigMap"]
    return [n for n in names if checksum_placeholder(n) in text or inline_checksum_placeholder(n) in text]


def place_values(
    default: Sequence[Manifest], sentinel: Sequence[Manifest], leaves: Sequence[ValueLeaf]
) -> tuple[list[Manifest], list[int]]:
    """The default objects with placeholders where values land, and the indexes of the values that land.

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
        (i for i, leaf in enumerate(leaves) if str(leaf.sentinel) not in text),
        key=lambda i: -len(str(leaves[i].sentinel)),
    )
    walker = _Walker(leaves, substrings, _checksums(default), _checksums(sentinel))
    placed = [walker.walk(d, s, where_of(d), ()) for d, s in zip(default, sentinel, strict=True)]
    return placed, sorted(walker.used)


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
        self.default_checksums = default_checksums
        self.sentinel_checksums = sentinel_checksums
        self.substrings = substrings
        self.words = [i for i in range(len(leaves)) if i not in substrings]
        self.used: set[int] = set()

    def walk(self, d: Any, s: Any, where: str, path: tuple[str, ...]) -> Any:
        if d == s:
            return d
        if path == ("metadata", "name") and where.startswith("Job/"):
            return d  # the template computes it from the rendered spec
        if isinstance(d, dict) and isinstance(s, dict) and list(d) == list(s):
            return {key: self.walk(d[key], s[key], where, (*path, str(key))) for key in d}
        if isinstance(d, list) and isinstance(s, list) and len(d) == len(s):
            return [self.walk(a, b, where, (*path, str(i))) for i, (a, b) in enumerate(zip(d, s, strict=True))]
        if isinstance(d, str) and isinstance(s, str):
            return self.string(d, s, where, path)
        raise self.refused(d, s, where, path)

    def string(self, d: str, s: str, where: str, path: tuple[str, ...]) -> str:
        config_map = self.default_checksums.get(d)
        if config_map is not None and self.sentinel_checksums.get(s) == config_map:
            return checksum_placeholder(config_map)  # the template recomputes it from the rendered data
        # Only a text value can be a whole field: a number there would render as a YAML number.
        whole = [
            i
            for i, leaf in enumerate(self.leaves)
            if isinstance(leaf.sentinel, str) and leaf.sentinel == s and leaf.default == d
        ]
        if whole:
            self.used.add(whole[0])
            return whole_placeholder(whole[0])
        if "\n" in s and d.count("\n") == s.count("\n"):
            # A file in a ConfigMap: line by line, so an enum's word elsewhere in the file stays.
            lines = zip(d.split("\n"), s.split("\n"), strict=True)
            return "\n".join(a if a == b else self.substitute(a, b, where, path) for a, b in lines)
        return self.substitute(d, s, where, path)

    def substitute(self, d: str, s: str, where: str, path: tuple[str, ...]) -> str:
        placed = s
        checksums = {name: digest for digest, name in self.default_checksums.items()}
        for digest, name in self.sentinel_checksums.items():
            if name in checksums and digest in placed:
                placed = placed.replace(digest, inline_checksum_placeholder(name))
        for i in self.substrings:
            placed = placed.replace(str(self.leaves[i].sentinel), inline_placeholder(i))
        # A sentinel that also occurs in the defaults (an enum) is tried as a whole word; if that
        # also takes an occurrence that was not the value's, the check below refuses the field.
        for i in self.words:
            word = re.escape(str(self.leaves[i].sentinel))
            placed = re.sub(rf"(?<![-\w.]){word}(?![-\w.])", inline_placeholder(i), placed)
        restored = placed
        for name, digest in checksums.items():
            restored = restored.replace(inline_checksum_placeholder(name), digest)
        for i in [*self.substrings, *self.words]:
            restored = restored.replace(inline_placeholder(i), str(self.leaves[i].default))
        if restored != d:
            raise self.refused(d, s, where, path)
        self.used.update(i for i in [*self.substrings, *self.words] if inline_placeholder(i) in placed)
        return placed

    def refused(self, d: Any, s: Any, where: str, path: tuple[str, ...]) -> RoundTripError:
        return RoundTripError(
            f"{where}: {'.'.join(path)} is {_short(d)} with the app's settings and {_short(s)} with the "
            "chart's sentinel values: a value reaches this field in a form a template cannot reproduce "
            "(computed from it, not copied); leave that value out of the chart or make the field a copy"
        )


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."
