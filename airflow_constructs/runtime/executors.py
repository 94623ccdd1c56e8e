"""Executors: where tasks run, and the props of what each one needs.

``LocalExecutor`` runs tasks inside the scheduler. ``CeleryExecutor`` adds named worker sets fed
by a Redis (or external) broker. ``KubernetesExecutor`` launches a pod per task from a pod
template. ``EdgeExecutor`` (provider ``apache-airflow-providers-edge3``) runs workers that reach
the api-server over HTTP. Airflow 3 accepts several at once (``executor=[CeleryExecutor(),
KubernetesExecutor()]``): the first is the default, tasks pick another with ``executor=...``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from ..core.autoscaling import Autoscaling
from ..core.cron import CronSchedule
from ..core.kube import check_dns_label
from ..core.pod import KubeObject
from ..core.pod_merge import check_user_pod
from ..core.props import Props, kind_discriminator, register_union_tags
from ..core.resources import Resources, memory_bytes
from ..core.validators import dns_label_validator, repeated
from ..core.workload import ComponentProps
from ..services.redis import EmbeddedRedis, ExternalBroker

# Celery splits --queues on commas and Kombu routes by exact name: keep names to a safe alphabet.
_QUEUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


def check_queues(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("a worker set needs at least one queue")
    for queue in value:
        if not _QUEUE.match(queue):
            raise ValueError(
                f"queue name {queue!r} is not allowed: use letters, digits, '_', '.', ':' and '-', "
                "starting with a letter or digit (no commas or spaces: Celery splits --queues on commas)"
            )
    if len(set(value)) != len(value):
        raise ValueError(f"queues {value} repeat a name")
    return value


S = TypeVar("S", "CeleryWorkerSet", "EdgeWorkerSet")


def _unique_names(sets: list[S], what: str) -> list[S]:
    """``sets`` when no two share a name; else an error naming the repeated ones."""
    if dupes := repeated([ws.name for ws in sets]):
        raise ValueError(f"{what} names must be unique; repeated: {', '.join(dupes)}")
    return sets


class LocalExecutor(Props):
    """Tasks run as subprocesses of the scheduler (no extra components).

    Good for small installs: the scheduler's resources bound how much runs at once, and its log
    server (port 8793) serves task logs to the api-server.
    """

    kind: Literal["LocalExecutor"] = "LocalExecutor"
    """Discriminator for the ``executor`` choice; also the ``[core] executor`` value."""

    @property
    def core_name(self) -> str:
        """The name in ``[core] executor``."""
        return self.kind


class CeleryWorkerSet(ComponentProps):
    """One named set of Celery workers consuming some queues: a StatefulSet and a headless Service."""

    name: str
    """Set name; objects are ``<release>-worker-<name>``. At most 20 characters."""
    queues: list[str] = ["default"]
    """Celery queues this set consumes (``airflow celery worker --queues``)."""
    concurrency: int = Field(default=16, ge=1, le=256)
    """Task processes per worker pod (``--concurrency``)."""
    resources: Resources = Resources(cpu_request="500m", memory_request="2Gi", cpu_limit="2", memory_limit="4Gi")
    """Requests and limits of the worker container (tasks run inside it)."""
    termination_grace_period_seconds: int = Field(default=600, ge=30, le=86400)
    """How long a stopping worker may finish its running tasks (Celery warm shutdown on SIGTERM)."""
    autoscaling: Autoscaling | None = None
    """HPA (CPU/memory) or KEDA (queued + running tasks of these queues) scaling; None: fixed replicas."""
    max_tasks_per_child: int | None = Field(default=None, ge=1, le=1_000_000)
    """Replace a task process after it ran this many tasks (Celery's ``worker_max_tasks_per_child``);
    None: never."""
    max_memory_per_child: str | None = Field(default=None, pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")
    """Replace a task process once its resident memory exceeds this (``512Mi``, ``2Gi``: Celery's
    ``worker_max_memory_per_child``), after its current task; None: never."""

    _name = dns_label_validator("name", what="a worker set", max_length=20)

    @field_validator("queues")
    @classmethod
    def _queues(cls, value: list[str]) -> list[str]:
        return check_queues(value)

    def celery_config(self) -> dict[str, int]:
        """The Celery settings of this set's recycling (``[celery] extra_celery_config``), in Celery's units."""
        out: dict[str, int] = {}
        if self.max_tasks_per_child is not None:
            out["worker_max_tasks_per_child"] = self.max_tasks_per_child
        if self.max_memory_per_child is not None:
            # Celery counts kilobytes (KiB of resident memory).
            out["worker_max_memory_per_child"] = memory_bytes(self.max_memory_per_child) // 1024
        return out

    @model_validator(mode="after")
    def _child_below_limit(self) -> CeleryWorkerSet:
        child = self.max_memory_per_child
        if child is not None and memory_bytes(child) >= memory_bytes(self.resources.memory_limit):
            raise ValueError(
                f"max_memory_per_child {child!r} is not below resources.memory_limit "
                f"{self.resources.memory_limit!r}: the container would be OOM-killed before a task process "
                "is replaced"
            )
        return self


Broker = Annotated[
    Annotated[EmbeddedRedis, Tag("embedded-redis")] | Annotated[ExternalBroker, Tag("external")],
    kind_discriminator("broker", "embedded-redis", "expected kind 'embedded-redis' (the default) or 'external'"),
]


class CeleryExecutor(Props):
    """Tasks run on Celery worker sets; the scheduler queues them through the broker."""

    kind: Literal["CeleryExecutor"] = "CeleryExecutor"
    """Discriminator for the ``executor`` choice; also the ``[core] executor`` value."""
    worker_sets: list[CeleryWorkerSet] = [CeleryWorkerSet(name="default")]
    """Worker sets, each with its queues, replicas, resources and scaling."""
    broker: Broker = EmbeddedRedis()
    """The message broker: ``EmbeddedRedis()`` or ``ExternalBroker(url=SecretRef(...))``."""

    @field_validator("worker_sets")
    @classmethod
    def _unique_sets(cls, value: list[CeleryWorkerSet]) -> list[CeleryWorkerSet]:
        if not value:
            raise ValueError("CeleryExecutor needs at least one worker set")
        return _unique_names(value, "worker set")

    @property
    def core_name(self) -> str:
        return self.kind


class PodCleanup(Props):
    """A CronJob that deletes finished KubernetesExecutor worker pods left behind."""

    enabled: bool = False
    """Create the CronJob."""
    schedule: CronSchedule = "*/15 * * * *"
    """Cron schedule."""
    min_age_minutes: int = Field(default=60, ge=1)
    """Only delete pods that finished at least this long ago."""


class TaskPodProps(ComponentProps):
    """Resources and pod options of the KubernetesExecutor's task pods (``replicas`` is ignored)."""

    resources: Resources = Resources(cpu_request="250m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi")
    """Requests and limits of every task pod's ``base`` container; set alone, ``pod`` leaves them as they are."""


class KubernetesExecutor(Props):
    """Each task runs in its own pod, built from a pod template file in a ConfigMap.

    The scheduler gets a namespaced Role with exactly the verbs it uses on pods, pods/log and
    events; it is the only pod that mounts an API token.
    """

    kind: Literal["KubernetesExecutor"] = "KubernetesExecutor"
    """Discriminator for the ``executor`` choice; also the ``[core] executor`` value."""
    worker: TaskPodProps = TaskPodProps()
    """Resources and pod options of every task pod (``replicas`` is ignored)."""
    namespace: str | None = None
    """Launch task pods in this namespace (None: the release's). A Role and RoleBinding are made there."""
    multi_namespace: list[str] = []
    """More namespaces task pods may run in (``[kubernetes_executor] multi_namespace_mode`` with its
    namespace list): each gets the task pods' ServiceAccount, airflow.cfg, a copy of the generated
    Secret, the scheduler's (and the cleanup's) Role and RoleBinding, and its network policies; no
    cluster-wide rule. A task picks one with ``executor_config={"pod_override":
    k8s.V1Pod(metadata=k8s.V1ObjectMeta(namespace="..."))}``; the others run in ``namespace``."""
    cluster_wide: bool = False
    """All-namespace mode, the exception to namespaced RBAC: ``[kubernetes_executor]
    multi_namespace_mode`` with no namespace list, so a task may run in any namespace. The scheduler
    (and the pod cleanup) then get a ClusterRole and ClusterRoleBinding over pods, pods/log and
    events in every namespace, the only cluster-wide rules the library writes. Namespaces other than
    ``namespace`` get nothing from the install: a task pod there needs the task ServiceAccount,
    airflow.cfg ConfigMap and the Secrets its pod template names, made by you. Refused together with
    ``multi_namespace`` (an explicit list: prefer it)."""
    delete_worker_pods: bool = True
    """``[kubernetes_executor] delete_worker_pods``: delete a task's pod when it finishes."""
    cleanup: PodCleanup = PodCleanup()
    """Optional CronJob that deletes finished task pods left behind."""
    pod_template: KubeObject | str | None = None
    """Your own task pod, merged into ours: a Pod (``metadata.labels``/``annotations``, ``spec``:
    ``nodeSelector``, ``tolerations``, ``affinity``, volumes, sidecars, init containers, and a
    container named ``base`` with its ``env``, ``envFrom``, ``resources``, ``volumeMounts``) as a
    mapping, or the path of a YAML file holding one (relative to the current directory). Ours wins on
    the pod's and the ``base`` container's ``securityContext``, ``serviceAccountName``,
    ``automountServiceAccountToken``, ``restartPolicy``, ``enableServiceLinks``, the ``base``
    container's ``name``/``image``/``imagePullPolicy``/``command``/``args``, our volumes and mounts
    (airflow.cfg, logs, DAGs), our env vars, labels and annotations; maps are merged, lists joined;
    your sidecars and init containers get every field of the restricted ``securityContext`` they
    leave out. Refused: anything breaking the restricted Pod Security Standard once merged
    (``privileged``, hostPath, host namespaces...), names clashing with ours, unknown Pod fields
    (kubernetes-validate, strict). None: our pod alone."""

    _namespace = dns_label_validator("namespace", what="a namespace")

    @field_validator("multi_namespace")
    @classmethod
    def _namespaces(cls, value: list[str]) -> list[str]:
        for namespace in value:
            check_dns_label("a namespace", namespace)
        if dupes := repeated(value):
            raise ValueError(f"multi_namespace repeats {', '.join(dupes)}: each namespace may appear once")
        return value

    @field_validator("pod_template", mode="before")
    @classmethod
    def _pod_template(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str | Path):
            value = _read_pod_file(Path(value))
        return check_user_pod(value, "base")

    @model_validator(mode="after")
    def _cluster_wide_or_list(self) -> KubernetesExecutor:
        if self.cluster_wide and self.multi_namespace:
            raise ValueError(
                f"cluster_wide is true and multi_namespace lists {self.multi_namespace!r}: all-namespace mode "
                "has no namespace list; give cluster_wide alone, or the list alone (namespaced Roles, preferred)"
            )
        return self

    @property
    def core_name(self) -> str:
        return self.kind

    def user_pod(self) -> KubeObject | None:
        """The checked ``pod_template`` (a mapping once validated), or None."""
        return self.pod_template if isinstance(self.pod_template, dict) else None


def _read_pod_file(path: Path) -> Any:
    import yaml  # here, not at the top: few installs need it

    try:
        return yaml.safe_load(path.read_text())
    except OSError as err:
        raise ValueError(f"cannot read pod template file {str(path)!r}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ValueError(f"pod template file {str(path)!r} is not YAML: {str(err).splitlines()[0]}") from None


class EdgeWorkerSet(ComponentProps):
    """A Deployment of Edge workers (``airflow edge worker``) consuming some queues."""

    name: str
    """Set name; objects are ``<release>-edge-<name>``. At most 20 characters."""
    queues: list[str] = ["default"]
    """Queues this set consumes."""
    concurrency: int = Field(default=8, ge=1, le=256)
    """Tasks per worker pod."""
    resources: Resources = Resources(cpu_request="500m", memory_request="1Gi", cpu_limit="2", memory_limit="2Gi")
    """Requests and limits of the worker container."""
    autoscaling: Autoscaling | None = None
    """HPA (CPU/memory) or KEDA (queued + running Edge tasks of these queues) scaling; None: fixed replicas."""

    _name = dns_label_validator("name", what="an edge worker set", max_length=20)

    @field_validator("queues")
    @classmethod
    def _queues(cls, value: list[str]) -> list[str]:
        return check_queues(value)


class EdgeExecutor(Props):
    """Tasks run on Edge workers that call the api-server's Edge API (provider ``edge3``).

    Needs an image with ``apache-airflow-providers-edge3`` installed.
    """

    kind: Literal["EdgeExecutor"] = "EdgeExecutor"
    """Discriminator for the ``executor`` choice."""
    worker_sets: list[EdgeWorkerSet] = [EdgeWorkerSet(name="default")]
    """Edge worker Deployments in the cluster (Edge workers elsewhere can join too)."""

    @field_validator("worker_sets")
    @classmethod
    def _unique_sets(cls, value: list[EdgeWorkerSet]) -> list[EdgeWorkerSet]:
        return _unique_names(value, "edge worker set")

    @property
    def core_name(self) -> str:
        return "airflow.providers.edge3.executors.EdgeExecutor"


AnyExecutor = LocalExecutor | CeleryExecutor | KubernetesExecutor | EdgeExecutor

Executor = Annotated[
    Annotated[LocalExecutor, Tag("LocalExecutor")]
    | Annotated[CeleryExecutor, Tag("CeleryExecutor")]
    | Annotated[KubernetesExecutor, Tag("KubernetesExecutor")]
    | Annotated[EdgeExecutor, Tag("EdgeExecutor")],
    kind_discriminator(
        "executor",
        "LocalExecutor",
        "expected kind LocalExecutor (the default), CeleryExecutor, KubernetesExecutor or EdgeExecutor",
    ),
]
register_union_tags(
    "LocalExecutor",
    "CeleryExecutor",
    "KubernetesExecutor",
    "EdgeExecutor",
    "embedded-redis",
    "external",
    "one",
    "several",
)

Executors = Annotated[
    Annotated[Executor, Tag("one")] | Annotated[list[Executor], Tag("several")],
    # One executor or a list; choosing by shape keeps error messages to the form actually given.
    Discriminator(lambda value: "several" if isinstance(value, list) else "one"),
]
"""One executor, or several (the first is the default)."""


def executor_list(value: AnyExecutor | list[AnyExecutor]) -> list[AnyExecutor]:
    """The executors as a list, the default (first) one first."""
    return list(value) if isinstance(value, list) else [value]


def check_executor_list(value: AnyExecutor | list[AnyExecutor]) -> AnyExecutor | list[AnyExecutor]:
    """Several executors: at least one, each kind once."""
    kinds = [e.kind for e in executor_list(value)]
    if not kinds:
        raise ValueError("executor list is empty: give at least one executor")
    if dupes := repeated(kinds):
        raise ValueError(f"executor list repeats {', '.join(dupes)}: each executor may appear once")
    return value
