"""``migrate --compare``: the official chart rendered with the user's values beside our install.

The official chart is rendered by ``helm template`` from a directory (or package) the user gives;
nothing of it is kept. Ours is synthesized from the migrated config in this process. The diff is
semantic, per component: image, command, replicas, resources, env names, ports, mounts, service
account; then airflow.cfg options, exposure, and the differences that are ours on purpose.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from cdk8s import App

from ..config_file import build_chart, load_config
from .manifests import Install, Workload, read_install
from .wiring import MigrationError

HELM_TIMEOUT_SECONDS = 300
_DATABASE = ": the official chart's PostgreSQL, which holds the metadata: keep it or move it (docs/migrate.md)"
_ONLY = {
    "primary": _DATABASE,
    "postgresql": _DATABASE,
    "create-user-job": " (not needed: ours makes no admin/admin user)",
    "secrets-bootstrap": " (generates only what the old release did not have, e.g. a new Redis password)",
}
_ON_PURPOSE = {
    "security_context": "ours on purpose: the restricted Pod Security Standard context on every container",
    "helm_hook": "ours on purpose: no Helm hooks (a plain Job named by a hash of its template)",
    "service_account": "names differ: ours are <name>-<component>",
}


def render_official(chart: Path, values: Path, release: str, namespace: str) -> list[dict[str, Any]]:
    """``helm template`` of the official chart with the user's values; ``MigrationError`` if it fails."""
    helm = shutil.which("helm")
    if helm is None:
        raise MigrationError("--compare needs helm on PATH (`make tools` puts it in .tools/bin)")
    args = [helm, "template", release, str(chart), "-f", str(values), "--namespace", namespace]
    done = subprocess.run(args, capture_output=True, text=True, timeout=HELM_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        raise MigrationError(f"helm template {chart} -f {values} failed: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if isinstance(doc, dict)]


def compare(chart: Path, values: Path, config_path: Path, release: str) -> int:
    """Print the per-component diff of the official chart's render and ours."""
    config = load_config(config_path)
    theirs = read_install(render_official(chart, values, release, config.namespace))
    ours = read_install(build_chart(App(), config).to_json())
    print("\n".join(diff(theirs, ours)))
    return 0


def diff(theirs: Install, ours: Install) -> list[str]:
    """Lines of the comparison: a block per component, then airflow.cfg, exposure and policies."""
    lines = ["Comparison: official chart (left) | ours (right)"]
    for component in sorted(set(theirs.workloads) | set(ours.workloads)):
        left, right = theirs.workloads.get(component, []), ours.workloads.get(component, [])
        lines.append("")
        lines.append(f"== {component or '(no component label)'}: {_names(left)} | {_names(right)}")
        if not left or not right:
            lines.append(f"   only {'ours' if right else 'official'}{_ONLY.get(component, '')}")
            continue
        lines += _workload_diff(left[0], right[0])
    lines += ["", "== Secrets ours reads that it does not create (they must exist: the old release's)"]
    for name in sorted(ours.secret_refs - ours.secrets):
        if name in theirs.secrets:
            made = "made by the official chart"
        elif name.endswith("-generated"):
            made = "ours: generated in-cluster by the secrets-bootstrap Job (new passwords only)"
        else:
            made = "not in the official render: create it before installing ours"
        lines.append(f"   {name}: {made}")
    lines += ["", "== airflow.cfg", *_cfg_diff(theirs.airflow_cfg, ours.airflow_cfg)]
    lines += ["", "== exposure", f"   {', '.join(theirs.exposure) or 'none'} | {', '.join(ours.exposure) or 'none'}"]
    lines += [
        "",
        "== network policies",
        f"   {theirs.network_policies} | {ours.network_policies}"
        + ("  (ours on purpose: default-deny plus the flows the components need)" if ours.network_policies else ""),
    ]
    return lines


def _names(items: list[Workload]) -> str:
    return ", ".join(f"{w.kind} {w.name}" for w in items) or "-"


def _workload_diff(left: Workload, right: Workload) -> list[str]:
    same = []
    lines = []
    for f in fields(Workload):
        if f.name in ("kind", "name"):
            continue
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a == b:
            same.append(f.name)
            continue
        note = f"  ({_ON_PURPOSE[f.name]})" if f.name in _ON_PURPOSE else ""
        if isinstance(a, frozenset):
            only_a, only_b = ", ".join(sorted(map(str, a - b))), ", ".join(sorted(map(str, b - a)))
            lines.append(f"   {f.name}: only official: {only_a or '-'}; only ours: {only_b or '-'}{note}")
        else:
            lines.append(f"   {f.name}: {_show(a)} | {_show(b)}{note}")
    if same:
        lines.insert(0, f"   same: {', '.join(same)}")
    return lines


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(value) or "(image default)"
    if value == "" or value is None:
        return "-"
    return str(value)


def _cfg_diff(left: dict[str, str], right: dict[str, str]) -> list[str]:
    lines = []
    for key in sorted(set(left) | set(right)):
        a, b = left.get(key), right.get(key)
        if a != b:
            lines.append(f"   {key}: {a if a is not None else '-'} | {b if b is not None else '-'}")
    same = sum(1 for key in set(left) & set(right) if left[key] == right[key])
    return [f"   {same} options the same", *lines]
