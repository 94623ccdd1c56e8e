"""Container images: the Airflow image every component runs, and the version it implies."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .props import FieldError, Props

AIRFLOW_VERSION = "3.3.2"
"""The Airflow release this library is tested against (the default image tag)."""

SUPPORTED_MINORS = ((2, 10), (2, 11), (3, 0), (3, 1), (3, 2), (3, 3))
"""Airflow minors the generated manifests are known to work with (2.x in compatibility mode)."""

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$")
_VERSION_IN_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")

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

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError("expected a lowercase image repository such as 'apache/airflow'")
        return value

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


class AirflowImage(Image):
    """The apache/airflow image (or your own image built from it) that every Airflow component runs."""

    repository: str = "apache/airflow"
    """Image repository."""
    tag: str = AIRFLOW_VERSION
    """Image tag; its leading ``X.Y.Z`` is taken as the Airflow version unless ``airflow_version`` is set."""
    airflow_version: str | None = Field(default=None, pattern=r"^\d+\.\d+\.\d+$")
    """Airflow version inside the image, for tags that do not start with it (e.g. ``2026-05-01``)."""

    @model_validator(mode="after")
    def _supported_version(self) -> AirflowImage:
        version = self.version
        major, minor = (int(x) for x in version.split(".")[:2])
        if (major, minor) not in SUPPORTED_MINORS:
            allowed = ", ".join(f"{a}.{b}" for a, b in SUPPORTED_MINORS)
            field = "airflow_version" if self.airflow_version else "tag"
            raise FieldError(
                field, getattr(self, field), f"Airflow {version} is not supported: supported minors are {allowed}"
            )
        return self

    @property
    def airflow2(self) -> bool:
        """True for an Airflow 2 image (compatibility mode: webserver, no execution API)."""
        return self.version.startswith("2.")

    @property
    def version(self) -> str:
        """The Airflow version (``X.Y.Z``) this image runs."""
        if self.airflow_version:
            return self.airflow_version
        match = _VERSION_IN_TAG.match(self.tag)
        if not match:
            raise FieldError("tag", self.tag, "it does not start with an Airflow version (X.Y.Z): set airflow_version")
        return ".".join(match.groups())
