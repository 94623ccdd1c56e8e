"""Where a key of the official chart goes: the four outcomes and the matching of key patterns.

A rule's pattern is a dotted key path where ``*`` is one segment (or, inside a segment, any part
of it: ``*Annotations``) and a trailing ``**`` is any rest.
The first rule that matches a key decides its outcome; ``vocabulary`` and ``top_level`` hold the
rules, most specific first, as tables: each pattern's verdict (``mapped``, ``default``,
``not_needed``, ``unsupported``), in the order they are tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

from .converters import Convert, quantity, same


class Outcome(Enum):
    """What became of one key of the input."""

    MAPPED = "mapped"
    DEFAULT = "already our default"
    NOT_NEEDED = "not needed"
    UNSUPPORTED = "unsupported"


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
"""Patterns of chart keys and their verdicts, in the order they are tried (``table`` makes the rules)."""


@dataclass(frozen=True)
class Rule:
    """One pattern of chart keys and its verdict."""

    pattern: str
    verdict: Verdict

    def matches(self, path: str) -> bool:
        """Whether a dotted key path is one of this rule's keys."""
        return _regex(self.pattern).fullmatch(path) is not None


def table(*parts: Table) -> tuple[Rule, ...]:
    """The rules of ``parts`` (rows, and what the builders below write), in order. A pattern may stand
    once: a second verdict for it could never be reached, and a dict merge would put it in the first
    one's place, so a repeat is refused here (one dict's own literal keys: ruff's F601)."""
    rules: dict[str, Rule] = {}
    for part in parts:
        for pattern, verdict in part.items():
            if pattern in rules:
                raise ValueError(f"migrate rules: the pattern {pattern!r} stands twice in one table")
            rules[pattern] = Rule(pattern, verdict)
    return tuple(rules.values())


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
