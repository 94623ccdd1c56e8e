"""A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager.

The binaries come from the Go module beside this file (``make cluster-tools`` builds them into
``.tools/cluster/bin/``). ``up`` generates a CA, serving and client certificates and the
service-account signing key with ``openssl``, starts the three processes on free loopback ports
and waits until the apiserver is ready and the controller-manager healthy (about 4 s); ``down``
stops exactly the processes ``up`` started (their ids are in ``state.json``) and removes the state.
No kubelet and no scheduler run: Pods that controllers create stay Pending, which is all the tests
need.

Command line (what ``make cluster-up`` / ``make cluster-down`` call)::

    python -m tests.cluster.control_plane up      # prints the kubeconfig path; reuses a running one
    python -m tests.cluster.control_plane down

Everything lives under ``.tools/cluster/`` (git-ignored): ``bin/``, ``kubeconfig`` (the admin's,
for ``kubectl`` and ``helm``), and ``run/`` (certificates, etcd data, logs, ``state.json``).
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
BIN = HOME / "bin"
RUN = HOME / "run"
KUBECONFIG = HOME / "kubeconfig"
STATE = RUN / "state.json"

SERVICE_CIDR = "10.0.0.0/24"
"""The apiserver takes the first address for the ``kubernetes`` Service: it must be in the serving cert."""
SERVICE_IP = "10.0.0.1"
ISSUER = "https://kubernetes.default.svc.cluster.local"
ADMIN_USER = "airflow-constructs-admin"
STARTUP_TIMEOUT = 60.0


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


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=RUN / "pki")


def _key(name: str) -> None:
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key")


def _cert(name: str, subject: str, usage: str, san: str | None = None) -> None:
    """A certificate signed by the test CA (``usage``: serverAuth and/or clientAuth)."""
    _key(name)
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
    _openssl(*request)
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-copy_extensions", "copyall", "-days", "30", "-out", f"{name}.crt",
    )  # fmt: skip


def _make_pki() -> Path:
    pki = RUN / "pki"
    pki.mkdir(parents=True)
    _key("ca")
    _openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=airflow-constructs-test-ca", "-days", "30",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-out", "ca.crt")  # fmt: skip
    names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
             "kubernetes.default.svc.cluster.local"]  # fmt: skip
    san = ",".join(["IP:127.0.0.1", f"IP:{SERVICE_IP}"] + [f"DNS:{n}" for n in names])
    _cert("apiserver", "/CN=kube-apiserver", "serverAuth", san)
    # system:masters: the admin bypasses RBAC, as kubeadm's admin.conf did; tests impersonate the
    # ServiceAccounts (--as) so that RBAC decides for them.
    _cert("admin", f"/O=system:masters/CN={ADMIN_USER}", "clientAuth")
    _cert("controller-manager", "/CN=system:kube-controller-manager", "clientAuth")
    _key("service-account")
    _openssl("pkey", "-in", "service-account.key", "-pubout", "-out", "service-account.pub")
    return pki


def _kubeconfig(path: Path, server: str, user: str, cert: str) -> None:
    pki = RUN / "pki"
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


def _save(endpoints: Endpoints) -> None:
    STATE.write_text(json.dumps(endpoints.__dict__, indent=2) + "\n")


def _spawn(name: str, argv: list[str]) -> int:
    log = open(RUN / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps the descriptor
    # A session of its own: a Ctrl-C in the terminal that ran `make cluster-up` does not reach it.
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=RUN)
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


def _admin_context() -> ssl.SSLContext:
    pki = RUN / "pki"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return context


def _wait(what: str, ready: Callable[[], bool], pids: dict[str, int], deadline: float) -> None:
    while not ready():
        for name, pid in pids.items():
            if not _alive(pid):
                tail = (RUN / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited while waiting for {what}; end of {RUN / name}.log:\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {STARTUP_TIMEOUT:.0f} s; logs in {RUN}")
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


def running() -> Endpoints | None:
    """The control plane that ``up`` started and that still answers, or None."""
    if not STATE.exists():
        return None
    state = json.loads(STATE.read_text())
    endpoints = Endpoints(**state)
    if not all(_alive(pid) for pid in endpoints.pids.values()):
        return None
    if _get(f"{endpoints.server}/readyz", _admin_context()) != 200:
        return None
    return endpoints


def up() -> Endpoints:
    """Start etcd, kube-apiserver and kube-controller-manager, or return the ones already running."""
    current = running()
    if current is not None:
        return current
    down()
    missing = [b for b in ("etcd", "kube-apiserver", "kube-controller-manager") if not (BIN / b).exists()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not in {BIN}: run `make cluster-tools`")
    try:
        return _start()
    except BaseException:
        down()
        raise


def _start() -> Endpoints:
    started = time.monotonic()
    deadline = started + STARTUP_TIMEOUT
    pki = _make_pki()
    etcd_port, peer_port, api_port, kcm_port = (_free_port() for _ in range(4))
    pids: dict[str, int] = {}
    # Saved before anything runs and after each start, so that `down` finds every process.
    endpoints = Endpoints(etcd_port=etcd_port, apiserver_port=api_port, controller_manager_port=kcm_port, pids=pids)
    _save(endpoints)
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    pids["etcd"] = _spawn("etcd", [
        str(BIN / "etcd"), "--name=test", f"--data-dir={RUN / 'etcd'}",
        f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
        f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=test={peer_url}",
        # Throw-away data: durability on power loss buys nothing and fsync is the slowest part.
        "--unsafe-no-fsync", "--log-level=warn",
    ])  # fmt: skip
    _save(endpoints)
    _wait("etcd", lambda: _get(f"{etcd_url}/health") == 200, pids, deadline)
    pids["kube-apiserver"] = _spawn("kube-apiserver", [
        str(BIN / "kube-apiserver"),
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
    _save(endpoints)
    server = f"https://127.0.0.1:{api_port}"
    _wait("kube-apiserver", lambda: _get(f"{server}/readyz", _admin_context()) == 200, pids, deadline)
    _kubeconfig(KUBECONFIG, server, ADMIN_USER, "admin")
    kcm_config = RUN / "controller-manager.kubeconfig"
    _kubeconfig(kcm_config, server, "system:kube-controller-manager", "controller-manager")
    pids["kube-controller-manager"] = _spawn("kube-controller-manager", [
        str(BIN / "kube-controller-manager"),
        f"--kubeconfig={kcm_config}", f"--authentication-kubeconfig={kcm_config}",
        f"--authorization-kubeconfig={kcm_config}",
        "--bind-address=127.0.0.1", f"--secure-port={kcm_port}", f"--cert-dir={RUN / 'controller-manager'}",
        # Each controller acts as its own ServiceAccount, so its RBAC is the real one.
        "--use-service-account-credentials=true",
        f"--service-account-private-key-file={pki / 'service-account.key'}",
        f"--root-ca-file={pki / 'ca.crt'}",
        f"--cluster-signing-cert-file={pki / 'ca.crt'}", f"--cluster-signing-key-file={pki / 'ca.key'}",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        # One controller-manager: waiting for a lease only slows the start.
        "--leader-elect=false", "--profiling=false", "--v=0",
    ])  # fmt: skip
    _save(endpoints)
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # its self-signed serving cert; only /healthz is asked
    kcm_health = f"https://127.0.0.1:{kcm_port}/healthz"
    _wait("kube-controller-manager", lambda: _get(kcm_health, insecure) == 200, pids, deadline)
    print(f"control plane ready in {time.monotonic() - started:.1f} s: {server}", file=sys.stderr)
    return endpoints


def down() -> None:
    """Stop the processes ``up`` started (by their ids in state.json) and remove the state."""
    if STATE.exists():
        pids = json.loads(STATE.read_text())["pids"]
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
    if RUN.exists():
        shutil.rmtree(RUN)
    RUN.mkdir(parents=True)
    KUBECONFIG.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if argv[1:] == ["up"]:
        up()
        print(KUBECONFIG)
        return 0
    if argv[1:] == ["down"]:
        down()
        return 0
    print("usage: python -m tests.cluster.control_plane up|down", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
