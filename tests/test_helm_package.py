"""Packaging: the chart repository in dist/helm/ is reproducible, and the Python wheel installs and works.

``helm package`` records file mtimes and ``helm repo index`` the current time; ``packaging/repo.py`` pins
both to the release date, so packaging the committed chart sources must give, byte for byte, the
committed ``dist/helm/*.tgz`` and ``index.yaml``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from airflow_constructs import __version__
from airflow_constructs.packaging.changelog import release
from airflow_constructs.packaging.helm import CHARTS_DIR, chart_name
from airflow_constructs.packaging.repo import package_all
from apps.__main__ import CHANGELOG
from apps.registry import APPS
from tests.conftest import ROOT

REPO = ROOT / "dist" / "helm"
SOURCES = REPO / CHARTS_DIR.relative_to("helm")
RELEASED = release(CHANGELOG.read_text(), __version__)


@pytest.fixture(scope="session")
def helm() -> str:
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.is_file() else shutil.which("helm")
    if not found:
        pytest.fail("helm not found: run `make tools` (installs the pinned helm under .tools/bin/)")
    return found


def packaged_files(repo: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(repo.iterdir()) if p.suffix in (".tgz", ".yaml")}


@pytest.fixture(scope="module")
def repackaged(helm: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    package_all(SOURCES, repo, CHANGELOG.read_text(), helm=helm)
    return repo


def test_dist_helm_is_up_to_date(repackaged: Path) -> None:
    committed, fresh = packaged_files(REPO), packaged_files(repackaged)
    assert sorted(committed) == sorted(fresh), "dist/helm/ differs from `make package`: run `make synth`"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert stale == [], "stale packages in dist/helm/: run `make synth` (or `make package`)"


def test_packaging_is_byte_reproducible(helm: str, repackaged: Path, tmp_path: Path) -> None:
    # A copy with other mtimes and modes (as a fresh git checkout has) packages to the same bytes.
    sources = tmp_path / "charts"
    shutil.copytree(SOURCES, sources)
    for path in sources.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
        if path.is_file():
            path.chmod(0o600)
    package_all(sources, tmp_path / "repo", CHANGELOG.read_text(), helm=helm)
    assert packaged_files(tmp_path / "repo") == packaged_files(repackaged)


def test_chart_repository_index() -> None:
    index = yaml.safe_load((REPO / "index.yaml").read_text())
    created = RELEASED.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert index["apiVersion"] == "v1"
    assert index["generated"] == created
    assert sorted(index["entries"]) == sorted(chart_name(app) for app in APPS)
    for name, entries in index["entries"].items():
        (entry,) = entries
        archive = REPO / f"{name}-{__version__}.tgz"
        assert entry["version"] == __version__
        assert entry["created"] == created
        assert entry["urls"] == [archive.name]
        assert entry["digest"] == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_archives_hold_the_chart_sources_dated_by_the_release(helm: str, tmp_path: Path) -> None:
    archive = REPO / f"airflow-{__version__}.tgz"
    listing = subprocess.run(["tar", "-tvzf", str(archive)], capture_output=True, text=True, check=True).stdout
    assert {line.split()[-1] for line in listing.splitlines()} == {
        f"airflow/{p.relative_to(SOURCES / 'airflow')}" for p in (SOURCES / "airflow").rglob("*") if p.is_file()
    }
    assert all(RELEASED.date.isoformat() in line and line.startswith("-rw-r--r--") for line in listing.splitlines())
    from_archive = subprocess.run([helm, "template", "r", str(archive), "-n", "x"], capture_output=True, text=True)
    from_sources = subprocess.run(
        [helm, "template", "r", str(SOURCES / "airflow"), "-n", "x"], capture_output=True, text=True
    )
    assert from_archive.returncode == 0 and from_archive.stdout == from_sources.stdout


def test_release_index_merges_the_published_one(helm: str, tmp_path: Path) -> None:
    published = tmp_path / "published.yaml"
    published.write_text(
        "apiVersion: v1\n"
        "entries:\n"
        "  airflow:\n"
        "  - apiVersion: v2\n"
        "    created: '2025-01-02T00:00:00Z'\n"
        "    digest: abc\n"
        "    name: airflow\n"
        "    urls: [https://example.org/v0.0.1/airflow-0.0.1.tgz]\n"
        "    version: 0.0.1\n"
        "generated: '2025-01-02T00:00:00Z'\n"
    )
    url = f"https://github.com/airflow-constructs/airflow-constructs/releases/download/v{__version__}"
    package_all(SOURCES, tmp_path / "repo", CHANGELOG.read_text(), helm=helm, url=url, merge=published)
    index = yaml.safe_load((tmp_path / "repo" / "index.yaml").read_text())
    versions = {e["version"]: e for e in index["entries"]["airflow"]}
    assert sorted(versions) == ["0.0.1", __version__]
    assert versions["0.0.1"]["created"] == "2025-01-02T00:00:00Z"
    assert versions[__version__]["urls"] == [f"{url}/airflow-{__version__}.tgz"]
    assert index["generated"] == RELEASED.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_artifacthub_repository_metadata() -> None:
    source = ROOT / "artifacthub-repo.yml"
    assert (REPO / "artifacthub-repo.yml").read_bytes() == source.read_bytes()
    data = yaml.safe_load(source.read_text())
    assert set(data) <= {"repositoryID", "owners", "ignore"}
    assert isinstance(data["owners"], list)


# ---------------------------------------------------------------- the Python package


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheel and sdist built from a copy of the project (the build writes egg-info next to its sources)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "airflow_constructs", src / "airflow_constructs", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = src / "out"
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_wheel_and_sdist_contents(built: Path) -> None:
    wheel = built / f"airflow_constructs-{__version__}-py3-none-any.whl"
    sdist = built / f"airflow_constructs-{__version__}.tar.gz"
    assert sorted(p.name for p in built.iterdir()) == sorted([wheel.name, sdist.name])
    import tarfile
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in [
        "airflow_constructs/py.typed",
        "airflow_constructs/packaging/helm.py",
        "airflow_constructs/scripts/bootstrap_secrets.py",
        f"airflow_constructs-{__version__}.dist-info/licenses/LICENSE",
    ]:
        assert needed in names, needed
    metadata = zipfile.ZipFile(wheel).read(f"airflow_constructs-{__version__}.dist-info/METADATA").decode()
    assert f"Version: {__version__}\n" in metadata
    assert "License-Expression: Apache-2.0\n" in metadata
    with tarfile.open(sdist) as tar:
        assert f"airflow_constructs-{__version__}/airflow_constructs/py.typed" in tar.getnames()


def test_wheel_installs_into_a_clean_venv_and_synthesizes(built: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheel = built / f"airflow_constructs-{__version__}-py3-none-any.whl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
    )
    # The dependencies (cdk8s, pydantic, PyYAML) come from this environment, without a download: its
    # site-packages is appended to the clean venv's path (its .pth files, such as the editable
    # install of this checkout, are not run).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = (
        "import importlib.metadata as md, pathlib, sys\n"
        "from packaging.requirements import Requirement\n"
        "import airflow_constructs\n"
        "from airflow_constructs import Airflow\n"
        "from cdk8s import App, Chart\n"
        "for req in map(Requirement, md.requires('airflow-constructs')):\n"
        "    if req.marker is None:\n"
        "        assert req.specifier.contains(md.version(req.name)), req\n"
        "out = pathlib.Path(sys.argv[1])\n"
        "app = App(outdir=str(out))\n"
        "Airflow(Chart(app, 'airflow', namespace='airflow'), 'airflow')\n"
        "app.synth()\n"
        "print(airflow_constructs.__file__, airflow_constructs.__version__, md.version('airflow-constructs'))\n"
    )
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK8S_CHECK_UPGRADE": "false"}
    result = subprocess.run(
        [str(python), "-I", "-c", script, str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    module, version, dist_version = result.stdout.split()
    assert module.startswith(str(venv)), "imported the checkout, not the installed wheel"
    assert version == dist_version == __version__
    manifests = (tmp_path / "out" / "airflow.k8s.yaml").read_text()
    assert "kind: Deployment\n" in manifests and "name: airflow-scheduler\n" in manifests


def test_release_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+*"]}}  # YAML 1.1 reads `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert {name: job.get("needs") for name, job in jobs.items()} == {
        "test": None,
        "images": None,
        "image-scan": "images",
        "build": ["test", "image-scan"],
        "github-release": "build",
        "oci": "github-release",
        "chart-index": "github-release",
        "pypi": "github-release",
    }
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    build = "\n".join(str(step.get("run", "")) for step in jobs["build"]["steps"])
    assert "bash .ci/run" in jobs["test"]["steps"][-1]["run"]
    for needed in ["make synth", "git diff --exit-code -- dist/", "make wheel", "make release-charts"]:
        assert needed in build, needed
    # The release's charts come from the Makefile target that renders the Artifact Hub ID (tests/test_artifacthub.py).
    charts_step = next(step for step in jobs["build"]["steps"] if "make release-charts" in str(step.get("run")))
    assert charts_step["env"] == {"ARTIFACTHUB_REPOSITORY_ID": "${{ vars.ARTIFACTHUB_REPOSITORY_ID }}"}
    # Every chart also to the OCI registry (the push itself: tests/oci/).
    assert jobs["oci"]["permissions"] == {"contents": "read", "packages": "write"}
    assert "make publish-oci CHART_REPO=artifact/release" in jobs["oci"]["steps"][-1]["run"]
