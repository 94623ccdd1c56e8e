"""KubernetesExecutor end to end: the harness with a real Kubernetes API, and a kubelet for task pods.

``KubeHarness`` is the e2e ``Harness`` plus the control plane of ``tests/cluster/`` (etcd,
kube-apiserver, kube-controller-manager on loopback). Before the app starts, the app's Namespace
(restricted Pod Security Standard, enforced), ServiceAccounts, Roles and RoleBindings are applied
to the apiserver; nothing else is (the workloads still run as local processes, as in every e2e
test). The scheduler then talks to the real API *as its ServiceAccount*: the harness asks the
TokenRequest API for a token of ``serviceAccountName`` and gives the pod a kubeconfig holding it,
so every call the KubernetesExecutor makes (create, watch, list, patch, delete pods) is decided by
the real RBAC authorizer, and every task pod it creates passes real admission (PodSecurity
``restricted``, ServiceAccount).

``Kubelet`` plays the kubelet for the task pods only: it watches the pods of the task namespace
and runs each new pod's containers (init containers first) as local processes, materialized by the
harness exactly as it materializes the app's own pods (same ``$(VAR)`` expansion, Secret and
ConfigMap references, Service DNS and path rewrites). It reports through the ``status``
subresource, as a kubelet does: ``Running`` when the containers started, then ``Succeeded`` (every
container exited 0) or ``Failed``, with each container's ``terminated`` state (exit code,
``startedAt``/``finishedAt``). A pod deleted while it runs has its processes stopped. No
kube-scheduler runs: the pods are never bound to a node, so the apiserver deletes them at once.

What differs from a cluster, in addition to the rewrites of ``harness.py`` (all of it):

=====================  ===========================================================================
what                   how
=====================  ===========================================================================
in-cluster config      a pod with ``automountServiceAccountToken: true`` would find its token in
                       ``/var/run/secrets/kubernetes.io/serviceaccount/``, a path fixed in the
                       Kubernetes client. It gets instead ``AIRFLOW__KUBERNETES_EXECUTOR__IN_CLUSTER
                       =False`` and ``AIRFLOW__KUBERNETES_EXECUTOR__CONFIG_FILE=<kubeconfig>``: the
                       test apiserver, its CA, and a TokenRequest token of the pod's
                       ServiceAccount (the same identity), plus the ``KUBERNETES_SERVICE_HOST``/
                       ``PORT`` a kubelet sets.
``apache/airflow``     a task pod's container has no ``command``: the image's ENTRYPOINT
ENTRYPOINT             (``dumb-init -- /entrypoint``, which runs its arguments) is modelled by
                       ``airflow_entrypoint.sh`` (``exec "$@"``) at ``/entrypoint``.
``TMPDIR``              the harness's per-pod ``/tmp`` is reached through a short symlink
                       (``/tmp/kx-*/<n>``): a Unix socket path (multiprocessing binds one in
                       ``TMPDIR``) may not exceed 107 bytes.
pod template           the ConfigMap holding a Pod manifest is mounted into the scheduler as
                       written, without the harness's rewrites: it is sent to the API server as
                       the task pods' spec (they get the rewrites when the kubelet runs them).
kubelet identity       status updates are made with the admin's credentials (a kubelet would use
                       its node's, under the Node authorizer).
=====================  ===========================================================================
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import control_plane
from tests.cluster.cluster import Cluster, Result
from tests.e2e.harness import IMAGES, REPO, Container, Doc, Harness, HarnessError, PathMap, PodSpec, Proc

log = logging.getLogger("e2e")

API_KINDS = ("ServiceAccount", "Role", "RoleBinding")
"""What of the app is applied to the apiserver (with its Namespace): the identities and their RBAC."""
ENTRYPOINT = REPO / "tests" / "e2e" / "airflow_entrypoint.sh"
# How the Kubernetes API refuses a request the authorizer denied, as the Python client prints it.
# (in a log line, or in a JSON body printed raw or inside a JSON log line: quotes escaped once or twice).
FORBIDDEN = re.compile(r'forbidden: User \\*"([^"\\]+)\\*" cannot (\w+) resource \\*"([^"\\]+)\\*"', re.I)
WATCH_SECONDS = 1
CLEANUP_SCRIPT = "cleanup_pods.py"


def _is_pod_manifest(text: str) -> bool:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(doc, dict) and doc.get("kind") == "Pod" and "spec" in doc


def _exit_code(returncode: int | None) -> int:
    """A container's exit code as Kubernetes reports it: 128 + the signal for a killed process."""
    code = returncode or 0
    return 128 - code if code < 0 else code


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class KubeApi:
    """Plain REST calls to the test apiserver with the admin's client certificate (urllib, no client)."""

    def __init__(self, endpoints: control_plane.Endpoints) -> None:
        self.server = endpoints.server
        self.context: ssl.SSLContext = control_plane._admin_context(control_plane.NEWEST)

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, context=self.context, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def watch(self, path: str, resource_version: str, seconds: int) -> Iterator[Doc]:
        """The events of ``GET path?watch=1`` from ``resource_version`` for at most ``seconds``."""
        query = urllib.parse.urlencode(
            {"watch": "1", "resourceVersion": resource_version, "timeoutSeconds": str(seconds)}
        )
        req = urllib.request.Request(f"{self.server}{path}?{query}", headers={"Accept": "application/json"})
        with urllib.request.urlopen(req, context=self.context, timeout=seconds + 30) as resp:
            for line in resp:
                if line.strip():
                    yield json.loads(line)


@dataclass
class TaskPod:
    """A task pod the kubelet runs: its containers, processes and what it reported."""

    name: str
    inits: list[Container]
    mains: list[Container]
    current: Proc | None = None
    running: list[Proc] = field(default_factory=list)
    started_at: str = ""
    phase: str = "Pending"
    exit_codes: dict[str, int] = field(default_factory=dict)
    deleted: bool = False


class Kubelet:
    """Runs the pods of ``namespace`` that ``KubeHarness`` did not start itself, in a thread."""

    def __init__(self, harness: KubeHarness, namespace: str) -> None:
        self.harness = harness
        self.namespace = namespace
        self.pods: dict[str, TaskPod] = {}
        self.errors: list[HarnessError] = []
        self.phases_reported: dict[str, list[str]] = {}
        self.seen: dict[str, Doc] = {}  # the pods it ran, as the API server had them when they came
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.namespace}/pods"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kubelet", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=WATCH_SECONDS + 35)

    def _run(self) -> None:
        version = ""
        while not self._stop.is_set():
            try:
                if not version:
                    listed = self.harness.api.call("GET", self.path)
                    for pod in listed["items"]:
                        self._seen(pod)
                    version = listed["metadata"]["resourceVersion"]
                for event in self.harness.api.watch(self.path, version, WATCH_SECONDS):
                    if event["type"] == "ERROR":  # 410 Gone: the version is too old, list again
                        version = ""
                        break
                    if event["type"] == "DELETED":
                        self._deleted(event["object"]["metadata"]["name"])
                    else:
                        self._seen(event["object"])
                    version = event["object"]["metadata"]["resourceVersion"]
                    self._progress()
                self._progress()
            except HarnessError as err:
                self.errors.append(err)
                return
            except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
                if self._stop.is_set():
                    return
                log.warning("[kubelet] %s; listing again", err)
                version = ""
                time.sleep(0.5)

    def _seen(self, pod: Doc) -> None:
        name = pod["metadata"]["name"]
        if name in self.pods or name in self.harness.containers:
            if pod["metadata"].get("deletionTimestamp"):
                self._deleted(name)
            return
        if (pod.get("status") or {}).get("phase", "Pending") != "Pending" or pod["metadata"].get("deletionTimestamp"):
            return
        spec = PodSpec(
            kind="Pod",
            workload=name,
            name=name,
            spec=pod["spec"],
            labels=dict(pod["metadata"].get("labels") or {}),
            claim_templates=[],
        )
        try:
            containers = self.harness._materialize(spec)
        except HarnessError as err:
            self._status(name, "Failed", message=str(err))
            raise
        self.seen[name] = pod
        self.pods[name] = TaskPod(
            name, [c for c in containers if c.spec.init], [c for c in containers if not c.spec.init]
        )
        log.info("[kubelet] pod %s/%s: %d container(s)", self.namespace, name, len(containers))

    def _deleted(self, name: str) -> None:
        pod = self.pods.get(name)
        if pod is None or pod.deleted:
            return
        pod.deleted = True
        for proc in [*pod.running, *([pod.current] if pod.current else [])]:
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGTERM)
        log.info("[kubelet] pod %s deleted (phase %s)", name, pod.phase)

    def _progress(self) -> None:
        """Init containers one by one, then the main containers; report phase changes."""
        for pod in self.pods.values():
            if pod.deleted or pod.phase in ("Succeeded", "Failed"):
                continue
            if pod.current is not None:
                rc = pod.current.popen.poll()
                if rc is None:
                    continue
                pod.exit_codes[pod.current.spec.name] = _exit_code(rc)
                pod.current = None
                if rc != 0:
                    self._finish(pod)
                    continue
            if not pod.started_at:
                pod.started_at = _now()
            if pod.inits:
                pod.current = self.harness._spawn(pod.inits.pop(0))
                continue
            if not pod.running:
                pod.running = [self.harness._spawn(c) for c in pod.mains]
                self._status(pod.name, "Running", pod=pod)
                continue
            codes = [proc.popen.poll() for proc in pod.running]
            if all(rc is not None for rc in codes):
                for proc, rc in zip(pod.running, codes, strict=True):
                    pod.exit_codes[proc.spec.name] = _exit_code(rc)
                self._finish(pod)

    def _finish(self, pod: TaskPod) -> None:
        failed = any(rc != 0 for rc in pod.exit_codes.values())
        self._status(pod.name, "Failed" if failed else "Succeeded", pod=pod)

    def _status(self, name: str, phase: str, *, pod: TaskPod | None = None, message: str = "") -> None:
        """``PATCH pods/<name>/status``: the phase and each main container's state."""
        now = _now()
        statuses = []
        for c in pod.mains if pod else []:
            code = pod.exit_codes.get(c.spec.name) if pod else None
            state: Doc
            if code is None:
                state = {"running": {"startedAt": pod.started_at if pod else now}}
            else:
                state = {
                    "terminated": {
                        "exitCode": code,
                        "reason": "Completed" if code == 0 else "Error",
                        "startedAt": pod.started_at if pod else now,
                        "finishedAt": now,
                    }
                }
            image = c.spec.raw["image"]
            statuses.append(
                {"name": c.spec.name, "image": image, "imageID": "", "ready": code is None, "restartCount": 0,
                 "started": code is None, "state": state}
            )  # fmt: skip
        status: Doc = {"phase": phase, "startTime": pod.started_at if pod and pod.started_at else now}
        if statuses:
            status["containerStatuses"] = statuses
        if message:
            status["message"] = message[:1000]
        if pod is not None:
            pod.phase = phase
        try:
            self.harness.api.call(
                "PATCH", f"{self.path}/{name}/status", {"status": status}, content_type="application/merge-patch+json"
            )
        except urllib.error.HTTPError as err:
            if err.code != 404:  # deleted meanwhile: nothing to report to
                raise HarnessError(f"kubelet (pod {name})", f"status {phase}: {err.code} {err.read()[:300]!r}") from err
        self.phases_reported.setdefault(name, []).append(phase)
        log.info("[kubelet] pod %s: %s", name, phase)


def _airflow_image_with_entrypoint() -> dict[str, Any]:
    """``apache/airflow`` with its ENTRYPOINT (``/entrypoint`` runs its arguments) for task pods."""
    airflow = IMAGES["apache/airflow"]
    model = replace(airflow, entrypoint=("/entrypoint",), files={**airflow.files, "/entrypoint": ENTRYPOINT})
    return {**IMAGES, "apache/airflow": model}


class KubeHarness(Harness):
    """The harness for apps that need the Kubernetes API (the KubernetesExecutor)."""

    KUBE_API = True

    def __init__(
        self,
        dist_dir: Path,
        *,
        cluster: Cluster,
        **kwargs: Any,
    ) -> None:
        super().__init__(dist_dir, **kwargs)
        self.images = _airflow_image_with_entrypoint()
        self.cluster = cluster
        self._api: KubeApi | None = None
        self.kubelet = Kubelet(self, self.plan.namespace)
        self._refusal_offsets: dict[int, int] = {}
        self._short: Path | None = None

    @property
    def endpoints(self) -> control_plane.Endpoints:
        endpoints = control_plane.running()
        if endpoints is None:
            raise HarnessError("control plane", "not running: start it with tests.cluster.control_plane.up()")
        return endpoints

    @property
    def api(self) -> KubeApi:
        if self._api is None:
            self._api = KubeApi(self.endpoints)
        return self._api

    # -- the API side ------------------------------------------------------------------------------

    def apply_identities(self) -> list[str]:
        """The Namespace (restricted PSS), then the app's ServiceAccounts, Roles and RoleBindings."""
        self.cluster.new_namespace(self.plan.namespace)
        objects = [d for d in self.plan.docs if d["kind"] in API_KINDS]
        for obj in objects:
            result = self.cluster.apply(json.dumps(obj))
            if not result.ok or result.warnings:
                raise HarnessError(f"{obj['kind']} {obj['metadata']['name']}", f"apply: {result.stderr.strip()}")
        log.info("[%s] applied namespace %s and %d identities/RBAC objects", self.label, self.plan.namespace,
                 len(objects))  # fmt: skip
        return [f"{o['kind']}/{o['metadata']['name']}" for o in objects]

    def change_role(self, name: str, rules: Callable[[list[Doc]], list[Doc]]) -> None:
        """Apply the app's Role ``name`` again with ``rules(its rules)`` (a self-test removes a verb);
        the authorizer judges the next request by it."""
        [role] = [d for d in self.plan.docs if d["kind"] == "Role" and d["metadata"]["name"] == name]
        result = self.cluster.apply(json.dumps({**role, "rules": rules(role.get("rules", []))}))
        if not result.ok or result.warnings:
            raise HarnessError(f"Role {name}", f"apply: {result.stderr.strip()}")

    def service_account_token(self, service_account: str, minutes: int = 60) -> str:
        """A token of the ServiceAccount from the TokenRequest API (``kubectl create token``)."""
        result = self.cluster.kubectl(
            "create", "token", service_account, "--namespace", self.plan.namespace, f"--duration={minutes}m"
        )
        if not result.ok:
            raise HarnessError(f"ServiceAccount {service_account}", f"TokenRequest: {result.stderr.strip()}")
        return result.stdout.strip()

    def _kubeconfig(self, pod: PodSpec, directory: Path) -> Path:
        """A kubeconfig for the pod's ServiceAccount: the apiserver, its CA and a fresh token."""
        account = pod.spec.get("serviceAccountName", "default")
        directory.mkdir(parents=True, exist_ok=True)
        ca = directory / "ca.crt"
        ca.write_bytes((control_plane.NEWEST.run / "pki" / "ca.crt").read_bytes())
        cluster = {"server": self.endpoints.server, "certificate-authority": str(ca)}
        context = {"cluster": "test", "user": account, "namespace": self.plan.namespace}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "test", "cluster": cluster}],
            "users": [{"name": account, "user": {"token": self.service_account_token(account)}}],
            "contexts": [{"name": "test", "context": context}],
            "current-context": "test",
        }
        path = directory / "kubeconfig"
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        identity = self.deps.process_identity()
        for f in (ca, path):
            if identity:
                os.chown(f, identity["user"], identity["group"])
        return path

    # -- overrides of the harness --------------------------------------------------------------

    def _materialize(self, pod: PodSpec) -> list[Container]:
        containers = super()._materialize(pod)
        for c in containers:
            if "TMPDIR" in c.env:
                c.env["TMPDIR"] = self._short_tmpdir(Path(c.env["TMPDIR"]))
        if pod.kind != "Pod" and pod.spec.get("automountServiceAccountToken") and pod.skip_reason is None:
            assert self.workdir is not None
            kubeconfig = self._kubeconfig(pod, self.workdir / "pods" / pod.name / "serviceaccount")
            for c in containers:
                c.env.update(
                    {
                        "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                        "KUBERNETES_SERVICE_PORT": str(self.endpoints.apiserver_port),
                        "AIRFLOW__KUBERNETES_EXECUTOR__IN_CLUSTER": "False",
                        "AIRFLOW__KUBERNETES_EXECUTOR__CONFIG_FILE": str(kubeconfig),
                    }
                )
            log.info("[%s] %s: kubeconfig of ServiceAccount %s (TokenRequest)", self.label, pod.workload,
                     pod.spec.get("serviceAccountName"))  # fmt: skip
        return containers

    def _configmap_volume(self, vol: Doc, target: Path, paths: PathMap, where: str) -> Path:
        """A ConfigMap holding a Pod manifest (the KubernetesExecutor's pod template) is mounted as
        written: its content goes to the API server, it is not read as local paths and URLs (the
        task pod made of it gets the rewrites when the kubelet runs it)."""
        name = vol["configMap"]["name"]
        data = self.plan.configmaps.get(name) or {}
        if not any(_is_pod_manifest(v) for v in data.values()):
            return super()._configmap_volume(vol, target, paths, where)
        items = vol["configMap"].get("items") or [{"key": k, "path": k} for k in data]
        for item in items:
            if item["key"] not in data:
                raise HarnessError(where, f"ConfigMap {name} has no key {item['key']}")
            f = target / item["path"]
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(data[item["key"]])
            f.chmod(0o644)
        return target

    def _short_tmpdir(self, tmpdir: Path) -> str:
        """A short symlink to the pod's ``/tmp``: the KubernetesExecutor's multiprocessing manager
        binds a Unix socket in ``TMPDIR``, and such a path may not exceed 107 bytes."""
        if self._short is None:
            self._short = Path(tempfile.mkdtemp(prefix="kx-"))
            self._short.chmod(0o755)
        link = self._short / str(len(list(self._short.iterdir())))
        link.symlink_to(tmpdir)
        return str(link)

    def start(self) -> None:
        assert self.workdir is not None, "use the Harness as a context manager"
        t = time.monotonic()
        self.apply_identities()
        self.timings["api_objects"] = time.monotonic() - t
        self.kubelet.start()
        super().start()

    def stop(self) -> None:
        self.kubelet.stop()
        super().stop()
        if self._short is not None:
            shutil.rmtree(self._short, ignore_errors=True)

    def check_alive(self, ignore: list[Container] | None = None) -> None:
        """The app's pods as in the harness (task pods may exit: the kubelet reports them); a
        kubelet error or a request the apiserver refused (in any component's output) fails at once."""
        if self.kubelet.errors:
            raise self.kubelet.errors[0]
        self._check_refusals()
        skip = {id(c.spec) for c in ignore or []}
        jobs = {p.name for p in self.plan.jobs}
        for proc in list(self.procs):
            if proc.spec.init or proc.spec.pod in jobs or proc.spec.pod in self.kubelet.pods or id(proc.spec) in skip:
                continue
            rc = proc.popen.poll()
            if rc is not None:
                raise HarnessError(proc.spec.component, f"exited with code {rc}:\n{proc.tail()}")

    def _check_refusals(self) -> None:
        for proc in list(self.procs):
            if proc.spec.pod in self.kubelet.pods:
                continue
            try:
                with open(proc.log_path, errors="replace") as fh:
                    fh.seek(self._refusal_offsets.get(id(proc), 0))
                    text = fh.read()
                    self._refusal_offsets[id(proc)] = fh.tell()
            except OSError:
                continue
            refused = FORBIDDEN.search(text)
            if refused:
                user, verb, resource = refused.groups()
                raise HarnessError(
                    proc.spec.component,
                    f'the Kubernetes API refused: forbidden: User "{user}" cannot {verb} resource "{resource}"',
                )

    def run_pod_cleanup(self, min_age_minutes: int | None = None) -> Result:
        """One run of the pod-cleanup CronJob's container command, as a local process with a fresh
        token of the CronJob's ServiceAccount: the script from the ConfigMap it mounts, its args as
        written except ``--min-age-minutes`` when ``min_age_minutes`` is given. The script reads its
        token directory from ``AIRFLOW_CONSTRUCTS_SA_DIR`` (default: the mounted token's)."""
        [cron] = [d for d in self.plan.docs if d["kind"] == "CronJob" and CLEANUP_SCRIPT in json.dumps(d["spec"])]
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        argv = [*container.get("command", []), *container.get("args", [])]
        [script] = [a for a in argv if a.endswith("/" + CLEANUP_SCRIPT)]
        args = argv[argv.index(script) + 1 :]
        if min_age_minutes is not None:
            args[args.index("--min-age-minutes") + 1] = str(min_age_minutes)
        [mount] = [m for m in container["volumeMounts"] if script.startswith(m["mountPath"].rstrip("/") + "/")]
        [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        source = self.plan.configmaps[volume["configMap"]["name"]][CLEANUP_SCRIPT]
        token = self.service_account_token(pod["serviceAccountName"], minutes=10)
        with tempfile.TemporaryDirectory(prefix="pod-cleanup-") as tmp:
            work = Path(tmp)
            sa_dir = work / "serviceaccount"
            sa_dir.mkdir()
            (sa_dir / "token").write_text(token)
            (sa_dir / "namespace").write_text(self.plan.namespace)
            (sa_dir / "ca.crt").write_bytes((control_plane.NEWEST.run / "pki" / "ca.crt").read_bytes())
            (work / CLEANUP_SCRIPT).write_text(source)
            env = {
                "PATH": f"{self.deps.venv}/bin:/usr/bin:/bin",
                "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                "KUBERNETES_SERVICE_PORT": str(self.endpoints.apiserver_port),
                "AIRFLOW_CONSTRUCTS_SA_DIR": str(sa_dir),
            }
            python = str(self.deps.venv / "bin" / "python")
            run = [python, str(work / CLEANUP_SCRIPT), *args]
            proc = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120, cwd=work)
        log.info("[%s] pod cleanup %s: rc %d %s%s", self.label, " ".join(args), proc.returncode, proc.stdout,
                 proc.stderr[-2000:])  # fmt: skip
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def pods(self) -> dict[str, Doc]:
        """The pods of the app's namespace as the apiserver has them, by name."""
        listed = self.api.call("GET", f"/api/v1/namespaces/{self.plan.namespace}/pods")
        return {p["metadata"]["name"]: p for p in listed["items"]}
