"""Synthesize every example app into ``$CDK8S_OUTDIR/<app>/`` (``dist/`` by default)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cdk8s import App

from .registry import APPS


def synth_all(outdir: Path) -> list[Path]:
    """Build every app in this process and write its manifests, replacing stale ones."""
    written = []
    for name, build in APPS.items():
        target = outdir / name
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.k8s.yaml"):
            old.unlink()
        app = App(outdir=str(target))
        build(app)
        app.synth()
        written.extend(sorted(target.glob("*.k8s.yaml")))
    return written


def main() -> int:
    outdir = Path(os.environ.get("CDK8S_OUTDIR", "dist"))
    for path in synth_all(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
