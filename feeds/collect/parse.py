"""Fetched bodies to normalised releases.

Well-formed RSS 2.0 and Atom go through lxml (entity resolution off, no network), which is about
fifty times faster than feedparser; anything else (RSS 1.0, broken XML, odd encodings) falls back
to feedparser, which is slow but forgiving. Either way one extractor (`feeds.collect.extract`) turns
an item's HTML into its body once. `feeds.collect.parsers.parse_result` dispatches here for
sources of kind "feed".
"""

from __future__ import annotations

import calendar
import email.utils
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from feedparser.datetimes import _parse_date as feedparser_date
from lxml import etree

from feeds.collect.extract import extract_main_text
from feeds.collect.normalize import (
    PerThread,
    html_to_text,
    iso_utc,
    release_id,
    safe_link,
    summarise,
)
from feeds.models import MAX_ITEMS, ParseOutcome, Release, Source
from feeds.text import one_line

__all__ = ["parse_feed"]

REFUSED_ENTITIES = (
    "refused: the feed declares XML entities (an entity-expansion or external-entity attack);"
    " nothing was expanded or read"
)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
NOT_HTML_FEED = "HTML page where a feed was expected"

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_XML_PARSER = PerThread(
    lambda: etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
)
_PROLOG_HTML = re.compile(
    rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S
)
_XML_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding=[\"'])[^\"']*([\"'])")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DTD_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|<\?.*?\?>|[\[\]>]", re.S)


@dataclass(frozen=True, slots=True)
class _Raw:
    """One item as found, before the costly normalisation (done only for the items kept)."""

    guid: str
    title: str
    link: str
    published: str
    description: str
    content: str


def parse_feed(
    body: bytes, source: Source, base: str, content_type: str | None, now: datetime | None
) -> ParseOutcome:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return ParseOutcome([], "not a feed: the body is empty")
    if _PROLOG_HTML.match(_ascii_view(head)):
        return ParseOutcome([], NOT_HTML_FEED)
    if head[:1] in (b"{", b"["):
        return ParseOutcome([], "not a feed: a JSON document")
    body = _as_utf8(body)
    if _declares_entities(body):
        return ParseOutcome([], REFUSED_ENTITIES)
    body = _without_doctype(body)
    raws = _lxml_items(body, base)
    if raws is None:
        found = _feedparser_items(body, base, content_type)
        if isinstance(found, str):
            return ParseOutcome([], found)
        raws = found
    return ParseOutcome(_build_releases(raws, source, now))


def _as_utf8(body: bytes) -> bytes:
    """UTF-16 bodies (with a BOM) re-encoded as UTF-8, so that byte-level checks see them."""
    if body[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return body
    text = body.decode("utf-16", "replace")
    return _XML_DECLARED_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8")


def _declares_entities(body: bytes) -> bool:
    """Does the prolog declare entities? No real feed does; bombs and XXE attacks must."""
    first = _FIRST_ELEMENT.search(body)
    return _ENTITY_DECL.search(body, 0, first.start() if first else len(body)) is not None


def _without_doctype(body: bytes) -> bytes:
    """The body with its DOCTYPE cut out, internal subset and all, so that no parser ever sees an
    entity declaration: lxml would refuse a billion laughs, but expat inside feedparser expands
    about 8 MB of one before its own guard stops it, and an external entity is never wanted."""
    first = _FIRST_ELEMENT.search(body)
    start = _DOCTYPE.search(body, 0, first.start() if first else len(body))
    if start is None:
        return body
    in_subset = False
    for token in _DTD_TOKEN.finditer(body, start.end()):
        mark = token.group()
        if mark == b"[":
            in_subset = True
        elif mark == b"]":
            in_subset = False
        elif mark == b">" and not in_subset:
            return body[: start.start()] + body[token.end() :]
    return body[: start.start()]


def _ascii_view(head: bytes) -> bytes:
    """UTF-16 bodies read as ASCII for sniffing: drop the BOM and the zero bytes."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head[2:].replace(b"\x00", b"")
    return head


# --- the fast path -------------------------------------------------------------------------------


def _lxml_items(body: bytes, base: str) -> list[_Raw] | None:
    """Items of a well-formed RSS 2.0 or Atom document, or None to let feedparser try."""
    try:
        root = etree.fromstring(body, _XML_PARSER.get())
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or root.getroottree().docinfo.internalDTD is not None:
        return None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is not None:
        return [_rss_item(item, base) for item in channel.iterchildren("item")]
    if root.tag == f"{_ATOM}feed":
        return [_atom_entry(entry, base) for entry in root.iterchildren(f"{_ATOM}entry")]
    return None


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _rss_item(item: etree._Element, base: str) -> _Raw:
    guid_el = item.find("guid")
    guid = _text(guid_el).strip()
    link = _text(item.find("link")).strip()
    permalink = guid_el is not None and guid_el.get("isPermaLink", "true").lower() != "false"
    if not link and guid and permalink:
        link = guid
    date = _text(item.find("pubDate")) or _text(item.find(_DC_DATE))
    return _Raw(
        guid=guid,
        title=_text(item.find("title")),
        link=safe_link(link, base),
        published=date.strip(),
        description=_text(item.find("description")),
        content=_text(item.find(_CONTENT)),
    )


def _atom_entry(entry: etree._Element, base: str) -> _Raw:
    link = ""
    for candidate in entry.iterchildren(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href", "")
            break
    date = _text(entry.find(f"{_ATOM}published")) or _text(entry.find(f"{_ATOM}updated"))
    return _Raw(
        guid=_text(entry.find(f"{_ATOM}id")).strip(),
        title=_atom_text(entry.find(f"{_ATOM}title")),
        link=safe_link(link, base),
        published=date.strip(),
        description=_atom_text(entry.find(f"{_ATOM}summary")),
        content=_atom_text(entry.find(f"{_ATOM}content")),
    )


def _atom_text(el: etree._Element | None) -> str:
    """An Atom text construct as HTML, whatever its type: plain text gets escaped."""
    if el is None:
        return ""
    if el.get("type") == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode") for child in el)
    text = _text(el)
    if el.get("type", "text") == "text" and ("<" in text or "&" in text):
        return text.replace("&", "&amp;").replace("<", "&lt;")
    return text


# --- the forgiving path ------------------------------------------------------------------------


def _feedparser_items(body: bytes, base: str, content_type: str | None) -> list[_Raw] | str:
    """Items as feedparser sees them, or a plain-words reason why the body is not a feed."""
    headers = {"content-type": content_type} if content_type else {}
    parsed: Any = feedparser.parse(
        body,
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    raws = [_feedparser_entry(entry, base) for entry in parsed.get("entries") or []]
    if any(_has_substance(raw) for raw in raws):
        return raws
    if not parsed.get("version") and re.search(rb"<(html|body)\b", body[:4096], re.I):
        return NOT_HTML_FEED
    if parsed.get("bozo") or not parsed.get("version"):
        return _not_a_feed(body, parsed.get("bozo_exception"))
    return []


def _not_a_feed(body: bytes, problem: Any) -> str:
    """Where the XML breaks, by lxml's count (feedparser's is off by its own rewriting)."""
    try:
        etree.fromstring(body, _XML_PARSER.get())
    except etree.XMLSyntaxError as exc:
        return f"not a feed: malformed XML at line {exc.lineno}"
    except ValueError:
        pass
    if callable(getattr(problem, "getLineNumber", None)):
        return f"not a feed: malformed XML at line {problem.getLineNumber()}"
    return "not a feed: no RSS or Atom structure found"


def _feedparser_entry(entry: Any, base: str) -> _Raw:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = ""
    if stamp:
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC).isoformat()
    content = entry.get("content") or []
    return _Raw(
        guid=str(entry.get("id") or "").strip(),
        title=str(entry.get("title") or ""),
        link=safe_link(str(entry.get("link") or ""), base),
        published=published,
        description=str(entry.get("summary") or ""),
        content=str(content[0].get("value") or "") if content else "",
    )


# --- normalisation ------------------------------------------------------------------------------


def _build_releases(raws: Iterable[_Raw], source: Source, now: datetime | None) -> list[Release]:
    """Deduplicate, keep the newest `MAX_ITEMS`, then normalise only those."""
    now = now or datetime.now(UTC)
    seen: set[str] = set()
    dated: list[tuple[str, str, _Raw]] = []
    for raw in raws:
        if not _has_substance(raw):
            continue
        key = release_id(raw.guid, raw.link, raw.title, source.name)
        if key in seen:
            continue
        seen.add(key)
        dated.append((key, iso_utc(parse_date(raw.published), now), raw))
    # Stable sort: undated items keep their document order, after the dated ones.
    dated.sort(key=lambda entry: entry[1], reverse=True)
    return [_release(key, published, raw, source) for key, published, raw in dated[:MAX_ITEMS]]


def _has_substance(raw: _Raw) -> bool:
    return any(s.strip() for s in (raw.title, raw.link, raw.guid, raw.description, raw.content))


def _release(key: str, published: str, raw: _Raw, source: Source) -> Release:
    title = one_line(html_to_text(raw.title))
    description = extract_main_text(raw.description, title=title, drop=source.drop)
    text = (
        extract_main_text(raw.content, title=title, drop=source.drop)
        if raw.content.strip()
        else description
    )
    return Release(
        id=key,
        source=source.name,
        country=source.country,
        language=source.language or "",
        title=title,
        link=raw.link,
        published=published,
        summary=summarise(description or text),
        text=text,
        guid=one_line(raw.guid),
    )


def parse_date(value: str) -> datetime | None:
    """RFC 822 or ISO 8601 quickly, anything else through feedparser's many date formats."""
    value = value.strip()
    if not value:
        return None
    try:
        if value[:4].isdigit():
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        stamp: time.struct_time | None = feedparser_date(value)
    except Exception:  # feedparser's date handlers are many and not all careful
        return None
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, OSError):
        return None
