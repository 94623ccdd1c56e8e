"""``make duplicates``: no block of six or more lines shared inside ``airflow_constructs/``.

Runs the ``duplicates`` command (this machine's tool library; see its README) on the package's files
that git tracks or would track, without the generated CRD bindings (``imports/``, which the tool cannot
exclude, so they are copied out of the way). It fails unless the tool answers ``no duplicates``: on any
pair of places it lists, and on a run it did not finish. Runs of one shape that the tool finds in more
than eight places it does not list, as too common (the rows of one table, a long ``__all__``): their
count is printed. Where the command is not installed (a GitHub runner), it says so and checks nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "airflow_constructs"


def run(tool: str) -> list[str]:
    """The tool's output lines for the package without ``imports/``."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", PACKAGE],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            if not name.startswith(f"{PACKAGE}/imports/") and (ROOT / name).is_file():
                (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ROOT / name, Path(tmp) / name)
        return subprocess.run(
            [tool, "--most", "200", "--seconds", "60"],
            cwd=Path(tmp) / PACKAGE,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()


def main() -> int:
    tool = shutil.which("duplicates")
    if tool is None:
        print("duplicates: the command is not installed here; the duplicate check did not run")
        return 0
    out = run(tool)
    clean = bool(out) and out[0].startswith("no duplicates") and not any(line.startswith("incomplete:") for line in out)
    for line in out:
        print(f"duplicates: {line}")
    if not clean:
        print(f"duplicates: {PACKAGE}/ (imports/ left out) shares the blocks above: share the code")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
