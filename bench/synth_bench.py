#!/usr/bin/env python3
"""Benchmark: how fast the library builds and synthesizes, and how far it scales. Prints figures.

    make bench                              # or: .venv/bin/python bench/synth_bench.py [--runs N] [--quick]

1. In-process build + synth of each example app (median of --runs runs after one warm-up): the
   app's constructs are built into a fresh ``App`` and ``app.synth()`` writes its YAML. Next to
   the largest app, two floors of cdk8s itself for the same objects: bodies as ``JsonPatch``es,
   and metadata only.
2. Scaling: 1, 8, 32, 128 Celery worker sets in one ``Airflow`` (time and object count); the cost
   must grow linearly: 128 sets below 60x the cost of 1 set.
3. Cold ``cdk8s synth`` of all apps (a new process each run, what ``make synth`` does), next to
   its floors: the cdk8s CLI alone (``cdk8s --version``) and ``python -c "import cdk8s"``.
4. ``helm template`` of each generated chart in ``dist/helm/charts/`` (skipped without ``helm``).

Each figure is compared with its target; the script never fails on a slow machine (timings are
not tests), it prints what it measured. Public tools only: time.perf_counter and subprocess.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK8S_CHECK_UPGRADE", "false")

TARGETS = {
    "largest app build+synth (in-process)": 0.050,
    "cold cdk8s synth, default app": 1.0,
    "helm template of a chart": 0.1,
}
SCALING_LIMIT = 60.0
"""128 worker sets must cost less than this many times one set."""


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_cpu(int(child))
        return total
    except (OSError, ValueError, IndexError):
        return 0.0


def _node_cpu() -> float:
    """CPU seconds used so far by this Python process's jsii node processes (the runtime and the
    kernel it spawns)."""
    try:
        import jsii

        pid = jsii.kernel.provider._process._process.pid  # type: ignore[attr-defined]
    except Exception:
        return 0.0
    return _tree_cpu(pid)


def median_time(fn: Callable[[], Any], runs: int, warmup: int = 1) -> tuple[float, float]:
    """Median wall seconds of ``fn`` over ``runs`` runs after ``warmup`` uncounted ones, and the
    median CPU seconds (this process plus its jsii node process): CPU does not grow when other
    work shares the machine, so it is the figure to compare across runs."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, node0 = time.process_time(), _node_cpu()
        start = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0 + _node_cpu() - node0)
    return statistics.median(walls), statistics.median(cpus)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(seconds: float, target: float) -> str:
    return f"{'meets' if seconds <= target else 'MISSES'} target {ms(target)}"


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    node = shutil.which("node")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else "-"
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), Python {platform.python_version()}, "
        f"Node {node_version}, {platform.system()} {platform.release()}"
    )


# -- 1. in-process build + synth ------------------------------------------------------------------
def bench_apps(runs: int) -> dict[str, tuple[float, float, int]]:
    from cdk8s import App

    from apps.registry import APPS

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in APPS.items():

            def once(build: Any = build, name: str = name) -> None:
                app = App(outdir=str(Path(tmp) / name))
                build(app)
                app.synth()

            wall, cpu = median_time(once, runs)
            app = App()
            objects = len(build(app).to_json())
            out[name] = (wall, cpu, objects)
    return out


def bench_cdk8s_floor(app_name: str, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """What cdk8s itself costs for the same objects as ``app_name``, without the library: (a) each
    object an ``ApiObject`` whose body crosses into jsii as one ``JsonPatch`` per top-level key (the
    fewest round trips the ``ApiObject`` API allows for a body), then ``app.synth()``; (b) the same
    objects with metadata only, so no body crosses at all. (b) is the floor of any cdk8s library."""
    from cdk8s import ApiObject, App, Chart, JsonPatch

    from apps.registry import APPS

    docs = list(APPS[app_name](App()).to_json())

    def make(with_body: bool, outdir: str) -> None:
        app = App(outdir=outdir)
        chart = Chart(app, "floor", namespace="airflow", disable_resource_name_hashes=True)
        for i, doc in enumerate(docs):
            obj = ApiObject(chart, f"o{i}", api_version=doc["apiVersion"], kind=doc["kind"], metadata=doc["metadata"])
            if with_body:
                for key, value in doc.items():
                    if key not in ("apiVersion", "kind", "metadata"):
                        obj.add_json_patch(JsonPatch.add(f"/{key}", value))
        app.synth()

    with tempfile.TemporaryDirectory() as tmp:
        bodies = median_time(lambda: make(True, tmp), runs)
        metadata_only = median_time(lambda: make(False, tmp), runs)
    return bodies, metadata_only


# -- 2. scaling -----------------------------------------------------------------------------------
def scaling_unit() -> tuple[str, Callable[[Any, int], None]]:
    """What to multiply: Celery worker sets when the library has them, else whole installs."""
    import airflow_constructs

    if hasattr(airflow_constructs, "CeleryExecutor"):

        def worker_sets(chart: Any, n: int) -> None:
            sets = [{"name": f"set-{i}", "queues": [f"queue-{i}"]} for i in range(n)]
            airflow_constructs.Airflow(chart, "airflow", executor={"kind": "CeleryExecutor", "worker_sets": sets})

        return "Celery worker sets", worker_sets

    def installs(chart: Any, n: int) -> None:
        for i in range(n):
            airflow_constructs.Airflow(chart, f"airflow-{i}")

    return "Airflow installs (no CeleryExecutor yet)", installs


def bench_scaling(runs: int, sizes: list[int]) -> tuple[str, dict[int, tuple[float, float, int]]]:
    from cdk8s import App, Chart

    label, add = scaling_unit()
    out = {}
    for n in sizes:

        def once(n: int = n) -> int:
            app = App()
            chart = Chart(app, "scale", namespace="airflow", disable_resource_name_hashes=True)
            add(chart, n)
            return len(app.synth_yaml())

        wall, cpu = median_time(once, runs if n <= 32 else max(3, runs // 3))
        app = App()
        chart = Chart(app, "scale", namespace="airflow", disable_resource_name_hashes=True)
        add(chart, n)
        out[n] = (wall, cpu, len(chart.to_json()))
    return label, out


# -- 3. cold synth --------------------------------------------------------------------------------
def wall(cmd: list[str], runs: int, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float] | None:
    """Median wall and CPU seconds (the command and every process it waited for) of a command, a
    fresh process each run after one warm-up run; None when it fails."""
    walls, cpus = [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            print(f"    ! {' '.join(cmd)} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
            return None
        if i:  # the first run warms the OS file cache
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_cold(runs: int) -> dict[str, tuple[float, float] | None]:
    cdk8s = ROOT / "node_modules" / ".bin" / "cdk8s"
    python = sys.executable
    out: dict[str, tuple[float, float] | None] = {}
    # what `make synth` runs: `python` is the venv's (cdk8s.yaml says `python -m apps`)
    path = os.pathsep.join([str(Path(python).parent), str(cdk8s.parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": path}
    with tempfile.TemporaryDirectory() as tmp:
        if cdk8s.exists():
            out["cdk8s synth (all apps)"] = wall([str(cdk8s), "synth", "-o", f"{tmp}/all"], runs, env=env)
            default_only = (
                f'{python} -c "import os; from cdk8s import App; from apps.registry import APPS; '
                "a = App(outdir=os.environ['CDK8S_OUTDIR']); APPS['default'](a); a.synth()\""
            )
            out["cdk8s synth (default app)"] = wall(
                [str(cdk8s), "synth", "-a", default_only, "-o", f"{tmp}/default-cli"], runs, env=env
            )
            out["floor: cdk8s CLI alone (cdk8s --version)"] = wall([str(cdk8s), "--version"], runs, env=env)
        else:
            print("    (node_modules/.bin/cdk8s missing: run make setup)")
        out["python -m apps (all apps; what cdk8s synth runs)"] = wall(
            [python, "-m", "apps"], runs, env={**env, "CDK8S_OUTDIR": f"{tmp}/apps"}
        )
        out["python: default app only"] = wall(
            [
                python,
                "-c",
                "import sys; from cdk8s import App; from apps.registry import APPS; "
                "a = App(outdir=sys.argv[1]); APPS['default'](a); a.synth()",
                f"{tmp}/default",
            ],
            runs,
            env=env,
        )
        out["floor: python -c 'import cdk8s' (jsii + node)"] = wall([python, "-c", "import cdk8s"], runs, env=env)
        out["floor: python -c 'import airflow_constructs'"] = wall(
            [python, "-c", "import airflow_constructs"], runs, env=env
        )
    return out


# -- 4. helm template -----------------------------------------------------------------------------
def bench_helm(runs: int) -> dict[str, tuple[float, float] | None] | None:
    helm = ROOT / ".tools" / "bin" / "helm"
    charts = sorted(p.parent for p in (ROOT / "dist" / "helm" / "charts").glob("*/Chart.yaml"))
    if not helm.exists() or not charts:
        return None
    out = {
        chart.name: wall([str(helm), "template", "airflow", str(chart), "--namespace", "airflow"], runs)
        for chart in charts
    }
    out["floor: helm version (the binary alone)"] = wall([str(helm), "version", "--short"], runs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="timed runs per in-process figure (default 10)")
    parser.add_argument("--cold-runs", type=int, default=5, help="runs per cold-process figure (default 5)")
    parser.add_argument("--quick", action="store_true", help="3 runs each, scaling up to 32 sets")
    args = parser.parse_args(argv)
    runs, cold_runs = (3, 3) if args.quick else (args.runs, args.cold_runs)
    sizes = [1, 8, 32] if args.quick else [1, 8, 32, 128]

    print(f"machine: {machine()}")
    print(f"command: make bench   (in-process: median of {runs} after 1 warm-up; cold: median of {cold_runs})\n")

    print("1. in-process build + synth (App built and app.synth() writing YAML): wall and CPU (python + node)")
    apps = bench_apps(runs)
    for name, (seconds, cpu, objects) in apps.items():
        print(f"    {name:<24} {ms(seconds):>10} wall {ms(cpu):>10} cpu   {objects:>4} objects")
    largest_name = max(apps, key=lambda name: apps[name][2])
    largest = apps[largest_name]
    target = TARGETS["largest app build+synth (in-process)"]
    print(f"    largest app: {ms(largest[0])} wall, {ms(largest[1])} cpu: {verdict(min(largest[:2]), target)}")
    bodies, metadata_only = bench_cdk8s_floor(largest_name, runs)
    print(f"    floor: the same {largest[2]} objects in bare cdk8s (ApiObject + JsonPatch per body key, synth):")
    overhead = ms(largest[1] - bodies[1])
    print(f"      {ms(bodies[0]):>10} wall {ms(bodies[1]):>10} cpu   (library overhead above it: {overhead} cpu)")
    print(f"    floor: {largest[2]} bare ApiObjects with metadata only, no body (synth):")
    print(f"      {ms(metadata_only[0]):>10} wall {ms(metadata_only[1]):>10} cpu\n")

    label, scaling = bench_scaling(runs, sizes)
    print(f"2. scaling: {label} in one app (build + synth_yaml)")
    base_wall, base_cpu, _ = scaling[sizes[0]]
    for n, (seconds, cpu, objects) in scaling.items():
        print(
            f"    {n:>4} {ms(seconds):>10} wall {ms(cpu):>10} cpu   {objects:>5} objects"
            f"   {seconds / base_wall:6.1f}x wall, {cpu / base_cpu if base_cpu else 0:6.1f}x cpu of 1"
        )
    biggest = sizes[-1]
    big_wall, big_cpu, _ = scaling[biggest]
    ratio = big_cpu / base_cpu if base_cpu else big_wall / base_wall
    limit = SCALING_LIMIT * biggest / 128
    per_unit = (big_cpu - base_cpu) / max(1, biggest - 1)
    linear = "linear" if ratio < limit else "NOT linear enough"
    print(f"    {biggest} vs 1: {ratio:.1f}x the cpu (limit {limit:.0f}x) -> {linear}; ~{ms(per_unit)} cpu per set\n")

    print("3. cold process (a new process per run): wall and CPU of the whole process tree")
    for what, figures in bench_cold(cold_runs).items():
        shown = f"{ms(figures[0]):>10} wall {ms(figures[1]):>10} cpu" if figures else "failed"
        print(f"    {what:<52} {shown}")
    print(f"    target for cold cdk8s synth of the default app: {ms(TARGETS['cold cdk8s synth, default app'])}\n")

    print("4. helm template of each generated chart")
    helm = bench_helm(cold_runs)
    if helm is None:
        print("    skipped: needs .tools/bin/helm (make tools) and charts in dist/helm/charts/ (make synth)")
    else:
        for chart, figures in helm.items():
            if figures is None:
                print(f"    {chart:<40} failed")
                continue
            note = "" if chart.startswith("floor") else verdict(figures[0], TARGETS["helm template of a chart"])
            print(f"    {chart:<40} {ms(figures[0]):>10} wall {ms(figures[1]):>10} cpu   {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
