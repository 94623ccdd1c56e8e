"""Compute resources: the requests and limits every container carries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator

from .props import Props

_CPU = re.compile(r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$")
_MEMORY = re.compile(r"^[0-9]+(Ki|Mi|Gi|Ti)?$")


class Resources(Props):
    """CPU and memory requests and limits of one container.

    CPU is in cores (``"1"``, ``"0.5"``) or millicores (``"250m"``); memory in bytes with a binary
    suffix (``"512Mi"``, ``"2Gi"``). Every container gets all four values: requests so the
    scheduler places pods well, limits so one runaway task cannot starve its neighbours.
    """

    cpu_request: str = "100m"
    """CPU the container is guaranteed."""
    memory_request: str = "256Mi"
    """Memory the container is guaranteed."""
    cpu_limit: str = "1"
    """CPU the container may burst to."""
    memory_limit: str = "512Mi"
    """Memory at which the container is OOM-killed."""

    @field_validator("cpu_request", "cpu_limit", "memory_request", "memory_limit")
    @classmethod
    def _quantity(cls, value: str, info: ValidationInfo) -> str:
        pattern, amount, examples = _QUANTITIES[str(info.field_name).split("_")[0]]
        if not pattern.match(value) or amount(value) == 0:
            raise ValueError(f"expected a positive {examples}")
        return value

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Resources:
        for kind, (_, amount, _) in _QUANTITIES.items():
            request, limit = getattr(self, f"{kind}_request"), getattr(self, f"{kind}_limit")
            if amount(request) > amount(limit):
                raise ValueError(
                    f"{kind}_request {request!r} is above {kind}_limit {limit!r}: the request must not exceed the limit"
                )
        return self

    def to_kubernetes(self) -> dict[str, dict[str, str]]:
        """The container's ``resources`` block."""
        return {
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
        }


def _cpu_millis(value: str) -> float:
    return float(value[:-1]) if value.endswith("m") else float(value) * 1000


_UNITS = {"": 1, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}


def _memory_bytes(value: str) -> int:
    match = re.match(r"^([0-9]+)([A-Za-z]*)$", value)
    assert match is not None
    return int(match.group(1)) * _UNITS[match.group(2)]


_QUANTITIES: dict[str, tuple[re.Pattern[str], Callable[[str], float], str]] = {
    "cpu": (_CPU, _cpu_millis, "CPU quantity such as '250m', '0.5' or '2'"),
    "memory": (_MEMORY, _memory_bytes, "memory quantity such as '512Mi' or '2Gi'"),
}
"""Per kind of ``Resources`` field (the name's first word): its pattern, its amount (0 is refused, a
request above the limit too) and what the error offers instead."""


def memory_bytes(value: str) -> int:
    """Bytes of a valid memory quantity (``'512Mi'`` -> 536870912)."""
    return _memory_bytes(value)


def require_requests_and_limits(container: dict[str, Any]) -> None:
    """Refuse a user's container without cpu and memory requests and limits (every container has them)."""
    resources = container.get("resources") or {}
    for part in ("requests", "limits"):
        got = resources.get(part) or {}
        if "cpu" not in got or "memory" not in got:
            raise ValueError(
                f"container {container.get('name')!r} lacks resources.{part}.cpu/memory: every container "
                "needs cpu and memory requests and limits"
            )
