"""``make duplicates``: no new shared block of six or more lines inside ``airflow_constructs/``.

Runs the ``duplicates`` command (this machine's tool library; see its README) on the package's tracked
files without the generated CRD bindings (``imports/``, which the tool cannot exclude, so they are copied
out of the way), reduces its rows to pairs of files, and compares them with
``.ci/duplicates_accepted.txt``: the pairs reviewed and kept (constructor signatures, declarative tables,
the scripts shipped verbatim), each with its reason. A pair not in that list fails (share the code, or
add the pair with a reason); a listed pair no longer found fails too (delete its line), so the list only
shrinks. Where the command is not installed (a GitHub runner), it says so and checks nothing.
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
ACCEPTED = ROOT / ".ci" / "duplicates_accepted.txt"
ROW = re.compile(r"^D\d+ (?P<a>\S+):\d+-\d+ ~ (?P<b>\S+):\d+-\d+")


def accepted() -> set[tuple[str, str]]:
    """The reviewed pairs: ``a.py ~ b.py  # reason`` a line."""
    pairs = set()
    for line in ACCEPTED.read_text().splitlines():
        pair = line.split("#", 1)[0].strip()
        if pair:
            a, b = (side.strip() for side in pair.split("~"))
            pairs.add((a, b))
    return pairs


def found(tool: str) -> tuple[set[tuple[str, str]], list[str]]:
    """The file pairs the tool lists for the package without ``imports/``, and its warning lines."""
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
    pairs = {tuple(sorted((m["a"], m["b"]))) for line in out if (m := ROW.match(line))}
    warnings = [line for line in out if line.startswith(("incomplete:", "(+"))]
    return {(a, b) for a, b in pairs}, warnings


def main() -> int:
    tool = shutil.which("duplicates")
    if tool is None:
        print("duplicates: the command is not installed here; the duplicate check did not run")
        return 0
    pairs, warnings = found(tool)
    known = accepted()
    new, gone = sorted(pairs - known), sorted(known - pairs)
    for a, b in new:
        print(f"duplicates: new shared block: {a} ~ {b} (share the code, or add the pair to {ACCEPTED.name})")
    for a, b in gone:
        print(f"duplicates: {a} ~ {b} no longer shares a block: delete its line from {ACCEPTED.name}")
    for line in warnings:
        print(f"duplicates: {line}")
    if new or gone or warnings:
        return 1
    print(f"duplicates: no new shared block in {PACKAGE}/ ({len(pairs)} reviewed pairs, imports/ left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
