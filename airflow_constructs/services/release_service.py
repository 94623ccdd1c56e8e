"""What every service construct of a release shares (the embedded PostgreSQL and Redis, PgBouncer, the
StatsD exporter): one constructor, and the ``Release`` each belongs to.

A ``ReleaseService[P]`` takes the ``Release`` it belongs to (instance, version, pull Secrets) and its
props (a ``P``, keyword arguments, or both: the keywords win); it names itself
``<instance>-<component>``, labels itself, and calls ``_compose``, where each service creates its
objects.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from cdk8s import ApiObject
from constructs import Construct

from ..core.kube import RELEASE_NAME_MAX_LENGTH, recommended_labels, require_namespace, selector_labels, service_host
from ..core.labelled import Labelled
from ..core.pod import PodOptions, pod_template
from ..core.props import Props, parse_props
from ..core.security import PodSecurity
from ..core.tls import ServiceTls, service_certificate
from ..core.validators import dns_label_validator, dns_subdomain_validator

P = TypeVar("P", bound=Props)
"""A service's props class."""


class Release(Props):
    """The release a service belongs to. ``Airflow`` passes its own to each of its services; a service
    used alone takes one written out: ``Redis(chart, "redis", release=Release(instance="airflow",
    version="3.3.2"))``."""

    instance: str
    """The release's name: each service is named ``<instance>-<component>``. At most 30 characters
    (the rule of ``Airflow``'s ``name``)."""
    version: str
    """The Airflow version the ``app.kubernetes.io/version`` labels carry."""
    image_pull_secrets: list[str] = []
    """The Secrets the services' pods pull their images with."""

    _instance = dns_label_validator("instance", what="instance", max_length=RELEASE_NAME_MAX_LENGTH)
    _pull_secrets = dns_subdomain_validator("image_pull_secrets", what="an image pull secret")


class ReleaseService(Labelled, Generic[P]):
    """Base of the services a release runs besides Airflow; ``name`` is ``<instance>-<component>``."""

    component: ClassVar[str]
    """The ``app.kubernetes.io/component`` label value and the object name suffix."""
    props_class: type[P]
    """The service's props class, the ``P`` it is declared with (``docs/reference.py`` reads it)."""

    def __init__(self, scope: Construct, id: str, *, release: Release, props: P | None = None, **kwargs: Any) -> None:
        """``release``: the release the service belongs to."""
        super().__init__(scope, id)
        self.props: P = parse_props(self.props_class, props, kwargs)
        instance = release.instance
        self.instance = instance
        self.name = f"{instance}-{self.component}"
        self.labels = recommended_labels(instance, self.component, release.version)
        self.selector = selector_labels(instance, self.component)
        self.namespace = require_namespace(self, instance)
        self.host = service_host(self.name, self.namespace)
        """Its Service's in-cluster DNS name."""
        self.image_pull_secrets = release.image_pull_secrets
        self._compose(self.props)

    def _compose(self, p: P) -> None:
        """Create the service's objects from its parsed props."""
        raise NotImplementedError

    def _service_pod(
        self,
        containers: list[dict[str, Any]],
        *,
        options: PodOptions,
        uid: int,
        volumes: list[dict[str, Any]],
        termination_grace_period: int,
        annotations: dict[str, str] | None = None,
        init_containers: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Its pod template: its labels, its own ServiceAccount with no API token, the release's pull
        Secrets, its processes running as user, group and fsGroup ``uid``; ``containers`` (the main one
        first) and the rest as ``core.pod.pod_template`` takes them."""
        return pod_template(
            labels=self.labels,
            annotations=annotations or {},
            service_account=self.name,
            automount_token=False,
            containers=containers,
            init_containers=init_containers,
            security=PodSecurity(run_as_user=uid, run_as_group=uid, fs_group=uid),
            options=options,
            image_pull_secrets=self.image_pull_secrets,
            termination_grace_period=termination_grace_period,
            volumes=volumes,
        )

    def _certificate(self, tls: ServiceTls) -> ApiObject | None:
        """The cert-manager Certificate of its Service (construct id ``certificate``), when ``tls.issuer`` is set."""
        return service_certificate(
            self, tls=tls, service=self.name, namespace=self.namespace, labels=self.labels, id="certificate"
        )
