"""``Cluster``: kubectl and helm against the test control plane, for tests to build on.

Every call is a ``kubectl`` or ``helm`` process (``.tools/bin/``, from ``make tools``) with the
control plane's admin kubeconfig, so a test sees exactly what a user would, warnings included.
Nothing here asserts: methods return a ``Result`` and the test decides what is a failure.

API (``cluster`` is the session fixture of ``tests/cluster/conftest.py``)::

    cluster.kubectl(*args, stdin=None, env=None) -> Result   # any kubectl command
    cluster.helm(*args) -> Result                            # any helm command
    cluster.apply(manifests_yaml, namespace=None, server_side=True, applyset=None,
                  prune_selector=None) -> Result             # kubectl apply -f - (see its docstring)
    cluster.new_namespace(name, restricted=True) -> str      # fresh namespace, PSS labels; deletes an old one
    cluster.delete_namespace(name, wait=True)                # wait: until it is gone
    cluster.get(kind, name=None, namespace=None) -> dict     # `kubectl get -o json`, parsed
    cluster.can_i(verb, resource, *, sa="ns:name", namespace, name=None, subresource=None) -> bool
    cluster.wait_for(what, probe, timeout=30.0) -> T          # polls probe() until truthy

``Result`` is ``(returncode, stdout, stderr)`` with ``ok`` and ``warnings`` (the ``Warning:`` lines
kubectl printed: admission warnings, deprecated APIs, PodSecurity ``warn`` mode).

An upgrade test on top of it::

    ns = cluster.new_namespace("airflow")
    assert cluster.apply(v1_yaml, namespace=ns, applyset="airflow").ok
    result = cluster.apply(v2_yaml, namespace=ns, applyset="airflow")   # prunes what v2 dropped
    assert result.ok and not result.warnings, result.stderr   # an immutable field shows up here
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from tests.cluster.control_plane import NEWEST, ROOT, Release

T = TypeVar("T")

RESTRICTED_LABELS = {
    f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn", "audit")
}  # fmt: skip
FIELD_MANAGER = "airflow-constructs-tests"


class Result(NamedTuple):
    """What a kubectl or helm process returned."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Warning:") or "] Warning:" in line]


@dataclass(frozen=True)
class Cluster:
    """A running control plane of ``release``, reached with its admin kubeconfig."""

    release: Release = NEWEST
    bin_dir: Path = ROOT / ".tools" / "bin"

    @property
    def kubeconfig(self) -> Path:
        return self.release.kubeconfig

    def _run(self, argv: list[str], stdin: str | None, env: dict[str, str] | None = None) -> Result:
        full_env = {**os.environ, **(env or {})}
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=300, env=full_env)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def kubectl(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
        """``kubectl --kubeconfig=<admin> *args``; ``env`` adds variables (``KUBECTL_APPLYSET``...)."""
        return self._run([str(self.bin_dir / "kubectl"), f"--kubeconfig={self.kubeconfig}", *args], stdin, env)

    def helm(self, *args: str) -> Result:
        return self._run([str(self.bin_dir / "helm"), f"--kubeconfig={self.kubeconfig}", *args], None)

    def apply(
        self,
        manifests_yaml: str,
        namespace: str | None = None,
        server_side: bool = True,
        applyset: str | None = None,
        prune_selector: str | None = None,
    ) -> Result:
        """``kubectl apply -f -`` of a multi-document YAML string.

        ``server_side`` (the default) applies with our field manager and without
        ``--force-conflicts``, so a field another manager owns is a conflict, not silently taken.
        Pruning (deleting what the new manifests no longer contain, as an upgrade does):
        server-side, ``applyset="<name>"`` keeps the set in a Secret of that name in ``namespace``
        (kubectl's ApplySet; kubectl refuses ``--prune -l`` with server-side apply); client-side
        (``server_side=False``), ``prune_selector`` (e.g. ``app.kubernetes.io/instance=airflow``)
        prunes by label. ``namespace`` is also the default for objects without one.
        """
        args = ["apply", "-f", "-"]
        if server_side:
            args += ["--server-side", f"--field-manager={FIELD_MANAGER}"]
        if namespace:
            args += ["--namespace", namespace]
        env = None
        if applyset:
            if not (server_side and namespace):
                raise ValueError("applyset needs server_side=True and the namespace of its parent Secret")
            args += ["--prune", f"--applyset={applyset}"]
            env = {"KUBECTL_APPLYSET": "true"}
        if prune_selector:
            if server_side:
                raise ValueError("prune_selector needs server_side=False: use applyset with server-side apply")
            args += ["--prune", "-l", prune_selector]
        return self.kubectl(*args, stdin=manifests_yaml, env=env)

    def get(self, kind: str, name: str | None = None, namespace: str | None = None) -> dict[str, Any]:
        """The object, or for ``name=None`` the List of that kind; raises if kubectl fails."""
        args = ["get", kind, *([name] if name else []), "-o", "json"]
        if namespace:
            args += ["--namespace", namespace]
        result = self.kubectl(*args)
        if not result.ok:
            raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr.strip()}")
        parsed: dict[str, Any] = json.loads(result.stdout)
        return parsed

    def new_namespace(self, name: str, restricted: bool = True) -> str:
        """A fresh, empty namespace (an existing one is deleted first), with the restricted Pod
        Security Standard in enforce, warn and audit mode unless ``restricted=False``."""
        self.delete_namespace(name)
        labels = RESTRICTED_LABELS if restricted else {}
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
        result = self.apply(json.dumps(namespace))
        if not result.ok or result.warnings:
            raise RuntimeError(f"namespace {name}: {result.stderr.strip()}")
        return name

    def delete_namespace(self, name: str, wait: bool = True, timeout: float = 90.0) -> None:
        """Delete it; with ``wait``, until the namespace controller has emptied and removed it
        (5-15 s: a name is reusable only then)."""
        result = self.kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=false")
        if not result.ok:
            raise RuntimeError(f"delete namespace {name}: {result.stderr.strip()}")
        if not wait:
            return
        self.wait_for(
            f"namespace {name} deleted",
            lambda: not self.kubectl("get", "namespace", name, "--ignore-not-found", "-o", "name").stdout.strip(),
            timeout,
        )

    def can_i(
        self,
        verb: str,
        resource: str,
        *,
        sa: str,
        namespace: str | None,
        name: str | None = None,
        subresource: str | None = None,
    ) -> bool:
        """What the real authorizer answers for ServiceAccount ``sa`` (``"<ns>:<name>"``).

        ``namespace=None`` asks cluster-wide (``--all-namespaces``). A subresource goes in
        ``subresource`` (``can-i create pods/exec`` would read ``exec`` as a name).
        """
        args = ["auth", "can-i", verb, resource + (f"/{name}" if name else "")]
        args += [f"--as=system:serviceaccount:{sa}"]
        args += ["--all-namespaces"] if namespace is None else ["--namespace", namespace]
        if subresource:
            args += [f"--subresource={subresource}"]
        result = self.kubectl(*args)
        answer = result.stdout.strip()
        # can-i exits 1 for "no"; anything else (an unknown resource, a bad flag) is an error.
        # A resource kubectl does not know (a typo) is only a warning, and always "no".
        if answer not in ("yes", "no") or result.returncode not in (0, 1) or result.stderr.strip():
            raise RuntimeError(f"kubectl {' '.join(args)}: {result.stdout}{result.stderr}")
        return answer == "yes"

    def wait_for(self, what: str, probe: Callable[[], T], timeout: float = 30.0) -> T:
        """Poll ``probe`` until it returns something truthy and return that; raise after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not after {timeout:.0f} s")
            time.sleep(0.2)
