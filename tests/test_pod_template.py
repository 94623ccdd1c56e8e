"""KubernetesExecutor(pod_template=...): a user's task pod merged with ours, ours winning on security."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from syrupy.assertion import SnapshotAssertion

from airflow_constructs import Airflow, KubernetesExecutor, PropsError
from airflow_constructs.config_file import ConfigError, load_config
from airflow_constructs.core.security import container_security_context
from tests import conformance
from tests.conftest import Manifest, find, synth_chart

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "pod_templates" / "tasks.yaml"


def sidecar(**security: Any) -> dict[str, Any]:
    return {"name": "s", "image": "x:1", "resources": R, "securityContext": security}


R = {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}}
RESTRICTED = container_security_context()


def task_pod(pod_template: Any, airflow: dict[str, Any] | None = None, **executor: Any) -> dict[str, Any]:
    manifests = synth_chart(
        lambda c: Airflow(
            c, "airflow", executor=KubernetesExecutor(pod_template=pod_template, **executor), **(airflow or {})
        )
    )
    return yaml.safe_load(find(manifests, "ConfigMap", "airflow-pod-template")["data"]["pod_template.yaml"])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return task_pod(None)


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    return task_pod(str(EXAMPLE.relative_to(ROOT)) if Path.cwd() == ROOT else str(EXAMPLE))


def test_merged_pod_keeps_ours_where_ours_wins(ours: dict[str, Any], merged: dict[str, Any]) -> None:
    spec, base = merged["spec"], merged["spec"]["containers"][0]
    our_base = ours["spec"]["containers"][0]
    for field in ("securityContext", "serviceAccountName", "automountServiceAccountToken", "restartPolicy"):
        assert spec[field] == ours["spec"][field]
    for field in ("name", "image", "imagePullPolicy", "securityContext"):
        assert base[field] == our_base[field]
    assert "command" not in base and "args" not in base
    # Ours first, then the user's env var; our mounts all there, the user's added.
    assert base["env"] == [*our_base["env"], {"name": "TEAM", "value": "data"}]
    assert base["volumeMounts"] == sorted(
        [*our_base["volumeMounts"], {"mountPath": "/scratch", "name": "scratch"}], key=lambda m: m["mountPath"]
    )
    assert base["resources"] == {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "1", "memory": "2Gi"}}
    assert merged["metadata"]["labels"] == {**ours["metadata"]["labels"], "team": "data"}
    assert merged["metadata"]["annotations"] == {**ours["metadata"]["annotations"], "cost-center": "analytics"}


def test_merged_pod_takes_the_users_placement_and_extras(merged: dict[str, Any]) -> None:
    spec = merged["spec"]
    assert spec["nodeSelector"] == {"pool": "tasks"}
    assert spec["tolerations"] == [{"effect": "NoSchedule", "key": "pool", "operator": "Equal", "value": "tasks"}]
    assert spec["priorityClassName"] == "batch"
    assert {"emptyDir": {"sizeLimit": "4Gi"}, "name": "scratch"} in spec["volumes"]
    proxy = spec["containers"][1]
    assert proxy == {
        "image": "envoyproxy/envoy:v1.31.2",
        "imagePullPolicy": "IfNotPresent",
        "name": "proxy",
        "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
        "securityContext": RESTRICTED,
    }
    assert [c["name"] for c in spec["initContainers"]] == ["fetch-models"]
    assert spec["initContainers"][0]["securityContext"] == RESTRICTED


def test_merged_pod_passes_our_checks(merged: dict[str, Any]) -> None:
    assert conformance.strict_schema([merged]) == []
    assert conformance.restricted_pod_security([merged]) == []
    assert conformance.resources_on_every_container([merged]) == []


def test_merged_pod_snapshot(merged: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    assert yaml.safe_dump(merged, sort_keys=True) == snapshot


def test_user_values_where_ours_wins_are_replaced() -> None:
    worker = {"pod": {"node_selector": {"zone": "a"}}}
    ours = task_pod(None, worker=worker)
    pod = task_pod(
        {
            "spec": {
                "serviceAccountName": "mine",
                "automountServiceAccountToken": True,
                "restartPolicy": "Always",
                "securityContext": {"runAsUser": 0},
                "nodeSelector": {"disk": "ssd"},
                "containers": [
                    {
                        "name": "base",
                        "image": "evil:1",
                        "command": ["sh"],
                        "securityContext": {"privileged": True},
                        "env": [{"name": "AIRFLOW_HOME", "value": "/elsewhere"}],
                        "volumeMounts": [{"name": "x", "mountPath": "/opt/airflow/logs"}],
                    }
                ],
            }
        },
        worker=worker,
    )
    assert pod["spec"]["containers"] == ours["spec"]["containers"]
    for field in ("serviceAccountName", "automountServiceAccountToken", "restartPolicy", "securityContext"):
        assert pod["spec"][field] == ours["spec"][field]
    assert pod["spec"]["nodeSelector"] == {"disk": "ssd", "zone": "a"}


def test_sidecar_keeps_its_own_restricted_fields() -> None:
    sidecar = {"name": "s", "image": "x:1", "resources": R, "securityContext": {"readOnlyRootFilesystem": False}}
    pod = task_pod({"spec": {"containers": [sidecar]}})
    assert pod["spec"]["containers"][1]["securityContext"] == {**RESTRICTED, "readOnlyRootFilesystem": False}


def test_pod_template_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "airflow.yaml"
    config.write_text(f"executor:\n  kind: KubernetesExecutor\n  pod_template: {EXAMPLE}\n")
    loaded = load_config(config)
    assert isinstance(loaded.executor, KubernetesExecutor)
    assert loaded.executor.user_pod() == KubernetesExecutor(pod_template=yaml.safe_load(EXAMPLE.read_text())).user_pod()
    inline = tmp_path / "inline.yaml"
    inline.write_text("executor:\n  kind: KubernetesExecutor\n  pod_template:\n    spec:\n      hostPID: true\n")
    with pytest.raises(ConfigError) as info:
        load_config(inline)
    assert str(info.value) == (
        f"{inline}:3:3: executor.pod_template: {{'spec': {{'hostPID': True}}}} is not allowed: "
        "pod_template.spec.hostPID: True is refused (restricted Pod Security Standard); allowed: false"
    )


PREFIX = "KubernetesExecutor.pod_template: "


@pytest.mark.parametrize(
    ("pod_template", "message"),
    [
        pytest.param(
            ["not", "a", "pod"],
            "['not', 'a', 'pod'] is not allowed: expected a mapping (a Pod: apiVersion, kind, metadata, spec) or "
            "the path of a YAML file holding one, got list",
            id="not-a-mapping",
        ),
        pytest.param(
            "/nonexistent/pod.yaml",
            "'/nonexistent/pod.yaml' is not allowed: cannot read pod template file '/nonexistent/pod.yaml': "
            "No such file or directory",
            id="missing-file",
        ),
        pytest.param(
            {"kind": "Deployment"},
            "{'kind': 'Deployment'} is not allowed: apiVersion/kind None/Deployment is not allowed: expected v1/Pod",
            id="not-a-pod",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "base"}, {"name": "base", "image": "x:1", "resources": R}]}},
            f"{{'spec': {{'containers': [{{'name': 'base'}}, {{'name': 'base', 'image': 'x:1', "
            f"'resources': {R!r}}}]}}}} is not allowed: container names ['base'] repeat: "
            "each container and init container needs its own name",
            id="repeated-container-name",
        ),
        pytest.param(
            {"spec": {"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}},
            "{'spec': {'volumes': [{'name': 'h', 'hostPath': {'path': '/'}}]}} is not allowed: "
            "pod_template.spec.volumes[h]: hostPath is refused (restricted Pod Security Standard); allowed: "
            "configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret",
            id="hostpath-volume",
        ),
        pytest.param(
            {"spec": {"containers": [sidecar(privileged=True)]}},
            "not allowed: pod_template.spec.containers[s].securityContext.privileged: true is refused (restricted "
            "Pod Security Standard); allowed: false",
            id="privileged-sidecar",
        ),
        pytest.param(
            {"spec": {"containers": [sidecar(capabilities={"add": ["SYS_ADMIN"]})]}},
            "not allowed: pod_template.spec.containers[s].securityContext.capabilities.drop: None is refused "
            "(restricted Pod Security Standard); allowed: a list with 'ALL'; "
            "pod_template.spec.containers[s].securityContext.capabilities.add: ['SYS_ADMIN'] is refused "
            "(restricted Pod Security Standard); allowed: NET_BIND_SERVICE",
            id="added-capability",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "s", "image": "x:1"}]}},
            "{'spec': {'containers': [{'name': 's', 'image': 'x:1'}]}} is not allowed: container 's' lacks "
            "resources.requests.cpu/memory: every container needs cpu and memory requests and limits",
            id="sidecar-without-resources",
        ),
        pytest.param(
            {"spec": {"nodeSelectr": {"a": "b"}}},
            "{'spec': {'nodeSelectr': {'a': 'b'}}} is not allowed: pod_template: spec: Additional properties are "
            "not allowed ('nodeSelectr' was unexpected) (Kubernetes 1.28 schema, strict)",
            id="unknown-pod-field",
        ),
        pytest.param(
            {"metadata": {"labels": {"app.kubernetes.io/name": "x"}}},
            "{'metadata': {'labels': {'app.kubernetes.io/name': 'x'}}} is not allowed: labels "
            "['app.kubernetes.io/name'] are reserved: app.kubernetes.io/* labels are set by the library",
            id="reserved-label",
        ),
    ],
)
def test_bad_pod_template_is_refused(pod_template: Any, message: str) -> None:
    with pytest.raises(PropsError) as info:
        KubernetesExecutor(pod_template=pod_template)
    assert str(info.value) == PREFIX + message


@pytest.mark.parametrize(
    ("pod_template", "message"),
    [
        pytest.param(
            {"spec": {"volumes": [{"name": "config", "emptyDir": {}}]}},
            "volumes ['config'] are the library's (airflow.cfg, logs, DAGs, scratch space): give yours other names; "
            "taken: config, extra-packages, logs, tmp",
            id="volume-named-like-ours",
        ),
        pytest.param(
            {"spec": {"initContainers": [{"name": "pip-install", "image": "x:1", "resources": R}]}},
            "init containers ['pip-install'] are named like one of the library's containers (base, pip-install): "
            "rename yours",
            id="init-container-named-like-ours",
        ),
    ],
)
def test_pod_template_clashing_with_ours_is_refused(pod_template: Any, message: str) -> None:
    with pytest.raises(PropsError) as info:
        task_pod(pod_template, airflow={"extra_pip_packages": ["apache-airflow-providers-http"]})
    assert str(info.value) == PREFIX + message


def test_example_pod_template_in_every_supported_version(merged: Manifest) -> None:
    assert conformance.strict_schema([merged], versions=conformance.KUBE_VERSIONS) == []
