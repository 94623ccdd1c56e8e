"""A DAG whose only task fails, without retries (tests/e2e/test_kexec_e2e.py).

With ``delete_worker_pods_on_failure = False`` (Airflow's default) the KubernetesExecutor keeps a
failed task's pod, so this DAG leaves exactly the kind of finished pod the pod cleanup deletes.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def fail() -> None:
    raise RuntimeError("E2E_FAIL_MARKER: this task fails on purpose")


with DAG(dag_id="e2e_fail", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["e2e"]):
    PythonOperator(task_id="fail", python_callable=fail, retries=0)
