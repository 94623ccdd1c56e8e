"""Synthesis of an app from the bodies Python holds: what ``App.synth()`` writes, without a node
round trip per object.

``App.synth()`` asks every object for its ``toJson`` (for a ``BodyObject``, a call from node back
into Python) and writes each chart's YAML in node. ``synth`` asks node for the order of the objects
once per chart, renders every ``BodyObject`` in Python, and writes each chart's YAML in Python
as cdk8s's writer would (``node_yaml``), or, for values that module declines, hands the chart's
objects to cdk8s's writer (``Yaml.save``) in one call: the same files, byte for byte
(``tests/test_synthesis_fast.py`` compares every app with ``App.synth()``).

The order is cdk8s's: the charts in ``App.charts`` order, each chart's objects in the order of its
construct tree. That is the order cdk8s uses when no construct depends on another
(``node.add_dependency``); with a dependency, a chart nested in a chart, another output type than a
file per chart or construct metadata recorded, ``synth`` leaves the app to ``App.synth()``. It does
not run construct validations (``node.add_validation``): it is meant for apps built by this
library, whose constructs add none (``App.synth()`` runs them for any other app).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cdk8s import ApiObject, App, Chart, DependencyGraph, Names, Yaml, YamlOutputType

from . import node_yaml
from .body_object import BodyObject, chart_facts, js_ordered


def synth(app: App, *, documents: dict[str, list[dict[str, Any]]] | None = None) -> dict[Path, int]:
    """Write the app's manifests into ``app.outdir`` as ``App.synth()`` does: each file written, with
    how many objects it holds (-1 when ``App.synth()`` wrote the app: then every manifest file in
    ``app.outdir``, as it does not say which it wrote).

    ``documents``: a mapping to fill with ``app_documents(app)`` (the objects just written, not
    rendered a second time)."""
    charts = _plain_charts(app)
    if charts is None or app.yaml_output_type != YamlOutputType.FILE_PER_CHART:
        app.synth()
        if documents is not None:
            documents.update(app_documents(app))
        return {path: -1 for path in sorted(Path(app.outdir).glob(f"*{app.output_file_extension}"))}
    outdir = Path(app.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = {}
    for chart, objects in charts:
        path = outdir / f"{Names.to_dns_label(chart)}{app.output_file_extension}"
        docs = [_render(obj, chart) for obj in objects]
        if documents is None:
            text = node_yaml.dump_held(docs)
        else:
            ordered = [js_ordered(doc) for doc in docs]
            documents[f"{Names.to_dns_label(chart)}.yaml"] = ordered
            text = node_yaml.dump(ordered)
        if text is None:
            Yaml.save(str(path), docs)
        else:
            path.write_text(text, encoding="utf-8")
        written[path] = len(objects)
    return written


def write_documents(outdir: Path, documents: dict[str, list[dict[str, Any]]]) -> dict[Path, int] | None:
    """Write ``{<chart file name>.yaml: objects}`` (``app_documents``'s, or ``core.detached``'s) into
    ``outdir`` as ``synth`` writes them: each file written, with how many objects it holds. None,
    with nothing written, when a file needs cdk8s's writer (``node_yaml`` declines a value)."""
    texts = {}
    for name, objects in documents.items():
        text = node_yaml.dump(objects)
        if text is None:
            return None
        texts[outdir / f"{name.removesuffix('.yaml')}.k8s.yaml"] = (text, len(objects))
    outdir.mkdir(parents=True, exist_ok=True)
    for path, (text, _) in texts.items():
        path.write_text(text, encoding="utf-8")
    return {path: count for path, (_, count) in texts.items()}


def chart_json(chart: Chart) -> list[dict[str, Any]]:
    """What ``chart.to_json()`` returns (objects rendered in Python where they can be), as node hands it back."""
    charts = _plain_charts(chart.node.root)
    if charts is None:
        return list(chart.to_json())
    for each, objects in charts:
        if each is chart:
            return [js_ordered(_render(obj, chart)) for obj in objects]
    return list(chart.to_json())


def app_documents(app: App) -> dict[str, list[dict[str, Any]]]:
    """``{<chart file name>.yaml: objects}``: what reading back the files ``synth`` writes gives (as
    ``packaging.helm.load_documents`` reads them), without writing or reading YAML."""
    charts = _plain_charts(app)
    if charts is None:
        return {f"{Names.to_dns_label(chart)}.yaml": list(chart.to_json()) for chart in app.charts}
    return {
        f"{Names.to_dns_label(chart)}.yaml": [js_ordered(_render(obj, chart)) for obj in objects]
        for chart, objects in charts
    }


def _render(obj: ApiObject, chart: Chart) -> Any:
    if isinstance(obj, BodyObject) and not obj.in_node:
        return obj.python_json(chart_facts(chart))
    return obj.to_json()


def _plain_charts(app: Any) -> list[tuple[Chart, list[ApiObject]]] | None:
    """Each chart with its objects in cdk8s's order; None when cdk8s's order may differ from the tree's
    (a dependency, a nested chart) or ``App.synth()`` writes construct metadata."""
    if not isinstance(app, App) or os.environ.get("CDK8S_RECORD_CONSTRUCT_METADATA") == "true":
        return None
    node = app.node
    constructs = node.find_all()
    # Every construct is a root of the dependency graph exactly when no construct depends on another.
    if len(DependencyGraph(node).root.outbound) != len(constructs):
        return None
    charts: list[tuple[Chart, list[ApiObject]]] = []
    for construct in constructs[1:]:
        if isinstance(construct, Chart):
            if construct.node.scope is not app:
                return None
            charts.append((construct, []))
        elif isinstance(construct, ApiObject):
            if not charts:
                return None
            charts[-1][1].append(construct)
    return charts
