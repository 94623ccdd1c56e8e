"""The Airflow image every component runs, and the Airflow version it implies."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from ..core.image import Image
from ..core.props import FieldError

AIRFLOW_VERSION = "3.3.2"
"""The Airflow release this library is tested against (the default image tag)."""

SUPPORTED_MINORS = ((2, 10), (2, 11), (3, 0), (3, 1), (3, 2), (3, 3))
"""Airflow minors the generated manifests are known to work with (2.x in compatibility mode)."""

_VERSION_IN_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


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
