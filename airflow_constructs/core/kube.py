"""Kubernetes object plumbing shared by every construct: names, recommended labels, objects.

Objects are plain cdk8s ``ApiObject``s whose body is set in one JSON patch. Building the body as a
Python dict and crossing into jsii once per object keeps synthesis fast (one node round trip
instead of hundreds for a typed L1 struct tree) and keeps the output exactly what we wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from cdk8s import ApiObject
from constructs import Construct

from . import values
from .body_object import BodyObject, chart_namespace

PART_OF = "airflow"
MANAGED_BY = "airflow-constructs"
CONFIG_CHECKSUM = "airflow-constructs.io/config-checksum"
"""Pod-template annotation holding a checksum of the configuration the pod mounts: a change rolls
the pods, and for a one-shot Job it changes the Job's name (see ``one_shot_job``)."""


RELEASE_NAME_MAX_LENGTH = 30
"""The longest release name (``Airflow``'s ``name``, a service's ``Release.instance``): object names are
``<release>-<component>`` and more, and must stay DNS labels of at most 63 characters."""


def check_dns_label(field: str, value: str, max_len: int = 63) -> str:
    """An RFC 1123 label (the rule for most Kubernetes object names), the message naming ``field``."""
    try:
        return values.check_dns_label(value, max_len)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a valid name for {field}: {err}") from None


def check_dns_subdomain(field: str, value: str) -> str:
    """An RFC 1123 subdomain (the rule for Secret, ConfigMap and StorageClass names), the message naming ``field``."""
    try:
        return values.check_dns_subdomain(value)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a valid name for {field}: {err}") from None


def selector_labels(instance: str, component: str) -> dict[str, str]:
    """The labels a selector matches: stable across upgrades (no version in them)."""
    return {
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/name": "airflow",
    }


def recommended_labels(instance: str, component: str, version: str) -> dict[str, str]:
    """Kubernetes recommended labels for one component of one Airflow instance."""
    return {
        **selector_labels(instance, component),
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/version": version,
    }


def short_hash(*parts: Any, length: int = 8) -> str:
    """A stable hash of JSON-serialisable parts, for names and checksum annotations."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, sort_keys=True, separators=(",", ":")).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:length]


def service_host(name: str, namespace: str) -> str:
    """In-cluster DNS name of a Service, reachable from any namespace."""
    return f"{name}.{namespace}.svc"


def namespace_of(scope: Construct) -> str | None:
    """The namespace of the chart that holds ``scope`` (None when the chart sets none)."""
    return chart_namespace(scope)


def require_namespace(scope: Construct, instance: str) -> str:
    """The chart's namespace; the library needs one (RoleBinding subjects and Service DNS names)."""
    namespace = namespace_of(scope)
    if not namespace:
        from .props import PropsError

        raise PropsError(
            f"{instance}: the enclosing Chart sets no namespace: give Chart(..., namespace=...) "
            "(RoleBinding subjects and Service URLs need it)"
        )
    return namespace


api_object = BodyObject
"""Create one Kubernetes object with its whole body (spec, data, rules...) given as a dict: a
``BodyObject`` (``scope, id, *, api_version, kind, name, labels, annotations=None, namespace=None,
body=None``; ``namespace`` overrides the chart's namespace, for objects another namespace needs)."""


class _OneShotJob(BodyObject):
    """A Job whose name is ``<base>-<hash of its spec>``, computed when the object is rendered.

    A Job's pod template is immutable, so a Job whose template changed must be a new Job. Rendering
    is the one moment that sees the spec exactly as it will be applied: after every construct
    composed it and after every escape hatch (``add_json_patch``) a user added. Hashing the whole
    spec (mutable fields too) keeps the rule free of a list of fields to maintain; re-running a
    one-shot Job is always safe, since each one is idempotent.
    """

    def __init__(self, scope: Construct, id: str, *, base_name: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self._base_name = base_name

    def to_json(self) -> Any:
        if self.in_node:
            rendered = super().to_json()
            rendered["metadata"]["name"] = self._named(rendered.get("spec"))
            return rendered
        return self.python_json()

    def python_json(self, chart: tuple[str | None, dict[str, str]] | None = None) -> dict[str, Any]:
        rendered = super().python_json(chart)
        return {**rendered, "metadata": {**rendered["metadata"], "name": self._named(rendered.get("spec"))}}

    def _named(self, spec: Any) -> str:
        return f"{self._base_name}-{job_suffix(spec)}"


def go_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys, byte for byte as Go's ``json.Marshal`` writes it.

    Helm's ``toJson`` is Go's encoder, which writes non-ASCII text as is and escapes ``<``, ``>``,
    ``&``, U+2028 and U+2029; a chart computes a one-shot Job's name with it (``job_suffix``).
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _GO_JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def go_pretty_json(value: Any) -> str:
    """``value`` as indented JSON with sorted keys, byte for byte as Helm's ``toPrettyJson`` writes it
    (Go's ``json.MarshalIndent`` with two spaces): a file a chart renders from values (a pod template)."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
    for char, escaped in _GO_JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def data_checksum(data: dict[str, str]) -> str:
    """The checksum of a ConfigMap's ``data`` that a pod template annotation carries: sha256 of its Go JSON.

    A Helm chart recomputes it from the ConfigMap as rendered with the user's values
    (``toJson | sha256sum``), so a value that reaches the ConfigMap still rolls the pods.
    """
    return hashlib.sha256(go_json(data).encode()).hexdigest()


def job_suffix(spec: Any) -> str:
    """The hash a one-shot Job's name ends with: the first 8 hex of sha256(Go JSON of the spec + NUL).

    A Helm chart computes the same in its template, ``toJson`` of the rendered spec piped to
    ``sha256sum``, so a Job changed by a chart value gets a new name there too.
    """
    return hashlib.sha256(go_json(spec).encode() + b"\0").hexdigest()[:8]


class ObjectMeta(TypedDict):
    """The name and labels every object builder below takes, keywords that travel together (a
    ``Labelled`` construct passes its own as ``**self.meta``)."""

    name: str
    """The object's name (``metadata.name``)."""
    labels: dict[str, str]
    """The object's labels (``metadata.labels``): the recommended ones of its component."""


def checked_meta(owner: object, meta: Mapping[str, Any]) -> ObjectMeta:
    """A public constructor's ``**meta: Unpack[ObjectMeta]`` checked at run time as Python checks an
    explicit signature (mypy checks it before): ``name`` and ``labels`` given, no other keyword, each
    refusal the ``TypeError`` Python raises for ``owner``'s ``__init__``."""
    callee = f"{type(owner).__name__}.__init__()"
    if unknown := sorted(set(meta) - set(ObjectMeta.__annotations__)):
        raise TypeError(f"{callee} got an unexpected keyword argument {unknown[0]!r}")
    if missing := [key for key in ObjectMeta.__annotations__ if key not in meta]:
        names = " and ".join(repr(key) for key in missing)
        plural = "s" if len(missing) > 1 else ""
        raise TypeError(f"{callee} missing {len(missing)} required keyword-only argument{plural}: {names}")
    return ObjectMeta(name=meta["name"], labels=meta["labels"])


def config_map(
    scope: Construct, id: str, *, data: dict[str, str], namespace: str | None = None, **meta: Unpack[ObjectMeta]
) -> ApiObject:
    """A ConfigMap holding ``data`` (file name -> content)."""
    return api_object(scope, id, api_version="v1", kind="ConfigMap", body={"data": data}, namespace=namespace, **meta)


def service(
    scope: Construct, *, spec: dict[str, Any], annotations: dict[str, str] | None = None, **meta: Unpack[ObjectMeta]
) -> ApiObject:
    """The Service ``name`` (construct id ``service``) with ``spec``."""
    return api_object(
        scope, "service", api_version="v1", kind="Service", annotations=annotations, body={"spec": spec}, **meta
    )


def one_shot_job(
    scope: Construct,
    id: str,
    *,
    base_name: str,
    labels: dict[str, str],
    template: dict[str, Any],
    backoff_limit: int,
    ttl_seconds_after_finished: int,
) -> ApiObject:
    """A run-once Job named ``<base_name>-<hash>`` from its whole rendered spec (see ``_OneShotJob``).

    Anything the Job should re-run for but only mounts (a ConfigMap's content) must reach the
    template as a ``CONFIG_CHECKSUM`` annotation, so that it reaches the hash too.
    """
    return _OneShotJob(
        scope,
        id,
        base_name=check_dns_label(f"{id} Job name", base_name, max_len=63 - 9),
        api_version="batch/v1",
        kind="Job",
        name=base_name,
        labels=labels,
        body={
            "spec": {
                "backoffLimit": backoff_limit,
                "template": template,
                "ttlSecondsAfterFinished": ttl_seconds_after_finished,
            }
        },
    )


def cron_job(
    scope: Construct,
    id: str,
    *,
    schedule: str,
    template: dict[str, Any],
    ttl_seconds_after_finished: int = 86400,
    **meta: Unpack[ObjectMeta],
) -> ApiObject:
    """A CronJob that never overlaps itself and keeps one finished Job of each outcome."""
    job = {"backoffLimit": 1, "template": template, "ttlSecondsAfterFinished": ttl_seconds_after_finished}
    spec = {
        "concurrencyPolicy": "Forbid",
        "failedJobsHistoryLimit": 1,
        "jobTemplate": {"spec": job},
        "schedule": schedule,
        "successfulJobsHistoryLimit": 1,
    }
    return api_object(scope, id, api_version="batch/v1", kind="CronJob", body={"spec": spec}, **meta)


def service_account(
    scope: Construct, id: str, *, namespace: str | None = None, **meta: Unpack[ObjectMeta]
) -> ApiObject:
    """A ServiceAccount that mounts no API token by default: a pod that needs one opts in."""
    body = {"automountServiceAccountToken": False}
    return api_object(scope, id, api_version="v1", kind="ServiceAccount", body=body, namespace=namespace, **meta)


def surge_one() -> dict[str, Any]:
    """A Deployment strategy starting one new pod before stopping an old one: never fewer than ``replicas``."""
    return {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}, "type": "RollingUpdate"}


def deployment(
    scope: Construct,
    id: str,
    *,
    selector: dict[str, str],
    replicas: int | None,
    template: dict[str, Any],
    strategy: dict[str, Any],
    **meta: Unpack[ObjectMeta],
) -> ApiObject:
    """A Deployment selecting on ``selector``, keeping five old ReplicaSets for rollbacks."""
    spec = {
        "replicas": replicas,
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": selector},
        "strategy": strategy,
        "template": template,
    }
    return api_object(scope, id, api_version="apps/v1", kind="Deployment", body={"spec": spec}, **meta)


def stateful_set(
    scope: Construct,
    *,
    name: str,
    labels: dict[str, str],
    selector: dict[str, str],
    service_name: str,
    template: dict[str, Any],
    **spec: Any,
) -> ApiObject:
    """A rolling-update StatefulSet (construct id ``statefulset``) selecting on ``selector``; ``spec``
    adds the rest of its spec by its Kubernetes names (``replicas``, ``podManagementPolicy``, ...)."""
    spec |= {
        "selector": {"matchLabels": selector},
        "serviceName": service_name,
        "template": template,
        "updateStrategy": {"type": "RollingUpdate"},
    }
    body = {"spec": dict(sorted(spec.items()))}
    return api_object(
        scope, "statefulset", api_version="apps/v1", kind="StatefulSet", name=name, labels=labels, body=body
    )


def pod_disruption_budget(
    scope: Construct, id: str, *, selector: dict[str, str], **meta: Unpack[ObjectMeta]
) -> ApiObject:
    """A PodDisruptionBudget letting node drains evict one of the selected pods at a time."""
    body = {"spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}}}
    return api_object(scope, id, api_version="policy/v1", kind="PodDisruptionBudget", body=body, **meta)
