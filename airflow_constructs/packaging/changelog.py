"""Read one release out of a Keep a Changelog ``CHANGELOG.md``, for the Helm chart's metadata.

The chart takes two things from the release section of its version: the ``artifacthub.io/changes``
annotation (each ``### Added``/``Changed``/... entry becomes a change of that kind) and the release
date, which becomes the timestamp of the packaged chart and of its chart-repository entry, so that
packaging is reproducible and the dates mean something.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TypedDict

KINDS = {
    "Added": "added",
    "Changed": "changed",
    "Deprecated": "deprecated",
    "Removed": "removed",
    "Fixed": "fixed",
    "Security": "security",
}
"""Keep a Changelog section names and the Artifact Hub change kind each maps to."""

_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>.*?))?\s*$")
_KIND = re.compile(r"^### (?P<kind>.+?)\s*$")
_ITEM = re.compile(r"^[-*] (?P<text>.+)$")


class ChangelogError(ValueError):
    """The changelog has no usable section for the version being released."""


class Change(TypedDict):
    """One changelog entry, as an entry of the chart's ``artifacthub.io/changes`` annotation lists it."""

    kind: str
    """Artifact Hub kind: added, changed, deprecated, removed, fixed or security."""
    description: str
    """The entry's text, on one line."""


@dataclass(frozen=True)
class Release:
    """The changelog section of one version."""

    version: str
    date: datetime.date
    changes: tuple[Change, ...]

    @property
    def timestamp(self) -> datetime.datetime:
        """Midnight UTC of the release date: the time packaging stamps on files and index entries."""
        return datetime.datetime.combine(self.date, datetime.time(0, 0), tzinfo=datetime.UTC)


def release(changelog: str, version: str, *, source: str = "CHANGELOG.md") -> Release:
    """The section ``## [<version>] - YYYY-MM-DD`` of ``changelog``, with its entries.

    Raises ChangelogError when the section is missing, undated, empty, or uses a sub-heading other
    than the six of Keep a Changelog.
    """
    lines = _section_lines(changelog, version, source)
    header, body = lines[0], lines[1:]
    date = _release_date(header, version, source)
    changes = _changes(body, version, source)
    if not changes:
        raise ChangelogError(f"{source}: section [{version}] lists no changes: add entries under '### Added' etc.")
    return Release(version=version, date=date, changes=tuple(changes))


def _section_lines(changelog: str, version: str, source: str) -> list[str]:
    lines = changelog.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if (m := _RELEASE.match(line)) and m["version"] == version),
        None,
    )
    if start is None:
        raise ChangelogError(
            f"{source}: no section '## [{version}] - YYYY-MM-DD': add one for the version being released"
        )
    end = next((i for i in range(start + 1, len(lines)) if _RELEASE.match(lines[i])), len(lines))
    # Link reference definitions ("[0.1.0]: https://...") close the last section.
    body = [line for line in lines[start:end] if not re.match(r"^\[[^\]]+\]: ", line)]
    return body


def _release_date(header: str, version: str, source: str) -> datetime.date:
    match = _RELEASE.match(header)
    raw = (match["date"] if match else None) or ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass  # e.g. 2026-02-30: reported below like any other bad date
    raise ChangelogError(f"{source}: section [{version}] has date {raw!r}: expected '## [{version}] - YYYY-MM-DD'")


def _changes(body: list[str], version: str, source: str) -> list[Change]:
    changes: list[Change] = []
    kind: str | None = None
    for line in body:
        if heading := _KIND.match(line):
            name = heading["kind"]
            if name not in KINDS:
                allowed = ", ".join(KINDS)
                raise ChangelogError(f"{source}: section [{version}] has '### {name}': allowed are {allowed}")
            kind = KINDS[name]
        elif item := _ITEM.match(line):
            if kind is None:
                raise ChangelogError(
                    f"{source}: section [{version}] has an entry before any '### <kind>' heading: {line!r}"
                )
            changes.append(Change(kind=kind, description=item["text"].strip()))
        elif line.startswith((" ", "\t")) and line.strip() and changes:
            # A wrapped entry: continuation lines are indented.
            last = changes[-1]
            changes[-1] = Change(kind=last["kind"], description=f"{last['description']} {line.strip()}")
    return changes
