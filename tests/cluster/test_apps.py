"""Every app of dist/ applied to the real control plane of each release (the newest and the oldest
supported, ``each_release``), one app at a time in the namespace its manifests name: admission
accepts every object without a warning, the real authorizer gives each ServiceAccount exactly its
table, the secrets bootstrap works with its own token, and the controllers turn the workloads into
Pods and PVCs (no kubelet: the Pods stay Pending)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import rbac
from tests.cluster.apps import AppManifests, Manifest, app_names
from tests.cluster.bootstrap import Bootstrap
from tests.cluster.cluster import Cluster, Result

pytestmark = pytest.mark.cluster

NOTHING_GENERATED = {"workers-only"}
"""Apps that generate no key (a workers-only install names the core's Secrets)."""

CONTROLLER_TIMEOUT = 60.0


@dataclass(frozen=True)
class Deployed:
    app: AppManifests
    namespace: str
    applied: Result


def test_the_control_plane_is_the_release(each_release: Cluster) -> None:
    version = each_release.kubectl("version", "-o", "json")
    assert version.ok, version.stderr
    assert json.loads(version.stdout)["serverVersion"]["gitVersion"] == each_release.release.version


@pytest.fixture(scope="module", params=app_names())
def deployed(
    request: pytest.FixtureRequest, each_release: Cluster, each_release_crds: list[Path]
) -> Iterator[Deployed]:
    app = AppManifests.load(request.param)
    namespace = each_release.new_namespace(app.namespace)
    yield Deployed(app, namespace, each_release.apply(app.text))
    each_release.delete_namespace(namespace)


def test_every_object_is_accepted_without_a_warning(deployed: Deployed, each_release: Cluster) -> None:
    applied = deployed.applied
    assert applied.ok, applied.stderr
    assert not applied.warnings, "\n".join(applied.warnings)
    assert applied.stderr == "", applied.stderr
    live = each_release.kubectl("get", "-f", "-", "-o", "json", stdin=deployed.app.text)
    assert live.ok, live.stderr
    assert [(o["kind"], o["metadata"]["name"]) for o in json.loads(live.stdout)["items"]] == [
        (o["kind"], o["metadata"]["name"]) for o in deployed.app.objects
    ]


def test_service_accounts_have_exactly_their_table(deployed: Deployed, each_release: Cluster) -> None:
    expected = rbac.expected_grants(deployed.app)
    assert rbac.granted_by_roles(deployed.app) == expected
    wrong = rbac.check(each_release, deployed.app, deployed.namespace, expected)
    assert not wrong, "\n".join(wrong)


def test_secrets_bootstrap_creates_once_and_never_overwrites(deployed: Deployed, each_release: Cluster) -> None:
    if deployed.app.name in NOTHING_GENERATED:
        # Every key is the core's, by reference: no bootstrap ConfigMap, Job or Role at all.
        assert not [o for o in deployed.app.objects if "secrets-bootstrap" in o["metadata"]["name"]]
        return
    bootstrap = Bootstrap.of(deployed.app.objects)
    ns = deployed.namespace
    spec = json.loads(bootstrap.spec_json)["secrets"]
    names = [secret["name"] for secret in spec]
    for name in names:
        each_release.kubectl("delete", "secret", name, "-n", ns, "--ignore-not-found")

    first = bootstrap.run(each_release, ns)
    assert first.ok, first.stdout + first.stderr
    created = {name: each_release.get("secret", name, ns) for name in names}
    for secret in spec:
        data = created[secret["name"]]["data"]
        assert sorted(data) == sorted(secret["keys"]), secret["name"]
        for key, generator in secret["keys"].items():
            _assert_valid(f"{secret['name']}/{key}", generator["kind"], base64.b64decode(data[key]).decode())

    again = bootstrap.run(each_release, ns)
    assert again.ok, again.stdout + again.stderr
    assert all(line.endswith("nothing changed") for line in again.stdout.splitlines()), again.stdout
    for name in names:
        assert (
            each_release.get("secret", name, ns)["metadata"]["resourceVersion"]
            == (created[name]["metadata"]["resourceVersion"])
        ), f"{name} changed on the second run: {again.stdout}"

    # A key the user (or an older install) set stays as it is; only the missing ones are added.
    first_secret = spec[0]
    kept_key = "fernet-key"  # losing this one makes every stored connection unreadable
    assert kept_key in first_secret["keys"], first_secret
    mine = base64.b64encode(b"set-by-the-user").decode()
    each_release.kubectl("delete", "secret", first_secret["name"], "-n", ns)
    preset = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": first_secret["name"], "namespace": ns}}
    assert each_release.kubectl("create", "-f", "-", stdin=json.dumps({**preset, "data": {kept_key: mine}})).ok
    third = bootstrap.run(each_release, ns)
    assert third.ok, third.stdout + third.stderr
    data = each_release.get("secret", first_secret["name"], ns)["data"]
    assert data[kept_key] == mine
    assert sorted(data) == sorted(first_secret["keys"])


def test_controllers_create_the_pods(deployed: Deployed, each_release: Cluster) -> None:
    app, ns = deployed.app, deployed.namespace
    autoscalers = app.of_kind("HorizontalPodAutoscaler")
    for workload in app.of_kind("Deployment") + app.of_kind("StatefulSet") + app.of_kind("Job"):
        kind, name = workload["kind"], workload["metadata"]["name"]
        try:
            pods = each_release.wait_for(
                f"{kind}/{name}: {_expected_pods(workload, autoscalers)} Pods",
                partial(_owned_pods, each_release, ns, workload, autoscalers),
                CONTROLLER_TIMEOUT,
            )
        except TimeoutError as err:
            raise AssertionError(f"{err}; warning events: {_events(each_release, ns)}") from err
        template = workload["spec"]["template"]["spec"]
        owner = {"Deployment": "ReplicaSet"}.get(kind, kind)
        for pod in pods:
            assert [ref["kind"] for ref in pod["metadata"]["ownerReferences"]] == [owner], pod["metadata"]
            assert pod["status"]["phase"] == "Pending"
            assert pod["spec"]["serviceAccountName"] == template["serviceAccountName"]
            assert [(c["name"], c["image"]) for c in pod["spec"]["containers"]] == [
                (c["name"], c["image"]) for c in template["containers"]
            ]
        if kind == "Deployment":
            [replica_set] = {ref["name"] for pod in pods for ref in pod["metadata"]["ownerReferences"]}
            rs_owner = each_release.get("replicaset", replica_set, ns)["metadata"]["ownerReferences"]
            assert [(ref["kind"], ref["name"]) for ref in rs_owner] == [(kind, name)]
        if kind == "StatefulSet":
            for claim in workload["spec"].get("volumeClaimTemplates", []):
                pvc = f"{claim['metadata']['name']}-{name}-0"
                each_release.wait_for(f"PVC {pvc}", partial(_exists, each_release, "pvc", pvc, ns), CONTROLLER_TIMEOUT)
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        for obj in app.of_kind(kind):
            live = each_release.get(_resource(obj), obj["metadata"]["name"], ns)["spec"]
            assert _contains(live, obj["spec"]), f"{kind}/{obj['metadata']['name']}: {live}"


def _contains(live: Any, ours: Any) -> bool:
    """Every field we set is there with our value; the API server may add defaults around them."""
    if isinstance(ours, dict):
        return isinstance(live, dict) and all(k in live and _contains(live[k], v) for k, v in ours.items())
    if isinstance(ours, list):
        return isinstance(live, list) and len(live) == len(ours) and all(map(_contains, live, ours))
    return bool(live == ours)


def _assert_valid(where: str, kind: str, value: str) -> None:
    if kind == "fernet-key":
        assert len(base64.urlsafe_b64decode(value.encode())) == 32, f"{where}: not a Fernet key"
        assert base64.urlsafe_b64encode(base64.urlsafe_b64decode(value.encode())).decode() == value, where
    elif kind == "password-json":
        assert all(len(pw) >= 16 for pw in json.loads(value).values()), where
    elif kind == "basic-auth":
        user, _, password = value.partition(":")
        assert user and len(password) >= 16, where
    else:
        assert len(value) >= 16, f"{where}: {kind} of {len(value)} characters"


def _resource(obj: Manifest) -> str:
    """``kind.group`` for kubectl, so a custom kind never clashes with a built-in of the same name."""
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{obj['kind']}.{group}" if group else obj["kind"]


def _expected_pods(workload: Manifest, autoscalers: list[Manifest]) -> int:
    if workload["kind"] == "Job":
        return 1
    replicas = int(workload["spec"].get("replicas", 1))
    for hpa in autoscalers:
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) == (workload["kind"], workload["metadata"]["name"]):
            # The HPA controller scales up to minReplicas at once, even without metrics.
            replicas = max(replicas, int(hpa["spec"].get("minReplicas", 1)))
    # OrderedReady creates pod N+1 only once pod N is Ready, which no Pod is without a kubelet.
    if workload["kind"] == "StatefulSet" and workload["spec"].get("podManagementPolicy", "OrderedReady") != "Parallel":
        return min(replicas, 1)
    return replicas


def _owned_pods(cluster: Cluster, ns: str, workload: Manifest, autoscalers: list[Manifest]) -> list[dict[str, Any]]:
    selector = workload["spec"]["selector"]["matchLabels"] if workload["kind"] != "Job" else None
    args = ["get", "pods", "-n", ns, "-o", "json"]
    if selector:
        args += ["-l", ",".join(f"{k}={v}" for k, v in sorted(selector.items()))]
    else:
        args += ["-l", f"job-name={workload['metadata']['name']}"]
    pods: list[dict[str, Any]] = json.loads(cluster.kubectl(*args).stdout)["items"]
    return pods if len(pods) == _expected_pods(workload, autoscalers) else []


def _exists(cluster: Cluster, kind: str, name: str, ns: str) -> bool:
    return bool(cluster.kubectl("get", kind, name, "-n", ns, "--ignore-not-found", "-o", "name").stdout.strip())


def _events(cluster: Cluster, ns: str) -> str:
    """Warning events of the namespace: why a controller could not create a Pod."""
    out = cluster.kubectl("get", "events", "-n", ns, "--field-selector=type=Warning", "-o", "json").stdout
    return "; ".join(e["message"] for e in json.loads(out or '{"items": []}')["items"]) or "no warning events"
