"""Audit of every chart in dist/helm: its values cover each kind of setting of issue #16 that its app has.

Read from the app's own output (``dist/<app>/``) and the chart's files, not from the list of values
the generator made: an image the app runs, a workload Helm may scale, a container's requests and
limits, a pod's placement options, an Ingress host, a Service, an existing Secret the pods read...
each must be something ``values.schema.json`` accepts and the template reads from ``.Values``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from airflow_constructs.packaging.helm import scalable_replicas
from apps.registry import APPS
from tests.conftest import Manifest
from tests.test_helm import CHARTS, dist_objects, helm, keyed, parse_all, run_helm  # noqa: F401 (helm is a fixture)

POD_OPTIONS = (
    "node_selector",
    "tolerations",
    "priority_class_name",
    "pod_annotations",
    "pod_labels",
    "extra_env",
    "topology_spread_constraints",
)
HOUSEKEEPING = {
    "airflow-secrets-bootstrap",
    "airflow-db-clean",
    "airflow-pod-cleanup",
    "airflow-api-server-restart",
    "airflow-admin-user",
    "airflow-keycloak-setup",
    "airflow-pools",
}
"""One-shot Jobs and CronJobs of the library's own housekeeping: their props have no pod options (neither
Python nor the chart places them), so no pod option is expected of them."""


def _schema(app: str) -> dict[str, Any]:
    return json.loads((CHARTS[app] / "values.schema.json").read_text())  # type: ignore[no-any-return]


def _values(app: str) -> dict[str, Any]:
    return yaml.safe_load((CHARTS[app] / "values.yaml").read_text())  # type: ignore[no-any-return]


def _paths(tree: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every key path of a values tree, with what it holds."""
    found: dict[tuple[str, ...], Any] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            found[(*prefix, key)] = value
            found.update(_paths(value, (*prefix, key)))
    return found


def _documents(app: str) -> dict[tuple[str, str], str]:
    """``{(kind, name) of the object: its template text}`` (a Job by its name without the hash)."""
    text = (CHARTS[app] / "templates" / "airflow.yaml").read_text()
    found = {}
    for doc in re.split(r"(?m)^---\n", text):
        # The object's own name is the last at this indent (a named template before it holds others).
        names = list(re.finditer(r'(?m)^  name: (?:\{\{ print "(?P<job>[^"]+)-" .*|(?P<name>\S+))$', doc))
        kind = re.findall(r"(?m)^kind: (\w+)$", doc)
        if names and kind:
            found[(kind[-1], names[-1]["job"] or names[-1]["name"])] = doc
    return found


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_image_the_app_runs_is_a_value(app: str) -> None:
    repositories = {v for path, v in _paths(_values(app)).items() if path[-1] == "repository"}
    images = {
        c["image"].split("@")[0].rsplit(":", 1)[0]
        for _, spec, _ in _rendered_pods(dist_objects(app))
        for c in [*spec.get("initContainers", []), *spec["containers"]]
    }
    assert images <= repositories, f"{app}: images with no value: {sorted(images - repositories)}"
    image = _schema(app)["properties"]["image"]["properties"]
    assert sorted(image) == ["digest", "pull_policy", "repository", "tag"], app


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_scalable_workload_has_its_replicas(app: str) -> None:
    objects = list(dist_objects(app).values())
    assert sorted(_schema(app)["properties"]["replicas"]["properties"]) == sorted(scalable_replicas(objects))
    assert scalable_replicas(objects), app


_SET: dict[str, Any] = {
    "node_selector": {"audit.invalid/node": "x"},
    "tolerations": [{"key": "audit.invalid/taint", "operator": "Exists"}],
    "priority_class_name": "audit",
    "pod_annotations": {"audit.invalid/annotation": "x"},
    "pod_labels": {"audit.invalid/label": "x"},
    "extra_env": [{"name": "AUDIT", "value": "x"}],
    "topology_spread_constraints": [
        {"maxSkew": 1, "topologyKey": "audit.invalid/zone", "whenUnsatisfiable": "ScheduleAnyway"}
    ],
}
"""What every ``<component>.pod.<option>`` is set to, and how each rendered pod must show it."""


def _everything_set(app: str) -> dict[str, Any]:
    """A values tree setting every pod option and every CPU limit (each its own, ``<n>m``)."""
    values: dict[str, Any] = {}
    for index, (path, _) in enumerate(sorted(_paths(_values(app)).items())):
        if (path[-1] in _SET and path[-2] == "pod") or path[-1] == "cpu_limit":
            node = values
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = _SET[path[-1]] if path[-1] in _SET else f"{77000 + index}m"
    return values


@pytest.fixture(scope="module")
def rendered(helm: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[tuple[str, str], Manifest]]:  # noqa: F811
    """Every chart rendered with every pod option and CPU limit set."""
    out = {}
    for app in sorted(APPS):
        file = tmp_path_factory.mktemp(app) / "values.json"
        file.write_text(json.dumps(_everything_set(app)))
        text = run_helm(helm, "template", "release", CHARTS[app], "--namespace", "airflow", "-f", file).stdout
        out[app] = keyed(parse_all(text))
    return out


CONSTANT_RESOURCES = {"wait-for-migrations", "copy-passwords", "pip-install", "log-groomer", "metrics-exporter"}
"""Containers whose requests and limits are the library's constants (no props field sets them, so no
value does): the init containers (``INIT_RESOURCES``, ``PIP_RESOURCES``), the log cleanup sidecar,
PgBouncer's metrics exporter."""


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_container_s_resources_are_values(app: str, rendered: dict[str, Any]) -> None:
    for (kind, name), spec, _ in _rendered_pods(rendered[app]):
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            if container["name"] in CONSTANT_RESOURCES or name in HOUSEKEEPING:
                continue
            cpu = container["resources"]["limits"]["cpu"]
            assert re.fullmatch(r"77[0-9]{3}m", cpu), f"{app}: {kind}/{name}/{container['name']}: {cpu}"


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_pod_takes_the_pod_options(app: str, rendered: dict[str, Any]) -> None:
    for (kind, name), spec, metadata in _rendered_pods(rendered[app]):
        if name in HOUSEKEEPING:
            continue
        where = f"{app}: {kind}/{name}"
        assert spec["nodeSelector"] == _SET["node_selector"], where
        assert spec["tolerations"] == _SET["tolerations"], where
        assert spec["priorityClassName"] == "audit", where
        assert spec["topologySpreadConstraints"] == _SET["topology_spread_constraints"], where
        assert metadata["annotations"]["audit.invalid/annotation"] == "x", where
        assert metadata["labels"]["audit.invalid/label"] == "x", where
        assert {"name": "AUDIT", "value": "x"} in spec["containers"][0]["env"], where


def _rendered_pods(objects: dict[tuple[str, str], Manifest]) -> list[tuple[tuple[str, str], Any, Any]]:
    """``((kind, name), pod spec, pod metadata)`` of every rendered pod template (a Job by its base name)."""
    found = []
    for (kind, name), obj in objects.items():
        spec = obj.get("spec") or {}
        if kind == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if kind in ("Deployment", "StatefulSet", "Job", "CronJob"):
            base = name.rsplit("-", 1)[0] if kind == "Job" else name
            found.append(((kind, base), spec["template"]["spec"], spec["template"]["metadata"]))
        if kind == "ConfigMap" and "pod_template.yaml" in (obj.get("data") or {}):
            pod = yaml.safe_load(obj["data"]["pod_template.yaml"])
            found.append(((kind, name), pod["spec"], pod["metadata"]))
    return found


@pytest.mark.parametrize("app", sorted(APPS))
def test_extra_env_takes_plain_values_and_secret_keys(app: str) -> None:
    for path, value in _paths(_schema(app)).items():
        if path[-2:] == ("properties", "extra_env"):
            item = value["items"]["properties"]
            assert item["value"] == {"type": "string"}
            assert sorted(item["valueFrom"]["properties"]) == ["configMapKeyRef", "secretKeyRef"]


@pytest.mark.parametrize("app", sorted(APPS))
def test_hosts_tls_secrets_and_the_api_server_service_are_values(app: str) -> None:
    documents = _documents(app)
    objects = dist_objects(app)
    for (kind, name), obj in objects.items():
        text = documents.get((kind, name), "")
        if kind == "Ingress":
            assert "{{ .Values.api_server.expose.host" in text, name
            if obj["spec"].get("tls"):
                # The Secret you name, or the one cert-manager writes for the issuer you name.
                named = ".Values.api_server.expose.tls_secret" in text
                assert named or ".Values.api_server.expose.issuer" in text, name
        if kind == "HTTPRoute":
            assert "{{ .Values.api_server.expose.host" in text, name
        if kind == "Service" and name == "airflow-api-server":
            assert ".Values.api_server.service.type" in text, name
            assert ".Values.api_server.service.annotations" in text, name


@pytest.mark.parametrize("app", sorted(APPS))
def test_config_and_the_log_level_are_values(app: str) -> None:
    properties = _schema(app)["properties"]
    assert properties["config"]["type"] == "object"
    assert properties["settings"]["properties"]["logging_level"]["enum"] == [
        "DEBUG",
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
    ]


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_existing_secret_the_pods_read_is_a_value(app: str) -> None:
    """A Secret the pods read that neither the chart nor the in-cluster bootstrap makes is the user's:
    its name is a value wherever a pod reads it."""
    objects = dist_objects(app)
    made = {name for kind, name in objects if kind in ("Secret", "ExternalSecret")} | {"airflow-generated"}
    values = _paths(_values(app))
    names = {v for path, v in values.items() if path[-1] == "name" and isinstance(v, str)}
    for _, spec, _ in _rendered_pods(objects):
        text = json.dumps(spec)
        for secret in set(re.findall(r'"secretKeyRef": \{"key": "[^"]+", "name": "([^"]+)"', text)) - made:
            assert secret in names, f"{app}: Secret {secret} is read but is no value"
