"""The base of every props model, and the one error type bad input raises.

Props are pydantic models: frozen, unknown fields rejected, each field typed, defaulted and
documented. Construction validates them, so a bad value fails before anything is synthesized,
and the same models give the CLI its JSON Schema.
"""

from __future__ import annotations

import contextvars
import difflib
from typing import Any, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, ValidationError

from .docstrings import add_field_descriptions

_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("props_depth", default=0)


class PropsError(ValueError):
    """Raised for any invalid prop: the message names the field, the value and what is allowed."""


class FieldError(ValueError):
    """Raised by a check across a model's fields when one field holds the bad value: the message's
    path then ends at that field (``image.tag``), not at the model (``image``)."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class Props(BaseModel):
    """Base class of all props models (frozen, strict about unknown fields)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,
        # Not use_attribute_docstrings: it reads every class's source at import; the field
        # docstrings reach the JSON Schema through this hook, only when a schema is built.
        json_schema_extra=add_field_descriptions,
        populate_by_name=True,
    )

    def __init__(self, /, **data: Any) -> None:
        # pydantic calls __init__ for nested models too; only the outermost call converts the
        # error, so one message lists every problem with its full path.
        depth = _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            super().__init__(**data)
        except ValidationError as err:
            if depth:
                raise
            raise PropsError(format_validation_error(type(self), err)) from None
        finally:
            _DEPTH.reset(token)

    @classmethod
    def parse(cls, value: Any = None, /, **kwargs: Any) -> Self:
        """Build the model from an instance, a mapping or keyword arguments, raising PropsError."""
        if isinstance(value, cls) and not kwargs:
            return value
        data: dict[str, Any] = {}
        if isinstance(value, BaseModel):
            data.update(value.model_dump(exclude_unset=True))
        elif isinstance(value, dict):
            data.update(value)
        elif value is not None:
            raise PropsError(f"{cls.__name__}: expected {cls.__name__} or a mapping, got {value!r}")
        data.update(kwargs)
        token = _DEPTH.set(_DEPTH.get() + 1)
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise PropsError(format_validation_error(cls, err)) from None
        finally:
            _DEPTH.reset(token)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


PATTERN_HINTS: dict[str, str] = {
    r"^[-._a-zA-Z0-9]+$": "expected a Secret key: letters, digits, '-', '_' and '.'",
    r"^[-._a-zA-Z][-._a-zA-Z0-9]*$": (
        "expected an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit"
    ),
    r"^\d+\.\d+\.\d+$": "expected a version 'X.Y.Z' such as '3.3.2'",
    r"^[a-z][a-z0-9_.-]{0,63}$": (
        "expected a lowercase letter, then at most 63 lowercase letters, digits, '_', '.' or '-'"
    ),
    r"^[1-9][0-9]*(Mi|Gi|Ti)$": "expected a positive size in Mi, Gi or Ti, such as '1Gi'",
    r"^(\S+\s+){4}\S+$": "expected a cron schedule of five fields, such as '*/15 * * * *'",
    r"^(https://|ssh://|git@)\S+$": "expected a repository URL starting with https://, ssh:// or git@",
    r"^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$": "expected a relative folder path such as 'dags' or 'team/dags'",
    r"^[a-z][a-z0-9_-]{0,63}$": "expected a lowercase letter, then at most 63 lowercase letters, digits, '_' or '-'",
    r"^[a-z][a-z0-9_]{0,63}$": "expected a lowercase letter, then at most 63 lowercase letters, digits or '_'",
    r"^[A-Za-z0-9_.-]{1,256}$": "expected 1 to 256 letters, digits, '_', '.' or '-'",
    r"^[A-Za-z_][A-Za-z0-9_.]*$": "expected a Python class path such as 'airflow.providers.amazon.secrets.X'",
}
"""What each ``Field(pattern=...)`` of a props model allows, in words (a regex is no message).
A test fails when a props field uses a pattern that has no entry here."""


def _clean_message(msg: str) -> str:
    # pydantic prefixes messages raised from validators with "Value error, ".
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def format_validation_error(model: type[BaseModel] | str, err: ValidationError) -> str:
    """One line per problem: `<Model>.<field path>: <value> is not allowed: <what is allowed>`."""
    name = model if isinstance(model, str) else model.__name__
    lines = []
    for item in err.errors(include_url=False):
        # Tagged unions add the tag to the path; it is noise for the reader.
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        where = f"{name}.{_location(loc)}" if loc else name
        error = (item.get("ctx") or {}).get("error")
        if isinstance(error, FieldError):
            lines.append(f"{where}.{error.field}: {error.value!r} is not allowed: {error}")
        elif item["type"] == "extra_forbidden":
            # The raw path keeps union tags, which pick the right member of a tagged union.
            hint = _field_hint(model, tuple(item["loc"]))
            lines.append(f"{where}: unknown field{hint}")
        elif item["type"] == "missing":
            lines.append(f"{where}: required field is missing")
        elif item["type"] == "value_error" and _is_model_level(model, loc):
            # A check across fields: its message already names the fields and values.
            lines.append(f"{where}: {_clean_message(item['msg'])}")
        else:
            if item["type"] == "string_pattern_mismatch":
                item["msg"] = PATTERN_HINTS.get(str((item.get("ctx") or {}).get("pattern")), item["msg"])
            shown = repr(item["input"])
            if len(shown) > _MAX_VALUE_CHARS:
                # A whole model or long list: the message itself names the offending part.
                lines.append(f"{where}: not allowed: {_clean_message(item['msg'])}")
            else:
                lines.append(f"{where}: {shown} is not allowed: {_clean_message(item['msg'])}")
    return "\n".join(lines)


def _is_model_level(model: type[BaseModel] | str, loc: tuple[int | str, ...]) -> bool:
    """True when the error comes from a check across a model's fields (loc names a model)."""
    return not isinstance(model, str) and bool(_fields_at(model, loc))


def _field_hint(model: type[BaseModel] | str, loc: tuple[int | str, ...]) -> str:
    """Name the closest valid field, found by walking the models along the error's path."""
    if isinstance(model, str) or not loc:
        return ""
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), sorted(fields), n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    kinds = _kinds_with_field(model, loc[:-1], str(loc[-1]))
    if kinds:
        # The field is real, just not for the kind chosen (or defaulted): say which kind has it.
        suggestion = f"; {loc[-1]!r} is a field of kind {' or '.join(repr(k) for k in kinds)}: set kind to use it"
    if len(fields) > _MAX_LISTED_FIELDS:
        # A long list would bury the suggestion; the reference lists every field.
        return f"{suggestion} (the allowed fields are listed in docs/reference.md)"
    return f" (allowed: {', '.join(sorted(fields))}){suggestion}"


def _fields_at(model: type[BaseModel], path: tuple[int | str, ...]) -> set[str]:
    out: set[str] = set()
    for cand in _models_at(model, path):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            out.update(cand.model_fields)
    return out


def _kinds_with_field(model: type[BaseModel], path: tuple[int | str, ...], name: str) -> list[str]:
    """Kinds of the other members of a tagged union at ``path`` that do have field ``name``."""
    if not path or path[-1] not in _UNION_TAGS:
        return []
    members = _models_at(model, path[:-1])
    return sorted(
        {str(_kind_default(m)) for m in members if name in getattr(m, "model_fields", {}) and _kind_default(m)}
    )


def _models_at(model: type[BaseModel], path: tuple[int | str, ...]) -> list[Any]:
    candidates: list[Any] = [model]
    for part in path:
        if isinstance(part, int):
            continue
        if part in _UNION_TAGS:
            candidates = [c for c in candidates if _kind_default(c) == part] or candidates
            continue
        nxt: list[Any] = []
        for cand in candidates:
            if isinstance(cand, type) and issubclass(cand, BaseModel) and part in cand.model_fields:
                nxt.extend(_models_in(cand.model_fields[part].annotation))
        candidates = nxt
    return candidates


def _kind_default(model: Any) -> Any:
    field = getattr(model, "model_fields", {}).get("kind")
    return field.default if field is not None else None


def _models_in(annotation: Any) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[Any] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found


_MAX_VALUE_CHARS = 200
_MAX_LISTED_FIELDS = 12

# Discriminator values that pydantic inserts into error locations of tagged unions.
_UNION_TAGS: set[str] = set()


def register_union_tags(*tags: str) -> None:
    """Tell the error formatter which location parts are union tags (they are dropped)."""
    _UNION_TAGS.update(tags)


def kind_discriminator(union: str, default: str, message: str) -> Discriminator:
    """The discriminator of a tagged union on field ``kind``: a dict without one is ``default``.

    A value matching no tag fails as ``invalid_<union>_kind`` with ``message`` (what is allowed).
    """

    def kind(value: Any) -> str | None:
        if isinstance(value, dict):
            return str(value.get("kind", default))
        return getattr(value, "kind", None)

    return Discriminator(kind, custom_error_type=f"invalid_{union}_kind", custom_error_message=message)


P = TypeVar("P", bound=Props)


def parse_props(cls: type[P], props: P | None, kwargs: dict[str, Any]) -> P:
    """Combine a props object and keyword overrides the way every construct accepts them."""
    return cls.parse(props, **kwargs)


T = TypeVar("T")


def held(model: BaseModel, kind: type[T], skip: type | None = None) -> list[tuple[tuple[str, ...], T]]:
    """``(path, value)`` of every ``kind`` a field of ``model`` holds, nested models walked (not lists),
    in field order; a field holding a ``skip`` is passed over, whole."""
    return _held(model, kind, skip, ())


def _held(model: BaseModel, kind: type[T], skip: type | None, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], T]]:
    found: list[tuple[tuple[str, ...], T]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if skip is not None and isinstance(value, skip):
            continue
        if isinstance(value, kind):
            found.append(((*path, name), value))
        elif isinstance(value, BaseModel):
            found.extend(_held(value, kind, skip, (*path, name)))
    return found
