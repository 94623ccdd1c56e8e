"""How a value of the official chart becomes ours: the converters a ``mapped`` verdict names.

Each takes the chart's value at the key and returns our field's value, or the ``is_keep`` marker
when the key only agrees with what the config already says (``convert`` wires it as a whole).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Convert = Callable[[Any], Any]


def same(value: Any) -> Any:
    """The value as given (most keys mean the same thing on both sides)."""
    return value


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
