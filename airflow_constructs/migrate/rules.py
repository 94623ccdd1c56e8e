"""Where a key of the official chart goes: the four outcomes and the matching of key patterns.

A rule's pattern is a dotted key path where ``*`` is one segment (or, inside a segment, any part
of it: ``*Annotations``) and a trailing ``**`` is any rest.
The first rule that matches a key decides its outcome; ``vocabulary`` and ``top_level`` hold the
rules, most specific first, as tables: each pattern's verdict (``mapped``, ``default``,
``not_needed``, ``unsupported``), in the order they are tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any


class Outcome(Enum):
    """What became of one key of the input."""

    MAPPED = "mapped"
    DEFAULT = "already our default"
    NOT_NEEDED = "not needed"
    UNSUPPORTED = "unsupported"


Convert = Callable[[Any], Any]


def same(value: Any) -> Any:
    """The value as given (most keys mean the same thing on both sides)."""
    return value


@dataclass(frozen=True)
class Verdict:
    """What becomes of the keys of one pattern.

    ``detail`` is, for a mapped key, our field path (``{celery}``, ``{k8s}``, ``{webserver}`` and
    ``{all}`` are resolved against the executor and Airflow version of the input); otherwise the
    reason, or what to do instead.
    """

    outcome: Outcome
    detail: str
    convert: Convert = same


Table = dict[str, Verdict]
"""Patterns of chart keys and their verdicts, in the order they are tried. A dict, so that a pattern
stands once (ruff's F601 refuses a repeated key): a second rule for one pattern could never match."""


@dataclass(frozen=True)
class Rule:
    """One pattern of chart keys and its verdict."""

    pattern: str
    verdict: Verdict

    def matches(self, path: str) -> bool:
        """Whether a dotted key path is one of this rule's keys."""
        return _regex(self.pattern).fullmatch(path) is not None


def table(verdicts: Table) -> tuple[Rule, ...]:
    """The rules of a table, in its order."""
    return tuple(Rule(pattern, verdict) for pattern, verdict in verdicts.items())


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    parts = []
    tail = ""
    if pattern.endswith(".**"):
        # ``a.**`` is ``a`` and everything under it (an empty ``a: {}`` is a key too).
        pattern, tail = pattern[:-3], r"(\..+)?"
    for segment in pattern.split("."):
        if segment == "*":
            parts.append(r"[^.]+")
        else:
            parts.append(re.escape(segment).replace(r"\*", r"[^.]*"))
    return re.compile(r"\.".join(parts) + tail)


def mapped(target: str, convert: Convert = same) -> Verdict:
    """Keys that set ``target`` in our config, through ``convert``."""
    return Verdict(Outcome.MAPPED, target, convert)


def default(why: str) -> Verdict:
    """Keys whose setting our defaults already give."""
    return Verdict(Outcome.DEFAULT, why)


def not_needed(why: str) -> Verdict:
    """Keys that mean nothing for our install, and why."""
    return Verdict(Outcome.NOT_NEEDED, why)


def unsupported(instead: str) -> Verdict:
    """Keys we have no field for, and what the user can do instead."""
    return Verdict(Outcome.UNSUPPORTED, instead)


def each(verdict: Verdict, *patterns: str) -> Table:
    """Several patterns with one verdict, in order."""
    return dict.fromkeys(patterns, verdict)


def wired_to(target: str, *patterns: str) -> Table:
    """Keys that ``convert`` wires as one setting, ``target`` (a value or the Secret holding it, an
    Airflow 2 name and its Airflow 3 one), in order."""
    return each(mapped(target, wired), *patterns)


def resources(theirs: str, ours: str) -> Table:
    """The chart's ``<theirs>.limits|requests.cpu|memory`` as the fields of our ``Resources`` at ``ours``."""
    return {
        f"{theirs}.{kind}.{resource}": mapped(f"{ours}.{resource}_{field}", quantity)
        for kind, field in (("limits", "limit"), ("requests", "request"))
        for resource in ("cpu", "memory")
    }


def first_match(rules: tuple[Rule, ...], path: str) -> Verdict | None:
    """The verdict of the first rule matching ``path``, or None when the key is not in the chart's vocabulary."""
    return next((rule.verdict for rule in rules if rule.matches(path)), None)


# -- converters from the chart's shapes to ours ---------------------------------------------------


def quantity(value: Any) -> str:
    """A Kubernetes quantity as our ``Resources`` fields take it (always a string)."""
    return str(value)


def env_list(value: Any) -> list[dict[str, Any]]:
    """The chart's ``env: [{name, value}]`` as our ``extra_env``."""
    return [{"name": item["name"], "value": str(item.get("value", ""))} for item in value or []]


_TOLERATION_FIELDS = {"key": "key", "operator": "operator", "value": "value", "effect": "effect"}


def tolerations(value: Any) -> list[dict[str, Any]]:
    """Kubernetes tolerations (camelCase) as our ``Toleration`` props."""
    out = []
    for item in value or []:
        converted = {ours: item[theirs] for theirs, ours in _TOLERATION_FIELDS.items() if item.get(theirs) is not None}
        if item.get("tolerationSeconds") is not None:
            converted["toleration_seconds"] = item["tolerationSeconds"]
        out.append(converted)
    return out


def string_map(value: Any) -> dict[str, str]:
    """Labels, annotations and node selectors: every value a string."""
    return {str(k): str(v) for k, v in (value or {}).items()}


def retention(enabled: Any) -> Any:
    """``logGroomerSidecar.enabled: false`` is ``logs.retention_days: null`` here."""
    return _KEEP if enabled else None


_KEEP = object()
"""Marker: leave the target as it is (the key agreed with what our config already says)."""


def is_keep(value: Any) -> bool:
    """Whether a converted value says "leave the target alone"."""
    return value is _KEEP


def wired(_: Any) -> Any:
    """A key whose meaning ``convert`` wires as a whole (secrets, database, executor, exposure)."""
    return _KEEP


def secret_env(value: Any) -> list[dict[str, Any]]:
    """The chart's ``secret: [{envName, secretName, secretKey}]`` as ``extra_env`` read from Secrets."""
    return [
        {"name": item["envName"], "secret": {"name": item["secretName"], "key": item.get("secretKey") or "value"}}
        for item in value or []
    ]


def replicas_from_enabled(enabled: Any) -> Any:
    """``triggerer.enabled: false``: no triggerer pods (ours always declares one; zero replicas)."""
    return _KEEP if enabled else 0
