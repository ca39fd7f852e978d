"""An Atom feed of stored releases, so that a curated stream (a saved filter) can be read in
any other feed reader: `summitwatch feed --filter NAME`.

Each entry carries the release's title, link, dates, government and source, its pillars as
categories, and the evidence sentence with the summary. Text is stripped of control
characters, which XML 1.0 cannot carry at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from feeds import PillarSet, strip_controls
from state.export import COUNTRY_NAMES, evidence_sentence
from state.records import StoredRelease

__all__ = ["to_atom"]

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 200


def _text(value: str) -> str:
    return strip_controls(value).replace("\t", " ")


def _iso(value: str, fallback: str) -> str:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return fallback
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text:
        node.text = _text(text)
    return node


def to_atom(
    releases: Iterable[StoredRelease],
    *,
    title: str,
    feed_id: str,
    pillars: PillarSet,
    updated: str | None = None,
    limit: int = FEED_LIMIT,
) -> str:
    """An Atom 1.0 document of the newest `limit` releases (by first seen), newest first;
    pillars are categories labelled as the taxonomy `pillars` names them."""
    ET.register_namespace("", ATOM_NS)
    now = _iso(updated or datetime.now(UTC).isoformat(), "1970-01-01T00:00:00Z")
    items = sorted(releases, key=lambda r: (r.first_seen, r.id), reverse=True)[:limit]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "title", title)
    _add(feed, "id", feed_id)
    _add(feed, "updated", _iso(items[0].first_seen, now) if items else now)
    _add(feed, "generator", "summitwatch")
    for stored in items:
        _entry(feed, stored, now, pillars)
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _entry(feed: ET.Element, stored: StoredRelease, now: str, pillars: PillarSet) -> None:
    r = stored.release
    entry = _add(feed, "entry")
    _add(entry, "title", r.title or "(untitled)")
    _add(entry, "id", f"urn:summitwatch:release:{stored.id}")
    if r.link.lower().startswith(("http://", "https://")):
        _add(entry, "link", href=_text(r.link), rel="alternate")
    seen = _iso(stored.first_seen, now)
    _add(entry, "updated", _iso(stored.changed_at, seen) if stored.changed_at else seen)
    if r.published:
        _add(entry, "published", _iso(r.published, seen))
    author = _add(entry, "author")
    country = COUNTRY_NAMES.get(r.country.upper(), r.country)
    _add(author, "name", f"{country} · {r.source}")
    if stored.summit:
        _add(entry, "category", term="summit", label="Summit release")
    for pillar in pillars.order(stored.pillars):
        _add(entry, "category", term=pillar, label=pillars.get(pillar).name)
    sentence = evidence_sentence(stored, "summit" if stored.summit else None)
    summary = "\n\n".join(part for part in (sentence, r.summary) if part)
    if summary:
        _add(entry, "summary", summary)
