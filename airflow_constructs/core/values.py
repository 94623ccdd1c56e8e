"""Kubernetes-facing value types: the API server's own rules, checked before anything is written.

Each ``check_*`` follows the apimachinery / core validation function named in its docstring, so a
value passes here exactly when the API server would accept it, except where a docstring says we
are stricter and why. ``tests/cluster/test_values.py`` proves the verdicts equal on generated
values against a real kube-apiserver. The ``Annotated`` types put the checks on props fields;
messages name the value and what is allowed (the field path comes from ``format_validation_error``).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, Field

from .cron import go_lower

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_LABEL = re.compile(_LABEL)
DNS_LABEL_PATTERN = f"^{_LABEL}$"
"""An RFC 1123 label, anchored: for JSON Schemas (whose patterns search rather than match)."""
_DNS_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
DNS_SUBDOMAIN_PATTERN = f"^{_DNS_SUBDOMAIN.pattern}$"
"""An RFC 1123 subdomain, anchored: for JSON Schemas."""
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME = re.compile(r"[-a-z0-9]+")
_QUANTITY = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?")
_TIME_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")

ENV_VAR_NAME_PATTERN = r"^[-._a-zA-Z][-._a-zA-Z0-9]*$"
"""Environment variable names: Kubernetes' classic ``IsEnvVarName``. Kubernetes 1.34+ also accepts
any printable ASCII but ``=`` (``RelaxedEnvironmentVariableValidation``); we keep the classic rule on
purpose: a shell cannot reference the others, and older supported API servers refuse them."""

ANNOTATIONS_MAX_BYTES = 256 * 1024
"""``TotalAnnotationSizeLimitB``: the keys and values of one object's annotations, in UTF-8 bytes."""


def check_dns_label(value: str, max_len: int = 63) -> str:
    """RFC 1123 label (``IsDNS1123Label``): most object names, container and port-less names."""
    if len(value) > max_len or not _DNS_LABEL.fullmatch(value):
        raise ValueError(
            f"use at most {max_len} lowercase letters, digits and '-', starting and ending with a letter or digit"
        )
    return value


def check_dns_subdomain(value: str) -> str:
    """RFC 1123 subdomain (``IsDNS1123Subdomain``): dot-separated labels, at most 253 characters."""
    if len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
        raise ValueError(
            "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
            "separated by '.', each starting and ending with a letter or digit"
        )
    return value


def _qualified_name_problem(key: str) -> str | None:
    """``IsQualifiedName``: ``[prefix/]name``, prefix a DNS subdomain, name at most 63 characters."""
    parts = key.split("/")
    if len(parts) > 2:
        return "at most one '/'"
    if len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return "the prefix before '/' is empty"
        if len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            return f"the prefix {prefix!r} is not a lowercase DNS subdomain such as 'example.com'"
    else:
        name = parts[0]
    if not name:
        return "the name is empty"
    if len(name) > 63:
        return f"the name part has {len(name)} characters, at most 63 are allowed"
    if not _QUALIFIED_NAME.fullmatch(name):
        return "the name part must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    return None


def check_label_key(value: str) -> str:
    """A label key (``IsQualifiedName``), e.g. ``team`` or ``example.com/team``."""
    problem = _qualified_name_problem(value)
    if problem:
        raise ValueError(f"label key {value!r} is not a qualified name ([prefix/]name): {problem}")
    return value


def check_qualified_name(value: str) -> str:
    """``IsQualifiedName``: ``[prefix/]name``, e.g. a toleration's taint key ``example.com/gpu``."""
    problem = _qualified_name_problem(value)
    if problem:
        raise ValueError(f"{value!r} is not a qualified name ([prefix/]name): {problem}")
    return value


def check_label_value(value: str) -> str:
    """``IsValidLabelValue``: empty, or at most 63 letters, digits, '-', '_', '.' starting and ending alphanumeric."""
    if value and (len(value) > 63 or not _QUALIFIED_NAME.fullmatch(value)):
        raise ValueError(
            f"label value {value!r}: expected at most 63 letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit (or empty)"
        )
    return value


def check_labels(value: dict[str, str]) -> dict[str, str]:
    """``ValidateLabels``: every key a qualified name, every value a label value."""
    for key in sorted(value):
        check_label_key(key)
        check_label_value(value[key])
    return value


def check_annotations(value: dict[str, str]) -> dict[str, str]:
    """``ValidateAnnotations``: keys are qualified names once lowercased (Go's ``strings.ToLower``),
    and all keys and values together fit in 256 KiB."""
    for key in sorted(value):
        problem = _qualified_name_problem(go_lower(key))
        if problem:
            raise ValueError(f"annotation key {key!r} is not a qualified name ([prefix/]name): {problem}")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in value.items())
    if size > ANNOTATIONS_MAX_BYTES:
        raise ValueError(f"annotations take {size} bytes: at most {ANNOTATIONS_MAX_BYTES} (256 KiB) are allowed")
    return value


def check_port_name(value: str) -> str:
    """``IsValidPortName`` (IANA_SVC_NAME): at most 15 of a-z, 0-9, '-', a letter among them, no '--',
    not starting or ending with '-'."""
    if (
        len(value) > 15
        or not _PORT_NAME.fullmatch(value)
        or not re.search("[a-z]", value)
        or "--" in value
        or value.startswith("-")
        or value.endswith("-")
    ):
        raise ValueError(
            "expected a port name: at most 15 lowercase letters, digits and '-', with at least one letter, "
            "no '--', not starting or ending with '-'"
        )
    return value


def check_quantity(value: str) -> str:
    """A non-negative ``resource.Quantity`` such as ``512Mi``, ``0.5``, ``250m`` or ``1e3``.

    Stricter than the API server on purpose: it trims surrounding whitespace before parsing, but
    the manifests would then carry the untrimmed string.
    """
    match = _QUANTITY.fullmatch(value)
    if not match or (value.startswith("-") and re.search("[1-9]", match.group(1))):
        raise ValueError(
            "expected a non-negative quantity: a number with an optional suffix "
            "(Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent such as e3)"
        )
    return value


@cache
def iana_zones() -> frozenset[str]:
    """The zone names of the IANA time zone database (as Python's ``zoneinfo`` lists them), and UTC."""
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def check_time_zone(value: str) -> str:
    """A CronJob ``timeZone``: an IANA time zone name such as ``Europe/Berlin``.

    Stricter than the API server on purpose: it loads any TZif file under its zoneinfo directory
    (``posixrules``, ``right/...``); we take only names of the IANA database's zone list.
    """
    parts = value.split("/")
    if any(p in (".", "..") or p.startswith("-") or not _TIME_ZONE_PART.fullmatch(p) for p in parts):
        raise ValueError("expected an IANA time zone name such as 'Europe/Berlin' or 'UTC'")
    if value not in iana_zones():
        raise ValueError("unknown time zone: expected an IANA time zone name such as 'Europe/Berlin' or 'UTC'")
    return value


DnsLabel = Annotated[str, AfterValidator(check_dns_label)]
"""An RFC 1123 label: at most 63 of ``a-z``, ``0-9``, ``-``, alphanumeric at both ends."""
DnsSubdomain = Annotated[str, AfterValidator(check_dns_subdomain)]
"""An RFC 1123 subdomain: dot-separated labels, at most 253 characters."""
QualifiedName = Annotated[str, AfterValidator(check_qualified_name)]
"""``[prefix/]name``: prefix a DNS subdomain, name at most 63 characters (label keys, taint keys)."""
LabelValue = Annotated[str, AfterValidator(check_label_value)]
"""Empty, or at most 63 letters, digits, ``-``, ``_``, ``.``, alphanumeric at both ends."""
Labels = Annotated[dict[str, str], AfterValidator(check_labels)]
"""Kubernetes labels: ``[prefix/]name`` keys, values of at most 63 characters."""
Annotations = Annotated[dict[str, str], AfterValidator(check_annotations)]
"""Kubernetes annotations: ``[prefix/]name`` keys, at most 256 KiB in all."""
EnvVarName = Annotated[str, Field(pattern=ENV_VAR_NAME_PATTERN)]
"""An environment variable name: letters, digits, ``_``, ``-``, ``.``, not starting with a digit."""
Port = Annotated[int, Field(ge=1, le=65535)]
"""A TCP/UDP port number."""
PortName = Annotated[str, AfterValidator(check_port_name)]
"""A named port (IANA service name): e.g. ``http``, ``metrics``."""
Quantity = Annotated[str, AfterValidator(check_quantity)]
"""A non-negative Kubernetes quantity, e.g. ``512Mi``, ``250m``."""
TimeZone = Annotated[str, AfterValidator(check_time_zone)]
"""An IANA time zone name, e.g. ``Europe/Berlin``."""
