"""Synthesize every example app into ``$CDK8S_OUTDIR/<app>/`` (``dist/`` by default)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from cdk8s import App, Chart

from airflow_constructs.packaging.helm import CHARTS_DIR, ChartValues, app_description, load_documents, write_app_charts
from airflow_constructs.packaging.repo import package_all
from airflow_constructs.packaging.values import airflow_props, props_overrides, sentinel_values, value_leaves

from .registry import APPS

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
HELM = ROOT / ".tools" / "bin" / "helm"
"""The pinned helm that `make tools` installs; else $HELM, else helm on PATH."""


def synth_all(outdir: Path) -> list[Path]:
    """Build every app in this process and write its manifests, replacing stale ones."""
    written = []
    for name, build in APPS.items():
        target = outdir / name
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.k8s.yaml"):
            old.unlink()
        app = App(outdir=str(target))
        build(app)
        app.synth()
        written.extend(sorted(target.glob("*.k8s.yaml")))
    return written


def write_charts(outdir: Path) -> list[Path]:
    """Wrap each synthesized app as a Helm chart in ``<outdir>/helm/charts/`` (see packaging/helm.py)."""
    descriptions = {name: app_description(build) for name, build in APPS.items()}
    values = {name: chart_values(build) for name, build in APPS.items()}
    return write_app_charts(outdir, descriptions, CHANGELOG.read_text(), values)


def chart_values(build: Callable[..., Chart]) -> ChartValues:
    """The values an app's chart honours: its props' leaves, and the app synthesized with their sentinels."""
    app = App()
    build(app)
    leaves = value_leaves(airflow_props(app))
    with tempfile.TemporaryDirectory() as tmp:
        sentinel = App(outdir=tmp)
        build(sentinel, **props_overrides(leaves, sentinel_values(leaves)))
        sentinel.synth()
        return ChartValues(leaves, load_documents(Path(tmp)))


def package_charts(outdir: Path) -> list[Path]:
    """Package those charts into the chart repository ``<outdir>/helm/`` (see airflow_constructs.packaging.repo)."""
    helm = str(HELM) if HELM.is_file() else os.environ.get("HELM", "helm")
    repo = outdir / CHARTS_DIR.parent
    packaged = package_all(
        outdir / CHARTS_DIR, repo, CHANGELOG.read_text(), helm=helm, extras=[ROOT / "artifacthub-repo.yml"]
    )
    return [p.archive for p in packaged] + [repo / "index.yaml"]


def main() -> int:
    outdir = Path(os.environ.get("CDK8S_OUTDIR", "dist"))
    for path in [*synth_all(outdir), *write_charts(outdir), *package_charts(outdir)]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
