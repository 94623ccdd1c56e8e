"""``python -m apps``: every example app's manifests, Helm chart and chart package (see ``apps.synthesis``)."""

from __future__ import annotations

import sys

from .synthesis import CHANGELOG, chart_values, main, package_charts, synth_all, write_charts

__all__ = ["CHANGELOG", "chart_values", "main", "package_charts", "synth_all", "write_charts"]

if __name__ == "__main__":
    sys.exit(main())
