"""Cron schedules exactly as a CronJob's ``spec.schedule`` is accepted by the API server.

The API server parses the schedule with ``robfig/cron/v3``'s standard parser (``cron.ParseStandard``)
and refuses any schedule containing ``TZ`` (``TZ=`` / ``CRON_TZ=`` prefixes; Kubernetes wants
``spec.timeZone`` instead). This module follows that parser rule for rule, quirks included, so a
schedule passes here exactly when ``kubectl apply`` would take it: ``tests/cluster/test_values.py``
compares the two verdicts on generated schedules.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

# (name, minimum, maximum, names) of the five fields, in order.
_MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})

# Go's unicode.IsSpace (strings.Fields splits on these): Python's str.split() also splits on
# U+001C-U+001F, which Go does not.
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_DURATION = re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_NANOS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9}
_NANOS["h"] = 3600 * 10**9
_INT64_MAX = 2**63 - 1


def go_lower(value: str) -> str:
    """``strings.ToLower`` of Go: like ``str.lower`` except U+0130 (one ``i``, not two code points)."""
    return "".join("i" if c == "\u0130" else c.lower() for c in value)


def _go_fields(value: str) -> list[str]:
    return "".join(" " if c in _GO_SPACE else c for c in value).split(" ")


def _go_atoi(text: str, expr: str) -> int:
    # strconv.Atoi: ASCII digits with an optional sign, within int64; robfig then refuses negatives.
    if not _GO_INT.fullmatch(text) or abs(int(text)) > _INT64_MAX + (text.startswith("-")):
        raise ValueError(f"{text!r} in {expr!r} is not a number")
    number = int(text)
    if number < 0:
        raise ValueError(f"negative number {number} in {expr!r} is not allowed")
    return number


def _value(text: str, names: dict[str, int] | None, expr: str) -> int:
    if names is not None and go_lower(text) in names:
        return names[go_lower(text)]
    return _go_atoi(text, expr)


def _check_range(expr: str, field: str, low: int, high: int, names: dict[str, int] | None) -> None:
    range_and_step = expr.split("/")
    bounds = range_and_step[0].split("-")
    # "*" (or "?") is the whole range; robfig ignores anything after a '-' that follows it.
    if bounds[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _value(bounds[0], names, expr)
        if len(bounds) > 2:
            raise ValueError(f"too many '-' in {expr!r}")
        end = _value(bounds[1], names, expr) if len(bounds) == 2 else start
    if len(range_and_step) > 2:
        raise ValueError(f"too many '/' in {expr!r}")
    if len(range_and_step) == 2:
        step = _go_atoi(range_and_step[1], expr)
        if len(bounds) == 1:  # "N/step" means "N-max/step"
            end = high
        if step == 0:
            raise ValueError(f"step 0 in {expr!r}: a step must be positive")
    if start < low or end > high or start > end:
        raise ValueError(f"{expr!r} is outside the {field} range {low}-{high}")


def _check_duration(text: str) -> None:
    # time.ParseDuration, which `@every <duration>` uses.
    sign = text[:1] if text[:1] in "+-" else ""
    body = text[len(sign) :]
    if body == "0":
        return
    if not _GO_DURATION.fullmatch(text):
        raise ValueError(f"{text!r} is not a Go duration such as '90m' or '1h30m'")
    total = sum(Decimal(num) * _NANOS[unit] for num, unit in _DURATION_PART.findall(body))
    if total > _INT64_MAX + (sign == "-"):
        raise ValueError(f"duration {text!r} is too long")


def check_cron_schedule(value: str) -> str:
    """A CronJob schedule: five fields, or ``@hourly``-style macros and ``@every <duration>``."""
    if not value:
        raise ValueError("a schedule is required, such as '0 3 * * *'")
    if "TZ" in value:
        raise ValueError("TZ and CRON_TZ are not allowed in a CronJob schedule (Kubernetes 1.29+ refuses them)")
    if value.startswith("@"):
        if value.startswith("@every "):
            _check_duration(value[len("@every ") :])
        elif value not in _DESCRIPTORS:
            allowed = ", ".join(sorted(_DESCRIPTORS))
            raise ValueError(f"unknown macro: allowed are {allowed} and '@every <duration>'")
        return value
    fields = [f for f in _go_fields(value) if f]
    if len(fields) != 5:
        raise ValueError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), found {len(fields)}: "
            "use a schedule such as '*/15 * * * *'"
        )
    for text, (field, low, high, names) in zip(fields, _FIELDS, strict=True):
        for expr in (e for e in text.split(",") if e):  # robfig drops empty list items
            _check_range(expr, field, low, high, names)
    return value


CronSchedule = Annotated[str, AfterValidator(check_cron_schedule)]
"""A CronJob schedule as the API server accepts it: ``minute hour day-of-month month day-of-week``
with ranges (``1-5``), steps (``*/15``), lists (``1,15``), month and weekday names (``jan``,
``mon-fri``), or a macro (``@hourly``, ``@daily``, ``@weekly``, ``@monthly``, ``@yearly``,
``@every 2h``). Interpreted in the cluster's time zone; ``TZ=``/``CRON_TZ=`` are refused."""
