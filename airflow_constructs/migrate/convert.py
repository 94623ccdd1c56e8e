"""From an official-chart values file to our config: every key accounted for, secrets by reference.

``migrate`` walks every leaf key of the input, finds its rule (``vocabulary``, ``top_level``, or the
airflow.cfg tables for ``config.<section>.<key>``), sets our field for a mapped key, and records one
``Row`` per key. A key no rule knows is an error naming its line: nothing is dropped silently.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from ..runtime.config import MANAGED_KEYS, TYPED_KEYS
from . import wiring
from .converters import is_keep
from .rules import Outcome, Rule, Verdict, first_match, mapped, not_needed
from .top_level import (
    DAG_RULES,
    DATA_RULES,
    EXPOSURE_RULES,
    GATES,
    GENERAL_RULES,
    IMAGE_RULES,
    LOG_RULES,
    SECRET_RULES,
    SUPERSEDED,
)
from .values import Leaf, get
from .vocabulary import component_rules
from .wiring import Context, MigrationError

RULES: tuple[Rule, ...] = (
    SECRET_RULES + IMAGE_RULES + DATA_RULES + DAG_RULES + LOG_RULES + EXPOSURE_RULES + component_rules() + GENERAL_RULES
)
"""Every rule, the first match wins."""

_ALL_PODS = ("api_server", "scheduler", "dag_processor", "triggerer", "{celery}", "{k8s}")
"""What ``{all}`` stands for: every Airflow component that has pod options."""


@dataclass(frozen=True)
class Row:
    """One key of the input and what became of it."""

    key: str
    line: int
    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class Migration:
    """Our config (as plain data, not yet validated) and the report rows, in input order."""

    config: dict[str, Any]
    rows: tuple[Row, ...]
    references: tuple[tuple[str, str], ...]
    """(our field, ``Secret name/key``) of every Secret the config reads from the old release."""


def migrate(data: dict[str, Any], leaves: list[Leaf], release: str, source: str, name: str) -> Migration:
    """Our config, named ``name``, for the values ``data`` (with its ``leaves``) of release ``release``."""
    ctx = Context(data, release)
    # One scan of the rules per key: each verdict is read again below.
    found = {leaf.path: _verdict(leaf.path) for leaf in leaves}
    unknown = [leaf for leaf in leaves if found[leaf.path] is None]
    if unknown:
        raise MigrationError(
            "\n".join(
                f"{source}:{leaf.line}: key {leaf.path!r} is not a key of the official Airflow chart's values "
                "(releases 1.15-1.22 and main): check its spelling; nothing was written"
                for leaf in unknown
            )
        )
    config = {"name": name, **_wired(data, ctx)}
    seeds = _Seeds(config)
    rows: dict[str, Row] = {}
    verdicts = {path: verdict for path, verdict in found.items() if verdict is not None}
    # Keys for every pod first, so a component's own key wins, as in the official chart.
    ordered = sorted(leaves, key=lambda leaf: 0 if "{all}" in verdicts[leaf.path].detail else 1)
    for leaf in ordered:
        verdict = verdicts[leaf.path]
        templated = isinstance(leaf.value, str) and "{{" in leaf.value and leaf.path.startswith("config.")
        if templated:
            rows[leaf.path] = Row(leaf.path, leaf.line, _TEMPLATED.outcome, _TEMPLATED.detail)
        else:
            rows[leaf.path] = _gated(data, leaf) or _apply(verdict, leaf, config, ctx, seeds)
    references = tuple(sorted(_references(config)))
    return Migration(config, tuple(rows[leaf.path] for leaf in leaves), references)


def _verdict(path: str) -> Verdict | None:
    if path.startswith("config."):
        return _config_verdict(path)
    return first_match(RULES, path)


def _config_verdict(path: str) -> Verdict | None:
    """``config.<section>.<key>``: a typed setting, a key the library owns, or ``config`` as is."""
    parts = path.split(".")
    if len(parts) == 2:
        return not_needed("an empty section sets nothing")
    if len(parts) != 3:
        return None
    section, key = parts[1], parts[2]
    if (section, key) in TYPED_KEYS:
        return mapped(TYPED_KEYS[(section, key)])
    if (section, key) in MANAGED_KEYS:
        return not_needed(f"set by the library from {MANAGED_KEYS[(section, key)]}")
    owner = COMPONENT_OWNED.get((section, key)) or COMPONENT_OWNED.get((section, "*"))
    if owner:
        return not_needed(f"set by the library from {owner}")
    return mapped(f"config.{section}.{key}", _cfg_value)


_TEMPLATED = not_needed("a template of the official chart, filled from its other values; ours wires this itself")


COMPONENT_OWNED = {
    ("metrics", "statsd_on"): "metrics.statsd",
    ("metrics", "statsd_host"): "metrics.statsd",
    ("metrics", "statsd_port"): "metrics.statsd",
    ("metrics", "statsd_prefix"): "metrics.statsd",
    ("metrics", "otel_on"): "metrics.otel",
    ("metrics", "otel_host"): "metrics.otel",
    ("metrics", "otel_port"): "metrics.otel",
    ("metrics", "otel_prefix"): "metrics.otel",
    ("metrics", "otel_ssl_active"): "metrics.otel",
    ("traces", "*"): "metrics.otel",
    ("core", "security"): "kerberos",
    ("kerberos", "*"): "kerberos",
}
"""airflow.cfg keys a component sets from its props (the components refuse them in ``config``)."""


def _cfg_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _wired(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    config: dict[str, Any] = {
        "secrets": wiring.secrets(data, ctx),
        "database": wiring.database(data, ctx),
        "executor": wiring.executor(data, ctx),
    }
    if get(data, "enableBuiltInSecretEnvVars.AIRFLOW_CONN_AIRFLOW_DB", True):
        # The official chart gives every process the metadata database as connection `airflow_db`.
        config["connections"] = {"airflow_db": config["database"]["url"]}
    dags = wiring.dags(data, ctx)
    if dags:
        config["dags"] = dags
    flower_auth = wiring.flower_auth(data, ctx)
    if flower_auth:
        config["flower"] = {"basic_auth": flower_auth}
    remote = wiring.remote_logs(data, ctx)
    if remote:
        config["logs"] = {"remote": remote}
    # The official chart cleans the database only when asked; ours would by default: keep the rows.
    config["db_clean"] = {"enabled": bool(get(data, "databaseCleanup.enabled", False))}
    for section, target in (("apiServer", "api_server"), ("web", "api_server"), ("flower", "flower")):
        expose = wiring.exposure(data, section)
        if expose and "expose" not in config.get(target, {}):
            config.setdefault(target, {})["expose"] = expose
    return config


def _gated(data: dict[str, Any], leaf: Leaf) -> Row | None:
    """A row for a key of a part the chart has switched off, which configures nothing."""
    for prefix, switch, chart_default in GATES:
        if leaf.path.startswith(prefix) and leaf.path != switch and not get(data, switch, chart_default):
            return Row(leaf.path, leaf.line, Outcome.NOT_NEEDED, f"{switch} is off, so this configures nothing")
    for prefix, switch, why in SUPERSEDED:
        if leaf.path.startswith(prefix) and get(data, switch):
            return Row(leaf.path, leaf.line, Outcome.NOT_NEEDED, f"{switch} is on: {why}")
    return None


class _Seeds:
    """Our default resources of a component, so that setting one quantity keeps the other three.

    ``Resources`` fields default to generic figures; each component's field defaults to figures
    sized for it. Setting ``scheduler.resources.cpu_limit`` alone must keep the scheduler's own.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        from ..config_file import AirflowConfig

        # Only what decides which defaults apply: the executors, and git-sync for its sidecar's.
        base = {"executor": config["executor"], "dags": {"kind": "git-sync", "repo": "https://example.invalid/d.git"}}
        self._model = AirflowConfig.parse(base)

    def resources(self, path: str) -> dict[str, Any]:
        current: Any = self._model
        for step in _steps(path):
            current = current[step] if isinstance(step, int) else getattr(current, step)
        return dict(current.model_dump())


def _apply(verdict: Verdict, leaf: Leaf, config: dict[str, Any], ctx: Context, seeds: _Seeds) -> Row:
    if verdict.outcome is not Outcome.MAPPED:
        return Row(leaf.path, leaf.line, verdict.outcome, verdict.detail)
    if leaf.value is None:
        # `~` in the chart's values means "not set, use the chart's default": ours applies.
        return Row(leaf.path, leaf.line, Outcome.DEFAULT, f"not set (~): our default for {verdict.detail} applies")
    targets = _targets(verdict.detail, ctx)
    if not targets:
        return Row(leaf.path, leaf.line, Outcome.NOT_NEEDED, f"no such part with executor {'+'.join(ctx.executors)}")
    parent = targets[0].rsplit(".", 1)[0]
    if parent in ("api_server.expose", "flower.expose") and not _get(config, parent):
        return Row(leaf.path, leaf.line, Outcome.NOT_NEEDED, "that Ingress is not enabled")
    try:
        value = verdict.convert(leaf.value)
    except (TypeError, ValueError, KeyError) as err:
        raise MigrationError(f"line {leaf.line}: {leaf.path}: cannot read {err}") from None
    if not is_keep(value):
        for target in targets:
            parent = target.rsplit(".", 1)[0]
            if parent.endswith("resources") and _get(config, parent) is None:
                _set(config, parent, seeds.resources(parent))
            _set(config, target, value)
    return Row(leaf.path, leaf.line, Outcome.MAPPED, ", ".join(targets))


def _targets(detail: str, ctx: Context) -> list[str]:
    """Our field paths for a mapped rule's target, placeholders resolved (none: no such part)."""
    expanded = [detail.replace("{all}", pod) for pod in _ALL_PODS] if "{all}" in detail else [detail]
    out = []
    for target in expanded:
        resolved: str | None = target
        for name in re.findall(r"\{(\w+)\}", target):
            part = ctx.placeholder(name)
            resolved = resolved.replace(f"{{{name}}}", part) if resolved and part else None
        if resolved:
            out.append(resolved)
    return out


_STEP = re.compile(r"([^.\[]+)((?:\[\d+\])*)")


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for name, indices in _STEP.findall(path):
        steps.append(name)
        steps.extend(int(i) for i in re.findall(r"\d+", indices))
    return steps


def _get(config: Any, path: str) -> Any:
    current = config
    for step in _steps(path):
        if isinstance(step, int):
            current = current[step] if isinstance(current, list) and step < len(current) else None
        else:
            current = current.get(step) if isinstance(current, dict) else None
    return current


def _set(config: dict[str, Any], path: str, value: Any) -> None:
    """Set a field; a list of env vars adds to what an earlier key set (global env plus the component's)."""
    steps = _steps(path)
    current: Any = config
    for step, after in itertools.pairwise(steps):
        if isinstance(step, int):
            current = current[step]
        else:
            if not isinstance(current.get(step), dict | list):
                current[step] = [] if isinstance(after, int) else {}
            current = current[step]
    last = steps[-1]
    assert isinstance(last, str)
    if last == "extra_env" and isinstance(current.get(last), list):
        current[last] = current[last] + value
    else:
        current[last] = value


def _references(config: Any, path: str = "") -> list[tuple[str, str]]:
    """Every ``{name, key}`` Secret reference of the config, with its field path."""
    if isinstance(config, dict):
        if set(config) == {"name", "key"}:
            return [(path, f"{config['name']}/{config['key']}")]
        out = []
        for key, value in config.items():
            out += _references(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(config, list):
        return [ref for i, item in enumerate(config) for ref in _references(item, f"{path}[{i}]")]
    return []
