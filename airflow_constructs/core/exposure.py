"""Exposure: an Ingress or a Gateway API HTTPRoute in front of the api-server (and Flower), with TLS.

``api_server={"expose": {"host": "airflow.acme.io", "tls_secret": "airflow-tls"}}`` adds an Ingress
``<release>-api-server`` for that host, terminating TLS with the certificate in Secret
``airflow-tls``. TLS is on by default and needs a certificate: a Secret you name (``tls_secret``), or
one cert-manager issues (``issuer``: through the ``cert-manager.io/(cluster-)issuer`` annotation, or,
with ``certificate: true``, a ``Certificate`` object). ``kind: httproute`` attaches an HTTPRoute to
a Gateway instead (TLS terminates at the Gateway's listener). The exposed URL becomes Airflow's
``base_url``, so links and redirects use it.

Who may reach the pods behind the route is the network policies' ``ingress_from`` (your ingress
controller's or gateway's namespace).
"""

from __future__ import annotations

import re
from typing import Literal, Unpack

from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct
from pydantic import ValidationInfo, field_validator, model_validator

from .kube import ObjectMeta, api_object, check_dns_label, check_dns_subdomain, checked_meta
from .props import Props, PropsError
from .validators import pattern_validator
from .values import Annotations

_HOST_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(\*\.)?{_HOST_LABEL}(\.{_HOST_LABEL})*$")
HOST_PATTERN = _HOST.pattern
"""What ``Exposure.host`` accepts, as a pattern a JSON Schema can hold (the Helm values' schema)."""
_PATH = re.compile(r"^/([A-Za-z0-9._~!$&'()*+,;=:@%-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*)?$")

NGINX_BACKEND_PROTOCOL = "nginx.ingress.kubernetes.io/backend-protocol"
CERT_MANAGER_ANNOTATIONS = {"ClusterIssuer": "cert-manager.io/cluster-issuer", "Issuer": "cert-manager.io/issuer"}


class Exposure(Props):
    """How a UI is reached from outside the cluster: host, path, Ingress or HTTPRoute, and TLS."""

    host: str
    """DNS name the UI is served on, e.g. ``airflow.example.com`` (``*.example.com`` for a wildcard)."""
    path: str = "/"
    """URL path prefix, e.g. ``/`` or ``/airflow`` (no trailing ``/``)."""
    kind: Literal["ingress", "httproute"] = "ingress"
    """``ingress`` (networking.k8s.io/v1 Ingress) or ``httproute`` (Gateway API, attached to ``gateway``)."""
    ingress_class: str | None = None
    """Ingress: ``spec.ingressClassName`` (None: the cluster's default class)."""
    annotations: Annotations = {}
    """Annotations of the Ingress or HTTPRoute (controller options, e.g. body size or timeouts)."""
    tls: bool = True
    """Serve HTTPS. With an Ingress it needs ``tls_secret`` or ``issuer``; with an HTTPRoute the
    Gateway's listener terminates TLS (only the URL scheme depends on it)."""
    tls_secret: str | None = None
    """Ingress: the ``kubernetes.io/tls`` Secret holding the certificate. With ``issuer`` it is where
    cert-manager writes it (default ``<release>-<component>-tls``)."""
    issuer: str | None = None
    """Ingress: a cert-manager issuer that issues the certificate."""
    issuer_kind: Literal["ClusterIssuer", "Issuer"] = "ClusterIssuer"
    """Kind of ``issuer``."""
    certificate: bool = False
    """With ``issuer``: create a cert-manager ``Certificate`` instead of annotating the Ingress."""
    gateway: str | None = None
    """HTTPRoute: name of the Gateway to attach to."""
    gateway_namespace: str | None = None
    """HTTPRoute: namespace of the Gateway (None: the release's)."""
    gateway_listener: str | None = None
    """HTTPRoute: the Gateway listener (``sectionName``) to attach to (None: every listener)."""

    _host = pattern_validator(
        "host",
        pattern=_HOST,
        message=(
            "not a DNS name: expected lowercase labels of letters, digits and '-' separated by dots, "
            "such as 'airflow.example.com'"
        ),
        max_length=253,
    )

    _path = pattern_validator(
        "path",
        pattern=_PATH,
        message="expected '/' or a path such as '/airflow': starting with '/', no trailing '/' or spaces",
    )

    @field_validator("ingress_class", "tls_secret", "issuer", "gateway")
    @classmethod
    def _names(cls, value: str | None, info: ValidationInfo) -> str | None:
        # IngressClass, Secret, Issuer and Gateway names are DNS subdomains.
        return None if value is None else check_dns_subdomain(str(info.field_name), value)

    @field_validator("gateway_namespace")
    @classmethod
    def _namespace(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_dns_label(str(info.field_name), value)

    @field_validator("gateway_listener")
    @classmethod
    def _section(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Gateway API's SectionName: the characters of a DNS label, at most 253 of them.
        return None if value is None else check_dns_label(str(info.field_name), value, 253)

    @model_validator(mode="after")
    def _ingress_settings(self) -> Exposure:
        """An Ingress: no Gateway setting; with TLS, where its certificate comes from (``tls_secret``, or
        ``issuer``, which a ``certificate`` needs); without TLS, no certificate."""
        if self.kind != "ingress":
            return self
        wrong = [n for n in ("gateway", "gateway_namespace", "gateway_listener") if getattr(self, n)]
        if wrong:
            raise ValueError(
                f"{_are(wrong)} kind 'httproute' uses {'it' if len(wrong) == 1 else 'them'}, not 'ingress'"
            )
        if self.tls and self.tls_secret is None and self.issuer is None:
            raise ValueError(
                "tls is on but neither tls_secret nor issuer is set: name the Secret holding the certificate, "
                "or a cert-manager issuer to issue it (or set tls to false)"
            )
        if not self.tls and (self.tls_secret or self.issuer):
            raise ValueError("tls is false but tls_secret or issuer is set: drop them, or leave tls on")
        if self.certificate and self.issuer is None:
            raise ValueError("certificate is true but issuer is not set: name the cert-manager issuer")
        return self

    @model_validator(mode="after")
    def _httproute_settings(self) -> Exposure:
        """An HTTPRoute: a Gateway, and no Ingress setting (TLS terminates at the Gateway's listener)."""
        if self.kind != "httproute":
            return self
        if self.gateway is None:
            raise ValueError("kind 'httproute' needs gateway: the name of the Gateway to attach to")
        wrong = [n for n in ("ingress_class", "tls_secret", "issuer", "certificate") if getattr(self, n)]
        if wrong:
            raise ValueError(
                f"{_are(wrong)} kind 'ingress' uses {'it' if len(wrong) == 1 else 'them'}: with an HTTPRoute, "
                "TLS terminates at the Gateway's listener (its certificateRefs)"
            )
        return self

    @property
    def url(self) -> str:
        """The external URL (``base_url``) the UI is reached at."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}{'' if self.path == '/' else self.path}"


def _are(names: list[str]) -> str:
    return f"{names[0]} is set but only" if len(names) == 1 else f"{', '.join(names)} are set but only"


class Exposed(Construct):
    """The Ingress (and cert-manager Certificate) or HTTPRoute, named ``name`` and labelled ``labels``,
    routing ``props.host`` to port ``port`` of Service ``service``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service: str,
        port: int,
        props: Exposure,
        backend_https: bool = False,
        **meta: Unpack[ObjectMeta],
    ) -> None:
        """``name`` and ``labels`` (``core.kube.ObjectMeta``) are the Ingress's or HTTPRoute's (and the
        Certificate's); the route goes to port ``port`` of Service ``service``.

        ``backend_https``: the Service serves HTTPS, so the Ingress asks ingress-nginx to speak
        HTTPS to it (``nginx.ingress.kubernetes.io/backend-protocol``, unless ``annotations`` set
        it); other controllers take their own annotation through ``annotations``, and a Gateway
        needs a ``BackendTLSPolicy``."""
        super().__init__(scope, id)
        meta = checked_meta(self, meta)
        self.props = p = props
        self.ingress: ApiObject | None = None
        self.http_route: ApiObject | None = None
        self.certificate: ApiObject | None = None
        self.tls_secret = p.tls_secret or (f"{meta['name']}-tls" if p.issuer else None)
        if p.kind == "httproute":
            self.http_route = _http_route(self, service=service, port=port, props=p, **meta)
            return
        annotations = dict(p.annotations)
        if backend_https:
            annotations.setdefault(NGINX_BACKEND_PROTOCOL, "HTTPS")
        if p.issuer and not p.certificate:
            annotations[CERT_MANAGER_ANNOTATIONS[p.issuer_kind]] = p.issuer
        spec: dict[str, object] = {}
        if p.ingress_class:
            spec["ingressClassName"] = p.ingress_class
        backend = {"service": {"name": service, "port": {"number": port}}}
        spec["rules"] = [
            {"host": p.host, "http": {"paths": [{"backend": backend, "path": p.path, "pathType": "Prefix"}]}}
        ]
        if p.tls:
            spec["tls"] = [{"hosts": [p.host], "secretName": self.tls_secret}]
        self.ingress = api_object(
            self,
            "ingress",
            api_version="networking.k8s.io/v1",
            kind="Ingress",
            annotations=dict(sorted(annotations.items())) or None,
            body={"spec": spec},
            **meta,
        )
        if p.certificate:
            self.certificate = self._certificate(p, meta)

    def _certificate(self, p: Exposure, meta: ObjectMeta) -> ApiObject:
        """A cert-manager Certificate for the host, into ``tls_secret``."""
        from ..imports import cert_manager

        assert p.issuer is not None and self.tls_secret is not None
        certificate: ApiObject = cert_manager.Certificate(
            self,
            "certificate",
            metadata=ApiObjectMetadata(**meta),
            spec=cert_manager.CertificateSpec(
                dns_names=[p.host],
                issuer_ref=cert_manager.CertificateSpecIssuerRef(name=p.issuer, kind=p.issuer_kind),
                secret_name=self.tls_secret,
            ),
        )
        return certificate


def _http_route(scope: Construct, *, service: str, port: int, props: Exposure, **meta: Unpack[ObjectMeta]) -> ApiObject:
    from ..imports import gateway_api as gw

    assert props.gateway is not None
    route: ApiObject = gw.HttpRoute(
        scope,
        "http-route",
        metadata=ApiObjectMetadata(**meta, annotations=dict(sorted(props.annotations.items())) or None),
        spec=gw.HttpRouteSpec(
            hostnames=[props.host],
            parent_refs=[
                gw.HttpRouteSpecParentRefs(
                    name=props.gateway, namespace=props.gateway_namespace, section_name=props.gateway_listener
                )
            ],
            rules=[
                gw.HttpRouteSpecRules(
                    matches=[
                        gw.HttpRouteSpecRulesMatches(
                            path=gw.HttpRouteSpecRulesMatchesPath(
                                type=gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value=props.path
                            )
                        )
                    ],
                    backend_refs=[gw.HttpRouteSpecRulesBackendRefs(name=service, port=port)],
                )
            ],
        ),
    )
    return route


def with_base_url(
    config: dict[str, dict[str, str]], expose: Exposure | None, airflow2: bool
) -> dict[str, dict[str, str]]:
    """``config`` with Airflow's base URL set to the exposed URL (``[api]``, or ``[webserver]`` in Airflow 2)."""
    if expose is None:
        return config
    section = "webserver" if airflow2 else "api"
    if "base_url" in config.get(section, {}):
        raise PropsError(
            f"AirflowProps.config: {section}.base_url is set together with api_server.expose: the base URL "
            f"is the exposed one ({expose.url}); remove config {section}.base_url"
        )
    return {**config, section: {**config.get(section, {}), "base_url": expose.url}}
