"""Each check of the cluster tests fails when it should: broken copies of our own manifests go to
the same control plane through the same functions, and the failure must be the expected one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.cluster import rbac
from tests.cluster.apps import AppManifests, Manifest
from tests.cluster.cluster import Cluster

pytestmark = pytest.mark.cluster


def _one(app: AppManifests, kind: str, name: str) -> Manifest:
    [obj] = [o for o in app.objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return obj


def _privileged(workload: Manifest) -> Manifest:
    broken = copy.deepcopy(workload)
    security = broken["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    # The API's own validation refuses privileged without privilege escalation, before admission.
    security.update(privileged=True, allowPrivilegeEscalation=True)
    return broken


def test_privileged_pod_is_rejected_and_workload_warned(cluster: Cluster) -> None:
    app = AppManifests.load("default").moved_to("selftest-psa")
    ns = cluster.new_namespace("selftest-psa")
    deployment = _privileged(_one(app, "Deployment", "airflow-scheduler"))
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": ns},
        "spec": {**deployment["spec"]["template"]["spec"], "serviceAccountName": "default"},
    }

    rejected = cluster.apply(AppManifests.of("privileged-pod", [pod]).text)
    assert not rejected.ok
    assert 'violates PodSecurity "restricted:latest"' in rejected.stderr, rejected.stderr
    assert "must not set securityContext.privileged=true" in rejected.stderr, rejected.stderr

    # A workload is admitted with a warning (its Pods would be refused): the zero-warning check
    # of test_apps is what catches it.
    warned = cluster.apply(AppManifests.of("privileged-deployment", [deployment]).text)
    assert warned.ok, warned.stderr
    assert any("must not set securityContext.privileged=true" in w for w in warned.warnings), warned.stderr
    cluster.delete_namespace(ns, wait=False)


@pytest.mark.parametrize("change", ["rule removed", "rule added"])
def test_changed_role_fails_the_table(change: str, cluster: Cluster, crds: list[Path]) -> None:
    original = AppManifests.load("kubernetes-executor")
    objects = copy.deepcopy(original.objects)
    launcher = next(o for o in objects if o["kind"] == "Role" and o["metadata"]["name"] == "airflow-pod-launcher")
    if change == "rule removed":
        launcher["rules"][0]["verbs"].remove("watch")
        expected_line = "airflow-scheduler cannot watch pods in <app>"
    else:
        launcher["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]})
        expected_line = "airflow-scheduler can list secrets in <app>"
    broken = AppManifests.of(original.name, objects)
    ns = cluster.new_namespace("selftest-rbac")
    rbac_only = [o for o in broken.moved_to(ns).objects if o["kind"] in ("ServiceAccount", "Role", "RoleBinding")]
    applied = cluster.apply(AppManifests.of(broken.name, rbac_only).text)
    assert applied.ok, applied.stderr

    assert rbac.granted_by_roles(broken) != rbac.expected_grants(broken)
    wrong = rbac.check(cluster, broken, ns, rbac.expected_grants(broken))
    assert wrong == [expected_line]
    cluster.delete_namespace(ns, wait=False)


def test_batched_reviews_answer_as_kubectl_auth_can_i(cluster: Cluster, crds: list[Path]) -> None:
    app = AppManifests.load("kubernetes-executor")
    ns = cluster.new_namespace("selftest-can-i")
    rbac_only = [o for o in app.moved_to(ns).objects if o["kind"] in ("ServiceAccount", "Role", "RoleBinding")]
    assert cluster.apply(AppManifests.of(app.name, rbac_only).text).ok
    for sa, granted in rbac.expected_grants(app).items():
        if not granted:
            continue
        asked = [access for access, _ in rbac.questions(granted)]
        one_by_one = [
            cluster.can_i(
                a.verb, a.resource, sa=f"{ns}:{sa}", namespace=a.where(ns), name=a.name, subresource=a.subresource
            )
            for a in asked
        ]
        assert rbac.can_i_all(cluster, f"{ns}:{sa}", ns, asked) == one_by_one, sa
        assert any(one_by_one) and not all(one_by_one)
    cluster.delete_namespace(ns, wait=False)


def test_changed_statefulset_selector_fails_the_upgrade(cluster: Cluster) -> None:
    app = AppManifests.load("default").moved_to("selftest-upgrade")
    ns = cluster.new_namespace("selftest-upgrade")
    v1 = _one(app, "StatefulSet", "airflow-postgres")
    assert cluster.apply(AppManifests.of("v1", [v1]).text, namespace=ns, applyset="airflow").ok

    v2 = copy.deepcopy(v1)
    for labels in (v2["spec"]["selector"]["matchLabels"], v2["spec"]["template"]["metadata"]["labels"]):
        labels["app.kubernetes.io/component"] = "database"
    upgraded = cluster.apply(AppManifests.of("v2", [v2]).text, namespace=ns, applyset="airflow")
    assert not upgraded.ok
    assert 'The StatefulSet "airflow-postgres" is invalid: spec.selector: Invalid value' in upgraded.stderr
    assert upgraded.stderr.rstrip().endswith("field is immutable"), upgraded.stderr
    cluster.delete_namespace(ns, wait=False)


def test_applyset_prunes_only_what_the_new_version_dropped(cluster: Cluster) -> None:
    ns = cluster.new_namespace("selftest-applyset")

    def config_maps(*names: str) -> str:
        objects = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}} for n in names]
        return AppManifests.of("v", objects).text

    first = cluster.apply(config_maps("kept", "dropped"), namespace=ns, applyset="airflow")
    assert first.ok and not first.warnings, first.stderr
    second = cluster.apply(config_maps("kept"), namespace=ns, applyset="airflow")
    assert second.ok and not second.warnings, second.stderr
    assert "configmap/dropped pruned" in second.stdout, second.stdout
    names = {cm["metadata"]["name"] for cm in cluster.get("configmap", namespace=ns)["items"]}
    assert names & {"kept", "dropped"} == {"kept"}  # the controller-manager adds kube-root-ca.crt
    cluster.delete_namespace(ns, wait=False)
