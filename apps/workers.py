"""Processes that share out the apps of ``python -m apps``: spawned, each with its own jsii runtime.

Imports nothing heavy, so ``python -m apps`` can start the workers before it imports cdk8s and
the library itself: the workers' start-up (about 0.7 s of CPU each: Python, jsii starting node)
overlaps this process's. A worker is a new Python process, never a fork (a forked one would share
the parent's jsii node process), and not a multiprocessing one (whose resource-tracker process
outlives the run). Each worker asks for an app over its own pipes and sends the result back; a
thread per worker in this process answers it from the list this process takes its own apps from.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

JOBS_VARIABLE = "AIRFLOW_CONSTRUCTS_JOBS"
ROOT = Path(__file__).resolve().parent.parent

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
    """Start ``count`` workers that will synthesize apps into ``outdir`` (they import the apps meanwhile).

    Each is a new Python process (``python -m apps.workers``), talking over two pipes of its own.
    """
    started = []
    for _ in range(max(0, count)):
        to_worker, from_worker = os.pipe(), os.pipe()
        theirs = (to_worker[0], from_worker[1])
        process = subprocess.Popen(
            [sys.executable, "-m", "apps.workers", *map(str, theirs), str(outdir)],
            pass_fds=theirs,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                # Node starts only if one of its apps needs it (see share).
                "AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND": "1",
            },
        )
        for fd in theirs:
            os.close(fd)
        started.append((process, _Pipe(from_worker[0], to_worker[1])))
    return started


class _Pipe:
    """Both ends this process holds of one worker's two pipes, as one connection."""

    def __init__(self, read: int, write: int) -> None:
        self._in = Connection(read, writable=False)
        self._out = Connection(write, readable=False)

    def recv(self) -> Any:
        return self._in.recv()

    def send(self, message: Any) -> None:
        self._out.send(message)

    def close(self) -> None:
        self._in.close()
        self._out.close()

    def __enter__(self) -> _Pipe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def share(names: list[str], local: Callable[[str], Any], workers: list[Worker]) -> dict[str, Any]:
    """``{name: result}`` of every app: ``local`` here and ``app_output`` in the workers, as each is free;
    the workers are then ending (``reap`` waits for them).

    This process takes the apps from the front of ``names``, the workers from the back: the apps
    that need node first, for this process, whose node started while it imported; the workers
    start theirs only if they get such an app (``core.jsii_start.ON_DEMAND``)."""
    pending = list(names)
    taking = threading.Lock()

    def take(front: bool = False) -> str | None:
        with taking:
            return pending.pop(0 if front else -1) if pending else None

    results: dict[str, Any] = {}
    errors: list[str] = []
    feeders = [threading.Thread(target=_feed, args=(conn, take, results, errors), daemon=True) for _, conn in workers]
    for feeder in feeders:
        feeder.start()
    while (name := take(front=True)) is not None:
        results[name] = local(name)
    for feeder in feeders:
        feeder.join()
    if errors:
        reap(workers)
        raise RuntimeError("\n".join(errors))
    return results


def reap(workers: list[Worker]) -> None:
    """Wait for the workers to end (each ends once told there is no app left: ``share`` has told them).

    Apart from ``share``: a worker's exit (Python's, and its node's if it started one) takes a
    tenth of a second or more, which ``python -m apps`` spends writing and packaging the charts."""
    for process, _ in workers:
        process.wait()


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
    """In a worker: import the apps, then ask for an app, build it, send it back, until told to stop."""
    from .synthesis import app_output

    with conn:
        conn.send((None, None, None))
        while (name := conn.recv()) is not None:
            try:
                conn.send((name, app_output(name, outdir), None))
            except Exception:  # handed to the parent, which raises it
                conn.send((name, None, traceback.format_exc()))


if __name__ == "__main__":
    from airflow_constructs.core.jsii_start import skip_argument_checks

    skip_argument_checks()  # as python -m apps does
    read, write, out = sys.argv[1:]
    _work(_Pipe(int(read), int(write)), Path(out))
