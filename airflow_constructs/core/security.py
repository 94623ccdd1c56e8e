"""Pod and container security contexts that pass the Kubernetes *restricted* Pod Security Standard.

Every pod the library creates goes through these two functions, so the guarantee lives in one
place: non-root, a fixed non-zero UID, seccomp RuntimeDefault, no privilege escalation, every
capability dropped, and a read-only root filesystem (writable paths are emptyDir volumes).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .props import Props

AIRFLOW_UID = 50000
"""UID of the ``airflow`` user in the apache/airflow image."""


class PodSecurity(Props):
    """User and group a component's pods run as.

    The defaults match the apache/airflow image (UID 50000, GID 0). They always satisfy the
    restricted profile: UID 0 is refused.
    """

    run_as_user: int = Field(default=AIRFLOW_UID, ge=1)
    """UID of every container in the pod (0 is not allowed: pods never run as root)."""
    run_as_group: int = Field(default=0, ge=0)
    """Primary GID; the Airflow image expects group 0 for its writable directories."""
    fs_group: int = Field(default=0, ge=0)
    """GID that owns mounted volumes (PVCs, emptyDirs)."""


def pod_security_context(security: PodSecurity) -> dict[str, Any]:
    """The pod-level ``securityContext``."""
    return {
        "fsGroup": security.fs_group,
        "runAsGroup": security.run_as_group,
        "runAsNonRoot": True,
        "runAsUser": security.run_as_user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context(read_only_root_filesystem: bool = True) -> dict[str, Any]:
    """The container-level ``securityContext`` (the same for every container, sidecars included)."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": read_only_root_filesystem,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
