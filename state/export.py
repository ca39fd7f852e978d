"""Exports of stored releases: JSON (which `import` reads back), CSV and a Markdown briefing.

The Markdown briefing is meant to be sent as it is: releases grouped by pillar, then by country,
each with its date, source, title, link, the evidence sentence for that pillar and the analyst's
note. Text from the network is escaped so that it cannot change the briefing's layout.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from feeds import PillarSet
from state.records import StoredRelease, TriageState

EXPORT_FORMAT = "summitwatch-export"
EXPORT_VERSION = 1
COUNTRY_NAMES = {"CA": "Canada", "MX": "Mexico", "US": "United States"}
DEFAULT_TITLE = "North American Leaders' Summit: briefing"
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
)


@dataclass(frozen=True)
class ExportFilter:
    """Which releases to export; an empty field does not filter."""

    since: str | None = None  # ISO date or time; compared with `published` (else first seen)
    pillars: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    states: tuple[TriageState, ...] = ()
    summit: bool | None = None  # True: summit releases only (a person's correction counts)


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
        chosen.append(stored)
    return chosen


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(
    releases: Iterable[StoredRelease], pillars: PillarSet, exported_at: str | None = None
) -> str:
    """Every stored field of every release, and the names of the taxonomy's pillars;
    `read_json_export` reads it back."""
    items = [r.to_dict() for r in releases]
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
        ]
        writer.writerow([_cell(str(v)) for v in row])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Feed text as literal Markdown on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_link(title: str, link: str) -> str:
    if not link.lower().startswith(("http://", "https://")):
        return md_escape(title)
    safe = "".join(f"%{ord(c):02X}" if c in " ()<>" else c for c in link)
    return f"[{md_escape(title)}]({safe})"


def _md_item(stored: StoredRelease, pillar: str | None) -> list[str]:
    rel = stored.release
    date = _when(stored)[:10] or "undated"
    flags = stored.triage.label + (", starred" if stored.starred else "")
    lines = [f"- **{date}** · {md_escape(rel.source)} · {_md_link(rel.title, rel.link)} ({flags})"]
    sentence = evidence_sentence(stored, pillar)
    if sentence:
        lines.append(f"  > {md_escape(sentence)}")
    if stored.note.strip():
        note = " / ".join(md_escape(line) for line in stored.note.splitlines() if line.strip())
        lines.append(f"  *Analyst's note:* {note}")
    return lines


def _by_country(releases: Sequence[StoredRelease], pillar: str | None) -> list[str]:
    lines: list[str] = []
    countries = sorted({r.release.country.upper() for r in releases})
    for country in countries:
        lines += ["", f"### {COUNTRY_NAMES.get(country, country or 'Unknown country')}", ""]
        members = [r for r in releases if r.release.country.upper() == country]
        for stored in sorted(members, key=lambda r: (_when(r), r.id), reverse=True):
            lines += _md_item(stored, pillar)
    return lines


def to_markdown(
    releases: Iterable[StoredRelease],
    pillars: PillarSet,
    title: str = DEFAULT_TITLE,
    exported_at: str | None = None,
) -> str:
    """A briefing: by pillar (taxonomy order, then any pillar of another taxonomy that a
    release still carries), then by country, newest release first."""
    items = list(releases)
    stamp = (exported_at or _now())[:16].replace("T", " ")
    lines = [f"# {md_escape(title)}", "", f"{len(items)} releases · prepared {stamp} UTC"]
    for pillar_id in pillars.order(p for r in items for p in r.pillars):
        members = [r for r in items if pillar_id in r.pillars]
        pillar = pillars.get(pillar_id)
        heading = md_escape(pillar.name) + ("" if pillar.known else " (not in the taxonomy)")
        lines += ["", f"## {heading} ({len(members)})"]
        lines += _by_country(members, pillar_id)
    rest = [r for r in items if not r.pillars]
    if rest:
        lines += ["", f"## No pillar ({len(rest)})"]
        lines += _by_country(rest, None)
    return "\n".join(lines) + "\n"
