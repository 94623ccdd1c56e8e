"""One line instead of jsii's 12-line banner when Node.js is end-of-life.

jsii's runtime (the node process every cdk8s import starts) prints a 12-line banner to its stderr,
which jsii's Python side relays line by line as byte strings, on every start under a Node.js it
calls end-of-life, unless ``JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION`` lists that major. It
checks when it starts, so the variable must be set before anything imports cdk8s: the package's
``__init__`` calls ``quiet_node_end_of_life_banner`` first, and the Makefile runs this file as a
script (standard library only, so it needs neither the venv nor the package) and exports what it
prints. Child processes inherit the variable, so the line is printed once per command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import MutableMapping
from typing import TextIO

SILENCE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
SUPPORTED_NODE_MAJORS = (22, 24)
"""The Node.js majors the pinned jsii (constraints.txt) supports; older ones get its banner."""


def node_version(env: MutableMapping[str, str]) -> str | None:
    """``node --version`` of the node jsii starts (``JSII_NODE`` or ``node``), e.g. ``v20.20.2``."""
    try:
        proc = subprocess.run([env.get("JSII_NODE", "node"), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    version = proc.stdout.strip()
    return version if proc.returncode == 0 and version.startswith("v") else None


def quiet_node_end_of_life_banner(env: MutableMapping[str, str] | None = None, err: TextIO | None = None) -> None:
    """Under an end-of-life Node.js, silence jsii's banner and print one line of ours, once."""
    env = os.environ if env is None else env
    if SILENCE in env:  # set by the user, the Makefile or a parent process: said already, or wanted silent
        return
    version = node_version(env)
    if version is None:
        return
    major = int(version[1:].split(".")[0])
    if major >= min(SUPPORTED_NODE_MAJORS):
        return
    env[SILENCE] = str(major)
    newest = max(SUPPORTED_NODE_MAJORS)
    print(
        f"airflow-constructs: Node.js {version} is end-of-life for jsii; install Node.js {newest} "
        f"(supported: {', '.join(map(str, SUPPORTED_NODE_MAJORS))})",
        file=err or sys.stderr,
    )


if __name__ == "__main__":
    # The Makefile: the line on stderr, the value to export on stdout.
    quiet_node_end_of_life_banner()
    print(os.environ.get(SILENCE, ""))
