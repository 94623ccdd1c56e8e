"""OCI publishing against a registry on loopback: only with ``-m oci`` (``make oci-test``), skipped otherwise."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "oci: pushes charts to a local docker-registry (make oci-test)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "oci" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="needs Debian's docker-registry: use `make oci-test`")
    for item in items:
        if item.get_closest_marker("oci"):
            item.add_marker(skip)
