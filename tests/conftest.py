"""Shared fixtures. jsii starts one node process per Python process: build once, reuse."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", os.environ.get("NODE_MAJOR", "20"))

import pytest
from cdk8s import App, Chart

from apps.registry import APPS

ROOT = Path(__file__).resolve().parent.parent
Manifest = dict[str, Any]


def synth_chart(build: Callable[[Chart], Any], namespace: str = "airflow") -> list[Manifest]:
    """Build constructs into a fresh chart and return its manifests."""
    app = App()
    chart = Chart(app, "test", namespace=namespace, disable_resource_name_hashes=True)
    build(chart)
    return list(chart.to_json())


@pytest.fixture(scope="session")
def app_manifests() -> dict[str, list[Manifest]]:
    """Every example app's manifests, keyed by app name."""
    out = {}
    for name, build in APPS.items():
        chart = build(App())
        out[name] = list(chart.to_json())
    return out


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
