"""Processes that share out the apps of ``python -m apps``, each with its own jsii runtime, if any.

``python -m apps`` imports the library with jsii's node left to start only when a call needs it
(``core.jsii_start.ON_DEMAND``; most apps need none, ``core.detached``), then forks the workers
(``fork``): they start with every module imported and no node process, so none is shared; each
starts its own if one of its apps needs it. Where this process cannot fork safely (no ``fork``,
or a jsii that may have started node), the workers are new Python processes (``start``: ``python
-m apps.workers``), started before this process imports the library so that their imports overlap.
Never a multiprocessing one (whose resource-tracker process outlives the run). Each worker asks
for an app over its own pipes and sends the result back; a thread per worker in this process
answers it from the list this process takes its own apps from.

This module imports nothing heavy (``start`` runs before the library is imported).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

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


NODE_ON_DEMAND = "AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND"
"""``core.jsii_start.ON_DEMAND`` (this module imports nothing of the library)."""


def can_fork() -> bool:
    """Whether ``fork`` may work here: a platform with ``fork``, and jsii not imported yet."""
    return hasattr(os, "fork") and "jsii" not in sys.modules


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
                NODE_ON_DEMAND: "1",
            },
        )
        for fd in theirs:
            os.close(fd)
        started.append((process, _Pipe(from_worker[0], to_worker[1])))
    return started


def fork(count: int, outdir: Path) -> list[Worker] | None:
    """Fork ``count`` workers that will synthesize apps into ``outdir``, having imported everything
    this process has; None (nothing done) where this process cannot fork safely: a platform without
    ``fork``, or a jsii whose node process may have started (a forked one would share it).

    The workers' start then costs no import of their own (about 0.45 s of CPU each). Each starts its
    own node if one of its apps needs it (``core.jsii_start.ON_DEMAND``), and ends with ``os._exit``
    once told there is no app left, after its exit handlers (its node's end, if it started one).
    """
    from airflow_constructs.core.jsii_start import node_started

    if not hasattr(os, "fork") or node_started() or threading.active_count() > 1:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    started: list[Worker] = []
    for _ in range(max(0, count)):
        to_worker, from_worker = os.pipe(), os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            for _, conn in started:  # the other workers' pipes: theirs to end
                conn.close()
            os.close(to_worker[1])
            os.close(from_worker[0])
            _forked_work(_Pipe(to_worker[0], from_worker[1]), outdir)
        os.close(to_worker[0])
        os.close(from_worker[1])
        started.append((_Forked(pid), _Pipe(from_worker[0], to_worker[1])))
    return started


def _forked_work(conn: _Pipe, outdir: Path) -> NoReturn:
    code = 1
    try:
        _work(conn, outdir)
        code = 0
    except BaseException:  # the parent reports the worker's end; this says why
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class _Forked:
    """A forked worker, waited for as a ``subprocess.Popen`` is."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def wait(self) -> int:
        return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])


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
