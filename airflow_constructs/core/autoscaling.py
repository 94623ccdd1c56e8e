"""Autoscaling: HPA (CPU/memory), KEDA (queued + running tasks in the metadata DB), and VPA.

KEDA and VPA objects come from bindings generated with ``cdk8s import`` from their CRDs (see
``imports/``); each binding is imported only when it is used, since loading one costs start-up time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct
from pydantic import Field, Tag, model_validator

from .body_object import object_reference
from .kube import api_object
from .pod import SecretRef
from .props import Props, kind_discriminator, register_union_tags


class _Bounds(Props):
    min_replicas: int = Field(default=1, ge=0, le=1000)
    """Fewest replicas."""
    max_replicas: int = Field(default=10, ge=1, le=1000)
    """Most replicas."""

    @model_validator(mode="after")
    def _ordered(self) -> _Bounds:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas {self.min_replicas} is above max_replicas {self.max_replicas}: "
                "min_replicas must be at most max_replicas"
            )
        return self


class HorizontalAutoscaling(_Bounds):
    """A HorizontalPodAutoscaler (autoscaling/v2) on CPU and/or memory utilization."""

    kind: Literal["hpa"] = "hpa"
    """Discriminator for the ``autoscaling`` choice."""
    min_replicas: int = Field(default=1, ge=1, le=1000)
    """Fewest replicas (an HPA cannot scale to zero)."""
    cpu_utilization: int | None = Field(default=80, ge=1, le=1000)
    """Target average CPU utilization in percent of the request (None: not a metric)."""
    memory_utilization: int | None = Field(default=None, ge=1, le=1000)
    """Target average memory utilization in percent of the request (None: not a metric)."""
    scale_down_stabilization_seconds: int = Field(default=300, ge=0, le=3600)
    """How long load must stay low before replicas are removed."""

    @model_validator(mode="after")
    def _a_metric(self) -> HorizontalAutoscaling:
        if self.cpu_utilization is None and self.memory_utilization is None:
            raise ValueError("cpu_utilization and memory_utilization are both None: set at least one")
        return self


class KedaAutoscaling(_Bounds):
    """A KEDA ScaledObject driven by the PostgreSQL trigger: queued + running tasks of the set's queues.

    Needs KEDA in the cluster and the metadata database given as parts (embedded, or external
    host/user/database/password), since KEDA connects to it with its own client.
    """

    kind: Literal["keda"] = "keda"
    """Discriminator for the ``autoscaling`` choice."""
    min_replicas: int = Field(default=0, ge=0, le=1000)
    """Fewest replicas; 0 lets an idle set scale to nothing."""
    cooldown_period_seconds: int = Field(default=300, ge=0, le=86400)
    """Wait after the last active trigger before scaling to ``min_replicas``."""
    polling_interval_seconds: int = Field(default=15, ge=1, le=3600)
    """How often KEDA runs the query."""


Autoscaling = Annotated[
    Annotated[HorizontalAutoscaling, Tag("hpa")] | Annotated[KedaAutoscaling, Tag("keda")],
    kind_discriminator("autoscaling", "", "expected kind 'hpa' or 'keda'"),
]
register_union_tags("hpa", "keda")

VpaMode = Literal["Off", "Initial", "Recreate", "InPlaceOrRecreate"]


class VerticalAutoscaling(Props):
    """A VerticalPodAutoscaler for a component (needs the VPA components in the cluster)."""

    update_mode: VpaMode = "Off"
    """``Off`` only recommends (read them with ``kubectl describe vpa``); the others apply them."""
    min_cpu: str | None = None
    """Lowest CPU request VPA may set, e.g. ``100m``."""
    max_cpu: str | None = None
    """Highest CPU request VPA may set, e.g. ``4``."""
    min_memory: str | None = None
    """Lowest memory request VPA may set, e.g. ``256Mi``."""
    max_memory: str | None = None
    """Highest memory request VPA may set, e.g. ``8Gi``."""


def horizontal_pod_autoscaler(
    scope: Construct,
    *,
    name: str,
    labels: dict[str, str],
    target: ApiObject,
    props: HorizontalAutoscaling,
) -> ApiObject:
    """An autoscaling/v2 HorizontalPodAutoscaler for ``target``."""
    metrics = []
    for resource, target_pct in (("cpu", props.cpu_utilization), ("memory", props.memory_utilization)):
        if target_pct is not None:
            metrics.append(
                {
                    "resource": {"name": resource, "target": {"averageUtilization": target_pct, "type": "Utilization"}},
                    "type": "Resource",
                }
            )
    return api_object(
        scope,
        "hpa",
        api_version="autoscaling/v2",
        kind="HorizontalPodAutoscaler",
        name=name,
        labels=labels,
        body={
            "spec": {
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": props.scale_down_stabilization_seconds}},
                "maxReplicas": props.max_replicas,
                "metrics": metrics,
                "minReplicas": props.min_replicas,
                "scaleTargetRef": _target_ref(target),
            }
        },
    )


def _target_ref(target: ApiObject, api_version: str = "apiVersion") -> dict[str, str]:
    """The target's ``apiVersion`` (under the key ``api_version``), ``kind`` and ``name``, held in Python."""
    version, kind, name = object_reference(target)
    return {api_version: version, "kind": kind, "name": name}


def keda_sql_scaler(
    scope: Construct,
    *,
    name: str,
    labels: dict[str, str],
    target: ApiObject,
    props: KedaAutoscaling,
    query: str,
    host: str,
    port: int,
    user: str,
    database: str,
    password: SecretRef,
    sslmode: str = "disable",
    dialect: str = "postgresql",
) -> tuple[ApiObject, ApiObject]:
    """A TriggerAuthentication (password from its Secret) and a ScaledObject running ``query`` with
    KEDA's ``postgresql`` or ``mysql`` scaler (``dialect``).

    Long because the two KEDA objects are written out field by field, as their CRDs name them.
    """
    from ..imports import keda

    metadata = ApiObjectMetadata(name=name, labels=labels)
    auth = keda.TriggerAuthentication(
        scope,
        "keda-auth",
        metadata=metadata,
        spec=keda.TriggerAuthenticationSpec(
            secret_target_ref=[
                keda.TriggerAuthenticationSpecSecretTargetRef(
                    key=password.key, name=password.name, parameter="password"
                )
            ]
        ),
    )
    scaled = keda.ScaledObject(
        scope,
        "keda",
        metadata=metadata,
        spec=keda.ScaledObjectSpec(
            scale_target_ref=keda.ScaledObjectSpecScaleTargetRef(**_target_ref(target, "api_version")),
            min_replica_count=props.min_replicas,
            max_replica_count=props.max_replicas,
            cooldown_period=props.cooldown_period_seconds,
            polling_interval=props.polling_interval_seconds,
            triggers=[
                keda.ScaledObjectSpecTriggers(
                    type=dialect,
                    authentication_ref=keda.ScaledObjectSpecTriggersAuthenticationRef(name=name),
                    metadata=_sql_trigger(dialect, query, host, port, user, database, sslmode),
                )
            ],
        ),
    )
    return auth, scaled


def _sql_trigger(
    dialect: str, query: str, host: str, port: int, user: str, database: str, sslmode: str
) -> dict[str, str]:
    """The trigger's metadata, in the names each KEDA scaler reads (one wanted pod per query unit)."""
    if dialect == "mysql":
        return {
            "dbName": database,
            "host": host,
            "port": str(port),
            "query": query,
            "queryValue": "1",
            "username": user,
        }
    return {
        "dbName": database,
        "host": host,
        "port": str(port),
        "query": query,
        "sslmode": sslmode,
        "targetQueryValue": "1",
        "userName": user,
    }


def vertical_pod_autoscaler(
    scope: Construct,
    *,
    name: str,
    labels: dict[str, str],
    target: ApiObject,
    container: str,
    props: VerticalAutoscaling,
) -> ApiObject:
    """A VerticalPodAutoscaler for ``target``'s main container."""
    from ..imports import vpa

    policy: dict[str, Any] = {"container_name": container}
    low = {k: v for k, v in (("cpu", props.min_cpu), ("memory", props.min_memory)) if v}
    high = {k: v for k, v in (("cpu", props.max_cpu), ("memory", props.max_memory)) if v}
    if low:
        policy["min_allowed"] = {
            k: vpa.VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMinAllowed.from_string(v)
            for k, v in low.items()
        }
    if high:
        policy["max_allowed"] = {
            k: vpa.VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMaxAllowed.from_string(v)
            for k, v in high.items()
        }
    modes = {
        "Off": vpa.VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF,
        "Initial": vpa.VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.INITIAL,
        "Recreate": vpa.VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.RECREATE,
        "InPlaceOrRecreate": vpa.VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.IN_PLACE_OR_RECREATE,
    }
    autoscaler: ApiObject = vpa.VerticalPodAutoscaler(
        scope,
        "vpa",
        metadata=ApiObjectMetadata(name=name, labels=labels),
        spec=vpa.VerticalPodAutoscalerSpec(
            target_ref=vpa.VerticalPodAutoscalerSpecTargetRef(**_target_ref(target, "api_version")),
            update_policy=vpa.VerticalPodAutoscalerSpecUpdatePolicy(update_mode=modes[props.update_mode]),
            resource_policy=vpa.VerticalPodAutoscalerSpecResourcePolicy(
                container_policies=[vpa.VerticalPodAutoscalerSpecResourcePolicyContainerPolicies(**policy)]
            ),
        ),
    )
    return autoscaler
