"""Run an app's synthesized manifests (``dist/<app>/*.k8s.yaml``) as local processes: the end-to-end harness.

Every container of every workload is started as a local process *as written* in the manifests
(command, args, env with ``$(VAR)`` expansion, ``secretKeyRef``/``configMapKeyRef``, mounted
ConfigMaps, Secrets and emptyDirs), init containers first and in order, Jobs before the
workloads, and the harness waits on the probes the manifests declare. It needs no cluster,
no images and no cdk8s: plain Python reading YAML. ``make e2e`` installs the real
dependencies (``tests/e2e/setup_deps.sh``): Airflow from PyPI at the image's version in a
venv, Debian's PostgreSQL and Redis.

What is NOT as written -- every rewrite and substitution the harness makes, and nothing else:

=====================  ===========================================================================
what                   how
=====================  ===========================================================================
PID-1 wrapper          a command starting with exactly ``/usr/bin/dumb-init --`` loses that prefix;
                       the rest (``airflow ...``) runs from the e2e venv's ``bin/`` (first on PATH).
Service DNS            ``<svc>.<ns>.svc[.cluster.local][:port]`` in env values, command/args, probe
                       commands and ConfigMap contents becomes ``127.0.0.1:<local port>`` (and
                       libpq's ``host=<svc>.<ns>.svc port=<n>`` becomes ``host=127.0.0.1
                       port=<local port>``). The
                       local port is the container port the Service targets (pods listen on
                       their own container ports, so no ``--port`` argument is changed), or, for
                       the substituted PostgreSQL, the port of setup_deps.sh's server. A
                       ``*.<ns>.svc`` name that is no Service of the app, or a port the Service
                       does not have, is an error (it would not resolve/connect in the cluster).
                       An app that joins a core started by another harness (``Harness(core=...)``,
                       a workers-only app) resolves the core's Services the same way, by their
                       names in the core's namespace.
                       Bare names (``airflow-api-server:8080``) are not rewritten: the library
                       uses FQDNs.
Paths                  each container gets its own root directory ``<tmp>/pods/<pod>/<container>/
                       root``; absolute paths starting with one of its mount paths, its image's
                       workdir/HOME or ``$AIRFLOW_HOME`` (``/opt/airflow``, ``/tmp``, ...) are
                       prefixed with that root, in the same four places as above. Mounts are
                       symlinks inside the root: emptyDirs (and PVCs) are one directory per pod,
                       shared by its containers; ConfigMap and Secret volumes are materialized
                       files (mode 0644). Everything else in the root is read-only when the
                       container says ``readOnlyRootFilesystem``.
Image environment      what the image and kubelet would provide: ``PATH`` (venv bin first),
                       ``HOME`` and ``AIRFLOW_HOME`` of the image (mapped), ``HOSTNAME`` = the pod
                       name, ``LANG``/``LC_ALL`` = C.UTF-8, and ``TMPDIR`` = the mapped ``/tmp``
                       (a process cannot be chrooted, so ``/tmp`` is per pod this way).
DAGs                   the image is modelled as ``apache/airflow`` with the test DAGs copied to
                       ``/opt/airflow/dags`` (the usual ``COPY dags/`` image).
PostgreSQL             pods of the ``postgres`` image are not run (their entrypoint initializes the
                       data dir): setup_deps.sh's Debian PostgreSQL stands in. The harness sets
                       the manifest's ``POSTGRES_USER`` password to the generated value (password
                       auth is enforced for it) and recreates ``POSTGRES_DB`` empty.
PgBouncer              ``apache/airflow:airflow-pgbouncer-*`` containers run as written, their
                       ``pgbouncer`` being Debian's (setup_deps.sh), not the image's build.
StatsD exporter        ``prom/statsd-exporter`` is a Go binary with no Debian or PyPI package:
                       ``tests/e2e/statsd_exporter.py`` is copied to the image's
                       ``/bin/statsd_exporter`` and runs as its ENTRYPOINT with the container's
                       args as written: the same flags (an unknown one fails), the mounted
                       mapping config (a bad rule fails), StatsD over UDP in, ``/metrics`` out.
Secrets                the bootstrap Job talks to the Kubernetes API, so it is not run: its own
                       ``generate()`` (from the ConfigMap that ships the script) makes every key
                       of its ``spec.json`` that the harness was not given, as the Job would.
One pod per workload   ``replicas`` (0, 2 or autoscaled) is ignored; each workload runs one pod
                       named ``<workload>-0``. No restarts: a main container that exits, an init
                       container or Job that fails, or a probe that never passes is a failure.
Probes                 the readiness probe (else startup, else liveness) is polled until it passes:
                       HTTP/TCP every second, exec every ``min(periodSeconds, 8)`` s after
                       ``min(initialDelaySeconds, 8)`` s (an ``airflow jobs check`` costs 2-3 s
                       of CPU). Exec probe commands get Kubernetes' static ``$(VAR)`` expansion.
User                   processes run as the unprivileged ``airflow-e2e`` user when the harness
                       runs as root (otherwise as the current user), not as UID 50000/999.
=====================  ===========================================================================

Everything shares one network namespace and one hostname: two pods declaring the same
containerPort (Celery worker sets all serve logs on 8793) cannot both listen, so the harness
reports which pod owns such a port (``port_owner``); the same holds between a core and an app
that joins it (its worker's log server loses 8793 to the core's worker). Kubernetes objects other
than workloads, Services, ConfigMaps and the bootstrap Job's spec are ignored (RBAC, PDBs,
NetworkPolicies, KEDA, ...). Processes, probes and temporary files are removed on exit, failure or Ctrl-C;
the container output is kept in ``.cache/e2e/harness/logs/<label>/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("e2e")

REPO = Path(__file__).resolve().parents[2]
SETUP_DEPS = REPO / "tests" / "e2e" / "setup_deps.sh"
DAGS = REPO / "tests" / "e2e" / "dags"
LOCAL = "127.0.0.1"
DUMB_INIT = ["/usr/bin/dumb-init", "--"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# An `airflow jobs check` exec probe costs 2-3 s of CPU: on 2 cores, polling it faster slows start-up.
EXEC_PROBE_EVERY = 8
# How the api-server names the trigger log it fetched from a triggerer's log server.
TRIGGER_LOG_SOURCE = ".log.trigger."
# Lines of a component's output that explain a failure: error-level log lines and tracebacks.
ERROR_LINE = re.compile(r"\[(error|critical) *\]|^\s*[\w.]+(Error|Exception)\b|\berror: ", re.I)

Doc = dict[str, Any]


class HarnessError(Exception):
    """A component of the app did not work: which one, and why."""

    def __init__(self, component: str, reason: str) -> None:
        super().__init__(f"{component}: {reason}")
        self.component = component
        self.reason = reason


# --------------------------------------------------------------------------------------------
# What the harness assumes about images it does not pull
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageModel:
    """The parts of an image a container relies on: its ENV, WORKDIR, (Airflow) DAG folder, and the
    ENTRYPOINT a container without ``command`` runs, with the files it needs (in-image path -> file
    of this repository copied there)."""

    env: dict[str, str]
    workdir: str
    dags_dir: str | None = None
    entrypoint: tuple[str, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)


IMAGES: dict[str, ImageModel] = {
    "apache/airflow": ImageModel(
        env={"AIRFLOW_HOME": "/opt/airflow", "HOME": "/home/airflow"},
        workdir="/opt/airflow",
        dags_dir="/opt/airflow/dags",
    ),
    "redis": ImageModel(env={"HOME": "/data"}, workdir="/data"),
    # A Go binary with no Debian or PyPI package: a stand-in script takes its place (see its docstring).
    "prom/statsd-exporter": ImageModel(
        env={},
        workdir="/",
        entrypoint=("python", "/bin/statsd_exporter"),
        files={"/bin/statsd_exporter": REPO / "tests" / "e2e" / "statsd_exporter.py"},
    ),
}
# The Airflow project publishes its PgBouncer images under apache/airflow with these tags.
PGBOUNCER_TAGS = ("airflow-pgbouncer-",)
# Images whose pods are replaced by a local service instead of being run.
SUBSTITUTED = {"postgres": "setup_deps.sh's Debian PostgreSQL"}


def image_repo_tag(image: str) -> tuple[str, str]:
    """``docker.io/library/redis:7@sha256:..`` -> (``redis``, ``7``)."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    repo, tag = ref.rsplit(":", 1) if ":" in last else (ref, "")
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo, tag


# --------------------------------------------------------------------------------------------
# Local dependencies (setup_deps.sh)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deps:
    """Where setup_deps.sh put things: read from ``setup_deps.sh env``."""

    user: str
    venv: Path
    pg_bin: Path
    pg_port: int
    harness_dir: Path  # the run lock and the kept container output (logs/<label>/)

    @classmethod
    def from_setup_script(cls) -> Deps:
        out = subprocess.run(["bash", str(SETUP_DEPS), "env"], check=True, capture_output=True, text=True).stdout
        env = dict(re.findall(r"^export (\w+)=(.*)$", out, re.M))
        return cls(
            user=env["E2E_USER"],
            venv=Path(env["E2E_VENV"]),
            pg_bin=Path(env["E2E_PG_BIN"]),
            pg_port=int(env["E2E_PG_PORT"]),
            harness_dir=Path(env["E2E_HARNESS_DIR"]),
        )

    @classmethod
    def without_processes(cls) -> Deps:
        """For the unit tests that lay out pods and start nothing: the files belong to the user running
        the test (the e2e user exists only once ``make e2e`` has made it), and no venv is needed."""
        return cls(getpass.getuser(), Path("/nonexistent/venv"), Path("/usr/bin"), 15432, Path("/nonexistent/harness"))

    def airflow_version(self) -> str:
        python = self.venv / "bin" / "python"
        if not python.exists():
            raise HarnessError("e2e venv", f"{python} missing: run `make e2e` (tests/e2e/setup_deps.sh start)")
        code = "import importlib.metadata as m; print(m.version('apache-airflow'))"
        return subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip()

    def psql(self, sql: str, db: str = "postgres") -> str:
        cmd = [str(self.pg_bin / "psql"), "-h", LOCAL, "-p", str(self.pg_port), "-U", "postgres", "-d", db]
        res = subprocess.run(
            [*cmd, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql], capture_output=True, text=True, timeout=60
        )
        if res.returncode:
            raise HarnessError("postgres (setup_deps.sh)", f"psql failed: {res.stderr.strip()}")
        return res.stdout.strip()

    def process_identity(self) -> dict[str, Any]:
        """Popen arguments that drop to the unprivileged user when running as root."""
        if os.geteuid() != 0:
            return {}
        import pwd

        try:
            entry = pwd.getpwnam(self.user)
        except KeyError:
            raise HarnessError("e2e user", f"no user {self.user}: run `make e2e` (setup_deps.sh creates it)") from None
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


# --------------------------------------------------------------------------------------------
# $(VAR) expansion and the rewrites
# --------------------------------------------------------------------------------------------


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion: defined names are replaced, ``$$`` is a literal ``$``,
    undefined references stay as written."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 >= len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            end = text.find(")", i + 2)
            if end == -1:
                out.append(text[i:])
                break
            name = text[i + 2 : end]
            out.append(env[name] if name in env else text[i : end + 1])
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_DNS_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
SVC_DNS = re.compile(rf"(?<![\w.-])({_DNS_LABEL})\.({_DNS_LABEL})\.svc(?:\.cluster\.local)?(?::(\d+))?(?![\w-])")
LIBPQ_HOST_PORT = re.compile(rf"\bhost=({_DNS_LABEL}\.{_DNS_LABEL}\.svc(?:\.cluster\.local)?) port=(\d+)\b")


@dataclass
class ServiceMap:
    """``<svc>.<ns>.svc:<port>`` -> ``127.0.0.1:<local port>``."""

    ports: dict[tuple[str, str], dict[int, int | None]] = field(default_factory=dict)

    def rewrite(self, text: str, where: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name, ns, port = m.group(1), m.group(2), m.group(3)
            if (name, ns) not in self.ports:
                raise HarnessError(where, f"{m.group(0)!r} names no Service of this app (it would not resolve)")
            if port is None:
                return LOCAL
            svc_ports = self.ports[(name, ns)]
            if int(port) not in svc_ports:
                raise HarnessError(where, f"{m.group(0)!r}: Service {ns}/{name} has no port {port}")
            local = svc_ports[int(port)]
            if local is None:
                raise HarnessError(where, f"{m.group(0)!r}: Service {ns}/{name} selects no pod with that port")
            return f"{LOCAL}:{local}"

        def keywords(m: re.Match[str]) -> str:
            # libpq's keyword form (PgBouncer's [databases]): the port is its own word, not ``:port``.
            host, port = SVC_DNS.sub(sub, f"{m.group(1)}:{m.group(2)}").rsplit(":", 1)
            return f"host={host} port={port}"

        return SVC_DNS.sub(sub, LIBPQ_HOST_PORT.sub(keywords, text))


class PathMap:
    """In-container absolute paths under the given prefixes -> the same path under ``root``."""

    def __init__(self, root: Path, prefixes: set[str]) -> None:
        self.root = root
        clean = sorted({p.rstrip("/") for p in prefixes if p.startswith("/") and p.rstrip("/")}, key=len, reverse=True)
        alternation = "|".join(re.escape(p) for p in clean)
        self.pattern = re.compile(rf"(?<![\w.\-/~$])({alternation})(?=/|$|[^\w.\-])") if clean else None

    def rewrite(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: f"{self.root}{m.group(1)}", text)

    def host(self, path: str) -> Path:
        """Where an in-container absolute path lives on this host."""
        return Path(f"{self.root}{path}")


# --------------------------------------------------------------------------------------------
# The plan: what runs, read from the manifests
# --------------------------------------------------------------------------------------------


@dataclass
class ContainerSpec:
    workload: str  # e.g. airflow-scheduler
    pod: str  # e.g. airflow-scheduler-0
    name: str
    init: bool
    raw: Doc
    image: ImageModel

    @property
    def component(self) -> str:
        return f"{self.workload}/{self.name}" + (" (init container)" if self.init else "")

    def args_of_command(self) -> list[str]:
        """Command + args as written (no expansion), for recognising what a container runs."""
        return [*self.raw.get("command", []), *self.raw.get("args", [])]


@dataclass
class PodSpec:
    kind: str
    workload: str
    name: str
    spec: Doc
    labels: dict[str, str]
    claim_templates: list[str]
    substitute: str | None = None  # image repo replaced by a local service
    skip_reason: str | None = None

    def containers(self, images: dict[str, ImageModel]) -> list[ContainerSpec]:
        out = []
        for init, key in ((True, "initContainers"), (False, "containers")):
            for c in self.spec.get(key, []):
                repo, _ = image_repo_tag(c["image"])
                image = images.get(repo)
                if image is None:
                    raise HarnessError(
                        f"{self.workload}/{c['name']}",
                        f"image {c['image']!r}: the harness has no model of it (add it to IMAGES or SUBSTITUTED)",
                    )
                out.append(ContainerSpec(self.workload, self.name, c["name"], init, c, image))
        return out


@dataclass
class AppPlan:
    docs: list[Doc]
    namespace: str
    configmaps: dict[str, dict[str, str]]
    services: list[Doc]
    jobs: list[PodSpec]
    pods: list[PodSpec]
    bootstrap_spec: Doc | None
    bootstrap_script: str | None

    @classmethod
    def load(cls, dist_dir: Path, kube_api: bool = False) -> AppPlan:
        """``kube_api``: a Kubernetes API is there (``tests/e2e/kubelet.py``), so pods that mount a
        service-account token are run too (the bootstrap Job still is not); else they are an error."""
        files = sorted(Path(dist_dir).glob("*.k8s.yaml"))
        if not files:
            raise HarnessError(str(dist_dir), "no *.k8s.yaml manifests")
        docs = [d for f in files for d in yaml.safe_load_all(f.read_text()) if d]
        namespaces = {d["metadata"].get("namespace", "default") for d in docs}
        configmaps = {d["metadata"]["name"]: dict(d.get("data") or {}) for d in docs if d["kind"] == "ConfigMap"}
        bootstrap = next((cm for cm in configmaps.values() if {"spec.json", "bootstrap_secrets.py"} <= set(cm)), None)
        jobs, pods = [], []
        for d in docs:
            kind, name = d["kind"], d["metadata"]["name"]
            if kind not in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                continue
            tmpl = d["spec"]["template"]
            pod = PodSpec(
                kind=kind,
                workload=name,
                name=f"{name}-0",
                spec=tmpl["spec"],
                labels=dict(tmpl.get("metadata", {}).get("labels") or {}),
                claim_templates=[t["metadata"]["name"] for t in d["spec"].get("volumeClaimTemplates", [])],
            )
            repos = {image_repo_tag(c["image"])[0] for c in pod.spec.get("containers", [])}
            pod.substitute = next((r for r in repos if r in SUBSTITUTED), None)
            if pod.spec.get("automountServiceAccountToken"):
                mounts = {v.get("configMap", {}).get("name") for v in pod.spec.get("volumes", [])}
                if bootstrap is not None and any(configmaps.get(m) is bootstrap for m in mounts if m):
                    pod.skip_reason = "the secrets bootstrap Job needs the Kubernetes API; its generate() is used"
                elif not kube_api:
                    raise HarnessError(name, "mounts a service-account token: it needs the Kubernetes API (no cluster)")
            (jobs if kind == "Job" else pods).append(pod)
        return cls(
            docs=docs,
            namespace=sorted(namespaces)[0],
            configmaps=configmaps,
            services=[d for d in docs if d["kind"] == "Service"],
            jobs=jobs,
            pods=pods,
            bootstrap_spec=json.loads(bootstrap["spec.json"]) if bootstrap else None,
            bootstrap_script=bootstrap["bootstrap_secrets.py"] if bootstrap else None,
        )

    def all_pods(self) -> list[PodSpec]:
        return [*self.jobs, *self.pods]

    def celery_queues(self) -> dict[str, list[str]]:
        """Pod name -> the queues its ``celery worker`` consumes (``--queues``/``-q``, else ``default``)."""
        out = {}
        for pod in self.pods:
            for c in pod.spec.get("containers", []):
                argv = [*c.get("command", []), *c.get("args", [])]
                if "celery" in argv and "worker" in argv:
                    queues = ["default"]
                    for i, a in enumerate(argv):
                        if a in ("--queues", "-q") and i + 1 < len(argv):
                            queues = argv[i + 1].split(",")
                        elif a.startswith("--queues="):
                            queues = a.split("=", 1)[1].split(",")
                    out[pod.name] = queues
        return out

    def pod_running(self, *argv_words: str) -> PodSpec | None:
        """The first pod whose main container's command+args contain these words in order."""
        for pod in self.pods:
            for c in pod.spec.get("containers", []):
                argv = [*c.get("command", []), *c.get("args", [])]
                if any(argv[i : i + len(argv_words)] == list(argv_words) for i in range(len(argv))):
                    return pod
        return None


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def session_pids(sid: int) -> list[int]:
    """Every live process in the session ``sid`` (a process the harness started with setsid)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat and stat[0] != "Z" and int(stat[3]) == sid:
                pids.append(int(entry))
    return pids


@dataclass
class Proc:
    spec: ContainerSpec
    popen: subprocess.Popen[bytes]
    log_path: Path
    started: float

    def output(self) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").rstrip().splitlines()
        except OSError:
            return []

    def tail(self, lines: int = 25) -> str:
        """Why it failed: its error lines (error-level logs, exceptions, ``error:``), then its last lines."""
        text = self.output()
        errors = [line for line in text if ERROR_LINE.search(line)][-lines:]
        last = text[-lines:]
        out = [f"[errors]\n{chr(10).join(errors)}"] if errors and errors != last[-len(errors) :] else []
        return "\n".join([*out, f"[last {len(last)} lines]", *last])


@dataclass
class Container:
    """A container ready to start: resolved argv, env, cwd and the probe to wait on."""

    spec: ContainerSpec
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    paths: PathMap
    ports: dict[str, int]
    probe: Doc | None
    probe_env_static: dict[str, str]
    secret_values: set[str] = field(default_factory=set)


@dataclass
class RunResult:
    dag_id: str
    run_id: str
    state: str
    task_instances: dict[str, Doc]
    states_seen: dict[str, list[str]]
    seconds: float
    logs_while_deferred: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The harness
# --------------------------------------------------------------------------------------------


class Harness:
    """Start an app from its manifests; use as a context manager so everything is cleaned up.

    >>> with Harness(REPO / "dist" / "default") as h:
    ...     h.start()
    ...     result = h.run_dag("e2e_smoke")
    """

    KUBE_API = False
    """Subclasses with a Kubernetes API (``tests/e2e/kubelet.py``) run the pods that need it."""

    def __init__(
        self,
        dist_dir: Path,
        *,
        dags: Path = DAGS,
        label: str | None = None,
        deps: Deps | None = None,
        ready_timeout: float = 300,
        core: Harness | None = None,
    ) -> None:
        """``core``: a started harness whose install this app joins (a workers-only app): its
        Services resolve from this app's pods as they would across namespaces, its run lock covers
        this app too, and its api-server answers the health check."""
        self.dist_dir = Path(dist_dir)
        self.core = core
        self.dags = Path(dags)
        self.label = label or self.dist_dir.name
        self.deps = deps or Deps.from_setup_script()
        self.ready_timeout = ready_timeout
        self.plan = AppPlan.load(self.dist_dir, kube_api=self.KUBE_API)
        self.images = IMAGES
        self.secrets: dict[str, dict[str, str]] = {}
        self.services = ServiceMap()
        self.workdir: Path | None = None
        self.procs: list[Proc] = []
        self.probe_procs: list[subprocess.Popen[bytes]] = []
        self.timings: dict[str, float] = {}
        self.containers: dict[str, list[Container]] = {}  # pod name -> containers (init first)
        self._sessions: list[int] = []
        self._lock: Any = None
        self._old_handlers: dict[int, Any] = {}
        self._postgres: dict[str, str] | None = None
        self._token: str | None = None
        self._last_secret_values: set[str] = set()
        self._t0 = time.monotonic()
        self.cron_pods: set[str] = set()  # pods of CronJob runs (run_cron_job): they end, as Jobs do

    # -- context management / cleanup ---------------------------------------------------------

    def __enter__(self) -> Harness:
        if threading_main():
            # Ctrl-C, kill and a closed terminal all end in __exit__ (SIGINT too: a shell that
            # starts us in the background hands it down ignored).
            self._old_handlers = {sig: signal.signal(sig, _raise_interrupt) for sig in STOP_SIGNALS}
        self.workdir = Path(tempfile.mkdtemp(prefix=f"airflow-e2e-{self.label}-"))
        self.workdir.chmod(0o755)
        log.info("[%s] %s -> workdir %s", self.label, self.dist_dir, self.workdir)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
        finally:
            for sig, handler in self._old_handlers.items():
                signal.signal(sig, handler)
            if self._lock is not None:
                self._lock.close()

    def stop(self) -> None:
        """Stop every process started (whole sessions: their children too) and remove temp files."""
        if self._old_handlers:  # a second Ctrl-C must not cut the clean-up short
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
        for p in self.probe_procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            pids = [pid for sid in self._sessions for pid in session_pids(sid)]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while pids and time.monotonic() < deadline:
                for proc in self.procs:
                    proc.popen.poll()
                time.sleep(0.2)
                pids = [pid for sid in self._sessions for pid in session_pids(sid)]
            if not pids:
                break
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=1)
        if self._postgres is not None and self._postgres["user"] == "airflow":
            # setup_deps.sh's documented credentials (`setup_deps.sh env`) hold again after a run.
            with contextlib.suppress(HarnessError, subprocess.SubprocessError):
                self.deps.psql("ALTER ROLE airflow PASSWORD 'airflow'")
        if self.workdir is not None and self.workdir.exists() and self.procs:
            keep = self.deps.harness_dir / "logs" / self.label
            shutil.rmtree(keep, ignore_errors=True)
            keep.mkdir(parents=True, exist_ok=True)
            for f in (self.workdir / "logs").glob("*.log"):
                shutil.copy(f, keep / f.name)
        if self.workdir is not None and self.workdir.exists():
            _rmtree(self.workdir)
        if self.procs:
            log.info(
                "[%s] stopped; container output kept in %s", self.label, self.deps.harness_dir / "logs" / self.label
            )

    def leftover_pids(self) -> list[int]:
        return [pid for sid in self._sessions for pid in session_pids(sid)]

    # -- start-up ------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Generate the secrets, map the Services, and lay out every container's files, argv and env.
        Starts nothing and needs none of the dependencies (the unit tests call it)."""
        assert self.workdir is not None, "use the Harness as a context manager"
        self._generate_secrets()
        self._map_services()
        (self.workdir / "logs").mkdir()
        for pod in self.plan.all_pods():
            if pod.substitute is None and pod.skip_reason is None:
                self.containers[pod.name] = self._materialize(pod)
            elif pod.skip_reason:
                log.info("[%s] not run: %s: %s", self.label, pod.workload, pod.skip_reason)

    def start(self) -> None:
        """Everything up to 'every pod is ready': secrets, database, Jobs, then the workloads."""
        assert self.workdir is not None, "use the Harness as a context manager"
        # One run at a time on this machine: the ports and the database are shared.
        if self.core is None:
            self.deps.harness_dir.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.deps.harness_dir / "lock", "w")  # noqa: SIM115 -- held until __exit__
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        elif self.core._lock is None:
            raise HarnessError(self.label, "the core it joins is not started")
        self._check_image_versions()
        self.prepare()
        self._check_ports_free()
        self._prepare_postgres()
        t = time.monotonic()
        for job in self.plan.jobs:
            if job.name in self.containers:
                self._run_pods([job], until="complete")
        self.timings["jobs"] = time.monotonic() - t
        log.info("[%s] Jobs done in %.1f s", self.label, self.timings["jobs"])
        t = time.monotonic()
        self._run_pods([p for p in self.plan.pods if p.name in self.containers], until="ready")
        self.timings["ready"] = time.monotonic() - t
        log.info("[%s] every pod ready %.1f s after the Jobs", self.label, self.timings["ready"])
        (self.core or self)._wait_health()

    def _check_image_versions(self) -> None:
        version = self.deps.airflow_version()
        for pod in self.plan.all_pods():
            for c in [*pod.spec.get("initContainers", []), *pod.spec.get("containers", [])]:
                repo, tag = image_repo_tag(c["image"])
                if repo == "apache/airflow" and tag.startswith(PGBOUNCER_TAGS):
                    continue  # PgBouncer (and its exporter), not Airflow: Debian's pgbouncer runs it
                if repo == "apache/airflow" and tag and not tag.startswith(version):
                    raise HarnessError(
                        f"{pod.workload}/{c['name']}",
                        f"image {c['image']} but the e2e venv has apache-airflow {version} (E2E_AIRFLOW_VERSION)",
                    )

    def _generate_secrets(self) -> None:
        if self.plan.bootstrap_spec is None or self.plan.bootstrap_script is None:
            return
        module = types.ModuleType("bootstrap_secrets")
        exec(compile(self.plan.bootstrap_script, "bootstrap_secrets.py", "exec"), module.__dict__)
        generate: Callable[[str, dict[str, Any] | None], str] = module.generate
        for secret in self.plan.bootstrap_spec["secrets"]:
            # Like the Job: only missing keys are made; a value already there (given to the harness,
            # e.g. from an earlier run on the same database) is never replaced.
            have = self.secrets.setdefault(secret["name"], {})
            for key, s in secret["keys"].items():
                if key not in have:
                    have[key] = generate(s["kind"], s.get("options"))

    def secret(self, name: str, key: str, where: str) -> str:
        try:
            return self.secrets[name][key]
        except KeyError:
            raise HarnessError(
                where, f"Secret {name} key {key}: not made by the bootstrap spec and not provided to the harness"
            ) from None

    def admin_credentials(self) -> tuple[str, str]:
        """The first user and password of the generated ``password-json`` secret (the admin users)."""
        spec = self.plan.bootstrap_spec or {"secrets": []}
        for secret in spec["secrets"]:
            for key, s in secret["keys"].items():
                if s["kind"] == "password-json":
                    users = json.loads(self.secrets[secret["name"]][key])
                    user = sorted(users)[0]
                    return user, users[user]
        raise HarnessError("harness", "no generated admin password (password-json) in the bootstrap spec")

    def _pod_ports(self, pod: PodSpec) -> dict[str | int, int]:
        ports: dict[str | int, int] = {}
        for c in pod.spec.get("containers", []):
            for p in c.get("ports", []):
                ports[p["containerPort"]] = p["containerPort"]
                if "name" in p:
                    ports[p["name"]] = p["containerPort"]
        return ports

    def _map_services(self) -> None:
        for svc in self.plan.services:
            name = svc["metadata"]["name"]
            ns = svc["metadata"].get("namespace", self.plan.namespace)
            selector = svc["spec"].get("selector") or {}
            backing = [p for p in self.plan.pods if selector and selector.items() <= p.labels.items()]
            mapping: dict[int, int | None] = {}
            for port in svc["spec"].get("ports", []):
                target = port.get("targetPort", port["port"])
                local: int | None = None
                for pod in backing:
                    container_port = self._pod_ports(pod).get(target)
                    if container_port is None:
                        continue
                    local = self.deps.pg_port if pod.substitute == "postgres" else container_port
                    break
                mapping[port["port"]] = local
            self.services.ports[(name, ns)] = mapping
        if self.core is not None:
            # The core's Services, reached from this app's pods by their FQDNs (another namespace).
            for key, mapping in self.core.services.ports.items():
                self.services.ports.setdefault(key, mapping)

    def _check_ports_free(self) -> None:
        wanted: dict[int, str] = {}
        for pod in self.plan.pods:
            if pod.substitute is None:
                for port in self._pod_ports(pod).values():
                    wanted.setdefault(port, pod.workload)
        # A port the core's pods declare too is taken by them: as two pods of one app declaring
        # the same port, the later one loses it here (one host), never in a cluster (see port_owner).
        core_ports = (
            {p for pod in self.core.plan.pods for p in self.core._pod_ports(pod).values()} if self.core else set()
        )
        for port, workload in sorted(wanted.items()):
            if port in core_ports:
                continue
            with socket.socket() as s:
                s.settimeout(0.5)
                if s.connect_ex((LOCAL, port)) == 0:
                    raise HarnessError(
                        workload, f"port {port} is already in use here: pods listen on their own container ports"
                    )

    def _prepare_postgres(self) -> None:
        pods = [p for p in self.plan.pods if p.substitute == "postgres"]
        for pod in pods:
            c = pod.spec["containers"][0]
            env = self._resolve_env(c, {}, pod, f"{pod.workload}/{c['name']}", paths=None)
            user = env.get("POSTGRES_USER", "postgres")
            db = env.get("POSTGRES_DB", user)
            password = env.get("POSTGRES_PASSWORD")
            if not password:
                raise HarnessError(f"{pod.workload}/{c['name']}", "POSTGRES_PASSWORD is not set")
            quoted = password.replace("'", "''")
            exists = self.deps.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'")
            verb = "ALTER" if exists else "CREATE"
            self.deps.psql(f"{verb} ROLE \"{user}\" LOGIN PASSWORD '{quoted}'")
            self.deps.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            self.deps.psql(f'CREATE DATABASE "{db}" OWNER "{user}"')
            self._postgres = {"user": user, "db": db}
            log.info(
                "[%s] %s: substituted by %s; role %s has the generated password; database %s is new",
                self.label,
                pod.workload,
                SUBSTITUTED["postgres"],
                user,
                db,
            )

    # -- one pod's filesystem and containers ---------------------------------------------------

    def _materialize(self, pod: PodSpec) -> list[Container]:
        assert self.workdir is not None
        pod_dir = self.workdir / "pods" / pod.name
        volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
        for claim in pod.claim_templates:
            volumes.setdefault(claim, {"name": claim, "emptyDir": {}})
        shared: dict[str, Path] = {}  # emptyDir / secret volumes, one per pod
        out = []
        identity = self.deps.process_identity()
        for spec in pod.containers(self.images):
            c = spec.raw
            cdir = pod_dir / spec.name
            root = cdir / "root"
            mounts = c.get("volumeMounts", [])
            prefixes = {m["mountPath"] for m in mounts} | {spec.image.workdir, *spec.image.env.values()}
            prefixes |= set(spec.image.files)
            static_env = {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
            if static_env.get("AIRFLOW_HOME", "").startswith("/"):
                prefixes.add(static_env["AIRFLOW_HOME"])
            paths = PathMap(root, {p for p in prefixes if p.startswith("/")})
            # the image's own directories
            for d in {spec.image.workdir, *(v for v in spec.image.env.values() if v.startswith("/"))}:
                paths.host(d).mkdir(parents=True, exist_ok=True)
            if spec.image.dags_dir:
                shutil.copytree(self.dags, paths.host(spec.image.dags_dir), dirs_exist_ok=True)
            for in_image, source in spec.image.files.items():
                paths.host(in_image).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, paths.host(in_image))
            # mounts, shallow first
            for m in sorted(mounts, key=lambda m: m["mountPath"].count("/")):
                vol = volumes.get(m["name"])
                where = spec.component
                if vol is None:
                    raise HarnessError(where, f"volumeMount {m['name']!r} has no volume")
                if "configMap" in vol:
                    source = self._configmap_volume(vol, cdir / "volumes" / m["name"], paths, where)
                elif m["name"] in shared:
                    source = shared[m["name"]]
                elif "emptyDir" in vol:
                    source = pod_dir / "volumes" / m["name"]
                    source.mkdir(parents=True)
                    source.chmod(0o777)
                    shared[m["name"]] = source
                elif "secret" in vol:
                    source = self._secret_volume(vol, pod_dir / "volumes" / m["name"], where)
                    shared[m["name"]] = source
                elif "projected" in vol:
                    source = self._projected_volume(vol, pod_dir / "volumes" / m["name"], paths, where)
                    shared[m["name"]] = source
                else:
                    raise HarnessError(where, f"volume {m['name']!r}: kind {sorted(set(vol) - {'name'})} not supported")
                if m.get("subPath"):
                    source = source / m["subPath"]
                target = paths.host(m["mountPath"])
                if target.is_symlink() or target.is_file():
                    target.unlink()
                elif target.is_dir():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
            read_only = (c.get("securityContext") or {}).get("readOnlyRootFilesystem", False)
            for d in [root, *[p for p in root.rglob("*") if p.is_dir() and not p.is_symlink()]]:
                if read_only:
                    d.chmod(0o555)
                elif identity:
                    os.chown(d, identity["user"], identity["group"])
            ports: dict[str, int] = {}
            for p in c.get("ports", []):
                ports[str(p["containerPort"])] = p["containerPort"]
                if "name" in p:
                    ports[p["name"]] = p["containerPort"]
            base_env = {
                "PATH": f"{self.deps.venv}/bin:{SYSTEM_PATH}",
                "HOSTNAME": pod.name,
                "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8",
                **{k: paths.rewrite(v) for k, v in spec.image.env.items()},
            }
            if any(m["mountPath"] == "/tmp" for m in mounts):
                base_env["TMPDIR"] = str(paths.host("/tmp"))
            env = self._resolve_env(c, base_env, pod, spec.component, paths)
            # Kubernetes: no command means the image's ENTRYPOINT, with the container's args.
            command = list(c.get("command", [])) or list(spec.image.entrypoint)
            if command[: len(DUMB_INIT)] == DUMB_INIT:
                command = command[len(DUMB_INIT) :]
            if not command:
                raise HarnessError(spec.component, "no command: the harness does not know the image's entrypoint")
            argv = [expand(self._rewrite(a, paths, spec.component), env) for a in [*command, *c.get("args", [])]]
            probe = None
            if not spec.init:
                probe = c.get("readinessProbe") or c.get("startupProbe") or c.get("livenessProbe")
            workdir = c.get("workingDir") or spec.image.workdir
            out.append(
                Container(
                    spec=spec,
                    argv=argv,
                    env=env,
                    cwd=paths.host(workdir),
                    paths=paths,
                    ports=ports,
                    probe=probe,
                    probe_env_static={
                        k: expand(self._rewrite(v, paths, spec.component), static_env) for k, v in static_env.items()
                    },
                    secret_values=set(self._last_secret_values),
                )
            )
        return out

    def _rewrite(self, text: str, paths: PathMap | None, where: str) -> str:
        text = self.services.rewrite(text, where)
        return paths.rewrite(text) if paths is not None else text

    def _resolve_env(
        self, c: Doc, base: dict[str, str], pod: PodSpec, where: str, paths: PathMap | None
    ) -> dict[str, str]:
        """The container's environment, in Kubernetes order and semantics."""
        env = dict(base)
        declared: dict[str, str] = {}
        self._last_secret_values = set()
        for src in c.get("envFrom", []):
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                data = self.plan.configmaps.get(src["configMapRef"]["name"], {})
                declared.update({prefix + k: self._rewrite(v, paths, where) for k, v in data.items()})
            elif "secretRef" in src:
                values = self.secrets.get(src["secretRef"]["name"], {})
                declared.update({prefix + k: v for k, v in values.items()})
                self._last_secret_values.update(values.values())
        for e in c.get("env", []):
            name = e["name"]
            if "valueFrom" not in e:
                declared[name] = expand(self._rewrite(e.get("value", ""), paths, where), declared)
                continue
            ref = e["valueFrom"]
            if "secretKeyRef" in ref:
                r = ref["secretKeyRef"]
                if r.get("optional") and r["key"] not in self.secrets.get(r["name"], {}):
                    continue
                declared[name] = self.secret(r["name"], r["key"], where)
                self._last_secret_values.add(declared[name])
            elif "configMapKeyRef" in ref:
                r = ref["configMapKeyRef"]
                value = self.plan.configmaps.get(r["name"], {}).get(r["key"])
                if value is None:
                    if r.get("optional"):
                        continue
                    raise HarnessError(where, f"ConfigMap {r['name']} key {r['key']} does not exist")
                declared[name] = self._rewrite(value, paths, where)
            elif "fieldRef" in ref:
                fields = {
                    "metadata.name": pod.name,
                    "metadata.namespace": self.plan.namespace,
                    "status.podIP": LOCAL,
                    "spec.nodeName": socket.gethostname(),
                    "spec.serviceAccountName": pod.spec.get("serviceAccountName", "default"),
                }
                path = ref["fieldRef"]["fieldPath"]
                if path not in fields:
                    raise HarnessError(where, f"env {name}: fieldRef {path} not supported by the harness")
                declared[name] = fields[path]
            else:
                raise HarnessError(where, f"env {name}: valueFrom {sorted(ref)} not supported by the harness")
        env.update(declared)
        return env

    def _configmap_volume(self, vol: Doc, target: Path, paths: PathMap, where: str) -> Path:
        name = vol["configMap"]["name"]
        data = self.plan.configmaps.get(name)
        if data is None:
            raise HarnessError(where, f"ConfigMap {name} does not exist")
        items = vol["configMap"].get("items") or [{"key": k, "path": k} for k in data]
        for item in items:
            if item["key"] not in data:
                raise HarnessError(where, f"ConfigMap {name} has no key {item['key']}")
            f = target / item["path"]
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(self._rewrite(data[item["key"]], paths, where))
            f.chmod(0o644)
        return target

    def _secret_volume(self, vol: Doc, target: Path, where: str) -> Path:
        name = vol["secret"]["secretName"]
        keys = self.secrets.get(name, {})
        items = vol["secret"].get("items") or [{"key": k, "path": k} for k in keys]
        target.mkdir(parents=True, exist_ok=True)
        for item in items:
            f = target / item["path"]
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(self.secret(name, item["key"], where))
            f.chmod(0o644)
        return target

    def _projected_volume(self, vol: Doc, target: Path, paths: PathMap, where: str) -> Path:
        """Secret and ConfigMap sources (with ``items``) in one directory."""
        target.mkdir(parents=True)
        for source in vol["projected"]["sources"]:
            if "secret" in source:
                self._secret_volume(
                    {"secret": {**source["secret"], "secretName": source["secret"]["name"]}}, target, where
                )
            elif "configMap" in source:
                self._configmap_volume(source, target, paths, where)
            else:
                raise HarnessError(where, f"projected source {sorted(source)} not supported")
        return target

    # -- running pods --------------------------------------------------------------------------

    def _spawn(self, container: Container) -> Proc:
        assert self.workdir is not None
        spec = container.spec
        log_path = self.workdir / "logs" / f"{spec.pod}.{spec.name}.log"
        with open(log_path, "ab") as out:
            try:
                popen = subprocess.Popen(
                    container.argv,
                    env=container.env,
                    cwd=container.cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    umask=0o022,
                    **self.deps.process_identity(),
                )
            except OSError as err:
                raise HarnessError(spec.component, f"cannot start {container.argv[0]!r}: {err}") from err
        self._sessions.append(popen.pid)
        proc = Proc(spec, popen, log_path, time.monotonic())
        self.procs.append(proc)
        log.info("[%s] started %s: %s", self.label, spec.component, " ".join(_redact(container)))
        return proc

    def _run_pods(self, pods: list[PodSpec], until: str) -> None:
        """Init containers in order, then the main containers, of every pod at once; return when
        every pod is ``complete`` (Jobs) or ``ready``."""
        state: dict[str, dict[str, Any]] = {}
        for pod in pods:
            containers = self.containers[pod.name]
            state[pod.name] = {
                "inits": [c for c in containers if c.spec.init],
                "mains": [c for c in containers if not c.spec.init],
                "current": None,
                "running": [],
                "ready": set(),
                "probe": {},
                "done": False,
            }
        deadline = time.monotonic() + self.ready_timeout
        while not all(s["done"] for s in state.values()):
            for pod in pods:
                s = state[pod.name]
                if s["done"]:
                    continue
                cur: Proc | None = s["current"]
                if cur is not None:
                    rc = cur.popen.poll()
                    if rc is None:
                        continue
                    if rc != 0:
                        raise HarnessError(cur.spec.component, f"exited with code {rc}:\n{cur.tail()}")
                    s["current"] = None
                if s["inits"]:
                    s["current"] = self._spawn(s["inits"].pop(0))
                    continue
                if not s["running"]:
                    s["running"] = [(c, self._spawn(c)) for c in s["mains"]]
                for c, proc in s["running"]:
                    rc = proc.popen.poll()
                    if until == "complete":
                        if rc is not None and rc != 0:
                            raise HarnessError(c.spec.component, f"exited with code {rc}:\n{proc.tail()}")
                        if rc == 0:
                            s["ready"].add(c.spec.name)
                        continue
                    if rc is not None:
                        reason = f"exited with code {rc} before it was ready:\n{proc.tail()}"
                        raise HarnessError(c.spec.component, reason)
                    if c.spec.name not in s["ready"] and self._probe(c, s["probe"]):
                        s["ready"].add(c.spec.name)
                        log.info(
                            "[%s] %s ready (%.1f s after start)",
                            self.label,
                            c.spec.component,
                            time.monotonic() - proc.started,
                        )
                if len(s["ready"]) == len(s["mains"]):
                    s["done"] = True
            self.check_alive(ignore=[c for s in state.values() for c, _ in s["running"]])
            if time.monotonic() > deadline:
                late: list[tuple[str, str]] = []
                for s in state.values():
                    if s["done"]:
                        continue
                    if s["current"] is not None:
                        late.append((s["current"].spec.component, "still running"))
                    for c in s["mains"]:
                        if c.spec.name not in s["ready"]:
                            late.append((c.spec.component, s["probe"].get(c.spec.name, {}).get("last", "not started")))
                what = "; ".join(f"{comp}: {why}" for comp, why in late)
                raise HarnessError(late[0][0], f"not ready after {self.ready_timeout:.0f} s ({what})")
            time.sleep(0.3)

    def run_cron_job(self, name: str) -> None:
        """One run of CronJob ``name``: its job template's pod, run to completion like the Jobs (a fresh
        pod directory per run), e.g. a tag sync after DAGs were parsed."""
        docs = [d for d in self.plan.docs if d["kind"] == "CronJob" and d["metadata"]["name"] == name]
        if not docs:
            raise HarnessError(name, "no such CronJob in the manifests")
        tmpl = docs[0]["spec"]["jobTemplate"]["spec"]["template"]
        runs = sum(1 for pod in self.containers if pod.startswith(f"{name}-run-"))
        pod = PodSpec(
            kind="Job",
            workload=name,
            name=f"{name}-run-{runs}",
            spec=tmpl["spec"],
            labels=dict((tmpl.get("metadata") or {}).get("labels") or {}),
            claim_templates=[],
        )
        self.containers[pod.name] = self._materialize(pod)
        self.cron_pods.add(pod.name)
        t = time.monotonic()
        self._run_pods([pod], until="complete")
        log.info("[%s] CronJob %s ran once in %.1f s", self.label, name, time.monotonic() - t)

    def check_alive(self, ignore: list[Container] | None = None) -> None:
        """Raise if a main container the harness started has exited (Jobs excepted)."""
        skip = {id(c.spec) for c in ignore or []}
        jobs = {p.name for p in self.plan.jobs}
        for proc in self.procs:
            if proc.spec.init or proc.spec.pod in jobs or proc.spec.pod in self.cron_pods or id(proc.spec) in skip:
                continue
            rc = proc.popen.poll()
            if rc is not None:
                raise HarnessError(proc.spec.component, f"exited with code {rc}:\n{proc.tail()}")

    def _probe(self, c: Container, states: dict[str, dict[str, Any]]) -> bool:
        """Poll the container's probe; True once it passed."""
        probe = c.probe
        if probe is None:
            return True
        now = time.monotonic()
        first = now + min(probe.get("initialDelaySeconds", 0), EXEC_PROBE_EVERY if "exec" in probe else 0)
        st = states.setdefault(c.spec.name, {"next": first, "proc": None, "last": "not run yet"})
        running: subprocess.Popen[bytes] | None = st["proc"]
        if running is not None:
            rc = running.poll()
            if rc is None:
                if now - st["started"] > probe.get("timeoutSeconds", 1):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(running.pid, signal.SIGKILL)
                    running.wait()
                    st["proc"], st["last"] = None, f"exec probe timed out after {probe.get('timeoutSeconds', 1)} s"
                return False
            out = ""
            if running.stdout is not None:
                out = running.stdout.read().decode(errors="replace").strip()
                running.stdout.close()
            self.probe_procs.remove(running)
            st["proc"] = None
            st["last"] = f"exec probe exit {rc}: {out[-300:]}"
            return rc == 0
        if now < st["next"]:
            return False
        st["next"] = now + min(probe.get("periodSeconds", 10), EXEC_PROBE_EVERY if "exec" in probe else 1)
        where = c.spec.component
        if "exec" in probe:
            argv = [expand(self._rewrite(a, c.paths, where), c.probe_env_static) for a in probe["exec"]["command"]]
            st["proc"] = subprocess.Popen(
                argv,
                env=c.env,
                cwd=c.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self.deps.process_identity(),
            )
            st["started"] = now
            self.probe_procs.append(st["proc"])
            return False
        if "httpGet" in probe:
            get = probe["httpGet"]
            port = c.ports.get(str(get["port"]))
            if port is None:
                raise HarnessError(where, f"httpGet probe port {get['port']!r} is no port of the container")
            url = f"{get.get('scheme', 'HTTP').lower()}://{LOCAL}:{port}{get.get('path', '/')}"
            req = urllib.request.Request(url, headers={h["name"]: h["value"] for h in get.get("httpHeaders", [])})
            try:
                with urllib.request.urlopen(req, timeout=probe.get("timeoutSeconds", 1)) as resp:
                    st["last"] = f"GET {url} -> {resp.status}"
                    return bool(200 <= resp.status < 400)
            except (urllib.error.URLError, OSError) as err:
                st["last"] = f"GET {url} -> {err}"
                return False
        if "tcpSocket" in probe:
            port = c.ports.get(str(probe["tcpSocket"]["port"]))
            if port is None:
                raise HarnessError(where, f"tcpSocket probe port {probe['tcpSocket']['port']!r} is no port of it")
            with socket.socket() as sock:
                sock.settimeout(probe.get("timeoutSeconds", 1))
                ok = sock.connect_ex((LOCAL, port)) == 0
            st["last"] = f"connect {LOCAL}:{port} -> {'ok' if ok else 'refused'}"
            return ok
        raise HarnessError(where, f"probe kind {sorted(probe)} not supported by the harness")

    def _wait_health(self, timeout: float = 90) -> None:
        """The api-server's own view: every component that runs reports healthy."""
        expected = {
            "scheduler": self.plan.pod_running("scheduler"),
            "triggerer": self.plan.pod_running("triggerer"),
            "dag_processor": self.plan.pod_running("dag-processor"),
        }
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            health = self.request("GET", "/api/v2/monitor/health", auth=False)
            bad = {
                k: health.get(k)
                for k, pod in expected.items()
                if pod and (health.get(k) or {}).get("status") != "healthy"
            }
            if health.get("metadatabase", {}).get("status") != "healthy":
                bad["metadatabase"] = health.get("metadatabase")
            if not bad:
                log.info("[%s] /api/v2/monitor/health: all healthy", self.label)
                return
            if time.monotonic() > deadline:
                name = next(iter(bad))
                pod = expected.get(name)
                raise HarnessError(pod.workload if pod else name, f"not healthy in /api/v2/monitor/health: {bad}")
            time.sleep(1)

    # -- talking to the app --------------------------------------------------------------------

    def service_url(self, service: str, port: int | None = None) -> str:
        ports = self.services.ports[(service, self.plan.namespace)]
        local = ports[port] if port is not None else next(iter(ports.values()))
        return f"http://{LOCAL}:{local}"

    @property
    def api_url(self) -> str:
        pod = self.plan.pod_running("api-server")
        if pod is None:
            raise HarnessError("harness", "no pod runs `airflow api-server`")
        for svc in self.plan.services:
            if (svc["spec"].get("selector") or {}).items() <= pod.labels.items() and svc["spec"].get("selector"):
                return self.service_url(svc["metadata"]["name"])
        raise HarnessError(pod.workload, "no Service selects the api-server")

    def request(self, method: str, path: str, body: Any = None, *, auth: bool = True, base: str | None = None) -> Any:
        url = (base or self.api_url) + path
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def token(self) -> str:
        if self._token is None:
            user, password = self.admin_credentials()
            try:
                got = self.request("POST", "/auth/token", {"username": user, "password": password}, auth=False)
            except urllib.error.HTTPError as err:
                pod = self.plan.pod_running("api-server")
                raise HarnessError(
                    pod.workload if pod else "api-server",
                    f"POST /auth/token as {user} with the generated password: {err.code} {err.read()[:200]!r}",
                ) from err
            self._token = got["access_token"]
        return self._token

    def run_dag(self, dag_id: str, timeout: float = 240) -> RunResult:
        """Unpause and trigger ``dag_id`` through the REST API and wait for the run to finish.

        Raises HarnessError naming the component that ran a failed task (the scheduler for
        LocalExecutor, the worker of the task's queue for CeleryExecutor) and why.
        """
        t0 = time.monotonic()
        q = urllib.parse.quote
        deadline = time.monotonic() + 120
        while True:
            self.check_alive()
            try:
                self.request("GET", f"/api/v2/dags/{q(dag_id)}")
                break
            except urllib.error.HTTPError as err:
                if err.code != 404:
                    raise
            if time.monotonic() > deadline:
                errors = self.request("GET", "/api/v2/importErrors").get("import_errors", [])
                pod = self.plan.pod_running("dag-processor")
                raise HarnessError(
                    pod.workload if pod else "dag-processor",
                    f"DAG {dag_id} not parsed after 120 s; import errors: {errors}",
                )
            time.sleep(1)
        self.timings["dag_visible"] = time.monotonic() - t0
        self.request("PATCH", f"/api/v2/dags/{q(dag_id)}", {"is_paused": False})
        run = self.request("POST", f"/api/v2/dags/{q(dag_id)}/dagRuns", {"logical_date": None})
        run_id = run["dag_run_id"]
        run_path = f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id, safe='')}"
        log.info("[%s] triggered %s run %s", self.label, dag_id, run_id)
        t_run = time.monotonic()
        seen: dict[str, list[str]] = {}
        deferred_logs: dict[str, str] = {}
        tis: dict[str, Doc] = {}
        state = "queued"
        while time.monotonic() - t_run < timeout:
            self.check_alive()
            state = self.request("GET", run_path)["state"]
            tis = {ti["task_id"]: ti for ti in self.request("GET", f"{run_path}/taskInstances")["task_instances"]}
            for task_id, ti in tis.items():
                states = seen.setdefault(task_id, [])
                if not states or states[-1] != ti["state"]:
                    states.append(ti["state"])
                if ti["state"] == "deferred" and TRIGGER_LOG_SOURCE not in deferred_logs.get(task_id, ""):
                    # While deferred (and picked up by a triggerer), the api-server reads the
                    # trigger's log from the triggerer's log server.
                    partial = RunResult(dag_id, run_id, state, tis, seen, 0)
                    with contextlib.suppress(urllib.error.URLError, OSError, KeyError):
                        deferred_logs[task_id] = self.task_log(partial, task_id)
            if state in ("success", "failed"):
                break
            time.sleep(1)
        self.timings["dag_run"] = time.monotonic() - t_run
        result = RunResult(dag_id, run_id, state, tis, seen, self.timings["dag_run"], deferred_logs)
        log.info("[%s] run %s: %s in %.1f s; task states seen %s", self.label, run_id, state, result.seconds, seen)
        if state != "success":
            self._explain_failure(result)
        return result

    def runner_of(self, ti: Doc) -> Proc | None:
        """The process that ran a task instance: the worker of its queue, else the scheduler."""
        queues = self.plan.celery_queues()
        pod_name = next((pod for pod, qs in queues.items() if ti.get("queue") in qs), None)
        if pod_name is None:
            scheduler = self.plan.pod_running("scheduler")
            pod_name = scheduler.name if scheduler else None
        return next((p for p in self.procs if p.spec.pod == pod_name and not p.spec.init), None)

    def _explain_failure(self, result: RunResult) -> None:
        bad = [ti for ti in result.task_instances.values() if ti["state"] != "success"]
        ti = next((t for t in bad if t["state"] in ("failed", "upstream_failed")), bad[0] if bad else None)
        if ti is None:
            raise HarnessError("harness", f"run {result.run_id} ended {result.state} with every task successful")
        runner = self.runner_of(ti)
        component = runner.spec.component if runner else "unknown"
        evidence = []
        with contextlib.suppress(Exception):
            evidence.append("task log: " + self.task_log(result, ti["task_id"])[-1500:])
        if runner is not None:
            errors = [line for line in runner.output() if ERROR_LINE.search(line)]
            evidence.append(f"{component} error lines:\n" + "\n".join(errors[-15:]))
        raise HarnessError(
            component,
            f"DAG {result.dag_id} run {result.state}: task {ti['task_id']} is {ti['state']} "
            f"(queue {ti.get('queue')}, states seen {result.states_seen.get(ti['task_id'])})\n" + "\n".join(evidence),
        )

    def task_log(self, result: RunResult, task_id: str, try_number: int | None = None) -> str:
        """A task's log through the REST API (the api-server fetches it from the component's log server)."""
        q = urllib.parse.quote
        ti = result.task_instances[task_id]
        number = try_number or ti.get("try_number") or 1
        path = (
            f"/api/v2/dags/{q(result.dag_id)}/dagRuns/{q(result.run_id, safe='')}/taskInstances/{q(task_id)}"
            f"/logs/{number}?full_content=true"
        )
        content = self.request("GET", path)["content"]
        if isinstance(content, str):
            return content
        lines = []
        for e in content:
            if isinstance(e, dict):
                lines.append(str(e.get("event", "")) + (f" {e['sources']}" if e.get("sources") else ""))
            else:
                lines.append(str(e))
        return "\n".join(lines)

    def xcom(self, result: RunResult, task_id: str, key: str = "return_value") -> Any:
        q = urllib.parse.quote
        path = (
            f"/api/v2/dags/{q(result.dag_id)}/dagRuns/{q(result.run_id, safe='')}/taskInstances/{q(task_id)}"
            f"/xcomEntries/{q(key)}?deserialize=true"
        )
        return self.request("GET", path)["value"]

    def port_report(self) -> dict[str, str]:
        """``<pod>:<port>`` -> who listens on each containerPort the running pods declare:
        ``listening``, ``lost to <pod> (address in use)`` when another pod declaring the same
        port got it first (one host, one port), or ``nothing listens``."""
        report = {}
        for pod in self.plan.pods:
            if pod.name not in self.containers:
                continue
            for c in pod.spec.get("containers", []):
                declared = sorted((p["containerPort"], p.get("protocol", "TCP")) for p in c.get("ports", []))
                for port, protocol in declared:
                    owner = self.port_owner(port, protocol)
                    tried = any(
                        f"{port}): address already in use" in line
                        for proc in self.procs
                        if proc.spec.pod == pod.name
                        for line in proc.output()
                    )
                    if owner == pod.name:
                        report[f"{pod.name}:{port}"] = "listening"
                    elif owner is not None and tried:
                        report[f"{pod.name}:{port}"] = f"lost to {owner} (address in use)"
                    else:
                        report[f"{pod.name}:{port}"] = "nothing listens"
        return report

    def port_owner(self, port: int, protocol: str = "TCP") -> str | None:
        """The pod whose process listens on ``port`` here (when several pods declare it): a TCP
        socket in LISTEN state, or a bound, unconnected UDP socket."""
        inodes = set()
        table, state = ("udp", "07") if protocol == "UDP" else ("tcp", "0A")
        for path in (f"/proc/net/{table}", f"/proc/net/{table}6"):
            with contextlib.suppress(OSError), open(path) as fh:
                for line in fh.readlines()[1:]:
                    cols = line.split()
                    if cols[3] == state and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{cols[9]}]")
        for proc in self.procs:
            for pid in session_pids(proc.popen.pid):
                with contextlib.suppress(OSError):
                    for fd in os.listdir(f"/proc/{pid}/fd"):
                        with contextlib.suppress(OSError):
                            if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                                return proc.spec.pod
        return None


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _redact(c: Container) -> list[str]:
    """argv for the log line, without secret values."""
    out = []
    for a in c.argv:
        for s in c.secret_values:
            if s:
                a = a.replace(s, "***")
        out.append(a)
    return out


def _rmtree(path: Path) -> None:
    for d in [path, *path.rglob("*")]:
        if d.is_dir() and not d.is_symlink():
            with contextlib.suppress(OSError):
                d.chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def dags_folder(base: Path, params: dict[str, Any] | None = None) -> Iterator[Path]:
    """A copy of tests/e2e/dags plus ``e2e_params.json`` (read by the DAG at parse time)."""
    target = base / "dags"
    shutil.copytree(DAGS, target, ignore=shutil.ignore_patterns("__pycache__"))
    if params is not None:
        (target / "e2e_params.json").write_text(json.dumps(params, sort_keys=True))
    yield target


def main(argv: list[str]) -> int:
    """``python -m tests.e2e.harness [dist/<app> [label]]``: start the app and keep it up until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    dist = Path(argv[1]) if len(argv) > 1 else REPO / "dist" / "default"
    with Harness(dist, label=argv[2] if len(argv) > 2 else None) as h:
        h.start()
        user, password = h.admin_credentials()
        print(f"{h.api_url}  user {user}  password {password}  (Ctrl-C stops everything)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                h.check_alive()
                time.sleep(2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
