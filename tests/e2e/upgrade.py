"""What an upgrade keeps, for the end-to-end harness (``test_upgrade_e2e.py``, issue 18).

In a cluster, an upgrade applies new manifests next to what the namespace already holds: the
Secrets (the bootstrap Job only adds missing keys) and the database's volume. The plain harness
starts every install from nothing (fresh generated secrets, ``POSTGRES_DB`` recreated empty);
``UpgradeHarness`` starts one *on top of* an earlier install instead:

* ``SecretStore`` is the namespace's Secrets between installs. The bootstrap Job's own
  ``ensure()`` (from the ConfigMap that ships the script, as in the cluster) runs against it, in
  place of the Kubernetes API: existing keys are kept, missing ones generated.
* ``keep_database=True``: the substituted PostgreSQL's database is kept as the volume would be;
  only the role's password is (re)set to the Secret's value, as the postgres image's data dir keeps it.
* ``venv``: the Airflow venv of the image's version (setup_deps.sh installs the upgrade-from
  versions side by side in ``.cache/e2e/airflow-venv-<version>``).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
import subprocess
import time
import types
import urllib.error
from email.message import Message
from pathlib import Path
from typing import Any

from tests.e2e.harness import SUBSTITUTED, Deps, Harness, HarnessError

log = logging.getLogger("e2e")


class SecretStore:
    """The namespace's Secrets as the API server keeps them, with the few calls ``ensure()`` makes
    (GET, POST, merge PATCH with optimistic concurrency on ``resourceVersion``)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, str]] = {}  # name -> key -> base64 value
        self.versions: dict[str, int] = {}
        self.namespace = "airflow"

    def values(self) -> dict[str, dict[str, str]]:
        """Decoded values, as the pods see them."""
        return {n: {k: base64.b64decode(v).decode() for k, v in d.items()} for n, d in self.data.items()}

    def put(self, name: str, key: str, value: str) -> None:
        """Change a value by hand (``kubectl edit``): what the self-tests use to break an upgrade."""
        self.data.setdefault(name, {})[key] = base64.b64encode(value.encode()).decode()
        self.versions[name] = self.versions.get(name, 0) + 1

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        namespace: str | None = None,
    ) -> Any:
        name = path.lstrip("/") or (body or {}).get("metadata", {}).get("name", "")
        if method == "GET":
            if name not in self.data:
                raise urllib.error.HTTPError(path, 404, "Not Found", Message(), io.BytesIO(b""))
            return {"metadata": {"resourceVersion": str(self.versions[name])}, "data": dict(self.data[name])}
        if method == "POST" and name not in self.data:
            self.data[name] = dict(body["data"])
        elif method == "PATCH" and body["metadata"]["resourceVersion"] == str(self.versions.get(name)):
            self.data[name].update(body["data"])
        else:
            raise urllib.error.HTTPError(path, 409, "Conflict", Message(), io.BytesIO(b""))
        self.versions[name] = self.versions.get(name, 0) + 1
        return {}


def venv_deps(deps: Deps, version: str | None) -> Deps:
    """``deps`` with the Airflow venv of ``version`` (None: the main one, E2E_AIRFLOW_VERSION)."""
    if version is None:
        return deps
    venv = deps.venv.parent / f"airflow-venv-{version}"
    if not (venv / "bin" / "airflow").exists():
        raise HarnessError("e2e venv", f"{venv} missing: setup_deps.sh installs E2E_UPGRADE_FROM (`make e2e`)")
    return dataclasses.replace(deps, venv=venv)


class UpgradeHarness(Harness):
    """The harness, started on what an earlier install left in the namespace (see the module doc)."""

    def __init__(
        self, dist_dir: Path, *, store: SecretStore, keep_database: bool, venv: str | None = None, **kw: Any
    ) -> None:
        kw["deps"] = venv_deps(kw.get("deps") or Deps.from_setup_script(), venv)
        super().__init__(dist_dir, **kw)
        self.store = store
        self.keep_database = keep_database
        self.bootstrap_report: list[str] = []

    def _generate_secrets(self) -> None:
        if self.plan.bootstrap_spec is not None and self.plan.bootstrap_script is not None:
            module = types.ModuleType("bootstrap_secrets")
            exec(compile(self.plan.bootstrap_script, "bootstrap_secrets.py", "exec"), module.__dict__)
            for secret in self.plan.bootstrap_spec["secrets"]:
                self.bootstrap_report.append(module.ensure(self.store, secret))
            log.info(
                "[%s] secrets bootstrap (its ensure(), on the kept Secrets): %s", self.label, self.bootstrap_report
            )
        for name, values in self.store.values().items():
            self.secrets.setdefault(name, {}).update(values)

    def _prepare_postgres(self) -> None:
        if not self.keep_database:
            super()._prepare_postgres()
            return
        for pod in (p for p in self.plan.pods if p.substitute == "postgres"):
            c = pod.spec["containers"][0]
            env = self._resolve_env(c, {}, pod, f"{pod.workload}/{c['name']}", paths=None)
            user = env.get("POSTGRES_USER", "postgres")
            db = env.get("POSTGRES_DB", user)
            if not self.deps.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
                raise HarnessError(pod.workload, f"database {db} should have been kept from the earlier install")
            quoted = env.get("POSTGRES_PASSWORD", "").replace("'", "''")
            self.deps.psql(f"ALTER ROLE \"{user}\" LOGIN PASSWORD '{quoted}'")
            self._postgres = {"user": user, "db": db}
            log.info("[%s] %s: %s, database %s kept", self.label, pod.workload, SUBSTITUTED["postgres"], db)

    @property
    def api_url(self) -> str:
        """Airflow 2's webserver stands where Airflow 3's api-server does (same Service)."""
        pod = self.plan.pod_running("webserver")
        return super().api_url if pod is None else self._service_of(pod.labels)

    def _service_of(self, labels: dict[str, str]) -> str:
        for svc in self.plan.services:
            selector = svc["spec"].get("selector") or {}
            if selector and selector.items() <= labels.items():
                return self.service_url(svc["metadata"]["name"])
        raise HarnessError(self.label, f"no Service selects {labels}")

    def _wait_health(self, timeout: float = 90) -> None:
        if self.plan.pod_running("webserver") is None:
            super()._wait_health(timeout)
            return
        # Airflow 2: the webserver's /health reports the metadatabase and the scheduler.
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            health = self.request("GET", "/health", auth=False)
            bad = {k: v for k, v in health.items() if k in ("metadatabase", "scheduler") and v["status"] != "healthy"}
            if not bad:
                return
            if time.monotonic() > deadline:
                raise HarnessError("webserver", f"not healthy in /health: {bad}")
            time.sleep(1)

    def job_runs(self, base: str) -> dict[str, int | None]:
        """Pod name -> exit code of every run of the one-shot Job ``<base>-<hash>`` in this install."""
        return {
            p.spec.pod: p.popen.returncode
            for p in self.procs
            if p.spec.pod.startswith(f"{base}-") and p.spec.pod.removeprefix(f"{base}-")[:-2].isalnum()
        }

    def python(self, code: str, component: str = "scheduler", timeout: float = 120) -> str:
        """Run ``code`` with the venv's Python in the environment of the ``component`` container
        (its Secrets, its airflow.cfg): how a process of this install sees the database."""
        for containers in self.containers.values():
            for c in containers:
                if c.spec.name == component and not c.spec.init:
                    done = subprocess.run(
                        [str(self.deps.venv / "bin" / "python"), "-c", code],
                        env=c.env,
                        cwd=c.cwd,
                        capture_output=True,
                        text=True,
                        timeout=timeout,
                        **self.deps.process_identity(),
                    )
                    if done.returncode:
                        raise HarnessError(component, f"python failed:\n{done.stderr[-2000:]}")
                    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        raise HarnessError(self.label, f"no container {component!r}")
