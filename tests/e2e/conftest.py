"""End-to-end tests run real Airflow processes: only with ``-m e2e`` (``make e2e``), skipped otherwise."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "e2e" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="end-to-end: runs real Airflow processes, use `make e2e`")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)
