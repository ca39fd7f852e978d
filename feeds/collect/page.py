"""Releases from an HTML listing page that has no feed (gob.mx, DHS), read with CSS selectors.

`Source.selectors` may name `item` (each listing entry) and, inside an item, `title`, `link`,
`date`, `summary` and `type`. Missing ones default to the gob.mx press-archive template:
`<article>` items holding a `<time datetime>`, a `.tag-presses` label, an `<h2>` title and a link.
New items are recognised by their link: a page item's release id is derived from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from feeds.collect.normalize import (
    PerThread,
    css_selector,
    decode_html,
    html_to_text,
    iso_utc,
    release_id,
    safe_link,
    summarise,
)
from feeds.models import MAX_ITEMS, ParseOutcome, Release, Source
from feeds.text import fold, one_line, strip_controls

__all__ = ["DEFAULT_SELECTORS", "parse_index_page", "parse_page_date"]

DEFAULT_SELECTORS: Mapping[str, str] = {
    "item": "article",
    "title": "h2, h3",
    "link": "a[href]",
    "date": "time",
    "summary": "p",
    "type": ".tag-presses",
}
# Listing pages print local times without a zone; these are the capitals' zones.
_COUNTRY_ZONES = {"MX": "America/Mexico_City", "CA": "America/Toronto", "US": "America/New_York"}
_HTML_PARSER = PerThread(
    lambda: etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
)


@dataclass(frozen=True, slots=True)
class PageItem:
    """One listing entry as read. `kind` is the type label ("Comunicado"), the release type."""

    title: str
    link: str
    published: str
    summary: str
    kind: str


def parse_index_page(
    body: bytes,
    source: Source,
    base_url: str,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParseOutcome:
    """Releases listed on an index page, newest first, at most `MAX_ITEMS`. Never raises."""
    selectors = {**DEFAULT_SELECTORS, **{k: v for k, v in source.selectors.items() if v}}
    try:
        compiled = {name: css_selector(css) for name, css in selectors.items()}
    except SelectorError as exc:
        return ParseOutcome([], f"bad CSS selector in the source settings: {exc}")
    try:
        root = etree.fromstring(strip_controls(decode_html(body)), _HTML_PARSER.get())
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        return ParseOutcome([], "not an HTML page: nothing could be read")
    zone = _zone(selectors.get("timezone") or _COUNTRY_ZONES.get(source.country, "UTC"))
    now = datetime.now(UTC)
    items = [_read_item(el, compiled, base_url, zone, now) for el in compiled["item"](root)]
    kept = [item for item in items if item.link or item.title]
    if not kept:
        return ParseOutcome([], f"no items matched the selector {selectors['item']!r}")
    return ParseOutcome(_releases(kept, source))


def _releases(items: list[PageItem], source: Source) -> list[Release]:
    seen: set[str] = set()
    releases: list[Release] = []
    for item in items:
        key = release_id("", item.link, item.title, source.name)
        if key in seen:
            continue
        seen.add(key)
        releases.append(
            Release(
                id=key,
                source=source.name,
                country=source.country,
                language=source.language or "",
                title=item.title,
                link=item.link,
                published=item.published,
                summary=summarise(item.summary),
                text=item.summary,
                release_type=item.kind,
            )
        )
    releases.sort(key=lambda release: release.published, reverse=True)
    return releases[:MAX_ITEMS]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _read_item(
    el: etree._Element,
    css: Mapping[str, CSSSelector],
    base: str,
    zone: ZoneInfo,
    now: datetime,
) -> PageItem:
    link_el = _first(css["link"](el))
    date_el = _first(css["date"](el))
    type_el = _first(css["type"](el))
    title = _element_text(_first(css["title"](el)))
    if not title and link_el is not None:
        title = one_line(link_el.get("aria-label") or link_el.get("title") or "")
        title = title or _element_text(link_el)
    when = None
    if date_el is not None:
        when = parse_page_date(date_el.get("datetime") or _element_text(date_el), zone)
    return PageItem(
        title=title,
        link=safe_link(link_el.get("href", ""), base) if link_el is not None else "",
        published=iso_utc(when, now),
        summary=_summary(css["summary"](el), (date_el, type_el, link_el)),
        kind=_element_text(type_el),
    )


def _summary(candidates: list[etree._Element], avoid: tuple[etree._Element | None, ...]) -> str:
    """Text of the first candidate that is not (and does not hold) the date, label or link."""
    taken = [el for el in avoid if el is not None]
    for el in candidates:
        if any(el is other or other in el.iterdescendants() for other in taken):
            continue
        text = html_to_text(etree.tostring(el, encoding="unicode", with_tail=False))
        if text:
            return text
    return ""


def _first(found: list[etree._Element]) -> etree._Element | None:
    return found[0] if found else None


def _element_text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return one_line(html_to_text(etree.tostring(el, encoding="unicode", with_tail=False)))


# --- dates in three languages -------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan enero ene janvier janv",
            "february feb febrero fevrier fevr fev",
            "march mar marzo mars",
            "april apr abril abr avril avr",
            "may mayo mai",
            "june jun junio juin",
            "july jul julio juillet juil",
            "august aug agosto ago aout",
            "september sep sept septiembre setiembre set septembre",
            "october oct octubre octobre",
            "november nov noviembre novembre",
            "december dec diciembre dic decembre",
        ),
        start=1,
    )
    for name in names.split()
}
_WORD = re.compile(r"[a-z]+|\d+")
_CLOCK = re.compile(r"\b(\d{1,2})[:h](\d{2})\b")


def parse_page_date(value: str, zone: ZoneInfo | None = None) -> datetime | None:
    """A date as listing pages print it: ISO 8601 ("2025-11-25 18:21:00"), or with a month name
    in English, Spanish or French ("25 de noviembre de 2025", "November 25, 2025",
    "25 novembre 2025 à 14 h 30"). A time without a zone is read in `zone`."""
    value = " ".join(value.split())
    if not value:
        return None
    when: datetime | None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = _worded_date(value)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=zone or UTC)
    return when


def _worded_date(value: str) -> datetime | None:
    folded = fold(value)
    words = _WORD.findall(folded)
    month_at = next((i for i, word in enumerate(words) if word in _MONTHS), None)
    if month_at is None:
        return None
    year = next((int(w) for w in words if len(w) == 4 and w.isdigit()), None)
    near = words[max(0, month_at - 2) : month_at] + words[month_at + 1 : month_at + 3]
    day = next((int(w) for w in near if w.isdigit() and 1 <= int(w) <= 31), None)
    if year is None or day is None:
        return None
    clock = _CLOCK.search(folded.replace(" h ", "h"))
    hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
    try:
        return datetime(year, _MONTHS[words[month_at]], day, hour, minute)
    except ValueError:
        return None
