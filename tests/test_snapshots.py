"""syrupy snapshots of every app's full output: any change to the manifests must be intended."""

from __future__ import annotations

import pytest
import yaml
from syrupy.assertion import SnapshotAssertion

from apps.registry import APPS
from tests.conftest import Manifest


@pytest.mark.parametrize("app", sorted(APPS))
def test_app_snapshot(app_manifests: dict[str, list[Manifest]], app: str, snapshot: SnapshotAssertion) -> None:
    assert yaml.safe_dump_all(app_manifests[app], sort_keys=True) == snapshot
