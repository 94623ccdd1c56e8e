"""Where a key of the official chart goes: the four outcomes and the matching of key patterns.

A rule's pattern is a dotted key path where ``*`` is one segment (or, inside a segment, any part
of it: ``*Annotations``) and a trailing ``**`` is any rest.
The first rule that matches a key decides its outcome; ``vocabulary`` holds the rules, most
specific first.
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
class Rule:
    """One pattern of chart keys and what becomes of them.

    ``detail`` is, for a mapped key, our field path (``{celery}``, ``{k8s}``, ``{webserver}`` and
    ``{all}`` are resolved against the executor and Airflow version of the input); otherwise the
    reason, or what to do instead.
    """

    pattern: str
    outcome: Outcome
    detail: str
    convert: Convert = same

    def matches(self, path: str) -> bool:
        """Whether a dotted key path is one of this rule's keys."""
        return _regex(self.pattern).fullmatch(path) is not None


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


def mapped(pattern: str, target: str, convert: Convert = same) -> Rule:
    """A key that sets ``target`` in our config, through ``convert``."""
    return Rule(pattern, Outcome.MAPPED, target, convert)


def default(pattern: str, why: str) -> Rule:
    """A key whose setting our defaults already give."""
    return Rule(pattern, Outcome.DEFAULT, why)


def not_needed(pattern: str, why: str) -> Rule:
    """A key that means nothing for our install, and why."""
    return Rule(pattern, Outcome.NOT_NEEDED, why)


def unsupported(pattern: str, instead: str) -> Rule:
    """A key we have no field for, and what the user can do instead."""
    return Rule(pattern, Outcome.UNSUPPORTED, instead)


def each(outcome: Callable[[str, str], Rule], why: str, *patterns: str) -> tuple[Rule, ...]:
    """Several patterns with one outcome (``default``, ``not_needed``, ``unsupported``) and one reason, in order."""
    return tuple(outcome(pattern, why) for pattern in patterns)


def wired_to(target: str, *patterns: str) -> tuple[Rule, ...]:
    """Keys that ``convert`` wires as one setting, ``target`` (a value or the Secret holding it, an
    Airflow 2 name and its Airflow 3 one), in order."""
    return tuple(mapped(pattern, target, wired) for pattern in patterns)


def resources(theirs: str, ours: str) -> tuple[Rule, ...]:
    """The chart's ``<theirs>.limits|requests.cpu|memory`` as the fields of our ``Resources`` at ``ours``."""
    return tuple(
        mapped(f"{theirs}.{kind}.{resource}", f"{ours}.{resource}_{field}", quantity)
        for kind, field in (("limits", "limit"), ("requests", "request"))
        for resource in ("cpu", "memory")
    )


def first_match(rules: tuple[Rule, ...], path: str) -> Rule | None:
    """The rule deciding ``path``, or None when the key is not in the chart's vocabulary."""
    return next((rule for rule in rules if rule.matches(path)), None)


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
