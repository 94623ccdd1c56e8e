"""Day-2 operations on the real control plane (issue 17): the api-server's periodic restart, and
KubernetesExecutor tasks in several namespaces.

The ``production`` app of ``dist/`` is applied; its restart CronJob's script (from its ConfigMap)
runs as a local process with a real token of the CronJob's ServiceAccount and the arguments its
container has, so the apiserver authorizes it exactly as in the pod (see ``bootstrap.py`` for how
the pod's view is rebuilt). The controllers then roll the Deployment; the same token may not
restart any other Deployment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.cluster import rbac
from tests.cluster.apps import AppManifests
from tests.cluster.cluster import Cluster, Result
from tests.cluster.control_plane import NEWEST, running

pytestmark = pytest.mark.cluster

SCRIPT = "restart_deployment.py"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


@pytest.fixture(scope="module")
def production(cluster: Cluster, crds: list[Path]) -> Iterator[tuple[AppManifests, str]]:
    app = AppManifests.load("production")
    namespace = cluster.new_namespace(app.namespace)
    applied = cluster.apply(app.moved_to(namespace).text)
    assert applied.ok, applied.stderr
    yield app, namespace
    cluster.delete_namespace(namespace)


def _run_restart(cluster: Cluster, app: AppManifests, namespace: str, deployment: str | None = None) -> Result:
    """The restart CronJob's script, as its pod runs it (``deployment`` replaces its target to probe RBAC)."""
    [cron] = [o for o in app.of_kind("CronJob") if o["metadata"]["name"] == "airflow-api-server-restart"]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [config_map] = [o for o in app.of_kind("ConfigMap") if SCRIPT in o.get("data", {})]
    args = pod["containers"][0]["command"][2:]
    args[args.index("--namespace") + 1] = namespace
    if deployment is not None:
        args[args.index("--deployment") + 1] = deployment
    token = cluster.kubectl("create", "token", pod["serviceAccountName"], "--namespace", namespace, "--duration=10m")
    assert token.ok, token.stderr
    endpoints = running()
    assert endpoints is not None, "the control plane is not running"
    with tempfile.TemporaryDirectory(prefix="restart-") as tmp:
        work = Path(tmp)
        sa_dir = work / "serviceaccount"
        sa_dir.mkdir()
        (sa_dir / "token").write_text(token.stdout.strip())
        (sa_dir / "namespace").write_text(namespace)
        (sa_dir / "ca.crt").write_bytes((NEWEST.run / "pki" / "ca.crt").read_bytes())
        (work / SCRIPT).write_text(config_map["data"][SCRIPT])
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(endpoints.apiserver_port),
            "AIRFLOW_CONSTRUCTS_SA_DIR": str(sa_dir),
        }
        argv = [sys.executable, str(work / SCRIPT), *args]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, cwd=work)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _replica_sets(cluster: Cluster, namespace: str, deployment: str) -> set[str]:
    out = json.loads(cluster.kubectl("get", "replicasets", "-n", namespace, "-o", "json").stdout)["items"]
    return {
        rs["metadata"]["name"]
        for rs in out
        if any(ref["name"] == deployment for ref in rs["metadata"].get("ownerReferences", []))
    }


def test_the_restart_cronjob_rolls_its_deployment_and_nothing_else(
    production: tuple[AppManifests, str], cluster: Cluster
) -> None:
    app, ns = production
    cluster.wait_for("the api-server's first ReplicaSet", lambda: _replica_sets(cluster, ns, "airflow-api-server"))
    before = cluster.get("deployment", "airflow-api-server", ns)
    first = _replica_sets(cluster, ns, "airflow-api-server")
    scheduler = cluster.get("deployment", "airflow-scheduler", ns)

    done = _run_restart(cluster, app, ns)
    assert done.ok, done.stdout + done.stderr
    after = cluster.get("deployment", "airflow-api-server", ns)
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert RESTARTED_AT in after["spec"]["template"]["metadata"]["annotations"]
    assert done.stdout.startswith(f"restarted {ns}/airflow-api-server: generation ")
    # The Deployment controller rolls: a new ReplicaSet for the new template.
    cluster.wait_for(
        "a new ReplicaSet of the api-server", lambda: _replica_sets(cluster, ns, "airflow-api-server") - first
    )

    # The same ServiceAccount cannot restart another Deployment: 403 from the real authorizer.
    refused = _run_restart(cluster, app, ns, deployment="airflow-scheduler")
    assert not refused.ok
    assert "HTTP Error 403: Forbidden" in refused.stderr
    assert (
        cluster.get("deployment", "airflow-scheduler", ns)["metadata"]["generation"]
        == (scheduler["metadata"]["generation"])
    )


TASK_NAMESPACES = ("day2-team-a", "day2-team-b")


@dataclass(frozen=True)
class _SeveralNamespaces(AppManifests):
    """An install whose objects span the release namespace and its task namespaces."""

    @property
    def namespace(self) -> str:
        return "day2-multi"


def test_task_namespaces_each_get_their_roles_and_nothing_is_cluster_wide(
    cluster: Cluster, crds: list[Path], tmp_path: Path
) -> None:
    """KubernetesExecutor ``multi_namespace``: the real authorizer lets the scheduler launch and the
    cleanup delete task pods in each task namespace, and nowhere else (no cluster-wide rule)."""
    config = tmp_path / "airflow.yaml"
    config.write_text(
        "namespace: day2-multi\nexecutor:\n  kind: KubernetesExecutor\n"
        f"  multi_namespace: [{', '.join(TASK_NAMESPACES)}]\n  cleanup: {{enabled: true}}\n"
    )
    out = tmp_path / "out"
    # The CLI in its own process: this one must not start jsii (the cluster tests never synthesize).
    synth = subprocess.run(
        [sys.executable, "-m", "airflow_constructs.cli", "synth", str(config), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert synth.returncode == 0, synth.stderr
    text = (out / "airflow.k8s.yaml").read_text()
    app = _SeveralNamespaces("multi-namespace", text, [doc for doc in yaml.safe_load_all(text) if doc])
    for ns in ("day2-multi", *TASK_NAMESPACES):
        cluster.new_namespace(ns)
    try:
        applied = cluster.apply(app.text)
        assert applied.ok and not applied.warnings, applied.stderr
        everywhere = ("<app>", *TASK_NAMESPACES)
        expected = {sa: set[rbac.Access]() for sa in rbac.service_accounts(app)}
        expected["airflow-scheduler"] = {a._replace(namespace=ns) for a in rbac.POD_LAUNCHER for ns in everywhere}
        expected["airflow-pod-cleanup"] = {a._replace(namespace=ns) for a in rbac.POD_CLEANUP for ns in everywhere}
        expected["airflow-secrets-bootstrap"] = {a._replace(namespace=ns) for a in rbac.BOOTSTRAP for ns in everywhere}
        assert rbac.granted_by_roles(app) == expected
        wrong = rbac.check(cluster, app, "day2-multi", expected)
        assert not wrong, "\n".join(wrong)
        # Not in a namespace nobody named, and not cluster-wide.
        scheduler = "day2-multi:airflow-scheduler"
        probes = [
            rbac.Access("create", "pods", namespace="day2-other"),
            rbac.Access("list", "pods", namespace=None),
            rbac.Access("watch", "pods", namespace=None),
        ]
        assert rbac.can_i_all(cluster, scheduler, "day2-multi", probes) == [False, False, False]
    finally:
        for ns in ("day2-multi", *TASK_NAMESPACES):
            cluster.delete_namespace(ns, wait=False)


@dataclass(frozen=True)
class _ClusterWide(AppManifests):
    """An install whose KubernetesExecutor may run task pods in every namespace."""

    @property
    def namespace(self) -> str:
        return "day2-all"


def test_cluster_wide_mode_grants_pods_in_every_namespace_and_nothing_more(
    cluster: Cluster, crds: list[Path], tmp_path: Path
) -> None:
    """KubernetesExecutor ``cluster_wide``: the real authorizer lets the scheduler launch, watch and
    read the logs of pods, and the cleanup list and delete them, in any namespace and cluster-wide
    (Airflow's all-namespace watch); no other ServiceAccount gets anything, and the two get nothing
    beyond pods, pods/log and events."""
    config = tmp_path / "airflow.yaml"
    config.write_text(
        "namespace: day2-all\nexecutor:\n  kind: KubernetesExecutor\n  cluster_wide: true\n  cleanup: {enabled: true}\n"
    )
    out = tmp_path / "out"
    synth = subprocess.run(
        [sys.executable, "-m", "airflow_constructs.cli", "synth", str(config), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert synth.returncode == 0, synth.stderr
    text = (out / "airflow.k8s.yaml").read_text()
    app = _ClusterWide("cluster-wide", text, [doc for doc in yaml.safe_load_all(text) if doc])
    cluster.new_namespace("day2-all")
    try:
        applied = cluster.apply(app.text)
        assert applied.ok and not applied.warnings, applied.stderr
        anywhere = ("<app>", "day2-elsewhere", None)
        launcher = {a._replace(namespace=ns) for a in rbac.POD_LAUNCHER for ns in anywhere}
        cleanup = {a._replace(namespace=ns) for a in rbac.POD_CLEANUP for ns in anywhere}
        sa = "day2-all:airflow-scheduler"
        assert rbac.can_i_all(cluster, sa, "day2-all", sorted(launcher, key=str)) == [True] * len(launcher)
        cleaner = "day2-all:airflow-pod-cleanup"
        assert rbac.can_i_all(cluster, cleaner, "day2-all", sorted(cleanup, key=str)) == [True] * len(cleanup)
        # Only pods, their logs and events: no Secret, no other workload, no RBAC, anywhere.
        beyond = [rbac.Access("get", "secrets", "airflow-generated", namespace=ns) for ns in anywhere] + [
            rbac.Access("list", "secrets", namespace=None),
            rbac.Access("create", "deployments.apps", namespace="day2-elsewhere"),
            rbac.Access("create", "pods", subresource="exec", namespace="day2-elsewhere"),
            rbac.Access("create", "clusterrolebindings", namespace=None),
            rbac.Access("update", "pods", namespace=None),
            rbac.Access("get", "nodes", namespace=None),
        ]
        for who in (sa, cleaner):
            assert rbac.can_i_all(cluster, who, "day2-all", beyond) == [False] * len(beyond)
        assert rbac.can_i_all(cluster, cleaner, "day2-all", [rbac.Access("create", "pods", namespace=None)]) == [False]
        # Every other ServiceAccount of the install still has no cluster-wide grant.
        for other in rbac.service_accounts(app):
            if other in ("airflow-scheduler", "airflow-pod-cleanup"):
                continue
            probes = [rbac.Access("list", "pods", namespace=None), rbac.Access("create", "pods", namespace=None)]
            assert rbac.can_i_all(cluster, f"day2-all:{other}", "day2-all", probes) == [False, False], other
    finally:
        cluster.delete_namespace("day2-all", wait=False)
        for kind in ("clusterrolebinding", "clusterrole"):
            for name in ("day2-all-airflow-pod-launcher", "day2-all-airflow-pod-cleanup"):
                cluster.kubectl("delete", kind, name, "--ignore-not-found")
