"""Start jsii's node process in the background while Python imports the package.

Importing cdk8s starts jsii's node process and loads the constructs and cdk8s assemblies into it:
about a quarter of a second of a cold ``airflow-constructs synth`` during which Python waits on a
pipe. ``start_in_background`` (called by the package's ``__init__`` before anything imports
cdk8s) gives jsii a provider that starts node in a thread and queues the assembly loads the
imports ask for, so Python goes on importing the package's modules meanwhile; the first call that
needs an answer (creating an object) waits for node, and for the queued loads, to be done.

A process that may need no node at all (a ``python -m apps`` worker whose apps are built without
it, ``core.detached``) sets ``$AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND``: node then starts at the first
call that needs it, if any.

Nothing changes in what jsii does, only when: one node process, the same requests in the same
order, one at a time on its pipe. An error starting node or loading an assembly is raised by the
first call that needs node, as jsii raises it. When jsii was imported before this package (a
program that imported cdk8s first), its kernel may be in use and is left as it is.

This relies on the pinned jsii's provider interface (``jsii._kernel.providers.process``: the kernel's
``provider``, ``ProcessProvider._process`` and ``_NodeProcess``); ``tests/test_jsii_start.py``
proves it on that version.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

ON_DEMAND = "AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND"
"""Set to 1 in the environment, node starts only when a call first needs it (never, if none does):
for a ``python -m apps`` worker, whose apps may all be built without node (``core.detached``)."""


def start_in_background() -> bool:
    """Install the background-starting provider; False (nothing done) when jsii was imported already.

    With ``$AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND`` set to 1, the thread that starts node is started by
    the first call that needs node, not now."""
    if "jsii" in sys.modules:
        return False
    import jsii

    try:
        from jsii._kernel.providers.process import ProcessProvider, _NodeProcess
    except ImportError:  # another jsii than the one this was proven on: start node as jsii does
        return False
    if type(jsii.kernel.provider) is not ProcessProvider or not _provider_interface_matches(
        ProcessProvider, _NodeProcess
    ):
        return False
    jsii.kernel.provider = _background_provider(on_demand=os.environ.get(ON_DEMAND) == "1")
    return True


def node_started() -> bool:
    """Whether this process's jsii may have started its node process (then a fork would share it).

    False only before jsii is imported, or with the background provider whose node has not been
    started (``$AIRFLOW_CONSTRUCTS_NODE_ON_DEMAND`` and no call has needed it yet)."""
    if "jsii" not in sys.modules:
        return False
    import jsii

    provider = jsii.kernel.provider
    return not hasattr(provider, "_thread") or _started(provider)


def _started(provider: Any) -> bool:
    """Whether the background provider's node is starting or started."""
    return bool(provider._thread.is_alive() or provider._ready.is_set())


def start_node() -> None:
    """Start node now, in the background, when it was left to start on demand (nothing otherwise)."""
    if "jsii" in sys.modules:
        import jsii

        start = getattr(jsii.kernel.provider, "start", None)
        if start is not None:
            start()


def _provider_interface_matches(provider: type, node: type) -> bool:
    """Whether this jsii has the private members the background provider replaces or calls.

    cdk8s allows a range of jsii versions; on one whose provider looks different the package must
    still import, with node started the usual way.
    """
    return (
        "_process" in vars(provider)
        and callable(getattr(provider, "load", None))
        and all(callable(getattr(node, name, None)) for name in ("start", "send"))
    )


def _background_provider(*, on_demand: bool = False) -> Any:
    """A ``ProcessProvider`` whose node process starts in a thread (a function: jsii is imported late)."""
    from jsii._kernel.providers.process import ProcessProvider, _NodeProcess
    from jsii._kernel.types import LoadRequest, LoadResponse

    class BackgroundStart(ProcessProvider):
        """``ProcessProvider`` with node started by a thread, assembly loads queued until it is up."""

        def __init__(self) -> None:
            self._lock = threading.Lock()
            self._ready = threading.Event()
            self._pending: list[LoadRequest] = []
            self._node: _NodeProcess | None = None
            self._error: BaseException | None = None
            self._thread = threading.Thread(target=self._start, name="jsii-node-start", daemon=True)
            if not on_demand:
                self._thread.start()

        def _start(self) -> None:
            try:
                node = _NodeProcess()  # type: ignore[no-untyped-call]
                node.start()  # type: ignore[no-untyped-call]
                while True:
                    with self._lock:
                        if not self._pending:
                            self._node = node
                            self._ready.set()
                            return
                        request = self._pending.pop(0)
                    node.send(request, LoadResponse)
            except BaseException as err:  # raised again by the first call that needs node
                self._error = err
                self._ready.set()

        def start(self) -> None:  # node's thread, if not started yet (start_node)
            with self._lock:
                if not _started(self):
                    self._thread.start()

        @property
        def _process(self) -> _NodeProcess:
            if not self._ready.is_set():
                self.start()
            self._ready.wait()
            if self._error is not None:
                raise self._error
            assert self._node is not None
            return self._node

        def load(self, request: LoadRequest) -> LoadResponse:
            with self._lock:
                if not self._ready.is_set():
                    self._pending.append(request)
                    # jsii's JSIIAssembly.load does not read the answer; the load's error, if any,
                    # is raised by the first call that waits for node.
                    return LoadResponse(assembly=request.name, types=0)
            return super().load(request)

    return BackgroundStart()


def skip_argument_checks() -> bool:
    """Turn off jsii's run-time checks of argument types, as ``python -O`` does; False when this jsii
    has no such checks to turn off (nothing done).

    Every call into a jsii library (cdk8s, constructs, the CRD bindings) first checks its arguments
    against their annotations with typeguard: importing typeguard, and the checks, are about an
    eighth of the CPU of a cold ``airflow-constructs synth``. This library's commands (the
    ``airflow-constructs`` console script, ``python -m apps``) call jsii only from this package's
    own code, whose types strict mypy proves, with input that the props models have validated, so
    they turn the checks off; importing the package leaves them on, for a user's own program.
    """
    try:
        from jsii import _type_checking
    except ImportError:
        return False
    if not hasattr(_type_checking, "_resolved_check"):
        return False
    _type_checking._resolved_check = _unchecked
    return True


def _unchecked(*, argname: str, value: object, expected_type: Any) -> object:
    """jsii's ``check_type`` with the check left out."""
    return value
