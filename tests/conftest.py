"""Shared fixtures. jsii starts one node process per Python process: build once, reuse."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", os.environ.get("NODE_MAJOR", "20"))

# The package before cdk8s, as a program importing it first: jsii's node process starts in the
# background (airflow_constructs/core/jsii_start.py), so every test runs on that provider.
# isort: off
import airflow_constructs  # noqa: F401
# isort: on

import pytest
from cdk8s import App, Chart

from apps.registry import APPS

ROOT = Path(__file__).resolve().parent.parent
Manifest = dict[str, Any]


def synth_chart(build: Callable[[Chart], Any], namespace: str = "airflow") -> list[Manifest]:
    """Build constructs into a fresh chart and return its manifests."""
    return synth_with_external(build, namespace)[0]


def synth_with_external(build: Callable[[Chart], Any], namespace: str = "airflow") -> tuple[list[Manifest], set[str]]:
    """Build constructs into a fresh chart: its manifests and the objects its props declare external."""
    from tests import conformance

    app = App()
    chart = Chart(app, "test", namespace=namespace, disable_resource_name_hashes=True)
    build(chart)
    return list(chart.to_json()), conformance.declared_external_in(chart)


@pytest.fixture(scope="session")
def app_charts() -> dict[str, Chart]:
    """Every example app's chart, keyed by app name."""
    return {name: build(App()) for name, build in APPS.items()}


@pytest.fixture(scope="session")
def app_manifests(app_charts: dict[str, Chart]) -> dict[str, list[Manifest]]:
    """Every example app's manifests, keyed by app name."""
    return {name: list(chart.to_json()) for name, chart in app_charts.items()}


@pytest.fixture(scope="session")
def app_external(app_charts: dict[str, Chart]) -> dict[str, set[str]]:
    """``Kind/name`` of the objects each app's props name as user-provided (they are not in the output)."""
    from tests import conformance

    return {name: conformance.declared_external_in(chart) for name, chart in app_charts.items()}


@pytest.fixture(scope="session")
def default_app(app_manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return app_manifests["default"]


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    """The one object of that kind and name."""
    hits = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(hits) == 1, f"{kind}/{name}: found {len(hits)}"
    return hits[0]


def find_prefix(manifests: list[Manifest], kind: str, prefix: str) -> Manifest:
    hits = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"].startswith(prefix)]
    assert len(hits) == 1, f"{kind}/{prefix}*: found {len(hits)}"
    return hits[0]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    """A container's env as {name: value or valueFrom}."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
