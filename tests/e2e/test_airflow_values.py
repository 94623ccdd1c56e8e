"""Differential tests of the Airflow-side value rules against Airflow's own parsing.

The values Airflow itself reads: ``[core] default_timezone`` (``AirflowTimeZone``), the typed
airflow.cfg settings (``AirflowSettings``: integers, booleans, the logging level) and pool names
(``Pool.name``). Hypothesis draws values of the kinds a config file gives (numbers, booleans,
strings around each boundary); all of them go in one batch to ``airflow_judge.py``, run with the
e2e virtualenv's Python (``tests/e2e/setup_deps.sh``), which asks Airflow's own code for its verdict.

For a value we accept, Airflow must accept what we write into airflow.cfg (or ``pools.json``) and
read back the value our props hold. For a value we refuse, Airflow must refuse it as a user would
have written it (``str(value)``), unless ``stricter`` names why we refuse it on purpose.
``VALUE_EXAMPLES`` (default 40; 300 under ``make proof``) values per type. Needs only the virtualenv:
no database or daemon runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from airflow_constructs.components.maintenance import Pool
from airflow_constructs.core.props import PropsError
from airflow_constructs.runtime.config import AirflowSettings
from tests.cluster import value_strategies as vs
from tests.cluster.value_strategies import draw
from tests.e2e.harness import Deps

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("VALUE_EXAMPLES", "40"))
JUDGE = Path(__file__).with_name("airflow_judge.py")


def _integers(low: int, high: int | None) -> st.SearchStrategy[Any]:
    edges = [low - 1, low, low + 1] + ([high - 1, high, high + 1] if high else [])
    return st.one_of(
        st.sampled_from(edges),
        st.integers(-(2**63), 2**63),
        st.integers(-5, 5000),
        st.sampled_from(["5", "05", " 7", "1e3", "5.0", "", "x", "0x10", "1_000", True, False, 5.0, 5.5, None]),
    )


_BOOLEANS = st.sampled_from(
    [True, False, 0, 1, 2, -1, 1.0, 0.5, "true", "True", "TRUE", "false", "False", "t", "f", "1", "0", "yes",
     "no", "y", "n", "on", "off", "", " true", "maybe", None]
)  # fmt: skip
_LEVELS = st.one_of(
    st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "debug", "Info", "WARN", "FATAL", "NOTSET",
                     "TRACE", "", " INFO", "INFO ", "10", 10, None]),
    st.text(max_size=8),
)  # fmt: skip
_POOL_CHARS = vs.ALNUM + "_.-"
_POOL_NAMES = st.one_of(
    vs.around(_POOL_CHARS, _POOL_CHARS, 256),
    st.sampled_from(["default_pool", " ", "a b", "a/b", "pool:1", "ü", "a" * 256, "a" * 257, " a", "a\t"]),
)


def _int_bound(field: str) -> Callable[[Any, Any], str | None]:
    low = AirflowSettings.model_fields[field].metadata
    bounds = {type(m).__name__: m for m in low}
    lo, hi = bounds["Ge"].ge, getattr(bounds.get("Le"), "le", None)

    def stricter(value: Any, airflow_value: Any) -> str | None:
        if isinstance(value, bool):
            return "a boolean is no count: YAML's true would be 1 to Airflow's getint"
        if isinstance(value, str) and _float_only(value):
            return "a whole number written as a float ('1e3'): Airflow's getint falls back to float(); we take integers"
        if isinstance(airflow_value, int) and (airflow_value < lo or (hi is not None and airflow_value > hi)):
            limit = f"{lo}..{hi}" if hi is not None else f">= {lo}"
            return f"{field} must be {limit} here (its docstring says why); Airflow takes any integer"
        return None

    return stricter


def _float_only(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return True
    return False


def _bool_stricter(value: Any, airflow_value: Any) -> str | None:
    if isinstance(value, str) and value != value.strip():
        return "surrounding spaces: airflow.cfg's parser strips them, a typed setting takes the value as given"
    return None


def _level_stricter(value: Any, airflow_value: Any) -> str | None:
    if isinstance(airflow_value, str):
        return (
            "we take the five documented level names in capitals; Airflow upper-cases and Python's logging "
            "also knows WARN, FATAL and NOTSET"
        )
    return None


def _zone_stricter(value: Any, airflow_value: Any) -> str | None:
    return "pendulum loads any file of the zoneinfo directory (posixrules, right/...); we take IANA zone names only"


def _pool_stricter(value: Any, airflow_value: Any) -> str | None:
    return (
        "a pool's name is part of its metrics (airflow.pool.open_slots.<name>...): we allow only ASCII letters, "
        "digits, '_', '.' and '-', no spaces; Airflow's pools import checks only that it is not blank and fits 256"
    )


@dataclass(frozen=True)
class AirflowValue:
    name: str
    strategy: st.SearchStrategy[Any]
    ours: Callable[[Any], str]
    """The text we write for an accepted value (raises PropsError if we refuse it)."""
    case: Callable[[str], dict[str, Any]]
    """The judge's case for a text."""
    stricter: Callable[[Any, Any], str | None]
    """Why we refuse on purpose a value Airflow accepts (given Airflow's reading of it), or None."""
    same: Callable[[Any, Any], bool] = lambda ours, theirs: ours == theirs
    """Whether Airflow's reading of our text is the value our props hold."""


def _setting(field: str, section: str, key: str) -> Callable[[Any], str]:
    def ours(value: Any) -> str:
        return AirflowSettings(**{field: value}).to_config()[section][key]

    return ours


def _typed(field: str, section: str, key: str, kind: str, strategy: st.SearchStrategy[Any]) -> AirflowValue:
    stricter = _int_bound(field) if kind == "int" else _bool_stricter
    return AirflowValue(
        f"{section}.{key}",
        strategy,
        _setting(field, section, key),
        lambda text: {"kind": kind, "section": section, "key": key, "text": text},
        stricter,
        same=lambda ours, theirs: theirs == (int(ours) if kind == "int" else ours == "True"),
    )


def _same_zone(ours: str, theirs: Any) -> bool:
    """The zone Airflow resolved is the one we wrote (``utc`` in any case is pendulum's UTC)."""
    return ours == "system" or theirs == ours or (ours.lower() == "utc" and theirs == "UTC")


TYPES = [
    AirflowValue(
        "core.default_timezone", st.one_of(vs.time_zones(), st.sampled_from(["system", "utc", "UTC", "uTc", "Z"])),
        _setting("default_timezone", "core", "default_timezone"),
        lambda text: {"kind": "timezone", "text": text}, _zone_stricter, same=_same_zone,
    ),
    _typed("parallelism", "core", "parallelism", "int", _integers(1, None)),
    _typed("max_active_tasks_per_dag", "core", "max_active_tasks_per_dag", "int", _integers(1, None)),
    _typed("max_active_runs_per_dag", "core", "max_active_runs_per_dag", "int", _integers(1, None)),
    _typed("api_workers", "api", "workers", "int", _integers(1, 64)),
    _typed("dag_refresh_interval", "dag_processor", "refresh_interval", "int", _integers(1, None)),
    _typed("min_file_process_interval", "dag_processor", "min_file_process_interval", "int", _integers(1, None)),
    _typed("execution_api_timeout", "workers", "execution_api_timeout", "int", _integers(1, 600)),
    _typed("dags_are_paused_at_creation", "core", "dags_are_paused_at_creation", "bool", _BOOLEANS),
    _typed("load_examples", "core", "load_examples", "bool", _BOOLEANS),
    _typed("expose_config", "api", "expose_config", "bool", _BOOLEANS),
    AirflowValue(
        "logging.logging_level", _LEVELS, _setting("logging_level", "logging", "logging_level"),
        lambda text: {"kind": "logging_level", "text": text}, _level_stricter,
    ),
    AirflowValue(
        "pool name", _POOL_NAMES, lambda v: Pool(name=v, slots=1).name, lambda text: {"kind": "pool", "name": text},
        _pool_stricter,
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def airflow_python() -> Path:
    python = Deps.from_setup_script().venv / "bin" / "python"
    assert python.exists(), f"{python} missing: run tests/e2e/setup_deps.sh install (make e2e does)"
    return python


def airflow_verdicts(python: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Airflow's verdict on each case, from one run of the judge (a fresh AIRFLOW_HOME, no AIRFLOW__ env)."""
    with tempfile.TemporaryDirectory(prefix="airflow-judge-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env["AIRFLOW_HOME"] = home
        out = Path(home) / "verdicts.json"
        argv = [str(python), str(JUDGE), str(out)]
        proc = subprocess.run(argv, input=json.dumps(cases), capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        verdicts: list[dict[str, Any]] = json.loads(out.read_text())
    assert len(verdicts) == len(cases)
    return verdicts


def _ours(value_type: AirflowValue, value: Any) -> str | None:
    try:
        return value_type.ours(value)
    except PropsError:
        return None


def test_our_verdict_is_airflows(airflow_python: Path, airflow_value_report: list[str]) -> None:
    """One judge run for every type (importing Airflow takes seconds), then each type's comparison."""
    drawn = {t.name: draw(t.strategy, EXAMPLES) for t in TYPES}
    cases, index = [], []
    for value_type in TYPES:
        assert len(drawn[value_type.name]) >= min(EXAMPLES, 20), value_type.name
        for value in drawn[value_type.name]:
            text = _ours(value_type, value)
            cases.append(value_type.case(text if text is not None else str(value)))
            index.append((value_type, value, text))
    verdicts = airflow_verdicts(airflow_python, cases)
    differ: list[str] = []
    counts: dict[str, list[int]] = {t.name: [0, 0, 0, 0] for t in TYPES}  # values, Airflow ok, equal, on purpose
    for (value_type, value, text), verdict in zip(index, verdicts, strict=True):
        count = counts[value_type.name]
        count[0] += 1
        count[1] += verdict["ok"]
        if text is not None:  # we accept: Airflow must read our text as our value
            if verdict["ok"] and value_type.same(text, verdict["value"]):
                count[2] += 1
            else:
                differ.append(f"{value_type.name} {value!r}: we write {text!r}, Airflow: {verdict}")
        elif not verdict["ok"]:
            count[2] += 1
        elif value_type.stricter(value, verdict["value"]):
            count[3] += 1
        else:
            differ.append(f"{value_type.name} {value!r}: Airflow accepts it ({verdict['value']!r}), we do not")
    for name, (n, ok, equal, on_purpose) in counts.items():
        airflow_value_report.append(
            f"{name}: {n} values, Airflow accepted {ok}, refused {n - ok}; verdicts equal {equal}, "
            f"stricter on purpose {on_purpose}"
        )
    assert differ == [], "\n".join(differ)
