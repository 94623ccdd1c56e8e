"""``python -m apps``: every example app's manifests, Helm chart and chart package (see ``apps.synthesis``).

This process imports the library with node left to start only when a call needs it
(``core.jsii_start.ON_DEMAND``), then forks the workers (``workers.fork``): they start with every
module imported, and none has a node process yet. Where it cannot fork, the workers are spawned
first, so that their start-up overlaps this process's imports (``workers.start``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import workers

if __name__ == "__main__":
    outdir, count = Path(os.environ.get("CDK8S_OUTDIR", "dist")), workers.jobs() - 1
    spawned = None if workers.can_fork() else workers.start(count, outdir)
    if spawned is None:
        os.environ[workers.NODE_ON_DEMAND] = "1"  # for this process, and the forked workers
    from airflow_constructs.core.jsii_start import skip_argument_checks, start_node

    skip_argument_checks()  # the apps call jsii only through the library (see its docstring)
    from .synthesis import main

    started = spawned if spawned is not None else workers.fork(count, outdir)
    start_node()  # this process takes the apps that need node first (synthesis.BUILT_WITH_NODE)
    sys.exit(main(started if started is not None else workers.start(count, outdir)))

from .synthesis import CHANGELOG, chart_values, main, package_charts, synth_all, write_charts

__all__ = ["CHANGELOG", "chart_values", "main", "package_charts", "synth_all", "write_charts"]
