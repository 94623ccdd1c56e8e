"""``artifacthub-repo.yml``: Artifact Hub's metadata of the chart repository, its ID filled in.

The committed file carries no ``repositoryID``: the ID (a UUID Artifact Hub's control panel shows
once the repository is added) is a setting, ``ARTIFACTHUB_REPOSITORY_ID`` (the release workflow
reads the repository variable of that name). ``render`` writes it in; a release without it is
refused, a local build (``make package``) copies the file without one.
"""

from __future__ import annotations

import re

FILE_NAME = "artifacthub-repo.yml"
SETTING = "ARTIFACTHUB_REPOSITORY_ID"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def render(source: str, repository_id: str | None, *, release: bool) -> str:
    """``source`` with ``repositoryID: <repository_id>`` added; ``ValueError`` when the ID is not a UUID,
    when ``source`` sets one itself, or when a release has none."""
    if re.search(r"^repositoryID:", source, re.M):
        raise ValueError(f"{FILE_NAME} sets repositoryID itself: leave it out, it comes from the setting {SETTING}")
    value = (repository_id or "").strip()
    if not value:
        if release:
            raise ValueError(
                f"{SETTING} is empty: a release publishes {FILE_NAME} with Artifact Hub's repository ID "
                "(a UUID from Artifact Hub's control panel); set the repository variable "
                f"{SETTING} (or `make release-charts {SETTING}=<uuid>`)"
            )
        return source
    if not _UUID.match(value):
        raise ValueError(
            f"{SETTING} {value!r} is not allowed: expected Artifact Hub's repository ID, a lowercase UUID "
            "such as 0b3a6f52-3d2c-4b8e-9f3e-1c2d3e4f5a6b"
        )
    return source.rstrip("\n") + f"\nrepositoryID: {value}\n"
