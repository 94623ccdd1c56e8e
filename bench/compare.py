#!/usr/bin/env python3
"""Synthesis speed side by side with a baseline commit: the five targets of issue 20, as ratios.

    make bench-compare                          # or: .venv/bin/python bench/compare.py [--runs N]
    BENCH_BASELINE=<rev> make bench-compare     # another baseline (default: BASELINE below)
    AIRFLOW_CONSTRUCTS_JOBS=1 make bench-compare  # python -m apps in one process (steadier CPU figures
                                                # on a loaded machine; the baseline's is one process)
    .venv/bin/python bench/compare.py --only apps   # one figure (apps, cli, in-process, make-synth)

The baseline's tree is extracted with ``git archive`` into ``.cache/bench/<commit>/`` (git-ignored)
and runs with this venv (same dependencies). Each command runs as a fresh process, this tree's and
the baseline's in turn (A B, then B A, ...), so a machine that speeds up or slows down during the
run weighs on both alike; the figure quoted is the median of the pairwise ratios. On a shared,
loaded machine absolute times are noisy; the ratios, and CPU rather than wall time, are the figures
to trust. Per run: wall (time.perf_counter), CPU (user + sys of the process and every process it
waited for, from os.wait4) and peak memory (the largest single process, ru_maxrss).

Targets: python -m apps <= 0.35x wall; airflow-constructs synth cold <= 0.6x wall and <= 1.0 s;
make synth with nothing changed <= 2 s; in-process build + synth of the largest app <= 0.5x CPU;
peak memory of python -m apps <= 1.0x. Timings are never tests: this prints, it does not fail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "0a9fc40"
"""main when issue 20 was taken up: the figures of the issue are ratios against it."""
PYTHON = sys.executable
FIGURES = ("apps", "cli", "in-process", "make-synth")
"""The figures, as ``--only`` names them."""


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """One fresh process: wall, CPU of it and all it waited for, and its tree's largest RSS."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} (in {cwd}) failed:\n{err.read().decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def baseline_tree(rev: str) -> Path:
    """The baseline's files in .cache/bench/<commit>/, extracted once."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True)
    tree = ROOT / ".cache" / "bench" / commit.stdout.strip()
    if not (tree / "apps").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def compile_bytecode(tree: Path) -> None:
    """Each tree's modules compiled to bytecode first, as an installed package has them.

    Without it, a shell that sets PYTHONDONTWRITEBYTECODE (this one does) compiles the package's
    hundred-odd modules from source in every process: about 0.06 s of CPU per process, the same for
    both trees, that no user of an installed package pays.
    """
    dirs = [str(tree / name) for name in ("airflow_constructs", "apps") if (tree / name).is_dir()]
    subprocess.run([PYTHON, "-m", "compileall", "-q", *dirs], cwd=tree, stdout=subprocess.DEVNULL, check=True)


def environment(tree: Path, **extra: str) -> dict[str, str]:
    bins = [str(Path(PYTHON).parent), str(ROOT / "node_modules" / ".bin"), str(ROOT / ".tools" / "bin")]
    return {
        **os.environ,
        "PATH": os.pathsep.join([*bins, os.environ.get("PATH", "")]),
        "PYTHONPATH": str(tree),
        "HELM": str(ROOT / ".tools" / "bin" / "helm"),
        "CDK8S_CHECK_UPGRADE": "false",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": os.environ.get(
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"
        ),
        **extra,
    }


def paired(cmd: list[str], base: Path, runs: int, scratch: Path) -> tuple[list[Run], list[Run]]:
    """``cmd`` in this tree (A) and in the baseline (B), in turn, one warm-up each; ``{out}`` is a fresh dir."""
    results: tuple[list[Run], list[Run]] = ([], [])
    for i in range(runs + 1):
        order = [(0, ROOT), (1, base)] if i % 2 else [(1, base), (0, ROOT)]
        for side, tree in order:
            out = scratch / f"{side}-{i}"
            figures = run(
                [part.replace("{out}", str(out)) for part in cmd], tree, environment(tree, CDK8S_OUTDIR=str(out))
            )
            if i:  # the first pair warms the OS file cache
                results[side].append(figures)
    return results


IN_PROCESS = """
import json, os, statistics, sys, time
from pathlib import Path
from cdk8s import App
from apps.registry import APPS
sys.path.insert(0, sys.argv[3])
from synth_bench import _node_cpu
try:  # this tree writes its apps with the library's synthesis; the baseline has cdk8s's only
    from airflow_constructs.core.synthesis import synth
except ImportError:
    synth = App.synth
def once(name, out):
    app = App(outdir=out); APPS[name](app); synth(app)
sizes = {name: len(APPS[name](App()).to_json()) for name in APPS}
BATCH = 10  # node's CPU is read in 10 ms ticks, about half a build: a batch's mean is not rounded away
largest = max(sizes, key=sizes.__getitem__)
once(largest, sys.argv[1])
cpus = []
for _ in range(int(sys.argv[2])):
    cpu0, node0 = time.process_time(), _node_cpu()
    for _ in range(BATCH):
        once(largest, sys.argv[1])
    cpus.append((time.process_time() - cpu0 + _node_cpu() - node0) / BATCH)
print(json.dumps({"app": largest, "objects": sizes[largest], "cpu": statistics.median(cpus)}))
"""


def in_process(tree: Path, runs: int, scratch: Path) -> dict[str, object]:
    """Median CPU (Python + its node process) of build + synth of the largest app, in one warm process.

    Each of the ``runs`` figures is the mean of a batch of builds: node's CPU time comes from /proc in
    10 ms ticks, and one build takes about 20 ms of node, so a single build's figure is rounded by up
    to half its node time; a batch's is not.

    Run in turn for the two trees, ``--runs`` times, like the cold figures.
    """
    done = subprocess.run(
        [PYTHON, "-c", IN_PROCESS, str(scratch / "in-process"), str(runs), str(ROOT / "bench")],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def make_synth_unchanged(runs: int) -> list[Run]:
    """`make synth` here when nothing changed since the last one (the first run brings the stamp up to date)."""
    env = environment(ROOT)
    run(["make", "synth"], ROOT, env)
    return [run(["make", "synth"], ROOT, env) for _ in range(runs)]


def baseline_make_synth(base: Path) -> Run:
    """What the baseline's `make synth` runs whatever changed: cdk8s synth, then the docs."""
    env = environment(base)
    first = run(["cdk8s", "synth"], base, env)
    docs = run([PYTHON, "-m", "apps.docs"], base, env)
    return Run(first.wall + docs.wall, first.cpu + docs.cpu, max(first.peak_mib, docs.peak_mib))


def ratio(a: list[Run], b: list[Run], field: str) -> float:
    return float(statistics.median(getattr(x, field) / getattr(y, field) for x, y in zip(a, b, strict=True)))


def median(runs: list[Run], field: str) -> float:
    return float(statistics.median(getattr(r, field) for r in runs))


def row(what: str, a: list[Run], b: list[Run], target: str, met: bool) -> str:
    figures = " | ".join(
        f"{median(a, f):.2f} / {median(b, f):.2f} ({ratio(a, b, f):.2f}x)" for f in ("wall", "cpu", "peak_mib")
    )
    return f"| {what} | {figures} | {target} | {'met' if met else 'MISSED'} |"


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="counted pairs per cold-process figure (default 3)")
    parser.add_argument("--baseline", default=os.environ.get("BENCH_BASELINE") or BASELINE)
    parser.add_argument(
        "--only", action="append", choices=FIGURES, help="measure only this figure (repeatable; default: all)"
    )
    args = parser.parse_args(argv)
    only = set(args.only or FIGURES)
    base = baseline_tree(args.baseline)
    for tree in (ROOT, base):
        compile_bytecode(tree)
    print(f"baseline {args.baseline} in {base.relative_to(ROOT)}; {args.runs} pairs per figure after a warm-up pair")
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if "apps" in only:
            a, b = paired([PYTHON, "-m", "apps"], base, args.runs, scratch)
            rows.append(row("`python -m apps`", a, b, "<= 0.35x wall", ratio(a, b, "wall") <= 0.35))
            rows.append(row("  peak memory of it", a, b, "<= 1.0x peak", ratio(a, b, "peak_mib") <= 1.0))
        if "cli" in only:
            cli = [PYTHON, "-m", "airflow_constructs.cli", "synth", "examples/default.yaml", "-o", "{out}"]
            a, b = paired(cli, base, max(args.runs, 5), scratch)
            met = ratio(a, b, "wall") <= 0.6 and median(a, "wall") <= 1.0
            rows.append(row("`airflow-constructs synth` (cold)", a, b, "<= 0.6x and <= 1.0 s wall", met))
        if "in-process" in only:
            rows.append(in_process_row(base, args.runs, scratch))
        if "make-synth" in only:
            unchanged, before = make_synth_unchanged(args.runs), baseline_make_synth(base)
            rows.append(
                f"| `make synth`, nothing changed | {median(unchanged, 'wall'):.2f} / {before.wall:.2f} "
                f"({median(unchanged, 'wall') / before.wall:.2f}x) | | | <= 2 s | "
                f"{'met' if median(unchanged, 'wall') <= 2 else 'MISSED'} |"
            )
    print("| figure (this tree / baseline) | wall s (ratio) | CPU s (ratio) | peak MiB (ratio) | target | |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


def in_process_row(base: Path, runs: int, scratch: Path) -> str:
    """The in-process figure's table row: ``in_process`` of both trees, in turn, ``runs`` times."""
    pairs = [(in_process(ROOT, 5, scratch), in_process(base, 5, scratch)) for _ in range(runs)]
    cpu_ratio = statistics.median(float(a["cpu"]) / float(b["cpu"]) for a, b in pairs)  # type: ignore[arg-type]
    mine = pairs[0][0]
    cpus = [statistics.median(float(pair[side]["cpu"]) for pair in pairs) for side in (0, 1)]  # type: ignore[arg-type]
    return (
        f"| in-process build + synth, {mine['app']} ({mine['objects']} objects) | | {cpus[0]:.3f} / "
        f"{cpus[1]:.3f} ({cpu_ratio:.2f}x) | | <= 0.5x CPU | {'met' if cpu_ratio <= 0.5 else 'MISSED'} |"
    )


if __name__ == "__main__":
    sys.exit(main())
