"""The Helm wrapper chart: an app's synthesized manifests as a chart a user can ``helm install``.

``python -m apps`` builds each app's chart with ``app_chart`` from the objects its synthesis wrote
(``write_app_charts`` does the same from the written files, proving each chart), so every
``dist/<app>/`` gets a chart under ``dist/helm/charts/<chart>/``; ``repo`` packages those into the chart repository
``dist/helm/``. A chart holds:

* ``templates/<file>.yaml``: the manifests of ``dist/<app>/<file>.k8s.yaml``, with every namespace
  reference taken from ``.Release.Namespace`` and every ``{{`` escaped (``templates``);
* ``Chart.yaml`` (``chart_yaml``): version (the library's, single-sourced with ``pyproject.toml``),
  appVersion (the Airflow version), kubeVersion, Artifact Hub annotations (images, license, links, changes);
* ``values.yaml`` + ``values.schema.json`` (``values_files``): the values the chart honours; anything
  else fails;
* ``templates/NOTES.txt`` and ``README.md``: how to reach the UI, read the admin password, upgrade,
  uninstall, and what an uninstall keeps.

Values: ``replicas.<workload>`` for the Airflow components that run as interchangeable replicas
(api-server, scheduler, dag-processor, triggerer, Celery workers) and are not scaled by an
autoscaler; and, given ``ChartValues``, the props' leaves of ``values.value_leaves`` (image,
resources), placed where a synthesis with sentinels shows they land (``placement``). One-shot Job
names and the checksums of ConfigMaps a value reaches are computed in the templates, as Python
computes them (``core.kube.job_suffix``, ``core.kube.data_checksum``). Every airflow.cfg is a template
that merges the ``config`` value (``config_chart``). Everything else (the library's airflow.cfg keys,
secrets, which objects exist) is fixed when the chart is generated.
"""

from __future__ import annotations

import inspect
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..services.embedded import generated_secret_name
from .changelog import Release, release
from .chart_docs import COMPONENT_LABEL, INSTANCE_LABEL, chart_readme, notes
from .chart_yaml import REPOSITORY_URL, ChartMetadata, chart_yaml
from .config_chart import TPL_FILE, check_checksummed, template_configs, without_config
from .extra_objects import with_extra_objects
from .placement import (
    checksum_placeholder,
    checksummed_config_maps,
    entries_placeholder,
    field_placeholder,
    inline_checksum_placeholder,
    inline_placeholder,
    place_values,
    whole_placeholder,
)
from .templates import (
    Manifest,
    RoundTripError,
    check_no_placeholders,
    checksum_action,
    load_all,
    mappings_in,
    render_locally,
    replicas_placeholder,
    substitute_namespace,
    to_template,
    where_of,
)
from .value_leaf import ValueLeaf
from .values import default_values, sentinel_values
from .values_files import values_schema, values_yaml
from .with_blocks import entries_action, field_action, optional_action

SCALABLE_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer", "worker")
"""Components whose replica count is a chart value: Airflow runs them as interchangeable replicas.
PostgreSQL, Redis and other single-instance parts are deliberately absent."""
HELM_HOOK = "helm.sh/hook"
CHARTS_DIR = Path("helm") / "charts"
"""Where, under the synthesis output directory, the unpacked charts are written."""

_WORKLOAD_KINDS = ("Deployment", "StatefulSet")


def chart_name(app: str) -> str:
    """The chart of an app: ``airflow`` for the default app, ``airflow-<app>`` for the others."""
    return "airflow" if app == "default" else f"airflow-{app}"


def app_description(build: Callable[..., Any]) -> str:
    """A chart description from an app's build function: its docstring, else its module's, first paragraph."""
    doc = inspect.getdoc(build) or inspect.getdoc(sys.modules[build.__module__]) or ""
    first = " ".join(doc.strip().split("\n\n", 1)[0].split())
    return f"Apache Airflow 3 on Kubernetes, from airflow-constructs. {first}".rstrip()


def write_app_charts(
    outdir: Path, apps: Mapping[str, str], changelog: str, chart_values: Mapping[str, ChartValues] | None = None
) -> list[Path]:
    """Write the chart of every app in ``apps`` ({app: description}) from ``outdir/<app>/*.k8s.yaml``.

    ``chart_values`` gives the values an app's chart honours beyond replicas. Charts go to
    ``outdir/helm/charts/<chart>/`` (replaced, so nothing stale survives); returns the files
    written. Every chart is built (and proven to round-trip) before any is written.
    """
    charts = dict(
        app_chart(outdir, app, description, changelog, (chart_values or {}).get(app))
        for app, description in apps.items()
    )
    return write_charts(outdir, charts)


def app_chart(
    outdir: Path,
    app: str,
    description: str,
    changelog: str,
    values: ChartValues | None = None,
    *,
    documents: Mapping[str, list[Manifest]] | None = None,
    prove: bool = True,
) -> tuple[Path, dict[str, str]]:
    """The chart directory of one app and its files, from ``outdir/<app>/*.k8s.yaml`` (not written).

    ``documents``: the objects of those files (``core.synthesis.app_documents``), when the caller
    holds them, instead of reading the files back. ``prove``: see ``build_chart``.
    """
    meta = ChartMetadata(name=chart_name(app), description=description)
    changes = release(changelog, meta.version)
    found = load_documents(outdir / app) if documents is None else documents
    return outdir / CHARTS_DIR / meta.name, build_chart(found, meta, changes, values, prove=prove)


def write_charts(outdir: Path, charts: Mapping[Path, Mapping[str, str]]) -> list[Path]:
    """Write ``{chart directory: files}`` under ``outdir/helm/charts/``, replacing it whole (nothing stale)."""
    written: list[Path] = []
    root = outdir / CHARTS_DIR
    if root.exists():
        shutil.rmtree(root)
    for directory, files in charts.items():
        written.extend(write_chart(files, directory))
    return written


def load_documents(app_dir: Path) -> dict[str, list[Manifest]]:
    """``{template file name: objects}`` from an app's synthesized ``*.k8s.yaml`` files."""
    files = sorted(app_dir.glob("*.k8s.yaml"))
    if not files:
        raise RoundTripError(f"{app_dir}: no *.k8s.yaml files: synthesize the app first")
    return {path.name.removesuffix(".k8s.yaml") + ".yaml": load_all(path.read_text()) for path in files}


def write_chart(files: Mapping[str, str], directory: Path) -> list[Path]:
    """Write a chart's files (``{relative path: text}``) into ``directory``, replacing it."""
    if directory.exists():
        shutil.rmtree(directory)
    written = []
    for relative in sorted(files):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[relative])
        written.append(path)
    return written


@dataclass(frozen=True)
class ChartValues:
    """The settings a chart exposes beyond replicas, and the app synthesized with their sentinels."""

    leaves: list[ValueLeaf]
    """Candidate values (``values.value_leaves``); those that land nowhere are left out."""
    sentinel_documents: Mapping[str, list[Manifest]]
    """``{template file: objects}`` of the app synthesized with ``values.sentinel_values``."""


def build_chart(
    documents: Mapping[str, list[Manifest]],
    meta: ChartMetadata,
    changes: Release,
    chart_values: ChartValues | None = None,
    *,
    prove: bool = True,
) -> dict[str, str]:
    """Every file of the chart, ``{relative path: text}``, from ``{template file: objects}``.

    With ``chart_values``, the chart also honours those settings (see ``packaging/placement.py``).
    Raises RoundTripError when the objects cannot be installed by Helm exactly as synthesized, or
    (``prove``) when a template does not render back to them, and to the sentinel synthesis with the
    sentinels. Only ``python -m apps`` turns ``prove`` off: tests/test_helm.py proves its charts.
    """
    objects = [obj for docs in documents.values() for obj in docs]
    namespace = check_installable(objects, meta.name)
    replicas = scalable_replicas(objects)
    config = None
    if chart_values:
        rest, config = without_config(chart_values.leaves)
        chart_values = replace(chart_values, leaves=rest)
    placed, leaves, fallbacks = _place(documents, chart_values)
    actions = _value_actions(chart_values.leaves if chart_values else [], leaves, fallbacks)
    checksummed = checksummed_config_maps([o for docs in placed.values() for o in docs])
    actions.update({checksum_placeholder(name): checksum_action(name) for name in checksummed})
    actions.update({inline_checksum_placeholder(name): checksum_action(name, inline=True) for name in checksummed})
    used = [chart_values.leaves[i] for i in leaves] if chart_values else []
    services = sorted(str(o["metadata"]["name"]) for o in objects if o.get("kind") == "Service")
    configs = config and template_configs(placed, config, namespace, services, replicas, actions)
    if configs:
        placed, used = configs.documents, [*used, configs.leaf]
        actions.update(configs.actions)
        check_checksummed(configs, checksummed)
    values = {**({"replicas": replicas} if replicas else {}), **default_values(used)}
    templates = {
        f"templates/{name}": _template_file(name, docs, namespace, services, replicas, actions, checksummed)
        for name, docs in placed.items()
    }
    tpl = configs.tpl if configs else ""
    for path, text in templates.items() if prove else ():
        _prove_round_trip(path, text + tpl, documents[path.removeprefix("templates/")], namespace, values)
        if chart_values:
            sentinels = {**values, **sentinel_values(used)}
            expected = chart_values.sentinel_documents[path.removeprefix("templates/")]
            _prove_round_trip(path, text + tpl, expected, namespace, sentinels)
    if configs:
        templates[TPL_FILE] = configs.tpl
    kept = _kept_secrets(objects)
    kinds = {str(o["metadata"]["name"]): str(o["kind"]) for o in objects if o.get("kind") in _WORKLOAD_KINDS}
    return with_extra_objects(
        {
            "Chart.yaml": chart_yaml(meta, objects, changes),
            "values.yaml": values_yaml(meta.name, replicas, used),
            "README.md": chart_readme(meta.name, meta.description, REPOSITORY_URL, objects, replicas, kept, used),
            "templates/NOTES.txt": notes(objects, kept),
            **templates,
        },
        values_schema(meta.name, kinds, replicas, used),
    )


# ---------------------------------------------------------------- what makes an app installable


def check_installable(objects: list[Manifest], chart: str) -> str | None:
    """The one namespace of the objects (None if none has one), or RoundTripError saying why not."""
    seen: set[tuple[str, str, str]] = set()
    namespaces: set[str] = set()
    for obj in objects:
        where = where_of(obj)
        check_no_placeholders(obj, f"chart {chart!r}: {where}")
        metadata = obj.get("metadata") or {}
        key = (str(obj.get("apiVersion")), str(obj.get("kind")), str(metadata.get("name")))
        if key in seen:
            raise RoundTripError(f"chart {chart!r}: {where} ({key[0]}) appears twice; Helm can install it only once")
        seen.add(key)
        if obj.get("kind") == "Namespace":
            raise RoundTripError(
                f"chart {chart!r}: {where} is a Namespace object; a chart installs into the release namespace "
                "(helm install --namespace <ns> --create-namespace): leave the Namespace out of the app"
            )
        if HELM_HOOK in (metadata.get("annotations") or {}):
            raise RoundTripError(
                f"chart {chart!r}: {where} has the annotation {HELM_HOOK!r}; hooks are not part of the release "
                "and would not be installed like the other objects: remove the annotation"
            )
        if "namespace" in metadata:
            namespaces.add(str(metadata["namespace"]))
    if len(namespaces) > 1:
        listed = ", ".join(repr(ns) for ns in sorted(namespaces))
        raise RoundTripError(
            f"chart {chart!r}: objects are in namespaces {listed}; a chart installs into one namespace "
            "(.Release.Namespace): put every object of the app in the same namespace"
        )
    return next(iter(namespaces), None)


def scalable_replicas(objects: list[Manifest]) -> dict[str, int]:
    """``{workload name: replicas}`` of the workloads whose replica count is a chart value.

    A Deployment or StatefulSet of a component in SCALABLE_COMPONENTS, with a replica count, and
    no autoscaler (an object with ``spec.scaleTargetRef``, e.g. an HPA or KEDA ScaledObject)
    managing it: two owners of one replica count would fight.
    """
    autoscaled = {
        str(target.get("name"))
        for obj in objects
        if isinstance(target := (obj.get("spec") or {}).get("scaleTargetRef"), dict)
    }
    found = {}
    for obj in objects:
        metadata = obj.get("metadata") or {}
        component = str((metadata.get("labels") or {}).get(COMPONENT_LABEL, ""))
        replicas = (obj.get("spec") or {}).get("replicas")
        if (
            obj.get("kind") in _WORKLOAD_KINDS
            and isinstance(replicas, int)
            and _is_scalable(component)
            and metadata.get("name") not in autoscaled
        ):
            found[str(metadata["name"])] = replicas
    return dict(sorted(found.items()))


def _is_scalable(component: str) -> bool:
    # Celery worker sets are labelled "worker" or "worker-<set>".
    return component in SCALABLE_COMPONENTS or component.startswith("worker-")


def _template_file(
    name: str,
    docs: list[Manifest],
    namespace: str | None,
    services: list[str],
    replicas: Mapping[str, int],
    actions: Mapping[str, str],
    checksummed: list[str],
) -> str:
    """One template: the objects of one synthesized file, namespace and replica fields templated."""
    parts = [f"# Generated by airflow-constructs from the app's {name.removesuffix('.yaml')}.k8s.yaml: do not edit.\n"]
    for obj in docs:
        obj = substitute_namespace(obj, namespace, services) if namespace else obj
        workload = str((obj.get("metadata") or {}).get("name"))
        if obj.get("kind") in _WORKLOAD_KINDS and workload in replicas:
            obj = {**obj, "spec": {**obj["spec"], "replicas": replicas_placeholder(workload)}}
        parts.append("---\n" + to_template(obj, replicas, actions, checksummed))
    return "".join(parts)


def _prove_round_trip(
    path: str, text: str, expected: list[Manifest], namespace: str | None, values: Mapping[str, Any]
) -> None:
    """Render the template as Helm would (with the app's own namespace): it must give the objects back."""
    rendered = load_all(render_locally(text, namespace or "", values))
    for got, want in zip(rendered, expected, strict=False):
        if got != want:
            raise RoundTripError(f"{path}: {where_of(want)} does not render back unchanged through the chart")
    if len(rendered) != len(expected):
        raise RoundTripError(f"{path}: renders {len(rendered)} objects, expected {len(expected)}")


# ---------------------------------------------------------------- values


def _place(
    documents: Mapping[str, list[Manifest]], chart_values: ChartValues | None
) -> tuple[dict[str, list[Manifest]], list[int], dict[int, Any]]:
    """The documents with value placeholders, the indexes of the values that land somewhere, and
    the fields the library computes where an empty value lands (``placement.place_values``)."""
    if chart_values is None:
        return dict(documents), [], {}
    if list(chart_values.sentinel_documents) != list(documents):
        raise RoundTripError("the chart's values change the app's files; a value may not do that")
    default = [o for docs in documents.values() for o in docs]
    sentinel = [o for docs in chart_values.sentinel_documents.values() for o in docs]
    placed, used, fallbacks = place_values(default, sentinel, chart_values.leaves)
    regrouped: dict[str, list[Manifest]] = {}
    for name, docs in documents.items():
        regrouped[name], placed = placed[: len(docs)], placed[len(docs) :]
    return regrouped, used, fallbacks


def _value_actions(leaves: list[ValueLeaf], used: list[int], fallbacks: Mapping[int, Any]) -> dict[str, str]:
    """Each placeholder of a used value and its action: JSON for a whole field, text inside a string."""
    actions = {}
    paths = {leaf.path: leaf for leaf in leaves}
    for i in used:
        ref = leaves[i].ref
        if (or_else := leaves[i].or_else) is not None:
            ref = f"(default {paths[or_else].ref} {ref})"
        if key := leaves[i].key:
            actions[field_placeholder(i)] = field_action(ref, key, fallbacks.get(i))
            actions[entries_placeholder(i)] = entries_action(ref)
            continue
        actions[whole_placeholder(i)] = f"{{{{ {ref} | toJson }}}}"
        # Helm reads numbers in values files as floats: int64 prints 1000000, not 1e+06.
        as_text = " | int64" if leaves[i].schema.get("type") == "integer" else ""
        actions[inline_placeholder(i)] = f"{{{{ {ref}{as_text} }}}}"
        if leaves[i].optional:  # the empty string writes nothing, its prefix included
            actions[inline_placeholder(i)] = optional_action(ref, leaves[i].prefix)
    return actions


# ---------------------------------------------------------------- what outlives an uninstall


def _kept_secrets(objects: list[Manifest]) -> dict[str, bool]:
    """Secrets the pods read that are not in the chart: ``{name: generated in-cluster?}``."""
    in_chart = {str(o["metadata"]["name"]) for o in objects if o.get("kind") == "Secret"}
    instances = {
        str(labels[INSTANCE_LABEL])
        for o in objects
        if INSTANCE_LABEL in (labels := (o.get("metadata") or {}).get("labels") or {})
    }
    generated = {generated_secret_name(i) for i in instances}
    referenced: set[str] = set()

    for node in mappings_in(objects):
        if isinstance(ref := node.get("secretKeyRef"), dict):
            referenced.add(str(ref.get("name")))
        if isinstance(vol := node.get("secret"), dict) and "secretName" in vol:
            referenced.add(str(vol["secretName"]))
    return {name: name in generated for name in sorted(referenced - in_chart)}
