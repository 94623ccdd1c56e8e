"""End-to-end tests run real Airflow processes: only with ``-m e2e`` (``make e2e``), skipped otherwise."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "e2e" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="end-to-end: runs real Airflow processes, use `make e2e`")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


_AIRFLOW_VALUE_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def airflow_value_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines ``test_airflow_values.py`` adds, printed at the end of the session with the counts per type."""
    return request.config.stash.setdefault(_AIRFLOW_VALUE_REPORT, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_AIRFLOW_VALUE_REPORT, [])
    if lines:
        terminalreporter.section("Airflow-side value rules vs Airflow's own parsing (tests/e2e/test_airflow_values.py)")
        for line in lines:
            terminalreporter.write_line(line)
