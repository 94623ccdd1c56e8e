"""Secrets from a secret manager: ExternalSecrets (external-secrets.io) that produce the Secrets pods use.

The third way to provide a secret, next to a Secret you create and one generated in-cluster. A
``SecretRef("airflow-vault", "fernet-key")`` anywhere in the props keeps meaning "key ``fernet-key``
of Secret ``airflow-vault``"; ``external_secrets`` declares that this Secret is produced by the
External Secrets Operator from a ``SecretStore``/``ClusterSecretStore`` (Vault, AWS Secrets Manager,
GCP Secret Manager...)::

    Airflow(chart, "airflow",
        secrets={"fernet_key": SecretRef("airflow-vault", "fernet-key")},
        external_secrets=[ExternalSecretProps(
            name="airflow-vault", store={"name": "vault", "kind": "ClusterSecretStore"},
            data={"fernet-key": {"key": "airflow/prod", "property": "fernet_key"}})])

Every ``SecretRef`` naming such a Secret must use one of its keys: a missing key fails at synth
time, not when a pod starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct
from pydantic import BaseModel, field_validator

from .pod import SecretRef
from .props import Props, PropsError
from .validators import dns_subdomain_validator, repeated

_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_DURATION = re.compile(r"^([0-9]+(s|m|h))+$")


class SecretStoreRef(Props):
    """The store the External Secrets Operator reads from."""

    name: str
    """Name of the SecretStore or ClusterSecretStore."""
    kind: Literal["SecretStore", "ClusterSecretStore"] = "ClusterSecretStore"
    """A namespaced ``SecretStore`` (in the release's namespace) or a ``ClusterSecretStore``."""

    _name = dns_subdomain_validator("name", what="store name")


class RemoteRef(Props):
    """Where one value lives in the store."""

    key: str
    """Remote key: a Vault path (``airflow/prod``), an AWS Secrets Manager secret name..."""
    property: str | None = None
    """A field of the remote value (a JSON property, a Vault KV field); None: the whole value."""
    version: str | None = None
    """A version of the remote value (None: the current one)."""

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not value or value != value.strip():
            raise ValueError("expected a non-empty remote key without surrounding spaces")
        return value


class ExternalSecretProps(Props):
    """One Secret produced by the External Secrets Operator: its name, store and keys."""

    name: str
    """Name of the Secret to produce: the name ``SecretRef``s use."""
    store: SecretStoreRef
    """The SecretStore or ClusterSecretStore to read from."""
    data: dict[str, RemoteRef]
    """Keys of the produced Secret, each read from a remote key (and property)."""
    refresh_interval: str = "1h"
    """How often the operator re-reads the store (``0`` never: not allowed here, rotate by refreshing)."""

    _name = dns_subdomain_validator("name", what="a Secret")

    @field_validator("data")
    @classmethod
    def _data(cls, value: dict[str, RemoteRef]) -> dict[str, RemoteRef]:
        if not value:
            raise ValueError("give at least one key")
        for key in sorted(value):
            if not _SECRET_KEY.match(key):
                raise ValueError(f"{key!r} is not a Secret key: use letters, digits, '-', '_' and '.'")
        return value

    @field_validator("refresh_interval")
    @classmethod
    def _refresh(cls, value: str) -> str:
        if not _DURATION.match(value) or set(re.sub(r"[smh]", "", value)) == {"0"}:
            raise ValueError("expected a positive duration such as '1h', '30m' or '1h30m'")
        return value


def secret_refs(props: Any, path: str = "") -> Iterator[tuple[str, SecretRef]]:
    """Every ``SecretRef`` inside ``props``, with its field path."""
    if isinstance(props, SecretRef):
        yield path, props
    elif isinstance(props, BaseModel):
        for field in type(props).model_fields:
            yield from secret_refs(getattr(props, field), f"{path}.{field}" if path else field)
    elif isinstance(props, list | tuple):
        for i, item in enumerate(props):
            yield from secret_refs(item, f"{path}[{i}]")
    elif isinstance(props, dict):
        for key, item in props.items():
            yield from secret_refs(item, f"{path}.{key}")


def check_external_secrets(props: BaseModel, externals: list[ExternalSecretProps], generated: str) -> None:
    """Each produced Secret is declared once, is not the generated one, and has every key referenced."""
    names = [e.name for e in externals]
    if dupes := repeated(names):
        raise PropsError(f"AirflowProps.external_secrets: {', '.join(dupes)} declared more than once")
    if generated in names:
        raise PropsError(
            f"AirflowProps.external_secrets: {generated!r} is the Secret the bootstrap Job generates: "
            "produce another name and reference it with SecretRef"
        )
    by_name = {e.name: e for e in externals}
    for path, ref in secret_refs(props):
        external = by_name.get(ref.name)
        if external is not None and ref.key not in external.data:
            keys = ", ".join(sorted(external.data))
            raise PropsError(
                f"AirflowProps.{path}: key {ref.key!r} of Secret {ref.name!r} is not produced by its "
                f"ExternalSecret (keys: {keys})"
            )


class ExternalSecret(Construct):
    """An ``ExternalSecret`` (from the generated binding) that creates and owns Secret ``props.name``."""

    def __init__(self, scope: Construct, id: str, *, labels: dict[str, str], props: ExternalSecretProps) -> None:
        super().__init__(scope, id)
        from ..imports import external_secrets as eso

        self.props = p = props
        kinds = {
            "SecretStore": eso.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
            "ClusterSecretStore": eso.ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
        }
        self.external_secret: ApiObject = eso.ExternalSecret(
            self,
            "external-secret",
            metadata=ApiObjectMetadata(name=p.name, labels=labels),
            spec=eso.ExternalSecretSpec(
                refresh_interval=p.refresh_interval,
                secret_store_ref=eso.ExternalSecretSpecSecretStoreRef(name=p.store.name, kind=kinds[p.store.kind]),
                target=eso.ExternalSecretSpecTarget(
                    name=p.name, creation_policy=eso.ExternalSecretSpecTargetCreationPolicy.OWNER
                ),
                data=[
                    eso.ExternalSecretSpecData(
                        secret_key=key,
                        remote_ref=eso.ExternalSecretSpecDataRemoteRef(
                            key=ref.key, property=ref.property, version=ref.version
                        ),
                    )
                    for key, ref in sorted(p.data.items())
                ],
            ),
        )
