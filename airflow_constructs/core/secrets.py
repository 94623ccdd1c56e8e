"""Secret keys generated in the cluster: what a part of the install asks the bootstrap Job for.

No secret value is ever written to the manifests. A secret is either a key of a Secret the user
names (``SecretRef``), or a ``GeneratedKey`` that the idempotent bootstrap Job
(``runtime/secrets_bootstrap.py``) creates once inside the cluster and never overwrites, so values
survive upgrades and re-synthesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pod import SecretRef

GENERATED_ANNOTATION = "airflow-constructs.io/generated-by"


@dataclass(frozen=True)
class GeneratedKey:
    """One key the bootstrap Job generates when it is missing."""

    secret: str
    """Name of the Secret."""
    key: str
    """Key inside it."""
    kind: str
    """Generator: ``fernet-key``, ``token``, ``password`` or ``password-json``."""
    options: dict[str, Any] = field(default_factory=dict)
    """Generator options (e.g. ``{"users": ["admin"]}`` for ``password-json``)."""

    @property
    def ref(self) -> SecretRef:
        return SecretRef(self.secret, self.key)


@dataclass(frozen=True)
class EnvConnection:
    """How a process reaches a backing service: env vars ending with its URL, and the keys to generate."""

    env: list[dict[str, Any]]
    """Env vars, in order, ending with the URL."""
    host: str | None
    """Host name (None when the URL comes whole from a Secret)."""
    port: int
    """TCP port."""
    generated: list[GeneratedKey] = field(default_factory=list)
    """Secret keys the bootstrap Job must create."""
