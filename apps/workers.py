"""Processes that share out the apps of ``python -m apps``: spawned, each with its own jsii runtime.

Imports nothing heavy, so ``python -m apps`` can start the workers before it imports cdk8s and
the library itself: the workers' start-up (about 0.7 s of CPU each: Python, jsii starting node)
overlaps this process's. A worker is never forked (a forked one would share the parent's jsii
node process). Each worker asks for an app over its own pipe (no locks, so no resource-tracker
process) and sends the result back; a thread per worker in this process answers it from the
list this process takes its own apps from.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

JOBS_VARIABLE = "AIRFLOW_CONSTRUCTS_JOBS"

Worker = tuple[Any, Any]
"""A started worker process and this side of its pipe."""


def jobs() -> int:
    """How many processes share the apps: ``$AIRFLOW_CONSTRUCTS_JOBS``, else the CPUs this process may use."""
    setting = os.environ.get(JOBS_VARIABLE, "")
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise SystemExit(f"{JOBS_VARIABLE}={setting!r}: must be a whole number of processes, 1 or more")
        return int(setting)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start(count: int, outdir: Path) -> list[Worker]:
    """Spawn ``count`` workers that will synthesize apps into ``outdir`` (they import the apps meanwhile)."""
    spawn = multiprocessing.get_context("spawn")
    workers = []
    for _ in range(max(0, count)):
        here, there = spawn.Pipe()
        process = spawn.Process(target=_work, args=(there, outdir), daemon=True)
        process.start()
        there.close()
        workers.append((process, here))
    return workers


def share(names: list[str], local: Callable[[str], Any], workers: list[Worker]) -> dict[str, Any]:
    """``{name: result}`` of every app: ``local`` here and ``app_output`` in the workers, as each is free."""
    pending = list(reversed(names))
    taking = threading.Lock()

    def take() -> str | None:
        with taking:
            return pending.pop() if pending else None

    results: dict[str, Any] = {}
    errors: list[str] = []
    feeders = [threading.Thread(target=_feed, args=(conn, take, results, errors), daemon=True) for _, conn in workers]
    for feeder in feeders:
        feeder.start()
    while (name := take()) is not None:
        results[name] = local(name)
    for feeder in feeders:
        feeder.join()
    for process, _ in workers:
        process.join()
    if errors:
        raise RuntimeError("\n".join(errors))
    return results


def _feed(conn: Any, take: Callable[[], str | None], results: dict[str, Any], errors: list[str]) -> None:
    """Hand one worker apps until none is left, keeping what it sends back."""
    with conn:
        while True:
            try:
                name, output, error = conn.recv()
            except EOFError:
                errors.append("a worker process ended before its app was done")
                return
            if error:
                errors.append(f"app {name!r} failed in a worker process:\n{error}")
            elif name is not None:
                results[name] = output
            next_name = take() if not errors else None
            conn.send(next_name)
            if next_name is None:
                return


def _work(conn: Any, outdir: Path) -> None:
    """In a spawned process: import the apps, then ask for an app, build it, send it back, until told to stop."""
    from .synthesis import app_output

    with conn:
        conn.send((None, None, None))
        while (name := conn.recv()) is not None:
            try:
                conn.send((name, app_output(name, outdir), None))
            except Exception:  # handed to the parent, which raises it
                conn.send((name, None, traceback.format_exc()))
