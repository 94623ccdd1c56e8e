"""Tests against a real control plane: only with ``-m cluster`` (``make cluster-test``), skipped otherwise.

The ``cluster`` session fixture starts etcd, kube-apiserver and kube-controller-manager of the
newest release once (``control_plane.up``), or reuses the one ``make cluster-up`` left running, and
stops only what it started. ``each_release`` is the same, parametrized over ``RELEASES`` (newest,
then oldest: the newest is ``cluster`` itself, the oldest runs beside it only while its tests
run): the tests that use it run on both. ``crds`` / ``each_release_crds``: the upstream CRDs from
``../shared/crds``, installed once per control plane. ``CLUSTER_RELEASE=1.35`` (or ``1.37``): only that release's
tests, so that ``make cluster-test`` runs the two releases side by side (``_only_release``).
"""

from __future__ import annotations

import os
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
        _only_release(config, items, os.environ.get("CLUSTER_RELEASE", ""))
        return
    skip = pytest.mark.skip(reason="needs the real control plane: use `make cluster-test`")
    for item in items:
        if item.get_closest_marker("cluster"):
            item.add_marker(skip)


def _only_release(config: pytest.Config, items: list[pytest.Item], minor: str) -> None:
    """With ``CLUSTER_RELEASE=<minor>``, only the tests on that release run (the others deselected).

    ``make cluster-test`` runs one pytest per release side by side, each starting only its own
    control plane: ``1.37`` has every test on the newest release (``cluster`` and ``each_release``'s
    1.37 half), ``1.35`` the 1.35 half of ``each_release``. Together they are the whole suite.
    """
    if not minor:
        return
    minors = [release.minor for release in control_plane.RELEASES]
    if minor not in minors:
        raise pytest.UsageError(f"CLUSTER_RELEASE {minor!r} is not allowed: give one of {', '.join(minors)}")
    kept = [item for item in items if _release_of(item).minor == minor]
    config.hook.pytest_deselected(items=[item for item in items if _release_of(item).minor != minor])
    items[:] = kept


def _release_of(item: pytest.Item) -> control_plane.Release:
    """The release a test runs on: its ``each_release`` parameter, else the newest (``cluster``)."""
    callspec = getattr(item, "callspec", None)
    release = callspec.params.get("each_release") if callspec is not None else None
    return release if isinstance(release, control_plane.Release) else control_plane.NEWEST


def _control_plane(release: control_plane.Release) -> Iterator[Cluster]:
    started = control_plane.running(release) is None
    control_plane.up(release)
    try:
        yield Cluster(release)
    finally:
        if started:
            control_plane.down(release)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """The newest release's control plane."""
    yield from _control_plane(control_plane.NEWEST)


@pytest.fixture(scope="session", params=control_plane.RELEASES, ids=lambda release: f"k8s-{release.minor}")
def each_release(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """The control plane of each release in turn: the newest is ``cluster``, the oldest started here."""
    if request.param == control_plane.NEWEST:
        yield request.getfixturevalue("cluster")
    else:
        yield from _control_plane(request.param)


@pytest.fixture(scope="session")
def crds(cluster: Cluster) -> list[Path]:
    """The upstream CRD files, installed and Established in the newest release's control plane."""
    return _install_crds(cluster)


@pytest.fixture(scope="session")
def each_release_crds(request: pytest.FixtureRequest, each_release: Cluster) -> list[Path]:
    """The upstream CRD files, installed and Established in ``each_release``."""
    if each_release.release == control_plane.NEWEST:
        crds: list[Path] = request.getfixturevalue("crds")
        return crds
    return _install_crds(each_release)


def _install_crds(cluster: Cluster) -> list[Path]:
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
