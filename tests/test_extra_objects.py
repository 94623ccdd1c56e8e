"""extra_objects: plain manifests from the props, the config file and the Helm values, audited like ours."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_constructs import Airflow, PropsError
from airflow_constructs.airflow import AirflowProps
from airflow_constructs.config_file import ConfigError, load_config
from airflow_constructs.core.security import container_security_context
from airflow_constructs.packaging.extra_objects import TEMPLATE, TEMPLATE_TEXT
from tests import conformance
from tests.conftest import Manifest, find, synth_chart

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "dist" / "helm" / "charts" / "airflow"
R = {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}}
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "team", "labels": {"team": "data"}},
              "data": {"owner": "data"}}  # fmt: skip
LIMITS = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "tasks"},
          "spec": {"limits": [{"type": "Container", "max": {"memory": "8Gi"}}]}}  # fmt: skip


def deployment(**container: Any) -> dict[str, Any]:
    """A restricted Deployment, with ``container`` fields replacing the main container's."""
    main = {"name": "app", "image": "nginxinc/nginx-unprivileged:1.27", "resources": R,
            "securityContext": container_security_context()} | container  # fmt: skip
    pod = {"metadata": {"labels": {"app": "proxy"}}, "spec": {"containers": [main]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "proxy"},
            "spec": {"selector": {"matchLabels": {"app": "proxy"}}, "template": pod}}  # fmt: skip


def synth(objects: list[Any]) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", extra_objects=objects))


def test_extra_objects_are_written_as_given_in_the_release_namespace() -> None:
    manifests = synth([CONFIG_MAP, LIMITS, deployment()])
    for given in (CONFIG_MAP, LIMITS, deployment()):
        written = find(manifests, given["kind"], given["metadata"]["name"])
        assert written == given | {"metadata": given["metadata"] | {"namespace": "airflow"}}
    extras = [find(manifests, o["kind"], o["metadata"]["name"]) for o in (CONFIG_MAP, LIMITS, deployment())]
    assert conformance.strict_schema(extras) == []
    assert conformance.restricted_pod_security(extras) == []


def test_extra_objects_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "airflow.yaml"
    config.write_text(yaml.safe_dump({"extra_objects": [CONFIG_MAP]}))
    assert load_config(config).extra_objects == [CONFIG_MAP]
    bad = tmp_path / "bad.yaml"
    bad.write_text("extra_objects:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: x}\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert str(info.value) == (
        f"{bad}:1:1: extra_objects: [{{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {{'name': 'x'}}}}] is "
        "not allowed: [0] Namespace/x: kind Namespace is cluster-scoped and not allowed: extra_objects are "
        "namespaced objects of the release; cluster-wide objects are the cluster admins' to apply"
    )


P = "AirflowProps.extra_objects: "
PSS = "(restricted Pod Security Standard)"


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        pytest.param(
            ["x"], "['x'] is not allowed: [0]: expected a mapping (a Kubernetes object), got str", id="not-a-mapping"
        ),
        pytest.param(
            [{"kind": "ConfigMap"}],
            "[{'kind': 'ConfigMap'}] is not allowed: [0]: needs apiVersion, kind and metadata.name (strings), "
            "got keys ['kind']",
            id="no-name",
        ),
        pytest.param(
            [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"p": "x"}}],
            "[{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'stringData': {'p': 'x'}}] is not "
            "allowed: [0] Secret/s: a Secret with stringData is not allowed: no secret value is written to the "
            "manifests; name an existing Secret (SecretRef), use external_secrets (an ExternalSecret), or a Secret "
            "the cluster fills",
            id="secret-with-data",
        ),
        pytest.param(
            [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}],
            "[{'apiVersion': 'rbac.authorization.k8s.io/v1', 'kind': 'ClusterRole', 'metadata': {'name': 'r'}}] is "
            "not allowed: [0] ClusterRole/r: kind ClusterRole is cluster-scoped and not allowed: extra_objects are "
            "namespaced objects of the release; cluster-wide objects are the cluster admins' to apply",
            id="cluster-scoped",
        ),
        pytest.param(
            [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}}],
            "[{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c', 'namespace': 'x'}}] is not "
            "allowed: [0] ConfigMap/c: metadata.namespace 'x' is not allowed: every extra object lives in the "
            "release's namespace; leave it out",
            id="namespace",
        ),
        pytest.param(
            [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "dta": {}}],
            "[{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'}, 'dta': {}}] is not allowed: "
            "[0] ConfigMap/c: (top level): Additional properties are not allowed ('dta' was unexpected) "
            "(Kubernetes 1.28 schema, strict)",
            id="unknown-field",
        ),
        pytest.param(
            [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "c", "annotations": {"helm.sh/hook": "x"}},
                }
            ],
            "[{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c', 'annotations': {'helm.sh/hook': "
            "'x'}}}] is not allowed: [0] ConfigMap/c: annotations ['helm.sh/hook'] are not allowed: the install "
            "uses no Helm hooks",
            id="helm-hook",
        ),
        pytest.param(
            [CONFIG_MAP, CONFIG_MAP],
            "not allowed: [1] ConfigMap/team: repeats an object: each kind and name may appear once",
            id="repeated",
        ),
        pytest.param(
            [deployment(securityContext=container_security_context() | {"privileged": True})],
            f"not allowed: [0] Deployment/proxy spec.template.spec.containers[app].securityContext.privileged: "
            f"true is refused {PSS}; allowed: false",
            id="privileged",
        ),
        pytest.param(
            [deployment(securityContext={})],
            "not allowed: "
            + "; ".join(
                f"[0] Deployment/proxy spec.template.spec.containers[app].securityContext.{field} {PSS}; allowed: {ok}"
                for field, ok in [
                    ("allowPrivilegeEscalation: None is refused", "false"),
                    ("capabilities.drop: None is refused", "a list with 'ALL'"),
                    ("runAsNonRoot: None is refused", "true, here or in the pod's securityContext"),
                    (
                        "seccompProfile.type: None is refused",
                        "RuntimeDefault, Localhost, here or in the pod's securityContext",
                    ),
                ]
            ),
            id="no-security-context",
        ),
        pytest.param(
            [deployment(resources={"limits": {"cpu": "1"}})],
            "not allowed: [0] Deployment/proxy spec.template.spec.containers[app].resources: {'limits': {'cpu': "
            "'1'}} is not allowed: every container needs cpu and memory requests and limits",
            id="no-resources",
        ),
    ],
)
def test_bad_extra_objects_are_refused(objects: list[Any], message: str) -> None:
    with pytest.raises(PropsError) as info:
        AirflowProps(extra_objects=objects)
    assert str(info.value) == P + message


def test_extra_object_named_like_ours_is_refused() -> None:
    ours = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "airflow-config"}}
    with pytest.raises(PropsError) as info:
        synth([ours])
    assert str(info.value) == (
        "AirflowProps.extra_objects: ['ConfigMap/airflow-config'] have the kind and name of objects the install "
        "makes: rename yours"
    )


# ---------------------------------------------------------------- the Helm side


@pytest.fixture(scope="module")
def helm() -> str:
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.is_file() else shutil.which("helm")
    assert found, "helm not found: run `make tools`"
    return found


def helm_template(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm, "template", "release", str(CHART), "-n", "team", *args],
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_every_chart_has_the_data_only_template() -> None:
    for chart in sorted((ROOT / "dist" / "helm" / "charts").iterdir()):
        assert (chart / TEMPLATE).read_text() == TEMPLATE_TEXT
        assert yaml.safe_load((chart / "values.yaml").read_text())["extra_objects"] == []
        entry = json.loads((chart / "values.schema.json").read_text())["properties"]["extra_objects"]
        assert entry["type"] == "array" and entry["items"]["required"] == ["apiVersion", "kind", "metadata"]


def test_helm_renders_extra_objects_as_given(helm: str) -> None:
    plain = helm_template(helm)
    assert plain.returncode == 0 and "extra-objects.yaml" not in plain.stdout
    given = [CONFIG_MAP, deployment()]
    out = helm_template(helm, "--set-json", f"extra_objects={json.dumps(given)}", "--show-only", TEMPLATE)
    assert out.returncode == 0, out.stderr
    assert [d for d in yaml.safe_load_all(out.stdout) if d] == given


@pytest.mark.parametrize(
    ("item", "error"),
    [
        pytest.param(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}},
            "- at '/extra_objects/0/metadata': missing property 'name'",
            id="no-name",
        ),
        pytest.param(
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}},
            "- at '/extra_objects/0': 'not' failed",
            id="secret-data",
        ),
        pytest.param(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}},
            "- at '/extra_objects/0/kind': 'not' failed",
            id="cluster-scoped",
        ),
        pytest.param(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}},
            "- at '/extra_objects/0/metadata': 'not' failed",
            id="namespace",
        ),
    ],
)
def test_helm_schema_refuses_bad_extra_objects(helm: str, item: dict[str, Any], error: str) -> None:
    out = helm_template(helm, "--set-json", f"extra_objects=[{json.dumps(item)}]")
    assert out.returncode == 1
    head = "Error: values don't meet the specifications of the schema(s) in the following chart(s):"
    assert out.stderr == f"{head}\nairflow:\n{error}\n\n"


def test_a_built_in_group_with_an_unknown_version_is_refused() -> None:
    bad = {"apiVersion": "apps/v2", "kind": "Deployment", "metadata": {"name": "d"}}
    with pytest.raises(PropsError) as info:
        AirflowProps(extra_objects=[bad])
    assert str(info.value) == (
        f"{P}{[bad]!r} is not allowed: [0] Deployment/d: apiVersion 'apps/v2' kind 'Deployment' is not a "
        "Kubernetes 1.28 kind: check both (a custom resource's group has a dot, outside *.k8s.io)"
    )


def test_a_custom_resource_is_checked_for_its_shape_only() -> None:
    spec = {"selector": {"matchLabels": {"team": "data"}}, "podMetricsEndpoints": [{"port": "metrics"}]}
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {"name": "tasks"},
        "spec": spec,
    }
    assert AirflowProps(extra_objects=[monitor]).extra_objects == [monitor]
