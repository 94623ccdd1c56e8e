"""The DAG the end-to-end harness runs (tests/e2e): Python task(s), then a sensor that defers to the triggerer.

Parse-time parameters come from ``e2e_params.json`` next to this file (written by the test):
``{"queues": ["default", "highmem"]}`` makes one ``hello_<queue>`` task per Celery queue;
without it there is one ``hello`` task on the default queue.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.standard.sensors.time_delta import WaitSensor
from airflow.sdk import DAG

PARAMS = Path(__file__).with_name("e2e_params.json")
QUEUES: list[str] = json.loads(PARAMS.read_text())["queues"] if PARAMS.exists() else []


def hello(queue: str | None = None, **context: object) -> dict[str, str | None]:
    pod = os.environ.get("HOSTNAME")
    print(f"E2E_HELLO_MARKER run_id={context['run_id']} pod={pod} queue={queue}")
    return {"pod": pod, "queue": queue}


with DAG(dag_id="e2e_smoke", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["e2e"]):
    if QUEUES:
        hellos = [
            PythonOperator(task_id=f"hello_{q}", python_callable=hello, op_kwargs={"queue": q}, queue=q) for q in QUEUES
        ]
    else:
        hellos = [PythonOperator(task_id="hello", python_callable=hello)]
    # WaitSensor(deferrable=True) always defers (TimeDeltaSensorAsync is deprecated in 3.x).
    wait = WaitSensor(task_id="wait_deferred", time_to_wait=timedelta(seconds=10), deferrable=True)
    hellos >> wait
