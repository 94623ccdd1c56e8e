"""The KubernetesExecutor harness's own logic, without a control plane or processes (runs in ``make test``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.cluster.cluster import Cluster
from tests.e2e.harness import REPO, AppPlan, Deps, HarnessError, PathMap, PodSpec
from tests.e2e.kubelet import FORBIDDEN, KubeHarness

DIST = REPO / "dist" / "kubernetes-executor"
WORKLOAD = '{"token": "x", "ti": {}}'


def test_the_plan_runs_the_scheduler_only_with_the_api() -> None:
    with pytest.raises(HarnessError, match=r"^airflow-scheduler: mounts a service-account token"):
        AppPlan.load(DIST)
    plan = AppPlan.load(DIST, kube_api=True)
    scheduler = next(p for p in plan.pods if p.workload == "airflow-scheduler")
    assert scheduler.skip_reason is None and scheduler.spec["serviceAccountName"] == "airflow-scheduler"
    # The bootstrap Job is still replaced by its generate(); CronJobs are not workloads of the harness.
    assert [p.workload for p in plan.jobs if p.skip_reason] == [
        p.workload for p in plan.jobs if p.workload.startswith("airflow-secrets-bootstrap")
    ]


@pytest.fixture
def harness() -> Iterator[KubeHarness]:
    deps = Deps.without_processes()
    with KubeHarness(DIST, cluster=Cluster(), deps=deps, label="unit-kexec") as h:
        h._generate_secrets()
        h._map_services()
        assert h.workdir is not None
        (h.workdir / "logs").mkdir()
        yield h


def _task_pod(h: KubeHarness) -> PodSpec:
    """The pod template, as the KubernetesExecutor makes a task pod of it (name, args)."""
    template = yaml.safe_load(h.plan.configmaps["airflow-pod-template"]["pod_template.yaml"])
    spec = template["spec"]
    spec["containers"][0]["args"] = ["python", "-m", "airflow.sdk.execution_time.execute_workload"]
    spec["containers"][0]["args"] += ["--json-string", WORKLOAD]
    labels = {**template["metadata"]["labels"], "kubernetes_executor": "True"}
    return PodSpec(kind="Pod", workload="e2e-smoke-hello-x", name="e2e-smoke-hello-x", spec=spec, labels=labels,
                   claim_templates=[])  # fmt: skip


def test_a_task_pod_is_materialized_like_the_apps_pods(harness: KubeHarness) -> None:
    [base] = harness._materialize(_task_pod(harness))
    root = base.paths.root
    # No command: the image's ENTRYPOINT (modelled by airflow_entrypoint.sh) runs the args as written.
    assert base.argv == [
        f"{root}/entrypoint", "python", "-m", "airflow.sdk.execution_time.execute_workload", "--json-string", WORKLOAD,
    ]  # fmt: skip
    assert os.access(base.argv[0], os.X_OK)
    assert base.env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8080/execution/"
    password = harness.secrets["airflow-generated"]["postgres-password"]
    assert base.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(f":{password}@127.0.0.1:15432/airflow")
    assert base.env["HOSTNAME"] == "e2e-smoke-hello-x"
    # TMPDIR: a short link to the pod's /tmp (a Unix socket's path may not exceed 107 bytes).
    assert Path(base.env["TMPDIR"]).resolve() == (root / "tmp").resolve()
    assert len(base.env["TMPDIR"]) < 30
    # A task pod has no service-account token (automountServiceAccountToken: false): no kubeconfig.
    assert "AIRFLOW__KUBERNETES_EXECUTOR__CONFIG_FILE" not in base.env
    assert (root / "opt/airflow/dags/e2e_smoke.py").is_file()


def test_the_pod_template_is_mounted_as_written(harness: KubeHarness, tmp_path: Path) -> None:
    """It is sent to the API server as the task pods' spec: no local path or 127.0.0.1 in it."""
    assert harness.workdir is not None
    paths = PathMap(tmp_path / "root", {"/opt/airflow", "/tmp"})
    vol = {"configMap": {"name": "airflow-pod-template"}}
    written = harness._configmap_volume(vol, tmp_path / "pt", paths, "scheduler") / "pod_template.yaml"
    assert written.read_text() == harness.plan.configmaps["airflow-pod-template"]["pod_template.yaml"]
    # Any other ConfigMap still gets the rewrites.
    cfg = harness._configmap_volume({"configMap": {"name": "airflow-config"}}, tmp_path / "c", paths, "scheduler")
    assert f"base_log_folder = {tmp_path}/root/opt/airflow/logs" in (cfg / "airflow.cfg").read_text()


def test_the_refusal_pattern_reads_log_lines_and_raw_json_bodies() -> None:
    line = 'pods is forbidden: User "system:serviceaccount:airflow:airflow-scheduler" cannot create resource "pods"'
    body = line.replace('"', '\\"')
    twice = body.replace("\\", "\\\\")
    for text in (line, f'HTTP response body: {{"message":"{body} in API group"}}', f'"event": "{twice}"'):
        match = FORBIDDEN.search(text)
        assert match is not None
        assert match.groups() == ("system:serviceaccount:airflow:airflow-scheduler", "create", "pods")
    assert FORBIDDEN.search("pods is forbidden: exceeded quota") is None
