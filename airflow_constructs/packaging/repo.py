"""Package unpacked charts into a Helm chart repository (``*.tgz`` + ``index.yaml``), reproducibly.

``helm package`` stores each file's modification time and mode in the archive, and ``helm repo
index`` stamps ``created`` and ``generated`` with the current time. So each chart is copied to a
scratch directory with fixed modes and every mtime set to the release date of the chart's version
(from the CHANGELOG), and the index's timestamps are rewritten to those dates. The same chart
sources then give byte-identical archives and index: re-running with no change gives no diff.

``python -m apps`` (``make synth``) packages every chart into ``dist/helm/`` right after writing
it; ``python -m airflow_constructs.packaging.repo`` does the packaging alone, e.g. in the release
workflow with ``--url`` pointing at the GitHub Release and ``--merge`` with the published index.
Needs the ``helm`` binary.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import artifacthub
from .changelog import release

INDEX = "index.yaml"


class PackagingError(ValueError):
    """A chart cannot be packaged (bad layout, or helm failed)."""


@dataclass(frozen=True)
class Packaged:
    """One chart archive written to the repository."""

    name: str
    version: str
    archive: Path
    created: datetime.datetime


def package_all(
    charts: Path,
    repo: Path,
    changelog: str,
    *,
    helm: str = "helm",
    url: str | None = None,
    merge: Path | None = None,
    extras: Sequence[Path] = (),
    artifacthub_id: str | None = None,
    for_release: bool = False,
) -> list[Packaged]:
    """Package every chart directory under ``charts`` into ``repo`` and (re)write ``repo/index.yaml``.

    Archives already in ``repo`` are removed first, so the repository holds exactly these charts
    (plus, with ``merge``, the entries of an existing index such as the published one). ``extras``
    (e.g. ``artifacthub-repo.yml``) are copied next to the index, ``artifacthub-repo.yml`` with
    ``artifacthub_id`` rendered in (``packaging/artifacthub.py``; required when ``for_release``).
    """
    rendered = {
        extra: artifacthub.render(extra.read_text(), artifacthub_id, release=for_release)
        for extra in extras
        if extra.name == artifacthub.FILE_NAME
    }
    dirs = sorted(p for p in charts.iterdir() if (p / "Chart.yaml").is_file()) if charts.is_dir() else []
    if not dirs:
        raise PackagingError(f"{charts}: no chart directories (with a Chart.yaml) to package")
    repo.mkdir(parents=True, exist_ok=True)
    for old in repo.glob("*.tgz"):
        old.unlink()
    packaged = package_charts(dirs, repo, changelog, helm=helm)
    write_index(repo, packaged, helm=helm, url=url, merge=merge)
    for extra in extras:
        if extra in rendered:
            (repo / extra.name).write_text(rendered[extra])
        else:
            shutil.copyfile(extra, repo / extra.name)
    return packaged


def package_chart(chart: Path, repo: Path, changelog: str, *, helm: str = "helm") -> Packaged:
    """``helm package`` one chart into ``repo`` with normalised modes and mtimes."""
    return package_charts([chart], repo, changelog, helm=helm)[0]


def package_charts(charts: Sequence[Path], repo: Path, changelog: str, *, helm: str = "helm") -> list[Packaged]:
    """``helm package`` the charts into ``repo`` with normalised modes and mtimes, in one helm process.

    One process for all: helm's start is most of what packaging a chart costs (about 0.05 s of
    CPU a chart, 0.1 s for nine in one call), and each archive is the same as alone.
    """
    found = []
    with tempfile.TemporaryDirectory(prefix="helm-package-") as scratch:
        copies: list[str] = []
        for chart in charts:
            meta = yaml.safe_load((chart / "Chart.yaml").read_text())
            name, version = str(meta["name"]), str(meta["version"])
            if chart.name != name:
                raise PackagingError(
                    f"{chart}: directory name must equal the chart name {name!r} (helm lint requires it)"
                )
            created = release(changelog, version).timestamp
            copy = Path(scratch) / str(len(copies)) / name
            shutil.copytree(chart, copy)
            _normalise(copy, created)
            copies.append(str(copy))
            found.append(Packaged(name=name, version=version, archive=repo / f"{name}-{version}.tgz", created=created))
        _run([helm, "package", *copies, "--destination", str(repo)])
    for item in found:
        if not item.archive.is_file():
            raise PackagingError(f"helm package did not write {item.archive}")
    return found


def _normalise(root: Path, when: datetime.datetime) -> None:
    """Fixed modes (0644 files, 0755 directories) and mtimes: what helm package records."""
    stamp = when.timestamp()
    paths = sorted(root.rglob("*"), reverse=True)  # children before parents: a dir's mtime set last
    for path in [*paths, root]:
        path.chmod(0o755 if path.is_dir() else 0o644)
        os.utime(path, (stamp, stamp))


def write_index(
    repo: Path, packaged: Sequence[Packaged], *, helm: str = "helm", url: str | None = None, merge: Path | None = None
) -> Path:
    """``helm repo index`` over ``repo``, then pin ``created``/``generated`` to the release dates."""
    index = repo / INDEX
    if index.exists():
        index.unlink()
    command = [helm, "repo", "index", str(repo)]
    if url:
        command += ["--url", url]
    if merge:
        command += ["--merge", str(merge)]
    _run(command)
    data = yaml.safe_load(index.read_text())
    pin_timestamps(data, packaged)
    index.write_text(yaml.safe_dump(data, sort_keys=True, default_flow_style=False, width=1 << 30))
    return index


def pin_timestamps(data: dict[str, Any], packaged: Sequence[Packaged]) -> None:
    """Set each packaged chart's ``created`` to its release date and ``generated`` to the newest entry.

    Entries merged from an existing index keep their ``created``.
    """
    created = {(p.name, p.version): _rfc3339(p.created) for p in packaged}
    stamps = []
    for name, entries in (data.get("entries") or {}).items():
        for entry in entries:
            key = (str(name), str(entry.get("version")))
            if key in created:
                entry["created"] = created[key]
            stamps.append(str(entry.get("created", "")))
    data["generated"] = max(stamps) if stamps else _rfc3339(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC))


def _rfc3339(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PackagingError(
            f"helm binary {command[0]!r} not found: run `make tools` (installs the pinned helm under .tools/bin/)"
        ) from None
    if result.returncode != 0:
        raise PackagingError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m airflow_constructs.packaging.repo``: package charts into a chart repository."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_constructs.packaging.repo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--charts", type=Path, default=Path("dist/helm/charts"), help="unpacked charts")
    parser.add_argument("--out", type=Path, default=Path("dist/helm"), help="the chart repository directory")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"), help="release dates come from it")
    parser.add_argument("--helm", default=os.environ.get("HELM", "helm"), help="helm binary (default: $HELM or helm)")
    parser.add_argument("--url", help="base URL of the archives in index.yaml (default: relative)")
    parser.add_argument("--merge", type=Path, help="an existing index.yaml to merge into the new one")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="file to copy into the repository")
    parser.add_argument(
        "--artifacthub-id",
        default=os.environ.get(artifacthub.SETTING),
        help=f"Artifact Hub repository ID written into {artifacthub.FILE_NAME} (default: ${artifacthub.SETTING})",
    )
    parser.add_argument("--release", action="store_true", help=f"a release: refuse an empty {artifacthub.SETTING}")
    args = parser.parse_args(argv)
    try:
        packaged = package_all(
            args.charts,
            args.out,
            args.changelog.read_text(),
            helm=args.helm,
            url=args.url,
            merge=args.merge,
            extras=args.extra,
            artifacthub_id=args.artifacthub_id,
            for_release=args.release,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for item in packaged:
        print(item.archive)
    print(args.out / INDEX)
    return 0


if __name__ == "__main__":
    sys.exit(main())
