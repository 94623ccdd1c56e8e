"""Field validators that props classes declare in one line: ``_path = pattern_validator("path", ...)``.

Each returns a pydantic field validator (a classmethod) to assign in the class body; its error says
what is allowed, and ``PropsError`` adds the field and the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, field_validator

from .kube import check_dns_label, check_dns_subdomain


def pattern_validator(*fields: str, pattern: re.Pattern[str], message: str, max_length: int | None = None) -> Any:
    """A field validator of ``fields``: a string matching ``pattern`` (of at most ``max_length``
    characters), else ``message``, which says what is allowed. Assign it in the class body."""

    def check(cls: type[BaseModel], value: str) -> str:
        if (max_length is not None and len(value) > max_length) or not pattern.match(value):
            raise ValueError(message)
        return value

    return field_validator(*fields)(classmethod(check))


def each_validator(*fields: str, valid: Callable[[Any], object], message: str) -> Any:
    """A field validator of ``fields``: a list whose every item, or a mapping whose every key (in sorted
    order), is ``valid``; else ``message``, which says what is allowed, with the first that is not in
    place of ``{item!r}``. Assign it in the class body."""

    def check(cls: type[BaseModel], value: Any) -> Any:
        for item in sorted(value) if isinstance(value, dict) else value:
            if not valid(item):
                raise ValueError(message.format(item=item))
        return value

    return field_validator(*fields)(classmethod(check))


def dns_label_validator(*fields: str, what: str, max_length: int = 63) -> Any:
    """A field validator of ``fields``: an RFC 1123 label of at most ``max_length`` characters, the
    message naming ``what``; None passes (an optional name)."""

    def check(cls: type[BaseModel], value: str | None) -> str | None:
        return None if value is None else check_dns_label(what, value, max_length)

    return field_validator(*fields)(classmethod(check))


def dns_subdomain_validator(*fields: str, what: str) -> Any:
    """A field validator of ``fields``: an RFC 1123 subdomain (Secret, claim, StorageClass names), or a
    list of them, the message naming ``what``; None passes (an optional name)."""

    def check(cls: type[BaseModel], value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list):
            for name in value:
                check_dns_subdomain(what, name)
            return value
        return None if value is None else check_dns_subdomain(what, value)

    return field_validator(*fields)(classmethod(check))


def repeated(names: Sequence[str]) -> list[str]:
    """The names that stand more than once in ``names``, sorted: what a uniqueness error names."""
    return sorted({name for name in names if names.count(name) > 1})
