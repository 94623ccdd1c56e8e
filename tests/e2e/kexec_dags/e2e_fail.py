"""A DAG whose only task's pod fails, without retries (tests/e2e/test_kexec_e2e.py).

A task that merely raises does not fail its pod: the pod's main process (the Task SDK supervisor,
``python -m airflow.sdk.execution_time.execute_workload``) reports the failure to the API server
and exits 0. This task kills that process instead, as the OOM killer would (exit code 137): the
pod is ``Failed``, and with ``delete_worker_pods_on_failure = False`` (Airflow's default) the
KubernetesExecutor keeps it -- exactly the kind of finished pod the pod cleanup deletes.
"""

from __future__ import annotations

import os
import signal
from datetime import datetime

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def killed() -> None:
    print(f"E2E_KILL_MARKER: killing the pod's main process {os.getppid()}", flush=True)
    os.kill(os.getppid(), signal.SIGKILL)


with DAG(dag_id="e2e_fail", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["e2e"]):
    PythonOperator(task_id="killed", python_callable=killed, retries=0)
