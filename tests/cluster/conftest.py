"""Tests against a real control plane: only with ``-m cluster`` (``make cluster-test``), skipped otherwise.

The ``cluster`` session fixture starts etcd, kube-apiserver and kube-controller-manager once
(``control_plane.up``), or reuses the one ``make cluster-up`` left running, and stops only what it
started. The upstream CRDs from ``../shared/crds`` are installed once per session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster import control_plane
from tests.cluster.cluster import Cluster

CRDS = control_plane.ROOT.parent / "shared" / "crds"
"""Beside the clone in CI and in every worktree: the CRD files our manifests' custom kinds need."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cluster: needs the real control plane of tests/cluster (make cluster-test)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "cluster" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="needs the real control plane: use `make cluster-test`")
    for item in items:
        if item.get_closest_marker("cluster"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    started = control_plane.running() is None
    control_plane.up()
    try:
        yield Cluster()
    finally:
        if started:
            control_plane.down()


@pytest.fixture(scope="session")
def crds(cluster: Cluster) -> list[Path]:
    """The upstream CRD files, installed and Established."""
    files = sorted(CRDS.rglob("*.yaml"))
    assert files, f"no CRD files under {CRDS} (shared/ must sit beside the repository)"
    for path in files:
        result = cluster.apply(path.read_text())
        assert result.ok, f"{path}: {result.stderr}"
    waited = cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
    assert waited.ok, waited.stderr
    return files


_VALUE_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def value_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines ``test_values.py`` adds, printed at the end of the session with the counts per type."""
    return request.config.stash.setdefault(_VALUE_REPORT, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_VALUE_REPORT, [])
    if lines:
        terminalreporter.section("value rules vs the API server (tests/cluster/test_values.py)")
        for line in lines:
            terminalreporter.write_line(line)
