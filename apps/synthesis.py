"""Synthesize every example app into ``$CDK8S_OUTDIR/<app>/`` (``dist/`` by default), with its Helm chart.

``python -m apps`` (``apps/__main__.py``) runs ``main``; the functions live here, not in
``__main__``, because spawned processes import them by module name.

The apps are shared out among ``$AIRFLOW_CONSTRUCTS_JOBS`` processes (default: one per CPU): this
one and spawned ones (``apps/workers.py``). Each process synthesizes an app and builds its chart;
this one writes the charts and packages them. The output does not depend on the number of processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cdk8s import App, Chart

from airflow_constructs.core.detached import detached_build
from airflow_constructs.core.synthesis import app_documents, synth, write_documents
from airflow_constructs.packaging.helm import (
    CHARTS_DIR,
    ChartValues,
    app_chart,
    app_description,
    write_app_charts,
)
from airflow_constructs.packaging.helm import write_charts as write_chart_files
from airflow_constructs.packaging.repo import package_all
from airflow_constructs.packaging.value_leaf import ValueLeaf
from airflow_constructs.packaging.values import (
    airflow_props,
    props_overrides,
    sentinel_values,
    value_leaves,
)

from . import workers
from .registry import APPS

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
HELM = ROOT / ".tools" / "bin" / "helm"
"""The pinned helm that `make tools` installs; else $HELM, else helm on PATH."""


BUILT_WITH_NODE = ("celery", "ldap", "oauth")
"""The example apps whose build still needs node: their KEDA, Prometheus Operator, External Secrets
and Gateway API objects are made and rendered by node (``core.detached``). ``synth_everything``
hands them to this process, whose node started while it imported, so that a worker may need no
node at all. Only who builds which app depends on it (``tests/test_detached.py`` keeps it true)."""

AppOutput = tuple[list[Path], Path, dict[str, str]]
"""What one app gives: its manifest files (written), its chart directory and the chart's files (not written)."""


def synth_all(outdir: Path) -> list[Path]:
    """Build every app in this process and write its manifests, replacing stale ones."""
    return [path for name in APPS for path in synth_app(name, outdir)[1]]


def synth_app(
    name: str, outdir: Path, documents: dict[str, list[dict[str, Any]]] | None = None
) -> tuple[App, list[Path]]:
    """Build one app and write its manifests to ``outdir/<name>/``, replacing stale ones.

    ``documents``: filled with the objects written (``core.synthesis.synth``'s)."""
    target = _emptied(outdir / name)
    app = App(outdir=str(target))
    APPS[name](app)
    return app, sorted(synth(app, documents=documents))


def _emptied(target: Path) -> Path:
    """``target``, created, without the manifests an earlier run wrote there."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.k8s.yaml"):
        old.unlink()
    return target


def app_output(name: str, outdir: Path) -> AppOutput:
    """One app's manifests (written) and chart (built, not written): a process's share of the work.

    The app is built without node where Python can tell its objects (``core.detached``: the same
    objects, the same files), else with node. The chart is built from the objects this
    process holds (``app_documents``: what reading the written files back gives) and not rendered
    back here: the test suite proves every example app's chart round-trips, with the default
    values and with the sentinels (``write_charts``, ``tests/test_helm.py``), and that these charts
    are byte for byte that proven output.
    """
    build = APPS[name]
    detached = detached_build(build)
    written = detached and write_documents(_emptied(outdir / name), detached.documents)
    if detached and written:
        documents, leaves = detached.documents, value_leaves(airflow_props(detached.constructs))
        manifests = sorted(written)
    else:
        documents = {}
        app, manifests = synth_app(name, outdir, documents)
        leaves = app_leaves(app)
    values = chart_values(build, leaves)
    description, changelog = app_description(build), CHANGELOG.read_text()
    directory, files = app_chart(outdir, name, description, changelog, values, documents=documents, prove=False)
    return manifests, directory, files


def synth_everything(outdir: Path, jobs: int, started: list[workers.Worker] | None = None) -> list[AppOutput]:
    """``app_output`` of every app, in ``APPS`` order, shared out among ``jobs`` processes (this one too).

    ``started``: workers already started (``python -m apps`` starts them before importing this);
    the caller then waits for their end (``workers.reap``), else this does.
    """
    # This process takes the apps from the front, the workers from the back (workers.share).
    names = [name for name in APPS if name in BUILT_WITH_NODE]
    names += reversed([name for name in APPS if name not in BUILT_WITH_NODE])
    own = workers.start(min(jobs, len(names)) - 1, outdir) if started is None else []
    outputs = workers.share(names, lambda name: app_output(name, outdir), started or own)
    workers.reap(own)
    return [outputs[name] for name in APPS]


def write_charts(outdir: Path) -> list[Path]:
    """Wrap each synthesized app as a Helm chart in ``<outdir>/helm/charts/`` (see packaging/helm.py).

    Reads the written manifests back and proves every chart round-trips (``build_chart``'s
    ``prove``): the tests' way to the charts ``python -m apps`` writes unproven."""
    descriptions = {name: app_description(build) for name, build in APPS.items()}
    values = {name: chart_values(build) for name, build in APPS.items()}
    return write_app_charts(outdir, descriptions, CHANGELOG.read_text(), values)


def chart_values(build: Callable[..., Chart], leaves: list[ValueLeaf] | None = None) -> ChartValues:
    """The values an app's chart honours: its props' leaves, and the app synthesized with their sentinels.

    ``leaves``: the app's ``value_leaves``, when the caller has already built it.
    """
    if leaves is None:
        app = App()
        build(app)
        leaves = app_leaves(app)
    overrides = props_overrides(leaves, sentinel_values(leaves))
    # Built without node when Python alone can tell its objects (core.detached), else with node and
    # rendered in Python: no YAML written or read, under the file names synth gives the charts.
    detached = detached_build(lambda app: build(app, **overrides))
    if detached is not None:
        return ChartValues(leaves, detached.documents)
    sentinel = App()
    build(sentinel, **overrides)
    return ChartValues(leaves, app_documents(sentinel))


def app_leaves(app: App) -> list[ValueLeaf]:
    """The values of an app's chart: its ``Airflow`` (or ``WorkersOnly``) props' leaves."""
    return value_leaves(airflow_props(app))


def package_charts(outdir: Path) -> list[Path]:
    """Package those charts into the chart repository ``<outdir>/helm/`` (see airflow_constructs.packaging.repo)."""
    helm = str(HELM) if HELM.is_file() else os.environ.get("HELM", "helm")
    repo = outdir / CHARTS_DIR.parent
    packaged = package_all(
        outdir / CHARTS_DIR, repo, CHANGELOG.read_text(), helm=helm, extras=[ROOT / "artifacthub-repo.yml"]
    )
    return [p.archive for p in packaged] + [repo / "index.yaml"]


def main(started: list[workers.Worker] | None = None) -> int:
    outdir = Path(os.environ.get("CDK8S_OUTDIR", "dist"))
    outputs = synth_everything(outdir, workers.jobs(), started)
    manifests = [path for paths, _, _ in outputs for path in paths]
    charts = write_chart_files(outdir, {directory: files for _, directory, files in outputs})
    for path in [*manifests, *charts, *package_charts(outdir)]:
        print(path)
    workers.reap(started or [])
    return 0
