"""``python -m apps``: every example app's manifests, Helm chart and chart package (see ``apps.synthesis``).

The worker processes start first, so that their start-up overlaps this process's imports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import workers

if __name__ == "__main__":
    started = workers.start(workers.jobs() - 1, Path(os.environ.get("CDK8S_OUTDIR", "dist")))
    from airflow_constructs.core.jsii_start import skip_argument_checks

    skip_argument_checks()  # the apps call jsii only through the library (see its docstring)
    from .synthesis import main

    sys.exit(main(started))

from .synthesis import CHANGELOG, chart_values, main, package_charts, synth_all, write_charts

__all__ = ["CHANGELOG", "chart_values", "main", "package_charts", "synth_all", "write_charts"]
