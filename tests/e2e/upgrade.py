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
* ``from_snapshot``: the kept database is first made a copy of a snapshot (``snapshot_database``:
  PostgreSQL's ``CREATE DATABASE ... TEMPLATE``), so one v1 install serves several later installs
  (a scenario, its self-test, another scenario from the same version) instead of one v1 each.
* ``start_jobs()`` + ``start_api_server()``: the Jobs and the api-server's pod alone, for the
  self-tests, whose checks only read through the REST API and the ORM.
"""

from __future__ import annotations

import base64
import dataclasses
import fcntl
import io
import logging
import os
import re
import signal
import subprocess
import time
import types
import urllib.error
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.harness import SUBSTITUTED, Deps, Harness, HarnessError

log = logging.getLogger("e2e")
MIGRATE = "airflow-migrate"


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


def run_backup(dist_dir: Path, store: SecretStore, deps: Deps, backups: Path) -> Path:
    """Run the backup CronJob's container command (``bash -c <script>``) as written, with
    setup_deps.sh's PostgreSQL client: ``--host=<svc>.<ns>.svc --port=5432`` point at the local
    server, ``/backups`` (its PVC) is ``backups``, the env is the container's (PGPASSWORD from the
    kept Secret). Returns the dump file it wrote."""
    docs = [d for f in sorted(dist_dir.glob("*.k8s.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    cron = next(d for d in docs if d["kind"] == "CronJob" and d["metadata"]["name"].endswith("-postgres-backup"))
    c = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    ns = cron["metadata"]["namespace"]
    script = " ".join(c["command"][2:])
    script, found = re.subn(
        rf"--host=[\w-]+\.{ns}\.svc(\.cluster\.local)? --port=5432", f"--host=127.0.0.1 --port={deps.pg_port}", script
    )
    if found != 1:
        raise HarnessError(cron["metadata"]["name"], f"no --host=<svc>.{ns}.svc --port=5432 in {script!r}")
    script = script.replace("/backups", str(backups))
    env = {"PATH": f"{deps.pg_bin}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    for e in c.get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        env[e["name"]] = store.values()[ref["name"]][ref["key"]] if ref else e["value"]
    backups.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([*c["command"][:2], script], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise HarnessError(
            f"{cron['metadata']['name']}/{c['name']}", f"exited {done.returncode}: {done.stderr[-2000:]}"
        )
    dumps = sorted(backups.glob("*.dump"))
    if len(dumps) != 1:
        raise HarnessError(
            cron["metadata"]["name"], f"wrote {dumps}, want one .dump file; stderr: {done.stderr[-2000:]}"
        )
    return dumps[0]


def venv_deps(deps: Deps, version: str | None) -> Deps:
    """``deps`` with the Airflow venv of ``version`` (None: the main one, E2E_AIRFLOW_VERSION)."""
    if version is None:
        return deps
    venv = deps.venv.parent / f"airflow-venv-{version}"
    if not (venv / "bin" / "airflow").exists():
        raise HarnessError("e2e venv", f"{venv} missing: setup_deps.sh installs E2E_UPGRADE_FROM (`make e2e`)")
    return dataclasses.replace(deps, venv=venv)


def snapshot_database(deps: Deps, db: str, snapshot: str) -> None:
    """Keep a copy of ``db`` as ``snapshot`` (``CREATE DATABASE ... TEMPLATE``, a file-level copy of a
    few seconds). ``db`` must have no connection: call it once the install that used it has stopped."""
    deps.psql(f'DROP DATABASE IF EXISTS "{snapshot}" WITH (FORCE)')
    deps.psql(f'CREATE DATABASE "{snapshot}" TEMPLATE "{db}"')
    log.info("database %s kept as the snapshot %s", db, snapshot)


def drop_snapshot(deps: Deps, snapshot: str) -> None:
    deps.psql(f'DROP DATABASE IF EXISTS "{snapshot}" WITH (FORCE)')


class UpgradeHarness(Harness):
    """The harness, started on what an earlier install left in the namespace (see the module doc)."""

    def __init__(
        self,
        dist_dir: Path,
        *,
        store: SecretStore,
        keep_database: bool,
        venv: str | None = None,
        restore: Path | None = None,
        from_snapshot: str | None = None,
        **kw: Any,
    ) -> None:
        kw["deps"] = venv_deps(kw.get("deps") or Deps.from_setup_script(), venv)
        super().__init__(dist_dir, **kw)
        self.store = store
        self.keep_database = keep_database
        self.restore = restore
        self.from_snapshot = from_snapshot
        if from_snapshot is not None and not keep_database:
            raise HarnessError(self.label, "from_snapshot is the kept database: it needs keep_database=True")
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
            if self.restore is not None:
                self._restore(self.restore)
            return
        for pod in (p for p in self.plan.pods if p.substitute == "postgres"):
            c = pod.spec["containers"][0]
            env = self._resolve_env(c, {}, pod, f"{pod.workload}/{c['name']}", paths=None)
            user = env.get("POSTGRES_USER", "postgres")
            db = env.get("POSTGRES_DB", user)
            if self.from_snapshot is not None:
                self.deps.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                self.deps.psql(f'CREATE DATABASE "{db}" OWNER "{user}" TEMPLATE "{self.from_snapshot}"')
                log.info("[%s] database %s: a copy of the snapshot %s", self.label, db, self.from_snapshot)
            if not self.deps.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
                raise HarnessError(pod.workload, f"database {db} should have been kept from the earlier install")
            quoted = env.get("POSTGRES_PASSWORD", "").replace("'", "''")
            self.deps.psql(f"ALTER ROLE \"{user}\" LOGIN PASSWORD '{quoted}'")
            self._postgres = {"user": user, "db": db}
            log.info("[%s] %s: %s, database %s kept", self.label, pod.workload, SUBSTITUTED["postgres"], db)

    def start_jobs(self) -> None:
        """``start()`` up to the Jobs (secrets, database, every Job); no workload is started, but
        every container is laid out, so ``python()`` runs in a component's environment."""
        assert self.workdir is not None, "use the Harness as a context manager"
        self.deps.harness_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.deps.harness_dir / "lock", "w")  # noqa: SIM115 -- held until __exit__
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._check_image_versions()
        self.prepare()
        self._check_ports_free()
        self._prepare_postgres()
        for job in self.plan.jobs:
            if job.name in self.containers:
                self._run_pods([job], until="complete")

    def start_api_server(self) -> None:
        """After ``start_jobs()``: the api-server's pod alone (its init containers, then until ready;
        Airflow 2's webserver pod in its place).
        Enough for the checks' REST reads; the scheduler, dag-processor and triggerer stay stopped, so
        a self-test costs one component's start-up instead of every one's."""
        pod = self.plan.pod_running("api-server") or self.plan.pod_running("webserver")  # Airflow 2: webserver
        if pod is None or pod.name not in self.containers:
            raise HarnessError(self.label, "no pod runs `airflow api-server` or `airflow webserver`")
        self._run_pods([pod], until="ready")

    @property
    def database_name(self) -> str:
        """The embedded PostgreSQL's database (``POSTGRES_DB``), once ``_prepare_postgres`` ran."""
        assert self._postgres is not None, "start the harness first"
        return self._postgres["db"]

    def _restore(self, dump: Path) -> None:
        """docs/upgrade.md: load the dump into the new, empty database before the migration Job runs,
        as the database's own role (``pg_restore`` of setup_deps.sh's PostgreSQL, password auth)."""
        assert self._postgres is not None
        user, db = self._postgres["user"], self._postgres["db"]
        password = self.store.values()[self.database_secret[0]][self.database_secret[1]]
        cmd = [str(self.deps.pg_bin / "pg_restore"), "--host=127.0.0.1", f"--port={self.deps.pg_port}"]
        cmd += [f"--username={user}", f"--dbname={db}", "--no-owner", "--exit-on-error", str(dump)]
        done = subprocess.run(cmd, env={"PGPASSWORD": password}, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise HarnessError("pg_restore", done.stderr[-2000:])
        log.info("[%s] restored %s into the new database %s", self.label, dump.name, db)

    @property
    def database_secret(self) -> tuple[str, str]:
        """(Secret, key) of the embedded PostgreSQL's password (its POSTGRES_PASSWORD)."""
        for pod in (p for p in self.plan.pods if p.substitute == "postgres"):
            for e in pod.spec["containers"][0].get("env", []):
                if e["name"] == "POSTGRES_PASSWORD":
                    ref = e["valueFrom"]["secretKeyRef"]
                    return ref["name"], ref["key"]
        raise HarnessError(self.label, "no embedded PostgreSQL with POSTGRES_PASSWORD from a Secret")

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


@dataclass
class Interrupted:
    """What ``start_interrupted`` saw: the killed migration, the waiters, the re-run."""

    killed_after: list[str]  # the migration's "Running upgrade" lines before the kill
    revision_after_kill: str
    waiting: dict[str, int | None]  # wait-for-migrations container -> exit code after `settle` s (None: waiting)
    mains_started_while_waiting: list[str]
    rerun: list[int | None]  # exit codes of the migration Job's pods: the killed one, the re-run
    waiting_after_rerun: dict[str, int | None]


def waiting_problems(waiting: dict[str, int | None]) -> list[str]:
    """The check of scenario 5: every Airflow component still waits for the migrations."""
    if not waiting:
        return ["no wait-for-migrations container ran"]
    return [f"{name}: exited with {rc} instead of waiting" for name, rc in sorted(waiting.items()) if rc is not None]


class InterruptibleHarness(UpgradeHarness):
    """Kills the migration Job's process once it has applied ``kill_after`` revisions, starts the
    components' ``wait-for-migrations`` init containers, then re-runs the Job (a new pod of it)."""

    def start_interrupted(self, kill_after: int = 3, settle: float = 30) -> Interrupted:
        """Long because it is one sequence of the scenario, step by step, with what each step saw."""
        assert self.workdir is not None, "use the Harness as a context manager"
        self.deps.harness_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.deps.harness_dir / "lock", "w")  # noqa: SIM115 -- held until __exit__
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._check_image_versions()
        self.prepare()
        self._check_ports_free()
        self._prepare_postgres()
        job = next(j for j in self.plan.jobs if j.workload.startswith(f"{MIGRATE}-") and j.name in self.containers)
        (main,) = [c for c in self.containers[job.name] if not c.spec.init]
        proc = self._spawn(main)
        deadline = time.monotonic() + 300
        while len(ran := [ln for ln in proc.output() if "Running upgrade" in ln]) < kill_after:
            if proc.popen.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(main.spec.component, f"finished before {kill_after} revisions:\n{proc.tail()}")
            time.sleep(0.05)
        os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()
        log.info("[%s] killed the migration after %d revisions", self.label, len(ran))
        revision = self.deps.psql("SELECT version_num FROM alembic_version", db=self._postgres_db())
        waiters = [
            (c, self._spawn(c))
            for pod in self.plan.pods
            for c in self.containers.get(pod.name, [])
            if c.spec.init and "check-migrations" in c.argv
        ]
        time.sleep(settle)
        waiting = {f"{c.spec.workload}/{c.spec.name}": p.popen.poll() for c, p in waiters}
        mains = [p.spec.component for p in self.procs if not p.spec.init and p.spec.pod != job.name]
        self._run_pods([job], until="complete")
        rerun = [p.popen.returncode for p in self.procs if p.spec.pod == job.name]
        deadline = time.monotonic() + 120
        while any(p.popen.poll() is None for _, p in waiters) and time.monotonic() < deadline:
            time.sleep(1)
        after = {f"{c.spec.workload}/{c.spec.name}": p.popen.poll() for c, p in waiters}
        return Interrupted(ran, revision, waiting, mains, rerun, after)

    def start_rest(self, *, api_server_only: bool = False) -> None:
        """After ``start_interrupted``: the other Jobs, then every pod (its init containers again), then
        health; with ``api_server_only``, the api-server's pod alone (``start_api_server``)."""
        migrate = [j for j in self.plan.jobs if j.workload.startswith(f"{MIGRATE}-")]
        for job in self.plan.jobs:
            if job.name in self.containers and job not in migrate:
                self._run_pods([job], until="complete")
        if api_server_only:
            self.start_api_server()
            return
        self._run_pods([p for p in self.plan.pods if p.name in self.containers], until="ready")
        self._wait_health()

    def _postgres_db(self) -> str:
        assert self._postgres is not None
        return self._postgres["db"]
