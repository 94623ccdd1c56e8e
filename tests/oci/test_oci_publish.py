"""The release's OCI publishing, run for real: `make publish-oci` pushes every packaged chart to
Debian's docker-registry on loopback (temp storage, plain HTTP); each chart then comes back with
`helm pull` and renders with `helm template oci://...` exactly as its local archive does."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / ".tools" / "registry" / "usr" / "bin" / "docker-registry"
HELM = ROOT / ".tools" / "bin" / "helm"
REPO = ROOT / "dist" / "helm"

pytestmark = pytest.mark.oci


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``127.0.0.1:<port>`` of a docker-registry storing in a temp dir, stopped afterwards."""
    assert REGISTRY.is_file(), "docker-registry missing: run `make oci-tools`"
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "version": 0.1,
                "log": {"level": "error"},
                "storage": {"filesystem": {"rootdirectory": str(root / "storage")}, "delete": {"enabled": True}},
                "http": {"addr": f"127.0.0.1:{port}"},
            }
        )
    )
    proc = subprocess.Popen([str(REGISTRY), "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"docker-registry did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def helm(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(HELM), *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd)
    assert result.returncode == 0, f"helm {' '.join(map(str, args))}: {result.stderr}"
    return result.stdout


def archives() -> list[Path]:
    return sorted(REPO.glob("*.tgz"))


def test_every_chart_round_trips_through_the_registry(registry: str, tmp_path: Path) -> None:
    pushed = subprocess.run(
        ["make", "--no-print-directory", "publish-oci", f"OCI_REGISTRY=oci://{registry}/charts",
         "HELM_PUSH_FLAGS=--plain-http"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    assert len(archives()) >= 8
    for archive in archives():
        meta = yaml.safe_load(subprocess.run(["tar", "-xOzf", str(archive), "--wildcards", "*/Chart.yaml"],
                                             capture_output=True, check=True).stdout)  # fmt: skip
        name, version = meta["name"], meta["version"]
        ref = f"oci://{registry}/charts/{name}"
        pulled = tmp_path / name
        pulled.mkdir()
        helm("pull", ref, "--version", version, "--plain-http", "--destination", pulled)
        assert (pulled / archive.name).read_bytes() == archive.read_bytes()
        remote = helm("template", "release", ref, "--version", version, "--plain-http", "-n", "team")
        local = helm("template", "release", archive, "-n", "team")
        assert remote == local, name


def test_publish_refuses_a_registry_that_is_not_oci() -> None:
    result = subprocess.run(["make", "--no-print-directory", "publish-oci", "OCI_REGISTRY=https://example.com"],
                            cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "OCI_REGISTRY 'https://example.com' is not allowed: give oci://<host>/<path>"
    )
