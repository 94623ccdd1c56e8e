"""Per-component escape hatches: extra env, volumes, containers, scheduling, pull secrets, pod metadata."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_constructs import Airflow, EnvVar, PodOptions, PropsError, SecretRef, Toleration
from tests import conformance
from tests.conftest import env_of, find, synth_chart

SIDECAR = {
    "name": "log-shipper",
    "image": "fluent/fluent-bit:3.2.0",
    "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
}
INIT = {
    "name": "fetch-plugins",
    "image": "busybox:1.37",
    "command": ["true"],
    "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
}


def test_every_pod_option_reaches_the_pod() -> None:
    pod = PodOptions(
        extra_env=[
            EnvVar(name="TEAM", value="data"),
            EnvVar(name="TOKEN", secret=SecretRef("team-token", "token")),
            EnvVar(name="REGION", config_map=SecretRef("team-settings", "region")),
        ],
        extra_volumes=[{"name": "plugins", "emptyDir": {}}],
        extra_volume_mounts=[{"name": "plugins", "mountPath": "/opt/airflow/plugins"}],
        extra_containers=[SIDECAR],
        extra_init_containers=[INIT],
        node_selector={"pool": "airflow"},
        tolerations=[Toleration(key="dedicated", value="airflow", effect="NoSchedule")],
        affinity={
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 1,
                        "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
                    }
                ]
            }
        },
        topology_spread_constraints=[
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"app.kubernetes.io/component": "scheduler"}},
            }
        ],
        priority_class_name="airflow-critical",
        image_pull_secrets=["team-registry"],
        pod_annotations={"example.com/owner": "data"},
        pod_labels={"team": "data"},
    )
    manifests = synth_chart(
        lambda c: Airflow(c, "airflow", scheduler={"pod": pod}, image_pull_secrets=["global-registry"])
    )
    template = find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]
    spec = template["spec"]
    main, groomer, sidecar = spec["containers"]
    assert groomer["name"] == "log-groomer"
    env = env_of(main)
    assert env["TEAM"] == "data"
    assert env["TOKEN"] == {"secretKeyRef": {"key": "token", "name": "team-token"}}
    assert env["REGION"] == {"configMapKeyRef": {"key": "region", "name": "team-settings"}}
    assert {"name": "plugins", "mountPath": "/opt/airflow/plugins"} in main["volumeMounts"]
    assert {"name": "plugins", "emptyDir": {}} in spec["volumes"]
    assert sidecar["name"] == "log-shipper"
    assert sidecar["securityContext"]["allowPrivilegeEscalation"] is False
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-migrations", "fetch-plugins"]
    assert spec["nodeSelector"] == {"pool": "airflow"}
    assert spec["tolerations"] == [
        {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "airflow"}
    ]
    assert spec["affinity"] == pod.affinity
    assert spec["topologySpreadConstraints"] == pod.topology_spread_constraints
    assert spec["priorityClassName"] == "airflow-critical"
    assert spec["imagePullSecrets"] == [{"name": "global-registry"}, {"name": "team-registry"}]
    assert template["metadata"]["annotations"]["example.com/owner"] == "data"
    assert template["metadata"]["labels"]["team"] == "data"
    # Other components only get the release-wide pull secret, and none of the scheduler's extras.
    api = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    assert api["imagePullSecrets"] == [{"name": "global-registry"}]
    assert "nodeSelector" not in api
    assert conformance.restricted_pod_security(manifests) == []
    assert conformance.resources_on_every_container(manifests) == []


def test_components_expose_their_objects() -> None:
    captured = {}

    def build(chart):  # type: ignore[no-untyped-def]
        airflow = Airflow(chart, "airflow")
        captured["airflow"] = airflow
        airflow.scheduler.workload.add_json_patch(
            __import__("cdk8s").JsonPatch.add("/spec/template/spec/hostname", "sched")
        )

    manifests = synth_chart(build)
    airflow = captured["airflow"]
    assert airflow.api_server.service is not None
    assert airflow.api_server.service.name == "airflow-api-server"
    assert airflow.scheduler.service_account.name == "airflow-scheduler"
    assert airflow.triggerer.workload.kind == "StatefulSet"
    assert airflow.dag_processor.service is None
    assert airflow.postgres is not None and airflow.postgres.workload.name == "airflow-postgres"
    assert find(manifests, "Deployment", "airflow-scheduler")["spec"]["template"]["spec"]["hostname"] == "sched"


def test_resources_are_settable_per_component() -> None:
    manifests = synth_chart(
        lambda c: Airflow(
            c,
            "airflow",
            dag_processor={
                "resources": {"cpu_request": "1", "memory_request": "2Gi", "cpu_limit": "2", "memory_limit": "4Gi"}
            },
        )
    )
    c = find(manifests, "Deployment", "airflow-dag-processor")["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"] == {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "1", "memory": "2Gi"}}


@pytest.mark.parametrize(
    ("volumes", "message"),
    [
        pytest.param(
            [{"adolna": "x"}],
            "PodOptions.extra_volumes: [{'adolna': 'x'}] is not allowed: '' is not a valid name for an extra "
            "volume's 'name': use at most 63 lowercase letters, digits and '-', starting and ending with a letter "
            "or digit",
            id="no-name",
        ),
        pytest.param(
            [{"name": "plugins", "emptyDir": {}, "secret": {"secretName": "s"}}],
            "PodOptions.extra_volumes: [{'name': 'plugins', 'emptyDir': {}, 'secret': {'secretName': 's'}}] is not "
            "allowed: volume 'plugins' needs a 'name' and exactly one source (persistentVolumeClaim, configMap, "
            "secret, emptyDir, csi...), got keys ['emptyDir', 'name', 'secret']",
            id="two-sources",
        ),
        # hostPath is checked on every volume, not only the first (the restricted Pod Security Standard).
        pytest.param(
            [{"name": "ok", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}],
            "PodOptions.extra_volumes: [{'name': 'ok', 'emptyDir': {}}, {'name': 'h', 'hostPath': {'path': '/'}}] "
            "is not allowed: volume 'h' uses hostPath, which the restricted Pod Security Standard forbids: use a "
            "PVC, configMap, secret, emptyDir or CSI volume",
            id="host-path-on-the-second",
        ),
        # Every volume's name and single source are checked before any hostPath.
        pytest.param(
            [{"name": "h", "hostPath": {"path": "/"}}, {"emptyDir": {}}],
            "PodOptions.extra_volumes: [{'name': 'h', 'hostPath': {'path': '/'}}, {'emptyDir': {}}] is not "
            "allowed: '' is not a valid name for an extra volume's 'name': use at most 63 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit",
            id="names-before-host-path",
        ),
    ],
)
def test_an_extra_volume_has_a_name_one_source_and_no_host_path(volumes: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PropsError) as err:
        PodOptions(extra_volumes=volumes)
    assert str(err.value) == message


def test_an_extra_volume_mount_needs_a_name_and_an_absolute_path() -> None:
    with pytest.raises(PropsError) as err:
        PodOptions(extra_volume_mounts=[{"name": "plugins", "mountPath": "plugins"}])
    assert "every extra volume mount needs a 'name' and an absolute 'mountPath'" in str(err.value)
    assert str(err.value) == (
        "PodOptions.extra_volume_mounts: [{'name': 'plugins', 'mountPath': 'plugins'}] is not allowed: every extra "
        "volume mount needs a 'name' and an absolute 'mountPath', got {'name': 'plugins', 'mountPath': 'plugins'}"
    )
    with pytest.raises(PropsError) as err:
        PodOptions(extra_volume_mounts=[{"mountPath": "/opt/airflow/plugins"}])
    assert str(err.value) == (
        "PodOptions.extra_volume_mounts: [{'mountPath': '/opt/airflow/plugins'}] is not allowed: every extra "
        "volume mount needs a 'name' and an absolute 'mountPath', got {'mountPath': '/opt/airflow/plugins'}"
    )


def test_an_extra_volume_mount_names_one_of_the_extra_volumes() -> None:
    # Found by the upgrade sweep on the real control plane: the API server refused the Job
    # ("volumeMounts[3].name: Not found: \"plugins\""); the props now refuse it first.
    with pytest.raises(PropsError) as err:
        PodOptions(extra_volume_mounts=[{"name": "plugins", "mountPath": "/opt/airflow/plugins"}])
    assert str(err.value) == (
        "PodOptions.extra_volume_mounts: 'plugins' is not allowed: mount 'plugins' names no volume of "
        "extra_volumes (none): add the volume to extra_volumes"
    )
    with pytest.raises(PropsError) as err:
        PodOptions(
            extra_volumes=[{"name": "cache", "emptyDir": {}}],
            extra_volume_mounts=[{"name": "plugins", "mountPath": "/opt/airflow/plugins"}],
        )
    assert "mount 'plugins' names no volume of extra_volumes (cache)" in str(err.value)
    PodOptions(
        extra_volumes=[{"name": "plugins", "emptyDir": {}}],
        extra_volume_mounts=[{"name": "plugins", "mountPath": "/opt/airflow/plugins"}],
    )
