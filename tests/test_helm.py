"""The Helm wrapper charts: generated from dist/, lint-clean, and rendering exactly dist/.

Helm itself (the pinned binary under .tools/bin/, ``make tools``) renders every chart: with the
app's namespace it must give back, object for object, what ``dist/<app>/`` holds; with another
namespace every object, RoleBinding subject and in-cluster DNS name must move there.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yamale
import yaml
from cdk8s import App, Chart

from airflow_constructs import AIRFLOW_VERSION, Airflow, __version__
from airflow_constructs.core.kube import api_object, data_checksum, job_suffix
from airflow_constructs.packaging import helm as helm_module
from airflow_constructs.packaging.changelog import release
from airflow_constructs.packaging.chart_yaml import ChartMetadata
from airflow_constructs.packaging.helm import (
    CHARTS_DIR,
    build_chart,
    chart_name,
    write_app_charts,
    write_chart,
)
from apps.__main__ import CHANGELOG, synth_all, write_charts
from apps.registry import APPS, WORKERS_ONLY
from tests.conftest import ROOT, Manifest

DIST = ROOT / "dist"
CHARTS = {app: DIST / CHARTS_DIR / chart_name(app) for app in APPS}
LOG_TEMPLATE = (
    "dag_id={{ ti.dag_id }}/run_id={{ ti.run_id }}/task_id={{ ti.task_id }}/"
    "{% if ti.map_index >= 0 %}map_index={{ ti.map_index }}/{% endif %}"
    "attempt={{ try_number|default(ti.try_number) }}.log"
)
"""Airflow's default log_filename_template: Jinja that Helm must not touch."""

# The fields of chart-testing's Chart.yaml schema (etc/chart_schema.yaml, checked by `ct lint`), with
# the ones our charts always set made required.
CHART_SCHEMA = """
name: str()
home: str()
version: str()
apiVersion: str()
appVersion: any(str(), num())
description: str()
keywords: list(str())
sources: list(str())
maintainers: list(include('maintainer'))
icon: str()
engine: str(required=False)
condition: str(required=False)
tags: str(required=False)
deprecated: bool(required=False)
kubeVersion: str()
annotations: map(str(), str())
type: str(required=False)
dependencies: list(any(), required=False)
---
maintainer:
  name: str()
  email: str(required=False)
  url: str(required=False)
"""


@pytest.fixture(scope="session")
def helm() -> str:
    """The helm binary: the pinned one from `make tools`, else one on PATH."""
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.is_file() else shutil.which("helm")
    if not found:
        pytest.fail("helm not found: run `make tools` (installs the pinned helm under .tools/bin/)")
    return found


def run_helm(helm: str, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([helm, *map(str, args)], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"helm {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def parse_all(text: str) -> list[Any]:
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc]


def template(helm: str, chart: Path, namespace: str, *extra: str) -> dict[tuple[str, str], Manifest]:
    """``helm template`` output, keyed by (kind, name)."""
    out = run_helm(helm, "template", "release", chart, "--namespace", namespace, *extra).stdout
    return keyed(parse_all(out))


def keyed(docs: Any) -> dict[tuple[str, str], Manifest]:
    objects = [d for d in docs if d]
    result = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    assert len(result) == len(objects), "two objects share a kind and name"
    return result


def dist_objects(app: str) -> dict[tuple[str, str], Manifest]:
    """The objects of dist/<app>/, keyed by (kind, name); a fresh copy each call (tests modify it)."""
    return {(kind, name): obj for kind, name, obj in json.loads(_dist_json(app))}


@functools.cache
def _dist_json(app: str) -> str:
    docs = [d for path in sorted((DIST / app).glob("*.k8s.yaml")) for d in parse_all(path.read_text())]
    return json.dumps([[kind, name, obj] for (kind, name), obj in keyed(docs).items()])


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- dist/helm/charts is what synthesis gives


PROOFS: list[tuple[str, int]] = []
"""(template, objects) of every round-trip proof the ``fresh`` synthesis ran."""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh synthesis, charts included, as `python -m apps` (cdk8s synth) writes it, each chart proven."""
    out = tmp_path_factory.mktemp("synth")
    synth_all(out)
    prove = helm_module._prove_round_trip

    def counted(path: str, text: str, expected: list[Manifest], *args: Any) -> None:
        prove(path, text, expected, *args)
        PROOFS.append((path, len(expected)))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(helm_module, "_prove_round_trip", counted)
        write_charts(out)
    return out


def test_every_chart_is_proven_to_round_trip_here(fresh: Path) -> None:
    """`python -m apps` builds the charts without rendering them back (``prove=False``); the test
    suite proves them: every template of every app's chart renders back to the app's objects with
    the default values and to the sentinel synthesis with the sentinels. dist/ is byte for byte
    this proven output (``test_charts_in_dist_are_up_to_date``) and what `python -m apps` writes
    (``tests/test_synthesis.py``)."""
    files = [path for app in APPS for path in sorted((fresh / app).glob("*.k8s.yaml"))]
    expected = sorted(
        (f"templates/{path.name.removesuffix('.k8s.yaml')}.yaml", len(parse_all(path.read_text())))
        for path in files
        for _ in ("default values", "sentinels")
    )
    assert sorted(PROOFS) == expected


def test_charts_in_dist_are_up_to_date(fresh: Path) -> None:
    committed, generated = tree(DIST / CHARTS_DIR), tree(fresh / CHARTS_DIR)
    assert sorted(committed) == sorted(generated), "dist/helm/charts/ differs from a fresh synth: run `make synth`"
    stale = [name for name in generated if committed[name] != generated[name]]
    assert stale == [], "stale chart files: run `make synth`"


def test_one_chart_per_app() -> None:
    assert sorted(p.name for p in (DIST / CHARTS_DIR).iterdir()) == sorted(chart_name(app) for app in APPS)
    assert chart_name("default") == "airflow"
    assert chart_name("celery") == "airflow-celery"


def test_chart_generation_is_deterministic(fresh: Path, tmp_path: Path) -> None:
    for app in APPS:
        shutil.copytree(fresh / app, tmp_path / app)
    write_charts(tmp_path)
    assert tree(tmp_path / CHARTS_DIR) == tree(fresh / CHARTS_DIR)


def test_chart_files() -> None:
    for app, chart in CHARTS.items():
        assert sorted(tree(chart)) == [
            "Chart.yaml",
            "README.md",
            "templates/NOTES.txt",
            "templates/_airflow_cfg.tpl",
            "templates/airflow.yaml",
            "templates/extra-objects.yaml",
            "values.schema.json",
            "values.yaml",
        ], app


# ---------------------------------------------------------------- Chart.yaml


@pytest.mark.parametrize("app", sorted(APPS))
def test_chart_yaml_passes_chart_testing_schema(app: str) -> None:
    schema = yamale.make_schema(content=CHART_SCHEMA)
    data = yamale.make_data(CHARTS[app] / "Chart.yaml")
    yamale.validate(schema, data, strict=True)


def test_chart_yaml_of_default_app() -> None:
    chart = yaml.safe_load((CHARTS["default"] / "Chart.yaml").read_text())
    pyproject = (ROOT / "pyproject.toml").read_text()
    annotations = chart.pop("annotations")
    assert chart == {
        "apiVersion": "v2",
        "name": "airflow",
        "version": __version__,
        "appVersion": AIRFLOW_VERSION,
        "kubeVersion": ">=1.28.0-0",
        "type": "application",
        "description": "Apache Airflow 3 on Kubernetes, from airflow-constructs. The default install: LocalExecutor, "
        "embedded PostgreSQL, every secret generated in-cluster.",
        "home": "https://github.com/airflow-constructs/airflow-constructs",
        "icon": "https://airflow.apache.org/images/airflow_dark_bg.png",
        "sources": ["https://github.com/airflow-constructs/airflow-constructs", "https://github.com/apache/airflow"],
        "keywords": ["airflow", "apache-airflow", "workflow", "orchestration", "scheduler", "cdk8s"],
        "maintainers": [
            {"name": "airflow-constructs developers", "url": "https://github.com/airflow-constructs/airflow-constructs"}
        ],
    }
    assert f'Homepage = "{chart["home"]}"' in pyproject
    assert f'license = "{annotations["artifacthub.io/license"]}"' in pyproject
    assert sorted(annotations) == [
        "artifacthub.io/changes",
        "artifacthub.io/images",
        "artifacthub.io/license",
        "artifacthub.io/links",
    ]
    assert yaml.safe_load(annotations["artifacthub.io/images"]) == [
        {"name": "airflow", "image": f"apache/airflow:{AIRFLOW_VERSION}"},
        {"name": "postgres", "image": "postgres:17.6-bookworm"},
        {"name": "statsd-exporter", "image": "prom/statsd-exporter:v0.28.0"},
    ]
    assert yaml.safe_load(annotations["artifacthub.io/links"]) == [
        {"name": "Documentation", "url": "https://github.com/airflow-constructs/airflow-constructs#readme"},
        {"name": "Apache Airflow", "url": "https://airflow.apache.org/docs/apache-airflow/stable/"},
    ]


def test_version_is_single_sourced() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "airflow_constructs.__version__" }' in pyproject
    assert not re.search(r"(?m)^version\s*=", pyproject.split("[tool.")[0]), "a literal version in [project]"
    for chart in CHARTS.values():
        assert yaml.safe_load((chart / "Chart.yaml").read_text())["version"] == __version__


@pytest.mark.parametrize("app", sorted(APPS))
def test_artifacthub_images_list_every_image(app: str) -> None:
    chart = yaml.safe_load((CHARTS[app] / "Chart.yaml").read_text())
    listed = [entry["image"] for entry in yaml.safe_load(chart["annotations"]["artifacthub.io/images"])]
    text = "".join(p.read_text() for p in (DIST / app).glob("*.k8s.yaml"))
    used = sorted(set(re.findall(r"(?m)^\s+image: (\S+)$", text)))
    assert listed == used


def test_artifacthub_changes_come_from_the_changelog() -> None:
    chart = yaml.safe_load((CHARTS["default"] / "Chart.yaml").read_text())
    changes = yaml.safe_load(chart["annotations"]["artifacthub.io/changes"])
    expected = release(CHANGELOG.read_text(), __version__).changes
    assert changes == list(expected)
    assert {c["kind"] for c in changes} <= {"added", "changed", "deprecated", "removed", "fixed", "security"}


# ---------------------------------------------------------------- helm lint and template


@pytest.mark.parametrize("app", sorted(APPS))
def test_helm_lint_strict(helm: str, app: str) -> None:
    result = run_helm(helm, "lint", "--strict", CHARTS[app], "--namespace", "airflow")
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout


@pytest.mark.parametrize("app", sorted(APPS))
def test_helm_template_renders_dist(helm: str, app: str) -> None:
    assert template(helm, CHARTS[app], "airflow") == dist_objects(app)


def in_namespace(obj: Any, old: str, new: str) -> Any:
    """The test's own, deliberately simple idea of moving an object: the fields we know carry it."""
    obj = json.loads(json.dumps(obj))
    obj["metadata"]["namespace"] = new
    for subject in obj.get("subjects", []):
        subject["namespace"] = new
    text = json.dumps(obj)
    text = re.sub(rf"\.{old}\.svc\b", f".{new}.svc", text)
    text = text.replace(f"namespace = {old}\\n", f"namespace = {new}\\n")
    text = text.replace(f'"--namespace", "{old}"', f'"--namespace", "{new}"')
    return json.loads(text)


def moved(objects: list[Manifest], old: str, new: str) -> dict[tuple[str, str], Manifest]:
    """The objects as Python synthesizes them in namespace ``new``.

    A ConfigMap's content names the namespace, so the checksums of ConfigMaps that pods carry
    change with it, and a one-shot Job, whose name hashes its spec, is another Job.
    """
    before = {o["metadata"]["name"]: data_checksum(o["data"]) for o in objects if o["kind"] == "ConfigMap"}
    result = [in_namespace(obj, old, new) for obj in objects]
    for _ in range(2):  # a ConfigMap may carry another's checksum (the task pod template)
        text = json.dumps(result)
        for obj in [o for o in result if o["kind"] == "ConfigMap"]:
            text = text.replace(before[obj["metadata"]["name"]], data_checksum(obj["data"]))
        result = json.loads(text)
        before = {o["metadata"]["name"]: data_checksum(o["data"]) for o in result if o["kind"] == "ConfigMap"}
    for obj in result:
        if obj["kind"] == "Job":
            obj["metadata"]["name"] = f"{obj['metadata']['name'][: -len('-12345678')]}-{job_suffix(obj['spec'])}"
    return keyed(result)


@pytest.mark.parametrize("app", sorted(APPS))
def test_helm_template_other_namespace(helm: str, app: str) -> None:
    rendered = template(helm, CHARTS[app], "other")
    assert rendered == moved(list(dist_objects(app).values()), "airflow", "other")
    assert {o["metadata"]["namespace"] for o in rendered.values()} == {"other"}
    subjects = [s for o in rendered.values() for s in o.get("subjects", [])]
    text = json.dumps(list(rendered.values()))
    assert ".airflow.svc" not in text
    if app in WORKERS_ONLY:
        # Workers only: no RoleBinding and no Service of its own is called; the core's stays where it is.
        assert subjects == []
        assert ".airflow-core.svc" in text
        return
    assert subjects and {s["namespace"] for s in subjects} == {"other"}
    assert ".other.svc" in text


def test_every_namespace_reference_is_templated() -> None:
    # The templates never hold the app namespace as a namespace: it always comes from the release.
    for chart in CHARTS.values():
        text = (chart / "templates" / "airflow.yaml").read_text()
        assert not re.search(r"namespace: ['\"]?airflow['\"]?$", text, re.M)
        assert ".airflow.svc" not in text
        assert "namespace: {{ .Release.Namespace | quote }}" in text
        cfg = chart / "templates" / "_airflow_cfg.tpl"
        assert not cfg.exists() or ".airflow.svc" not in cfg.read_text()


# ---------------------------------------------------------------- values


def test_values_are_the_synthesized_replica_counts() -> None:
    values = yaml.safe_load((CHARTS["default"] / "values.yaml").read_text())
    families = ["replicas", "image", "database", "metrics", "resources", "settings"]
    # their pod options, and the release-wide placement (after api_server, whose service values come first)
    components = ["api_server", "pod_defaults", "scheduler", "dag_processor", "triggerer", "migrations"]
    assert list(values) == [*families, *components, "config", "extra_objects"]  # extra_objects: test_extra_objects.py
    assert {"replicas": values["replicas"]} == {
        "replicas": {
            "airflow-api-server": 1,
            "airflow-dag-processor": 1,
            "airflow-scheduler": 1,
            "airflow-triggerer": 1,
        }
    }
    schema = json.loads((CHARTS["default"] / "values.schema.json").read_text())
    assert schema["additionalProperties"] is False
    # images, resources, settings and pod options: tests/test_helm_values.py
    # extra_objects: tests/test_extra_objects.py
    assert list(schema["properties"]) == [*families, *components, "config", "extra_objects"]
    assert schema["properties"]["replicas"]["additionalProperties"] is False
    assert schema["properties"]["replicas"]["required"] == sorted(values["replicas"])


def test_single_instance_and_autoscaled_workloads_are_not_values() -> None:
    for app in APPS:
        replicas = yaml.safe_load((CHARTS[app] / "values.yaml").read_text()).get("replicas", {})
        assert "airflow-postgres" not in replicas and "airflow-redis" not in replicas
    autoscaled = {
        (app, o["spec"]["scaleTargetRef"]["name"])
        for app in APPS
        for o in dist_objects(app).values()
        if "scaleTargetRef" in o.get("spec", {})
    }
    for app, name in autoscaled:
        assert name not in yaml.safe_load((CHARTS[app] / "values.yaml").read_text()).get("replicas", {})


def test_replicas_value_sets_only_that_workload(helm: str) -> None:
    rendered = template(helm, CHARTS["default"], "airflow", "--set", "replicas.airflow-scheduler=3")
    expected = dist_objects("default")
    expected[("Deployment", "airflow-scheduler")]["spec"]["replicas"] = 3
    assert rendered == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "typo=1"], "- at '': additional properties 'typo' not allowed"),
        (["--set", "image.typo=3.3.3"], "- at '/image': additional properties 'typo' not allowed"),
        (
            ["--set", "replicas.airflow-postgres=2"],
            "- at '/replicas': additional properties 'airflow-postgres' not allowed",
        ),
        (["--set", "replicas.airflow-scheduler=-1"], "- at '/replicas/airflow-scheduler': minimum: got -1, want 0"),
        (["--set", "replicas.airflow-scheduler=two"], "- at '/replicas/airflow-scheduler': got string, want integer"),
        (["--set", "replicas.airflow-scheduler=null"], "- at '/replicas': missing property 'airflow-scheduler'"),
    ],
    ids=["unknown-key", "image-typo", "postgres-not-scalable", "negative", "not-a-number", "unset"],
)
def test_bad_values_fail_at_install_time(helm: str, args: list[str], message: str) -> None:
    result = run_helm(helm, "template", "release", CHARTS["default"], *args, check=False)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n"
        f"airflow:\n{message}\n\n"
    )


# ---------------------------------------------------------------- NOTES and README


def test_notes_say_how_to_reach_the_ui_and_read_the_password(helm: str) -> None:
    result = run_helm(helm, "install", "release", CHARTS["default"], "--namespace", "other", "--dry-run=client")
    notes = result.stdout.split("NOTES:\n", 1)[1]
    assert notes == (
        f"airflow {__version__} (image apache/airflow:{AIRFLOW_VERSION}) is installed in namespace other.\n"
        "\n"
        "Pods start once the schema migration Job has finished; watch them with:\n"
        "  kubectl --namespace other get pods -l app.kubernetes.io/instance=airflow --watch\n"
        "\n"
        "Open the UI and REST API:\n"
        "  kubectl --namespace other port-forward svc/airflow-api-server 8080:8080\n"
        "  then browse http://localhost:8080\n"
        "\n"
        'Sign in as the admin user. The passwords (generated in the cluster on first install) are JSON {"<user>": '
        '"<password>"}:\n'
        "  kubectl --namespace other get secret airflow-generated -o jsonpath='{.data.admin-passwords}' | base64 -d\n"
        "\n"
        "`helm uninstall` keeps the generated Secret airflow-generated and the PersistentVolumeClaim "
        "data-airflow-postgres-0 (see the chart's README).\n"
    )


@pytest.mark.parametrize(
    ("values", "image"),
    [
        (["--set", "image.tag=3.3.1"], "apache/airflow:3.3.1"),
        (
            ["--set", "image.repository=registry.example.com/airflow", "--set", f"image.digest=sha256:{'a' * 64}"],
            f"registry.example.com/airflow:{AIRFLOW_VERSION}@sha256:{'a' * 64}",
        ),
    ],
)
def test_notes_name_the_image_the_release_runs(helm: str, values: list[str], image: str) -> None:
    """``--set image.tag=...`` runs another Airflow patch release than the chart's appVersion: the NOTES
    name the image the values give, not the appVersion."""
    for app in ("default", "workers-only"):
        result = run_helm(helm, "install", "release", CHARTS[app], "-n", "other", "--dry-run=client", *values)
        first = result.stdout.split("NOTES:\n", 1)[1].splitlines()[0]
        assert first == f"{CHARTS[app].name} {__version__} (image {image}) is installed in namespace other."


def test_chart_readme_covers_install_upgrade_uninstall_and_what_is_kept() -> None:
    readme = (CHARTS["default"] / "README.md").read_text()
    for needle in [
        "## What it deploys",
        "| Deployment | `airflow-scheduler` |",
        "helm install airflow airflow-constructs/airflow --namespace airflow --create-namespace",
        "helm upgrade airflow airflow-constructs/airflow --namespace airflow --reset-then-reuse-values",
        "helm uninstall airflow --namespace airflow",
        "* Secret `airflow-generated` (created by the secrets bootstrap Job, not by Helm)",
        "* PersistentVolumeClaim `data-airflow-postgres-0` (StatefulSet `airflow-postgres`)",
        "| `replicas.airflow-scheduler` | 1 |",
        "`at '': additional properties 'typo' not allowed`",
    ]:
        assert needle in readme, needle


@pytest.mark.parametrize(
    ("app", "sign_in"),
    [
        ("default", "`helm status airflow -n airflow` prints how to read the admin password."),
        ("airflow2", "`helm status airflow -n airflow` prints how to read the admin password."),
        (
            "keycloak",
            "sign in with a user of the Keycloak realm (no local admin user: users, groups and teams live in "
            "Keycloak).",
        ),
        ("ldap", "sign in with a directory (LDAP) account (no local admin user)."),
        ("oauth", "sign in through the OAuth/OIDC identity provider (no local admin user)."),
    ],
)
def test_chart_readme_and_notes_say_how_to_sign_in_for_the_apps_auth(app: str, sign_in: str) -> None:
    readme = (CHARTS[app] / "README.md").read_text()
    assert "open http://localhost:8080; " + sign_in in readme
    notes = (CHARTS[app] / "templates" / "NOTES.txt").read_text()
    if "admin password" in sign_in:
        assert "Sign in as the admin user." in notes
    else:
        # No local admin user: no word of an admin password, the app's own way to sign in instead.
        assert "admin password" not in readme and "admin user." not in notes
        assert sign_in[0].upper() + sign_in[1:] in notes


# ---------------------------------------------------------------- Airflow's own {{ }} survive Helm


def build_templated_app(app: App) -> Chart:
    """An app whose manifests hold Jinja: a log filename template, plus awkward brace sequences."""
    chart = Chart(app, "airflow", namespace="airflow", disable_resource_name_hashes=True)
    Airflow(chart, "airflow", config={"logging": {"log_filename_template": LOG_TEMPLATE}})
    api_object(
        chart,
        "braces",
        api_version="v1",
        kind="ConfigMap",
        name="braces",
        labels={},
        body={
            "data": {
                "log_filename_template": LOG_TEMPLATE,
                "trimmed": "{{- ti.dag_id -}}",
                "already-escaped": '{{ "{{" }}',
                "triple": "{{{ x }}}",
                "helm-lookalike": "{{ .Release.Namespace }} {{ .Values.replicas }}",
                "comment": "{{/* not a comment */}}",
                "yes-no": "y",
            }
        },
    )
    return chart


@pytest.fixture(scope="module")
def templated_chart(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Manifest]]:
    out = tmp_path_factory.mktemp("templated")
    app = App(outdir=str(out / "templated"))
    build_templated_app(app)
    app.synth()
    write_app_charts(out, {"templated": "A fixture with Jinja in its config."}, CHANGELOG.read_text())
    docs = [d for p in sorted((out / "templated").glob("*.k8s.yaml")) for d in parse_all(p.read_text())]
    return out / CHARTS_DIR / "airflow-templated", docs


def test_log_filename_template_survives_helm(helm: str, templated_chart: tuple[Path, list[Manifest]]) -> None:
    chart, docs = templated_chart
    rendered = template(helm, chart, "airflow")
    assert rendered == keyed(docs)
    braces = rendered[("ConfigMap", "braces")]["data"]
    assert braces["log_filename_template"] == LOG_TEMPLATE
    assert braces["trimmed"] == "{{- ti.dag_id -}}"
    assert braces["already-escaped"] == '{{ "{{" }}'
    assert braces["helm-lookalike"] == "{{ .Release.Namespace }} {{ .Values.replicas }}"
    assert braces["yes-no"] == "y"
    cfg = rendered[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]
    assert f"log_filename_template = {LOG_TEMPLATE}\n" in cfg
    run_helm(helm, "lint", "--strict", chart)


def test_log_filename_template_is_escaped_in_the_template(templated_chart: tuple[Path, list[Manifest]]) -> None:
    text = (templated_chart[0] / "templates" / "airflow.yaml").read_text()
    assert 'dag_id={{ "{{" }} ti.dag_id }}/run_id={{ "{{" }} ti.run_id }}' in text


def test_write_chart_replaces_stale_files(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "old.yaml").write_text("stale")
    docs = {"a.yaml": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}}]}
    files = build_chart(docs, ChartMetadata(name="a", description="d"), release(CHANGELOG.read_text(), __version__))
    write_chart(files, tmp_path)
    assert not (tmp_path / "templates" / "old.yaml").exists()
    assert (tmp_path / "templates" / "a.yaml").is_file()
