"""Differential tests: our value rules (``airflow_constructs.core.values`` / ``.cron``) against the API server.

On each release's API server (``each_release``: the newest and the oldest supported), per type,
hypothesis draws values around each boundary (``value_strategies``); each value is put
in a minimal object and all of them go in one ``kubectl create --dry-run=server`` of a List; the
objects kubectl reports created are the ones the API server accepts. Our verdict must be the same
for every value, except where ``stricter`` names why we refuse on purpose what the API server takes.
``VALUE_EXAMPLES`` (default 40; ``make proof``: 300) is how many values each type draws.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from airflow_constructs.core.cron import CronSchedule
from airflow_constructs.core.network_peer import Cidr
from airflow_constructs.core.values import (
    Annotations,
    DnsLabel,
    DnsSubdomain,
    EnvVarName,
    Labels,
    LabelValue,
    Port,
    PortName,
    QualifiedName,
    Quantity,
    TimeZone,
)
from tests.cluster import value_strategies as vs
from tests.cluster.cluster import Cluster
from tests.cluster.value_strategies import draw

pytestmark = pytest.mark.cluster

EXAMPLES = int(os.environ.get("VALUE_EXAMPLES", "40"))
NAMESPACE = "value-rules"


def _pod(container: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "busybox", **(container or {})}], **spec}}


def _config_map(**metadata: Any) -> dict[str, Any]:
    return {"kind": "ConfigMap", "metadata": metadata}


def _cron_job(schedule: str, **spec: Any) -> dict[str, Any]:
    pod = {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
    template = {"spec": {"template": {"spec": pod}}}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "spec": {"schedule": schedule, "jobTemplate": template, **spec},
    }


def _ingress(class_name: str) -> dict[str, Any]:
    backend = {"service": {"name": "s", "port": {"number": 80}}}
    spec = {"ingressClassName": class_name, "defaultBackend": backend}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": spec}


def _network_policy(cidr: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": cidr}}]}]},
    }


def _non_canonical_cidr(value: Any) -> str | None:
    if re.fullmatch(r"[0-9.]*\b0[0-9][0-9.]*/[0-9]+", value):
        return "an IPv4 octet with a leading zero ('010' is octal to some parsers): 1.35 takes it, 1.37 refuses it"
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
    return "we take only the canonical form without host bits; the API server also takes sloppier forms"


def _relaxed_env_name(value: Any) -> str | None:
    if value and all(32 <= ord(c) < 127 and c != "=" for c in value):
        return "Kubernetes 1.34+ takes any printable ASCII but '=' (RelaxedEnvironmentVariableValidation); older do not"
    return None


def _odd_quantity(value: Any) -> str | None:
    if value != value.strip():
        return "the API server trims whitespace around a quantity; we want the manifests to carry it trimmed"
    number = re.match(r"[+-]?[0-9.]*", value.strip())
    if number and not re.search("[0-9]", number.group()):
        return "a quantity without digits ('.', '+Ti', '-P') is read as 0 by the API server: surely a mistake"
    return None


def _unnamed_port(value: Any) -> str | None:
    return "an empty port name is no name to the API server; our props say None for that" if value == "" else None


def _empty_taint_key(value: Any) -> str | None:
    return "an empty taint key matches every taint: our props say key None for that" if value == "" else None


def _loadable_zone(value: Any) -> str | None:
    return "the API server loads any TZif file of its zoneinfo directory; we take the IANA zone list only"


@dataclass(frozen=True)
class ValueType:
    name: str
    ours: TypeAdapter[Any]
    strategy: st.SearchStrategy[Any]
    place: Callable[[Any], dict[str, Any]]
    stricter: Callable[[Any], str | None] = lambda value: None
    """Why we refuse on purpose a value the API server accepts (None: we must not refuse it)."""
    wrap: Callable[[Any], Any] = lambda value: value
    """The value as our type takes it (a label key inside a mapping)."""
    explicit: tuple[Any, ...] = ()
    """Values always judged, besides the drawn ones: the rules a reader would ask about first."""

    def accepts(self, value: Any) -> bool:
        try:
            self.ours.validate_python(self.wrap(value))
        except ValidationError:
            return False
        return True


TYPES = [
    ValueType("DnsLabel", TypeAdapter(DnsLabel), vs.dns_labels(), lambda v: _pod({"name": v})),
    ValueType("DnsSubdomain", TypeAdapter(DnsSubdomain), vs.dns_subdomains(), _ingress),
    ValueType(
        "Labels (key)", TypeAdapter(Labels), vs.qualified_names(), lambda v: _config_map(labels={v: "x"}),
        wrap=lambda v: {v: "x"},
    ),
    ValueType(
        "Labels (value)", TypeAdapter(Labels), vs.label_values(), lambda v: _config_map(labels={"k": v}),
        wrap=lambda v: {"k": v},
    ),
    ValueType(
        "Annotations (key)", TypeAdapter(Annotations), vs.qualified_names(), lambda v: _config_map(annotations={v: ""}),
        wrap=lambda v: {v: ""},
    ),
    ValueType(
        "Annotations (size)", TypeAdapter(Annotations), vs.annotation_sizes(), lambda v: _config_map(annotations=v)
    ),
    ValueType(
        "Toleration (key)", TypeAdapter(QualifiedName), vs.qualified_names(),
        lambda v: _pod(tolerations=[{"key": v, "operator": "Exists"}]), _empty_taint_key,
    ),
    ValueType(
        "Toleration (value)", TypeAdapter(LabelValue), vs.label_values(),
        lambda v: _pod(tolerations=[{"key": "k", "operator": "Equal", "value": v}]),
    ),
    ValueType(
        "EnvVarName", TypeAdapter(EnvVarName), vs.env_var_names(),
        lambda v: _pod({"env": [{"name": v, "value": "x"}]}), _relaxed_env_name,
    ),
    ValueType("Port", TypeAdapter(Port), vs.ports(), lambda v: _pod({"ports": [{"containerPort": v}]})),
    ValueType(
        "PortName", TypeAdapter(PortName), vs.port_names(),
        lambda v: _pod({"ports": [{"containerPort": 80, "name": v}]}), _unnamed_port,
    ),
    ValueType(
        "Quantity", TypeAdapter(Quantity), vs.quantities(),
        lambda v: _pod({"resources": {"requests": {"memory": v}}}), _odd_quantity,
    ),
    ValueType(
        "CronSchedule", TypeAdapter(CronSchedule), vs.cron_schedules(), _cron_job,
        explicit=("CRON_TZ=UTC 0 * * * *", "TZ=Europe/Berlin 0 0 * * *", "@hourly", "@every 1h30m", "0 0 * * ,",
                  "0 0 31 2 *", "0 0 * * 7", "*/15 9-17 * jan-jun mon-fri"),
    ),
    ValueType(
        "TimeZone", TypeAdapter(TimeZone), vs.time_zones(), lambda v: _cron_job("0 0 * * *", timeZone=v),
        _loadable_zone,
    ),
    ValueType("Cidr", TypeAdapter(Cidr), vs.cidrs(), _network_policy, _non_canonical_cidr),
]  # fmt: skip


def server_verdicts(cluster: Cluster, objects: list[dict[str, Any]]) -> list[bool]:
    """Whether the API server accepts each object, from one dry-run create of them all."""
    items = []
    for index, obj in enumerate(objects):
        meta = {**obj.get("metadata", {}), "name": f"v-{index:04d}", "namespace": NAMESPACE}
        items.append({"apiVersion": "v1", **obj, "metadata": meta})
    doc = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
    result = cluster.kubectl("create", "--dry-run=server", "-o", "name", "-f", "-", stdin=doc)
    created = {int(m.group(1)) for m in re.finditer(r"^\S+/v-(\d{4})$", result.stdout, re.M)}
    refused = len(objects) - len(created)
    # Only validation may refuse: anything else (admission, RBAC) would be a verdict on something else.
    assert "(Forbidden)" not in result.stderr and "(InternalError)" not in result.stderr, result.stderr
    # One error line per refused object: a kubectl that stopped early shows here.
    errors = re.findall(r'^(?:Error from server|The \S+ "v-\d{4}" is invalid)', result.stderr, re.M)
    assert len(errors) == refused, result.stderr
    return [i in created for i in range(len(objects))]


@pytest.fixture(scope="module")
def namespace(each_release: Cluster) -> str:
    cluster = each_release
    name = cluster.new_namespace(NAMESPACE, restricted=False)
    # Pods are refused until the controller-manager has made the namespace's default ServiceAccount.
    cluster.wait_for("default ServiceAccount", lambda: cluster.kubectl("get", "sa", "default", "-n", name).ok, 60)
    return name


@pytest.mark.parametrize("value_type", TYPES, ids=lambda t: t.name)
def test_our_verdict_is_the_api_servers(
    each_release: Cluster, namespace: str, value_report: list[str], value_type: ValueType
) -> None:
    drawn = draw(value_type.strategy, EXAMPLES)
    values = [*value_type.explicit, *(v for v in drawn if v not in value_type.explicit)]
    assert len(drawn) >= min(EXAMPLES, 30), f"only {len(drawn)} distinct values drawn"
    theirs = server_verdicts(each_release, [value_type.place(v) for v in values])
    differ, on_purpose = [], []
    for value, accepted in zip(values, theirs, strict=True):
        ours = value_type.accepts(value)
        if ours == accepted:
            continue
        reason = None if ours else value_type.stricter(value)
        (on_purpose if reason else differ).append((value, accepted, reason))
    valid = sum(theirs)
    value_report.append(
        f"Kubernetes {each_release.release.minor} {value_type.name}: {len(values)} values, "
        f"API server accepted {valid}, refused {len(values) - valid}; "
        f"verdicts equal {len(values) - len(on_purpose) - len(differ)}, stricter on purpose {len(on_purpose)}"
    )
    assert differ == [], "\n".join(
        f"{v!r}: the API server {'accepts' if a else 'refuses'} it, we do not" for v, a, _ in differ
    )
