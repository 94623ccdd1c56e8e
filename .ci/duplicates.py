"""``make duplicates``: no block of six or more lines shared inside ``airflow_constructs/``.

Runs the ``duplicates`` command (this machine's tool library; see its README) on the package's tracked
files without the generated CRD bindings (``imports/``, which the tool cannot exclude, so they are copied
out of the way) and fails on any pair of places it lists, and on a run it did not finish. Where the
command is not installed (a GitHub runner), it says so and checks nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "airflow_constructs"
ROW = re.compile(r"^D\d+ \S+:\d+-\d+ ~ \S+:\d+-\d+")


def listed(tool: str) -> tuple[list[str], list[str]]:
    """The rows the tool lists for the package without ``imports/`` (a pair of places each), and its
    lines saying that rows were cut or that the run was not finished."""
    files = subprocess.run(
        ["git", "ls-files", PACKAGE], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            if not name.startswith(f"{PACKAGE}/imports/") and (ROOT / name).is_file():
                (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ROOT / name, Path(tmp) / name)
        out = subprocess.run(
            [tool, "--most", "200", "--seconds", "60"],
            cwd=Path(tmp) / PACKAGE,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    rows = [line for line in out if ROW.match(line)]
    warnings = [line for line in out if line.startswith(("incomplete:", "(+"))]
    return rows, warnings


def main() -> int:
    tool = shutil.which("duplicates")
    if tool is None:
        print("duplicates: the command is not installed here; the duplicate check did not run")
        return 0
    rows, warnings = listed(tool)
    for row in rows:
        print(f"duplicates: shared block: {row} (share the code)")
    for line in warnings:
        print(f"duplicates: {line}")
    if rows or warnings:
        return 1
    print(f"duplicates: no shared block in {PACKAGE}/ (imports/ left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
