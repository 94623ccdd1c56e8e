"""What every Airflow component construct shares: its ServiceAccount, workload and Service.

A component (api-server, scheduler, dag-processor, triggerer) is an ``AirflowComponent``: it gets
the shared ``AirflowRuntime`` and its own props, and creates a ServiceAccount with no token, a
Deployment or StatefulSet selecting on the recommended labels, and, where others connect to it,
a Service. A ``Component[P]`` (most of them) has the one constructor every component takes
(``runtime``, ``props`` of its own class ``P`` or keyword arguments) and writes only ``_compose``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from cdk8s import ApiObject
from constructs import Construct

from ..core.autoscaling import (
    HorizontalAutoscaling,
    KedaAutoscaling,
    horizontal_pod_autoscaler,
    keda_sql_scaler,
    vertical_pod_autoscaler,
)
from ..core.exposure import Exposed, Exposure
from ..core.kube import service, stateful_set
from ..core.labelled import Labelled
from ..core.props import PropsError, parse_props
from ..core.service_options import ServiceOptions
from ..core.workload import ComponentProps, availability
from ..runtime.airflow_runtime import AirflowRuntime

P = TypeVar("P", bound=ComponentProps)
"""A component's props class."""


def jobs_check(job_type: str) -> dict[str, Any]:
    """An exec probe asking the metadata DB whether this pod's job is alive and heartbeating."""
    return {
        "exec": {"command": ["airflow", "jobs", "check", "--job-type", job_type, "--local"]},
        "failureThreshold": 5,
        "initialDelaySeconds": 10,
        "periodSeconds": 60,
        "timeoutSeconds": 30,
    }


def ceil_div(count: str, per_pod: int, dialect: str) -> str:
    """``ceil(count / per_pod)`` in the database's SQL (PostgreSQL divides integers as integers)."""
    if dialect == "mysql":
        return f"CEIL({count} / {per_pod})"
    return f"ceil({count}::decimal / {per_pod})"


class AirflowComponent(Labelled):
    """Base of the component constructs; ``name`` is ``<release>-<component>``."""

    component: ClassVar[str]
    """The ``app.kubernetes.io/component`` label value and the object name suffix."""

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, component: str | None = None) -> None:
        super().__init__(scope, id)
        self.runtime = runtime
        self.component_name = component or type(self).component
        """This instance's component label (worker sets add their name)."""
        self.name = f"{runtime.instance}-{self.component_name}"
        self.labels = runtime.labels(self.component_name)
        self.selector = runtime.selector(self.component_name)
        self.service: ApiObject | None = None
        self.workload: ApiObject
        self._service_account()
        self.autoscaler: ApiObject | None = None
        self.keda_scaled = False
        """True when a KEDA ScaledObject queries the metadata database for this component's replicas."""

    def _pod_template(self, props: ComponentProps, **kwargs: Any) -> dict[str, Any]:
        """The runtime's pod template for this component, with the availability options applied."""
        template = self.runtime.pod_template(
            self.component_name, options=props.pod, service_account=self.name, **kwargs
        )
        return availability(props, template, self.selector)

    def _job_template(
        self,
        props: ComponentProps,
        job_type: str,
        *,
        reads_dags: bool,
        ports: list[dict[str, Any]] | None = None,
        extra_mounts: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Pod template of an Airflow job that heartbeats in the metadata database (scheduler,
        dag-processor, triggerer): ``airflow <component>`` once the schema is migrated, alive while
        ``airflow jobs check`` finds its ``job_type`` heartbeating, its logs groomed, a minute to
        finish on stop. ``ports`` and ``extra_mounts`` are its container's; ``kwargs`` the pod's."""
        main = self.runtime.airflow_container(
            self.component_name,
            [self.component_name],
            resources=props.resources,
            reads_dags=reads_dags,
            ports=ports,
            probes={"livenessProbe": jobs_check(job_type)},
            extra_mounts=extra_mounts,
        )
        return self._pod_template(
            props,
            reads_dags=reads_dags,
            groom_logs=True,
            containers=[main],
            init_containers=[self.runtime.wait_for_migrations()],
            termination_grace_period=60,
            **kwargs,
        )

    def _finish(self, props: ComponentProps, container: str) -> None:
        """Add the PodDisruptionBudget and VerticalPodAutoscaler the props ask for."""
        self.pod_disruption_budget: ApiObject | None = None
        if props.disruption_budget:
            self.pod_disruption_budget = self._pod_disruption_budget()
        self.vertical_pod_autoscaler: ApiObject | None = None
        if props.vpa is not None:
            self.vertical_pod_autoscaler = vertical_pod_autoscaler(
                self, name=self.name, labels=self.labels, target=self.workload, container=container, props=props.vpa
            )

    def _service(
        self, ports: list[dict[str, Any]], *, headless: bool = False, options: ServiceOptions | None = None
    ) -> ApiObject:
        options = options or ServiceOptions()
        spec: dict[str, Any] = {"ports": ports, "selector": self.selector, "type": options.type}
        if headless:
            spec["clusterIP"] = "None"
        annotations = dict(options.annotations)
        self.service = service(self, name=self.name, labels=self.labels, spec=spec, annotations=annotations)
        return self.service

    def _expose(self, props: Exposure | None, port: int, *, backend_https: bool = False) -> Exposed | None:
        """The Ingress or HTTPRoute in front of this component's Service ``port``, when ``props`` is set
        (``backend_https``: the Service serves HTTPS)."""
        if props is None:
            return None
        return Exposed(
            self, "expose", **self.meta, service=self.name, port=port, props=props, backend_https=backend_https
        )

    def _statefulset(self, replicas: int | None, template: dict[str, Any], service_name: str) -> ApiObject:
        return stateful_set(
            self,
            name=self.name,
            labels=self.labels,
            selector=self.selector,
            service_name=service_name,
            template=template,
            podManagementPolicy="Parallel",
            replicas=replicas,
            revisionHistoryLimit=5,
        )

    def _autoscale(
        self, autoscaling: HorizontalAutoscaling | KedaAutoscaling | None, what: str, query: Callable[[str], str]
    ) -> None:
        """An HPA, or a KEDA ScaledObject running ``query(dialect)`` on the metadata database with
        KEDA's PostgreSQL or MySQL scaler (``what`` names the component in errors)."""
        if isinstance(autoscaling, HorizontalAutoscaling):
            self.autoscaler = horizontal_pod_autoscaler(
                self, name=self.name, labels=self.labels, target=self.workload, props=autoscaling
            )
        elif isinstance(autoscaling, KedaAutoscaling):
            db = self.runtime.database
            if not db.has_parts or db.password is None:
                raise PropsError(
                    f"{what}: KEDA autoscaling needs the {'MySQL' if db.dialect == 'mysql' else 'PostgreSQL'} "
                    "metadata database as parts "
                    "(embedded, or ExternalDatabase with host, user, database and password), not a URL Secret"
                )
            assert db.host and db.user and db.name
            self.keda_scaled = True
            self.trigger_authentication, self.autoscaler = keda_sql_scaler(
                self,
                name=self.name,
                labels=self.labels,
                target=self.workload,
                props=autoscaling,
                query=query(db.dialect),
                host=db.host,
                port=db.port,
                user=db.user,
                database=db.name,
                password=db.password,
                # With TLS, KEDA has no CA file to verify against: encrypted, unverified. The embedded
                # database without TLS speaks plain TCP; an external one may offer TLS.
                sslmode="require" if db.tls_mode else ("disable" if db.embedded else "prefer"),
                dialect=db.dialect,
            )


class Component(AirflowComponent, Generic[P]):
    """A component built from its own props class ``P`` (``props_class``): the constructor every such
    component takes, which parses the props (a ``P``, keyword arguments, or both: the keywords win)
    into ``self.props`` and calls ``_compose``, where each component creates its objects."""

    props_class: type[P]
    """The component's props class, the ``P`` it is declared with (``docs/reference.py`` reads it)."""

    def __init__(
        self, scope: Construct, id: str, *, runtime: AirflowRuntime, props: P | None = None, **kwargs: Any
    ) -> None:
        super().__init__(scope, id, runtime=runtime)
        self.props: P = parse_props(self.props_class, props, kwargs)
        self._compose(runtime, self.props)

    def _compose(self, runtime: AirflowRuntime, p: P) -> None:
        """Create the component's workload, Service and the rest from its parsed props."""
        raise NotImplementedError
