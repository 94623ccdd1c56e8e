"""The migration report: one line per key of the input, then the Secrets kept by reference.

The same text is printed and written beside the config. It names keys and our fields, never a
value, so it holds no secret.
"""

from __future__ import annotations

from collections import Counter

from .convert import Migration
from .rules import Outcome


def render(migration: Migration, source: str, release: str) -> str:
    """The report as plain text: a summary, the table, the Secret references."""
    rows = migration.rows
    counts = Counter(row.outcome for row in rows)
    summary = ", ".join(f"{counts[outcome]} {outcome.value}" for outcome in Outcome)
    key_width = min(max((len(f"{row.key} ({row.line})") for row in rows), default=3), 60)
    outcome_width = max(len(outcome.value) for outcome in Outcome)
    lines = [
        f"Migration of {source} (official Apache Airflow chart, release {release!r}): {len(rows)} keys: {summary}.",
        "",
        f"{'KEY (LINE)':<{key_width}}  {'OUTCOME':<{outcome_width}}  OUR FIELD / REASON / WHAT TO DO",
    ]
    for row in rows:
        lines.append(f"{f'{row.key} ({row.line})':<{key_width}}  {row.outcome.value:<{outcome_width}}  {row.detail}")
    lines += ["", "Kept by reference (Secret or ConfigMap name/key of the old release; no value is copied):"]
    lines += [f"  {field}: {ref}" for field, ref in migration.references]
    return "\n".join(lines) + "\n"
