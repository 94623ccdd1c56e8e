"""HTTPS on the api-server's Service.

``api_server={"tls": {"secret": "airflow-api-tls"}}`` serves the UI, REST API and execution API over
HTTPS with the ``kubernetes.io/tls`` Secret's ``tls.crt``/``tls.key`` (Airflow's ``[api] ssl_cert``
and ``ssl_key``); adding ``"issuer": "cluster-ca"`` has cert-manager issue that Secret for the Service's
DNS names. The execution-API URL switches to ``https://``. Task processes trust the certificate:
Airflow's client loads ``[api] ssl_cert`` (and ``[api] ssl_ca_file``, the Secret's ``ca.crt``, when
``ca`` is on), so every Airflow pod mounts the certificate -- only the api-server mounts the key.
"""

from __future__ import annotations

from typing import Any

from ..core.tls import ServiceTls

TLS_DIR = "/opt/airflow/api-tls"
KEY_DIR = "/opt/airflow/api-tls-key"


class ApiServerTls(ServiceTls):
    """HTTPS on the api-server's Service, from a certificate Secret (yours, or issued by cert-manager)."""

    secret: str
    """The ``kubernetes.io/tls`` Secret (``tls.crt``, ``tls.key``, maybe ``ca.crt``) whose certificate
    names ``<release>-api-server.<namespace>.svc``; with ``issuer``, where cert-manager writes it."""
    issuer: str | None = None
    """A cert-manager issuer that issues the certificate into ``secret`` (a CA issuer: its ``ca.crt``
    is trusted)."""
    ca: bool | None = None
    """The Secret has a ``ca.crt`` that clients trust (``[api] ssl_ca_file``); None: true with
    ``issuer``, false otherwise (a self-signed certificate is trusted as is)."""

    @property
    def trusts_ca(self) -> bool:
        return self.ca if self.ca is not None else self.issuer is not None


def tls_config(tls: ApiServerTls) -> dict[str, dict[str, str]]:
    """``[api] ssl_cert``/``ssl_key`` (and ``ssl_ca_file``): the api-server serves HTTPS, clients trust it."""
    api = {"ssl_cert": f"{TLS_DIR}/tls.crt", "ssl_key": f"{KEY_DIR}/tls.key"}
    if tls.trusts_ca:
        api["ssl_ca_file"] = f"{TLS_DIR}/ca.crt"
    return {"api": api}


def client_volume(tls: ApiServerTls) -> dict[str, Any]:
    """The certificate (and CA) every Airflow pod mounts, without the key."""
    items = [{"key": "tls.crt", "path": "tls.crt"}]
    if tls.trusts_ca:
        items.append({"key": "ca.crt", "path": "ca.crt"})
    return {"name": "api-tls", "secret": {"items": items, "secretName": tls.secret}}


CLIENT_MOUNT = {"mountPath": TLS_DIR, "name": "api-tls", "readOnly": True}
KEY_MOUNT = {"mountPath": KEY_DIR, "name": "api-tls-key", "readOnly": True}


def key_volume(tls: ApiServerTls) -> dict[str, Any]:
    """The private key, for the api-server only."""
    return {
        "name": "api-tls-key",
        "secret": {
            "defaultMode": 0o440,
            "items": [{"key": "tls.key", "path": "tls.key"}],
            "secretName": tls.secret,
        },
    }
