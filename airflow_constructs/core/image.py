"""Container images: a pinned reference and its pull policy (the Airflow image is ``runtime.airflow_image``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from .props import Props
from .validators import pattern_validator

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$")

PullPolicy = Literal["IfNotPresent", "Always", "Never"]


class Image(Props):
    """A container image reference.

    Pin by tag, and by digest for a supply chain you can verify. The pull policy defaults to
    ``IfNotPresent``: a pinned tag never changes, so pulling on every start only adds latency.
    """

    repository: str
    """Image repository, e.g. ``apache/airflow`` or ``registry.example.com/team/airflow``."""
    tag: str
    """Image tag, e.g. ``3.3.2``."""
    digest: str | None = None
    """Optional ``sha256:<64 hex>`` digest; when set, the image is pulled by digest."""
    pull_policy: PullPolicy = "IfNotPresent"
    """Kubernetes ``imagePullPolicy``."""

    _repository = pattern_validator(
        "repository", pattern=_REPOSITORY, message="expected a lowercase image repository such as 'apache/airflow'"
    )

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        if value == "latest" or not _TAG.match(value):
            raise ValueError("expected a pinned image tag (letters, digits, '_', '.', '-'; at most 128; not 'latest')")
        return value

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not _DIGEST.match(value):
            raise ValueError("expected 'sha256:' followed by 64 lowercase hex digits")
        return value

    @property
    def ref(self) -> str:
        """The reference a container's ``image`` field gets."""
        base = f"{self.repository}:{self.tag}"
        return f"{base}@{self.digest}" if self.digest else base
