"""Example values of the props models, for the reference: curated, or derived from defaults.

``example_values`` gives a short example of a model; ``config_example`` places it where the model
sits in a config file (a ``Segment`` path). The tests load every placeholder-free example as a
config file.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

EXAMPLE_FIELDS = 3
"""How many fields with defaults an example shows (required fields are always shown)."""

Segment = tuple[str, str, type[BaseModel]]
"""One step of a path into the config file: a field name; ``"list"``, ``"dict"`` or ``""`` for
what holds the model there (a list of them, a mapping of them, or the model itself); the model."""

_PLACEHOLDER = re.compile(r"^<[a-z_]+>$")


CURATED_EXAMPLES: dict[str, dict[str, Any]] = {
    "CeleryWorkerSet": {"name": "default", "queues": ["default"], "replicas": 2},
    "CoreSecrets": {
        "fernet_key": {"name": "airflow-core", "key": "fernet-key"},
        "api_secret_key": {"name": "airflow-core", "key": "api-secret-key"},
        "jwt_secret": {"name": "airflow-core", "key": "jwt-secret"},
    },
    "ExternalBroker": {"kind": "external", "url": {"name": "airflow-broker", "key": "url"}},
    "GitSshAuth": {
        "private_key": {"name": "git-deploy-key", "key": "id_ed25519"},
        "known_hosts": {"name": "git-deploy-key", "key": "known_hosts"},
    },
    "WorkersOnlyProps": {
        "broker": {"kind": "external", "url": {"name": "airflow-core", "key": "broker-url"}},
        "database": {"kind": "external", "url": {"name": "airflow-core", "key": "database-url"}},
        "execution_api_url": "http://airflow-api-server.airflow-core.svc.cluster.local:8080/execution/",
        "secrets": {
            "fernet_key": {"name": "airflow-core", "key": "fernet-key"},
            "api_secret_key": {"name": "airflow-core", "key": "api-secret-key"},
            "jwt_secret": {"name": "airflow-core", "key": "jwt-secret"},
        },
        "worker_sets": [{"name": "remote", "queues": ["remote"]}],
    },
    "AirflowSecrets": {"fernet_key": {"name": "airflow-keys", "key": "fernet-key"}},
    "EnvVar": {"name": "AIRFLOW__CORE__TEST_CONNECTION", "value": "Enabled"},
    "ExternalDatabase": {"kind": "external", "url": {"name": "airflow-db", "key": "url"}},
    "Image": {"repository": "postgres", "tag": "17.6-bookworm"},
    "KerberosProps": {
        "enabled": True,
        "principal": "airflow@EXAMPLE.COM",
        "keytab": {"name": "airflow-kerberos", "key": "keytab"},
        "krb5_conf": "[libdefaults]\n  default_realm = EXAMPLE.COM\n",
        "kdc": [{"cidr": "10.0.0.0/8"}],
    },
    "PodDefaults": {
        "node_selector": {"example.com/pool": "airflow"},
        "tolerations": [{"key": "example.com/dedicated", "value": "airflow", "effect": "NoSchedule"}],
    },
    "PodOptions": {"node_selector": {"kubernetes.io/arch": "amd64"}, "priority_class_name": "airflow"},
    "SecretRef": {"name": "airflow-db", "key": "url"},
    "Toleration": {"key": "dedicated", "value": "airflow", "effect": "NoSchedule"},
}
"""Examples for models whose defaults alone make a poor or invalid one (a required field, a check
across fields). The tests load every placeholder-free example of the reference as a config file,
so a model change that breaks one of these fails there."""


def example_values(model: type[BaseModel]) -> dict[str, Any]:
    """A short example value of a model: a curated one, or its first scalar defaults plus a
    placeholder ``<field>`` (or the field's first ``examples`` entry) for each required field."""
    if model.__name__ in CURATED_EXAMPLES:
        return CURATED_EXAMPLES[model.__name__]
    values: dict[str, Any] = {}
    shown = 0
    for name, info in model.model_fields.items():
        if info.is_required():
            values[name] = _placeholder(name, info)
            continue
        default = info.get_default(call_default_factory=True)
        scalar = isinstance(default, str | int | float | bool) or (
            isinstance(default, list) and default and all(isinstance(x, str | int | float | bool) for x in default)
        )
        if scalar and shown < EXAMPLE_FIELDS:
            values[name] = default
            shown += 1
    if not values and model.model_fields:
        name, info = next(iter(model.model_fields.items()))
        values[name] = _placeholder(name, info)
    return values


def _placeholder(name: str, info: FieldInfo) -> Any:
    if info.examples:
        return info.examples[0]
    nested = models_in(info.annotation)
    value: Any = example_values(nested[0]) if nested else f"<{name}>"
    container = container_kind(info.annotation)
    if container == "list":
        return [value]
    return {"<key>": value} if container == "dict" else value


def has_placeholders(value: Any) -> bool:
    """Whether an example still holds a ``<field>`` placeholder (it is then a template)."""
    if isinstance(value, dict):
        return any(has_placeholders(k) or has_placeholders(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_placeholders(v) for v in value)
    return isinstance(value, str) and bool(_PLACEHOLDER.match(value))


def config_example(model: type[BaseModel], path: tuple[Segment, ...]) -> dict[str, Any]:
    """The model's example values placed at ``path`` in a config file.

    Every model on the way gets its ``kind``: inside a union (``executor``, ``database``) the kind
    is what tells the file's reader, and the validator, which branch is meant.
    """
    value: Any = _with_kind(model, example_values(model))
    for index in range(len(path) - 1, -1, -1):
        name, container, _ = path[index]
        if container == "list":
            value = [value]
        elif container == "dict":
            value = {"<key>": value}
        value = {name: value}
        if index > 0:
            value = _with_kind(path[index - 1][2], _with_required(path[index - 1][2], value))
    result: dict[str, Any] = value
    return result


def _with_required(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` plus the example values of the model's required fields (a worker set's name)."""
    example = example_values(model)
    required = {n: example[n] for n, info in model.model_fields.items() if info.is_required() and n in example}
    return {**required, **values}


def _with_kind(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    info = model.model_fields.get("kind")
    if info is None or "kind" in values or info.is_required() or typing.get_origin(info.annotation) is not Literal:
        return values
    return {"kind": info.default, **values}


# -- walking annotations ------------------------------------------------------------------------


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation mentions, in order (through unions, lists, dicts, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        for model in models_in(arg):
            if model not in found:
                found.append(model)
    return found


def container_kind(annotation: Any) -> str:
    """``"list"`` or ``"dict"`` when an annotation holds its models in a list or mapping, else ``""``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return container_kind(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        # ``X | list[X]``: the single form is the simpler example.
        kinds = {container_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return "" if "" in kinds or not kinds else min(kinds)
    if origin in (list, tuple, set, frozenset):
        return "list"
    return "dict" if origin is dict else ""


def reachable(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    stack = [model]
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.append(current)
        yield current
        for info in current.model_fields.values():
            stack.extend(models_in(info.annotation))
