"""KubernetesExecutor end to end (issue 15 item 8): ``dist/kubernetes-executor`` with a real API server.

The control plane of ``tests/cluster/`` runs (``make e2e`` builds it with ``make cluster-tools``);
``tests/e2e/kubelet.py`` applies the app's Namespace, ServiceAccounts and RBAC to it, gives the
scheduler a kubeconfig holding a TokenRequest token of its ServiceAccount, and plays the kubelet
for the task pods the scheduler creates. So the KubernetesExecutor's every call is judged by the
real RBAC authorizer, and every task pod by real admission (restricted Pod Security Standard).
The pod cleanup's script (the CronJob's, from its ConfigMap) runs once, as its own
ServiceAccount, against the same API.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.cluster import control_plane
from tests.cluster.cluster import Cluster, Result
from tests.e2e.harness import REPO, Doc, HarnessError, RunResult, dags_folder
from tests.e2e.kubelet import KubeHarness

pytestmark = pytest.mark.e2e

DIST = REPO / "dist" / "kubernetes-executor"
FAIL_DAG = REPO / "tests" / "e2e" / "kexec_dags" / "e2e_fail.py"
SCHEDULER_SA = "system:serviceaccount:airflow:airflow-scheduler"


@pytest.fixture(scope="module")
def api_server() -> Iterator[Cluster]:
    """The control plane: one left running by ``make cluster-up`` is reused, else started and stopped here."""
    started = control_plane.running() is None
    control_plane.up()
    try:
        yield Cluster()
    finally:
        if started:
            control_plane.down()


@dataclass
class KexecRun:
    smoke: RunResult
    hello_pod: str
    phases: dict[str, list[str]]
    task_pods: dict[str, Doc]  # name -> the pod as the API server had it while it ran
    left_after_smoke: list[str]
    fail_error: str
    failed_pod: Doc | None
    cleanup_as_written: Result
    cleanup_now: Result
    left_after_cleanup: list[str]
    refused: HarnessError | None
    timings: dict[str, float] = field(default_factory=dict)


def _wait(what: str, probe: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def kexec(api_server: Cluster, tmp_path_factory: pytest.TempPathFactory) -> KexecRun:
    base = tmp_path_factory.mktemp("kexec")
    with dags_folder(base) as dags:
        shutil.copy(FAIL_DAG, dags / FAIL_DAG.name)
        with KubeHarness(DIST, cluster=api_server, dags=dags) as h:
            h.start()
            # Three task pods, one after the other, each importing Airflow: on 2 busy cores, minutes.
            smoke = h.run_dag("e2e_smoke", timeout=420)
            hello_pod = h.xcom(smoke, "hello")["pod"]
            ran = dict(h.kubelet.seen)
            # delete_worker_pods = True: the scheduler deletes the pods of finished tasks.
            with contextlib.suppress(TimeoutError):
                _wait("the scheduler deletes the succeeded task pods", lambda: set(h.pods()).isdisjoint(ran))
            left_after_smoke = sorted(set(h.pods()) & set(ran))
            t = time.monotonic()
            try:
                h.run_dag("e2e_fail", timeout=180)
                fail_error = ""
            except HarnessError as err:
                fail_error = str(err)
            h.timings["fail_run"] = time.monotonic() - t
            failed = [p for p in h.pods().values() if p["metadata"].get("labels", {}).get("dag_id") == "e2e_fail"]
            failed_pod = failed[0] if failed else None
            as_written = h.run_pod_cleanup()
            now = h.run_pod_cleanup(min_age_minutes=0)
            left_after_cleanup = sorted(h.pods())
            phases = {name: list(v) for name, v in h.kubelet.phases_reported.items()}
            # Self-test: the scheduler's Role without `create` on pods, as the authorizer sees it now.
            h.change_role("airflow-pod-launcher", _without_pods_create)
            refused: HarnessError | None = None
            try:
                h.run_dag("e2e_smoke", timeout=120)
            except HarnessError as err:
                refused = err
            return KexecRun(
                smoke=smoke,
                hello_pod=hello_pod,
                phases=phases,
                task_pods=ran,
                left_after_smoke=left_after_smoke,
                fail_error=fail_error,
                failed_pod=failed_pod,
                cleanup_as_written=as_written,
                cleanup_now=now,
                left_after_cleanup=left_after_cleanup,
                refused=refused,
                timings=dict(h.timings),
            )


def test_the_probe_dag_succeeds_with_a_task_pod_per_task(kexec: KexecRun) -> None:
    print(f"\n[kubernetes-executor] timings (s): {kexec.timings}, e2e_smoke run {kexec.smoke.seconds:.1f}")
    print(f"[kubernetes-executor] task pods: {kexec.phases}")
    assert kexec.smoke.state == "success", kexec.smoke.states_seen
    assert set(kexec.smoke.task_instances) == {"hello", "wait_deferred"}
    # The hello task ran in a pod the scheduler created through the API (HOSTNAME is the pod's name).
    assert kexec.hello_pod in kexec.task_pods
    pod = kexec.task_pods[kexec.hello_pod]
    labels = pod["metadata"]["labels"]
    assert labels["kubernetes_executor"] == "True"
    assert labels["dag_id"] == "e2e_smoke" and labels["task_id"] == "hello"
    assert labels["app.kubernetes.io/component"] == "kubernetes-worker"  # from the pod template
    assert pod["spec"]["serviceAccountName"] == "airflow-kubernetes-worker"
    assert kexec.phases[kexec.hello_pod] == ["Running", "Succeeded"]
    # wait_deferred: one pod, which exits when the task defers; the trigger ends the task in the
    # triggerer (end_from_trigger), so no second pod.
    deferred = [n for n, p in kexec.task_pods.items() if p["metadata"]["labels"].get("task_id") == "wait_deferred"]
    assert len(deferred) == 1, deferred
    assert kexec.phases[deferred[0]] == ["Running", "Succeeded"]
    assert "deferred" in kexec.smoke.states_seen["wait_deferred"]


def test_the_scheduler_deletes_succeeded_task_pods(kexec: KexecRun) -> None:
    assert kexec.left_after_smoke == []


def test_a_failed_task_pod_is_kept_and_the_cleanup_deletes_it(kexec: KexecRun) -> None:
    assert "task killed is failed" in kexec.fail_error, kexec.fail_error
    assert kexec.failed_pod is not None
    name = kexec.failed_pod["metadata"]["name"]
    assert kexec.failed_pod["status"]["phase"] == "Failed"
    assert kexec.phases[name] == ["Running", "Failed"]
    [status] = kexec.failed_pod["status"]["containerStatuses"]
    assert status["state"]["terminated"]["exitCode"] == 137  # SIGKILL, as the OOM killer
    # As written (--min-age-minutes 60): a pod that failed a minute ago is not old enough.
    assert kexec.cleanup_as_written.ok, kexec.cleanup_as_written.stderr
    assert kexec.cleanup_as_written.stdout == ""
    # With the age limit at 0, as its own ServiceAccount (list + delete pods): the pod is gone.
    assert kexec.cleanup_now.ok, kexec.cleanup_now.stderr
    namespace = kexec.failed_pod["metadata"]["namespace"]
    assert kexec.cleanup_now.stdout.splitlines() == [f"deleted {namespace}/{name}"]
    assert name not in kexec.left_after_cleanup


def _without_pods_create(rules: list[Doc]) -> list[Doc]:
    return [{**r, "verbs": [v for v in r["verbs"] if v != "create"]} if "pods" in r["resources"] else r for r in rules]


def test_selftest_without_pods_create_the_run_fails_with_the_authorizers_refusal(kexec: KexecRun) -> None:
    """After the runs above, the scheduler's Role (airflow-pod-launcher) loses `create` on pods:
    the next run fails at once, naming the scheduler and the authorizer's refusal."""
    assert kexec.refused is not None, "the run succeeded without pods/create"
    assert kexec.refused.component == "airflow-scheduler/scheduler"
    assert kexec.refused.reason == (
        f'the Kubernetes API refused: forbidden: User "{SCHEDULER_SA}" cannot create resource "pods"'
    )
