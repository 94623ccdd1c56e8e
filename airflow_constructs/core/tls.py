"""In-cluster TLS primitives: a service's certificate Secret, yours or issued by cert-manager, its
volumes, and the sidecar that reloads a renewed certificate (the api-server's HTTPS builds on them in
``runtime/api_tls.py``).

``ServiceTls`` is the choice for the embedded PostgreSQL and Redis, and PgBouncer: the server loads
``tls.crt``/``tls.key`` from the Secret (mounted into its pod only), and every client verifies the
server's certificate against the Secret's ``ca.crt`` (mounted without the key).
"""

from __future__ import annotations

from typing import Any, Literal

from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct
from pydantic import model_validator

from .kube import check_dns_subdomain
from .pod import container
from .props import Props
from .resources import Resources


class ServiceTls(Props):
    """TLS on a service of the release (PostgreSQL, Redis, PgBouncer) from a certificate Secret, yours or issued by
    cert-manager; every client verifies the server's certificate against the Secret's ``ca.crt``."""

    secret: str
    """The ``kubernetes.io/tls`` Secret with ``tls.crt``, ``tls.key`` and ``ca.crt``, whose certificate
    names the Service (``<release>-<component>.<namespace>.svc``); with ``issuer``, where cert-manager
    writes it."""
    issuer: str | None = None
    """A cert-manager CA issuer that issues the certificate into ``secret`` for the Service's DNS names."""
    issuer_kind: Literal["ClusterIssuer", "Issuer"] = "ClusterIssuer"
    """Kind of ``issuer``."""

    @model_validator(mode="after")
    def _names(self) -> ServiceTls:
        for value, field in ((self.secret, "secret"), (self.issuer, "issuer")):
            if value is not None:
                check_dns_subdomain(field, value)
        return self


SERVER_TLS_DIR = "/tls"
"""Where an embedded service's pod mounts its certificate and key."""


def server_volume(tls: ServiceTls) -> dict[str, Any]:
    """The certificate, key and CA for the server's pod. Mode 0440: readable by the pod's fsGroup,
    which PostgreSQL accepts for a root-owned key file (it refuses group access otherwise)."""
    return {
        "name": "tls",
        "secret": {
            "defaultMode": 0o440,
            "items": [{"key": k, "path": k} for k in ("ca.crt", "tls.crt", "tls.key")],
            "secretName": tls.secret,
        },
    }


SERVER_MOUNT = {"mountPath": SERVER_TLS_DIR, "name": "tls", "readOnly": True}

RELOADER_RESOURCES = Resources(cpu_request="10m", memory_request="32Mi", cpu_limit="100m", memory_limit="64Mi")
RELOAD_EVERY_SECONDS = 300


def reloader(
    image: str, pull_policy: str, reload: str, *, mounts: list[dict[str, Any]], env: list[Any]
) -> dict[str, Any]:
    """A sidecar that runs ``reload`` (a shell command) when the certificate Secret changes.

    PostgreSQL and Redis read their certificate only at start (or when told to), while cert-manager
    renews it well before it expires: without this a long-running pod serves an expired
    certificate. The Secret is mounted as a directory, so Kubernetes refreshes the files in place.
    """
    files = " ".join(f"{SERVER_TLS_DIR}/{name}" for name in ("ca.crt", "tls.crt", "tls.key"))
    script = (
        f"trap 'exit 0' TERM; last=\"$(cat {files} | cksum)\"; "
        f'while true; do sleep {RELOAD_EVERY_SECONDS} & wait $!; now="$(cat {files} | cksum)"; '
        f'if [ "$now" != "$last" ] && {reload}; then last="$now"; echo "reloaded the certificate"; fi; done'
    )
    return container(
        "tls-reloader",
        image,
        pull_policy,
        resources=RELOADER_RESOURCES,
        command=["sh", "-c", script],
        env=env,
        volume_mounts=[*mounts, SERVER_MOUNT],
    )


def ca_volume(tls: ServiceTls, name: str) -> dict[str, Any]:
    """Only the CA certificate of ``tls``, for the clients of that service."""
    return {"name": name, "secret": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "secretName": tls.secret}}


def service_certificate(
    scope: Construct,
    *,
    tls: ServiceTls,
    service: str,
    namespace: str,
    labels: dict[str, str],
    id: str = "internal-certificate",
) -> ApiObject | None:
    """A cert-manager Certificate for a Service's DNS names, when ``tls.issuer`` is set."""
    if tls.issuer is None:
        return None
    from ..imports import cert_manager

    names = [
        service,
        f"{service}.{namespace}",
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.cluster.local",
    ]
    certificate: ApiObject = cert_manager.Certificate(
        scope,
        id,
        metadata=ApiObjectMetadata(name=tls.secret, labels=labels),
        spec=cert_manager.CertificateSpec(
            dns_names=names,
            issuer_ref=cert_manager.CertificateSpecIssuerRef(name=tls.issuer, kind=tls.issuer_kind),
            secret_name=tls.secret,
        ),
    )
    return certificate
