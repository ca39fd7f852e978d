"""Exports of stored releases: JSON (which `import` reads back) and CSV; the helpers every
export shares (the evidence sentence, Markdown escaping). The Markdown briefing is
`state.briefing`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from feeds import PillarSet, one_line
from state.records import StoredRelease, TriageState
from state.versions import Change, changes, word_diff

EXPORT_FORMAT = "summitwatch-export"
EXPORT_VERSION = 1
COUNTRY_NAMES = {"CA": "Canada", "MX": "Mexico", "US": "United States"}
CHANGE_LIMIT = 200  # characters of one changed passage quoted in an edit summary
CSV_COLUMNS = (
    "id",
    "published",
    "country",
    "source",
    "language",
    "title",
    "link",
    "summit",
    "pillars",
    "triage",
    "starred",
    "read",
    "note",
    "evidence",
    "sources",
    "first_seen",
    "changed_at",
    "decided",
)


@dataclass(frozen=True)
class ExportFilter:
    """Which releases to export; an empty field does not filter."""

    since: str | None = None  # ISO date or time; compared with `published` (else first seen)
    pillars: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    states: tuple[TriageState, ...] = ()
    summit: bool | None = None  # True: summit releases only (a person's correction counts)
    starred: bool = False  # True: starred releases only

    def describe(self) -> str:
        """The filter in plain words ("" when it filters nothing), for a briefing's head."""
        parts = [f"since {self.since}"] if self.since else []
        parts += [f"pillar {', '.join(self.pillars)}"] if self.pillars else []
        parts += [f"country {', '.join(self.countries)}"] if self.countries else []
        parts += [f"state {', '.join(s.label for s in self.states)}"] if self.states else []
        parts += (
            ["summit releases" if self.summit else "not summit"] if self.summit is not None else []
        )
        parts += ["starred"] if self.starred else []
        return " × ".join(parts)


def _when(stored: StoredRelease) -> str:
    return stored.release.published or stored.first_seen


def select(releases: Iterable[StoredRelease], flt: ExportFilter) -> list[StoredRelease]:
    """The releases that pass every filter, in the order given."""
    countries = {c.upper() for c in flt.countries}
    pillars, states = set(flt.pillars), {TriageState(s) for s in flt.states}
    chosen = []
    for stored in releases:
        if flt.since and _when(stored) < flt.since:
            continue
        if pillars and not pillars & set(stored.pillars):
            continue
        if countries and stored.release.country.upper() not in countries:
            continue
        if states and stored.triage not in states:
            continue
        if flt.summit is not None and stored.summit != flt.summit:
            continue
        if flt.starred and not stored.starred:
            continue
        chosen.append(stored)
    return chosen


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(
    releases: Iterable[StoredRelease],
    pillars: PillarSet,
    exported_at: str | None = None,
    *,
    versions: bool = False,
) -> str:
    """Every stored field of every release, and the names of the taxonomy's pillars;
    `read_json_export` reads it back. The earlier versions of edited releases only with
    `versions`."""
    items = [(r if versions else replace(r, earlier_versions=())).to_dict() for r in releases]
    envelope = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": exported_at or _now(),
        "pillars": [{"id": p.id, "name": p.name} for p in pillars],
        "count": len(items),
        "releases": items,
    }
    return orjson.dumps(envelope, option=orjson.OPT_INDENT_2).decode() + "\n"


def read_json_export(text: str) -> list[StoredRelease]:
    """Releases from a JSON export (or a bare list of them); ValueError says what is wrong."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not a JSON export (not JSON: {exc})") from exc
    if isinstance(data, dict):
        if data.get("format") != EXPORT_FORMAT:
            raise ValueError(f'not a summitwatch export (no "format": "{EXPORT_FORMAT}")')
        version = data.get("version")
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise ValueError(f"export version {version!r} is newer than this summitwatch reads")
        data = data.get("releases")
    if not isinstance(data, list):
        raise ValueError('expected a list of releases under "releases"')
    return [_read_one(i, item) for i, item in enumerate(data, start=1)]


def _read_one(number: int, item: Any) -> StoredRelease:
    if not isinstance(item, dict) or not isinstance(item.get("release"), dict):
        raise ValueError(f'release {number}: expected an object with a "release" object')
    if not str(item["release"].get("id", "")).strip():
        raise ValueError(f"release {number}: has no id")
    try:
        return StoredRelease.from_dict(item)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"release {number}: {exc}") from exc


def evidence_sentence(stored: StoredRelease, pillar: str | None = None) -> str:
    """The sentence that best shows why `stored` was classified as it was: for `pillar` if
    given, else for its pillars, else for the summit decision."""
    evidence = stored.classification.evidence
    for key in (pillar, *stored.pillars, "summit"):
        if key and key in evidence and evidence[key].sentence:
            return evidence[key].sentence
    return ""


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; feed text is hostile.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(releases: Iterable[StoredRelease], pillars: PillarSet) -> str:
    """One row a release; pillar ids (in taxonomy order) and sources separated by ";"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in releases:
        rel = r.release
        ids = pillars.order(r.pillars)
        row = [
            *(r.id, rel.published, rel.country, rel.source, rel.language, rel.title, rel.link),
            *("yes" if r.summit else "no", ";".join(ids), r.triage.value),
            *("yes" if r.starred else "no", "yes" if r.read else "no", r.note),
            evidence_sentence(r),
            *(";".join(r.sources), r.first_seen, r.changed_at),
            "; ".join(" · ".join(line.to_list()) for line in r.history),
        ]
        writer.writerow([_cell(str(v)) for v in row])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Feed text as literal Markdown on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _stamp(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _quoted(text: str) -> str:
    line = one_line(text)  # network text: no escape sequence reaches a mail or a terminal
    cut = line if len(line) <= CHANGE_LIMIT else line[: CHANGE_LIMIT - 1].rstrip() + "…"
    return f"“{md_escape(cut)}”"


def _change_line(change: Change) -> str:
    if not change.removed:
        return f"- added {_quoted(change.added)}"
    if not change.added:
        return f"- removed {_quoted(change.removed)}"
    return f"- {_quoted(change.removed)} became {_quoted(change.added)}"


def edit_summary(stored: StoredRelease, shown: int = 5) -> tuple[str, list[str]]:
    """For an edited release: when it was first seen and changed, and, as Markdown list
    lines, up to `shown` passages its latest edit changed (title first)."""
    when = f"First seen {_stamp(stored.first_seen)} UTC; changed {_stamp(stored.changed_at)} UTC"
    if not stored.earlier_versions:
        return f"{when}. Its earlier text was not kept.", []
    before, after = stored.earlier_versions[-1], stored.versions[-1]
    lines = []
    if one_line(before.title) != one_line(after.title):
        lines.append(f"- title was {_quoted(before.title)}")
    found = changes(word_diff(before.body, after.body))
    lines += [_change_line(change) for change in found[:shown]]
    if len(found) > shown:
        lines.append(f"- and {len(found) - shown} more changes")
    return f"{when} (version {len(stored.versions)}).", lines
