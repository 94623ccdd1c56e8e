"""A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager.

Two releases (``RELEASES``): the newest, 1.37 (``NEWEST``, from the Go module beside this file,
built into ``.tools/cluster/bin/``), and the oldest minor upstream still supports, 1.35
(``OLDEST``, from ``v1.35/go.mod``, built into ``.tools/cluster/v1.35/bin/``); ``make
cluster-tools`` builds both. Every function takes the release (default: the newest); each release
has its own home, so both can run at once.

``up`` generates a CA, serving and client certificates and the service-account signing key with
``openssl``, starts the three processes on free loopback ports and waits until the apiserver is
ready and the controller-manager healthy (about 4 s); ``down`` stops exactly the processes ``up``
started (their ids are in ``state.json``) and removes the state. No kubelet and no scheduler run:
Pods that controllers create stay Pending, which is all the tests need.

Command line (what ``make cluster-up`` / ``make cluster-down`` call)::

    python -m tests.cluster.control_plane up [1.35]    # prints the kubeconfig path; reuses a running one
    python -m tests.cluster.control_plane down [1.35]

Everything lives under a release's home, ``.tools/cluster/`` or ``.tools/cluster/v1.35/``
(git-ignored): ``bin/``, ``kubeconfig`` (the admin's, for ``kubectl`` and ``helm``), and ``run/``
(certificates, etcd data, logs, ``state.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / ".tools" / "cluster"

SERVICE_CIDR = "10.0.0.0/24"
"""The apiserver takes the first address for the ``kubernetes`` Service: it must be in the serving cert."""
SERVICE_IP = "10.0.0.1"
ISSUER = "https://kubernetes.default.svc.cluster.local"
ADMIN_USER = "airflow-constructs-admin"
STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Release:
    """One Kubernetes release of the control plane: its version and where its files live."""

    version: str
    """What ``kubectl version`` reports as the server's gitVersion (the Makefile's ldflags)."""
    home: Path

    @property
    def minor(self) -> str:
        """``1.35``: what the command line and the test ids name."""
        return self.version.removeprefix("v").rpartition(".")[0]

    @property
    def bin(self) -> Path:
        return self.home / "bin"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def kubeconfig(self) -> Path:
        return self.home / "kubeconfig"

    @property
    def state(self) -> Path:
        return self.run / "state.json"


NEWEST = Release("v1.37.2", HOME)
OLDEST = Release("v1.35.4", HOME / "v1.35")
"""The newest 1.35 patch the Go module proxy serves for k8s.io/kubernetes (tests/cluster/v1.35/go.mod)."""
RELEASES = (NEWEST, OLDEST)


@dataclass(frozen=True)
class Endpoints:
    """Where a running control plane listens, and which processes it is made of."""

    etcd_port: int
    apiserver_port: int
    controller_manager_port: int
    pids: dict[str, int]

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.apiserver_port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _openssl(pki: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=pki)


def _key(pki: Path, name: str) -> None:
    _openssl(pki, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key")


def _cert(pki: Path, name: str, subject: str, usage: str, san: str | None = None) -> None:
    """A certificate signed by the test CA (``usage``: serverAuth and/or clientAuth)."""
    _key(pki, name)
    request = ["req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr"]
    extensions = [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        f"extendedKeyUsage={usage}",
    ]
    if san:
        extensions.append(f"subjectAltName={san}")
    for ext in extensions:
        request += ["-addext", ext]
    _openssl(pki, *request)
    _openssl(
        pki, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-copy_extensions", "copyall", "-days", "30", "-out", f"{name}.crt",
    )  # fmt: skip


def _make_pki(release: Release) -> Path:
    pki = release.run / "pki"
    pki.mkdir(parents=True)
    _key(pki, "ca")
    _openssl(pki, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=airflow-constructs-test-ca", "-days", "30",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-out", "ca.crt")  # fmt: skip
    names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
             "kubernetes.default.svc.cluster.local"]  # fmt: skip
    san = ",".join(["IP:127.0.0.1", f"IP:{SERVICE_IP}"] + [f"DNS:{n}" for n in names])
    _cert(pki, "apiserver", "/CN=kube-apiserver", "serverAuth", san)
    # system:masters: the admin bypasses RBAC, as kubeadm's admin.conf did; tests impersonate the
    # ServiceAccounts (--as) so that RBAC decides for them.
    _cert(pki, "admin", f"/O=system:masters/CN={ADMIN_USER}", "clientAuth")
    _cert(pki, "controller-manager", "/CN=system:kube-controller-manager", "clientAuth")
    _key(pki, "service-account")
    _openssl(pki, "pkey", "-in", "service-account.key", "-pubout", "-out", "service-account.pub")
    return pki


def _kubeconfig(release: Release, path: Path, server: str, user: str, cert: str) -> None:
    pki = release.run / "pki"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "test", "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}],
        "users": [
            {
                "name": user,
                "user": {"client-certificate": str(pki / f"{cert}.crt"), "client-key": str(pki / f"{cert}.key")},
            }
        ],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": user}}],
        "current-context": "test",
    }
    # JSON is YAML: kubectl and helm read it as is.
    path.write_text(json.dumps(config, indent=2) + "\n")
    path.chmod(0o600)


def _save(release: Release, endpoints: Endpoints) -> None:
    release.state.write_text(json.dumps(endpoints.__dict__, indent=2) + "\n")


def _spawn(release: Release, name: str, argv: list[str]) -> int:
    log = open(release.run / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps the descriptor
    # A session of its own: a Ctrl-C in the terminal that ran `make cluster-up` does not reach it.
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=release.run)
    log.close()
    return proc.pid


def _get(url: str, context: ssl.SSLContext | None = None) -> int:
    try:
        with urllib.request.urlopen(url, context=context, timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


def _admin_context(release: Release) -> ssl.SSLContext:
    pki = release.run / "pki"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return context


def _wait(release: Release, what: str, ready: Callable[[], bool], pids: dict[str, int], deadline: float) -> None:
    while not ready():
        for name, pid in pids.items():
            if not _alive(pid):
                tail = (release.run / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited while waiting for {what}; end of {release.run / name}.log:\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {STARTUP_TIMEOUT:.0f} s; logs in {release.run}")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); its state letter says it is dead.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def running(release: Release = NEWEST) -> Endpoints | None:
    """The control plane of ``release`` that ``up`` started and that still answers, or None."""
    if not release.state.exists():
        return None
    state = json.loads(release.state.read_text())
    endpoints = Endpoints(**state)
    if not all(_alive(pid) for pid in endpoints.pids.values()):
        return None
    if _get(f"{endpoints.server}/readyz", _admin_context(release)) != 200:
        return None
    return endpoints


def up(release: Release = NEWEST) -> Endpoints:
    """Start etcd, kube-apiserver and kube-controller-manager, or return the ones already running."""
    current = running(release)
    if current is not None:
        return current
    down(release)
    missing = [b for b in ("etcd", "kube-apiserver", "kube-controller-manager") if not (release.bin / b).exists()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not in {release.bin}: run `make cluster-tools`")
    try:
        return _start(release)
    except BaseException:
        down(release)
        raise


def _start(release: Release) -> Endpoints:
    """Long because it is the one place that lists every flag of the three processes, in order."""
    started = time.monotonic()
    deadline = started + STARTUP_TIMEOUT
    pki = _make_pki(release)
    run, bin_ = release.run, release.bin
    etcd_port, peer_port, api_port, kcm_port = (_free_port() for _ in range(4))
    pids: dict[str, int] = {}
    # Saved before anything runs and after each start, so that `down` finds every process.
    endpoints = Endpoints(etcd_port=etcd_port, apiserver_port=api_port, controller_manager_port=kcm_port, pids=pids)
    _save(release, endpoints)
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    pids["etcd"] = _spawn(release, "etcd", [
        str(bin_ / "etcd"), "--name=test", f"--data-dir={run / 'etcd'}",
        f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
        f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=test={peer_url}",
        # Throw-away data: durability on power loss buys nothing and fsync is the slowest part.
        "--unsafe-no-fsync", "--log-level=warn",
    ])  # fmt: skip
    _save(release, endpoints)
    _wait(release, "etcd", lambda: _get(f"{etcd_url}/health") == 200, pids, deadline)
    pids["kube-apiserver"] = _spawn(release, "kube-apiserver", [
        str(bin_ / "kube-apiserver"),
        f"--etcd-servers={etcd_url}",
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={api_port}",
        f"--tls-cert-file={pki / 'apiserver.crt'}", f"--tls-private-key-file={pki / 'apiserver.key'}",
        f"--client-ca-file={pki / 'ca.crt'}",
        f"--service-account-issuer={ISSUER}",
        f"--service-account-key-file={pki / 'service-account.pub'}",
        f"--service-account-signing-key-file={pki / 'service-account.key'}",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction,PodSecurity",
        # Privileged containers must reach PodSecurity admission, so that it is what rejects them.
        "--allow-privileged=true",
        # The `kubernetes` Service's endpoints would name 127.0.0.1, which the API rejects.
        "--endpoint-reconciler-type=none",
        "--profiling=false", "--v=0",
    ])  # fmt: skip
    _save(release, endpoints)
    server = f"https://127.0.0.1:{api_port}"
    _wait(release, "kube-apiserver", lambda: _get(f"{server}/readyz", _admin_context(release)) == 200, pids, deadline)
    _kubeconfig(release, release.kubeconfig, server, ADMIN_USER, "admin")
    kcm_config = run / "controller-manager.kubeconfig"
    _kubeconfig(release, kcm_config, server, "system:kube-controller-manager", "controller-manager")
    pids["kube-controller-manager"] = _spawn(release, "kube-controller-manager", [
        str(bin_ / "kube-controller-manager"),
        f"--kubeconfig={kcm_config}", f"--authentication-kubeconfig={kcm_config}",
        f"--authorization-kubeconfig={kcm_config}",
        "--bind-address=127.0.0.1", f"--secure-port={kcm_port}", f"--cert-dir={run / 'controller-manager'}",
        # Each controller acts as its own ServiceAccount, so its RBAC is the real one.
        "--use-service-account-credentials=true",
        f"--service-account-private-key-file={pki / 'service-account.key'}",
        f"--root-ca-file={pki / 'ca.crt'}",
        f"--cluster-signing-cert-file={pki / 'ca.crt'}", f"--cluster-signing-key-file={pki / 'ca.key'}",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        # One controller-manager: waiting for a lease only slows the start.
        "--leader-elect=false", "--profiling=false", "--v=0",
    ])  # fmt: skip
    _save(release, endpoints)
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # its self-signed serving cert; only /healthz is asked
    kcm_health = f"https://127.0.0.1:{kcm_port}/healthz"
    _wait(release, "kube-controller-manager", lambda: _get(kcm_health, insecure) == 200, pids, deadline)
    print(f"control plane {release.version} ready in {time.monotonic() - started:.1f} s: {server}", file=sys.stderr)
    return endpoints


def down(release: Release = NEWEST) -> None:
    """Stop the processes ``up`` started (by their ids in state.json) and remove the state."""
    if release.state.exists():
        pids = json.loads(release.state.read_text())["pids"]
        # The controller-manager first, etcd last: each stops while what it talks to is still there.
        for name in ("kube-controller-manager", "kube-apiserver", "etcd"):
            pid = pids.get(name)
            if pid is None or not _alive(pid):
                continue
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    if release.run.exists():
        shutil.rmtree(release.run)
    release.run.mkdir(parents=True)
    release.kubeconfig.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    releases = {release.minor: release for release in RELEASES}
    command, minor = [*argv[1:], NEWEST.minor][:2] if len(argv) in (2, 3) else ("", "")
    release = releases.get(minor.removeprefix("v"))
    if command == "up" and release:
        up(release)
        print(release.kubeconfig)
        return 0
    if command == "down" and release:
        down(release)
        return 0
    print(f"usage: python -m tests.cluster.control_plane up|down [{'|'.join(releases)}]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
