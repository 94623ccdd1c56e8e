"""The value rules section of docs/reference.md: each Kubernetes-facing value type and what it allows.

A props field whose type carries one of these validators links to its row (``rule_name``). Some
rules (``PortName``, ``Quantity``, ``TimeZone``) are proven against the API server before any field
takes them: they are listed so that the next field to need one reuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic.functional_validators import AfterValidator

from ..core import cron, network_peer, values
from ..runtime import config

RULES: list[tuple[str, Callable[..., Any], str]] = [
    ("DnsLabel", values.check_dns_label, "RFC 1123 label: at most 63 of `a-z`, `0-9`, `-`, alphanumeric at both ends"),
    ("DnsSubdomain", values.check_dns_subdomain, "RFC 1123 subdomain: dot-separated labels, at most 253 characters"),
    (
        "Labels",
        values.check_labels,
        "keys `[prefix/]name` (prefix a DNS subdomain; name at most 63 letters, digits, `-`, `_`, `.`, "
        "alphanumeric at both ends); values empty or at most 63 of the same",
    ),
    (
        "QualifiedName",
        values.check_qualified_name,
        "`[prefix/]name` as a label key: a toleration's taint key (`example.com/gpu`)",
    ),
    ("LabelValue", values.check_label_value, "a label value: a toleration's taint value"),
    (
        "Annotations",
        values.check_annotations,
        "keys as label keys (compared lowercased, as the API server does); keys and values together at most "
        "256 KiB (UTF-8 bytes)",
    ),
    ("PortName", values.check_port_name, "IANA service name: at most 15 of `a-z`, `0-9`, `-`, a letter, no `--`"),
    ("Quantity", values.check_quantity, "a non-negative Kubernetes quantity: `512Mi`, `0.5`, `250m`, `1e3`"),
    ("TimeZone", values.check_time_zone, "an IANA time zone name (`Europe/Berlin`, `UTC`)"),
    (
        "CronSchedule",
        cron.check_cron_schedule,
        "5 fields `minute hour day-of-month month day-of-week` with ranges `1-5`, steps `*/15`, lists `1,15`, "
        "names `jan`, `mon-fri`; or `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, "
        "`@annually`, `@every <Go duration>`; no `TZ=`/`CRON_TZ=` (robfig/cron's standard parser, as the "
        "CronJob API does)",
    ),
    ("Cidr", network_peer.check_cidr, "an IPv4 or IPv6 network in canonical CIDR form, no host bits"),
    (
        "AirflowTimeZone",
        config.check_airflow_time_zone,
        "`utc` (any case), `system` or an IANA time zone name, as Airflow resolves `[core] default_timezone`",
    ),
]
"""(type name, validator, what it allows); env var names and ports are ``Field`` constraints shown inline."""

_BY_FUNCTION = {func: name for name, func, _ in RULES}


def rule_name(metadata: list[Any]) -> str | None:
    """The value type a field's metadata carries (its ``AfterValidator``), if any."""
    for item in metadata:
        if isinstance(item, AfterValidator) and item.func in _BY_FUNCTION:
            return _BY_FUNCTION[item.func]
    return None


def value_rules_section() -> list[str]:
    """The ``## Value rules`` section."""
    out = [
        "## Value rules",
        "",
        "Kubernetes-facing values are checked as the API server checks them, before anything is written "
        "(`airflow_constructs/core/values.py`, `core/cron.py`). `make test` proves each rule against real "
        "kube-apiservers 1.37.2 and 1.35.4 (the newest release and the oldest upstream still supports) with "
        "generated values around every boundary (`tests/cluster/test_values.py`, "
        "40 per type; `make proof`: 300); where we refuse on purpose what the API server accepts, the test "
        "names why.",
        "",
        "| type | allows |",
        "|---|---|",
    ]
    out += [f"| `{name}` | {text} |" for name, _, text in RULES]
    return [*out, ""]
