"""Text from the network made safe and plain: control characters out, HTML reduced to text.

Everything a feed or page says passes through `clean_text` once, here, before it reaches the store
or a terminal. The rules are deliberately blunt: a press release never needs an escape sequence,
a bidi override or a zero-width character, and any of them can hide or forge what a reader sees.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urljoin

from lxml import etree

from feeds.text import canonical_url, clean_text, one_line, strip_controls

T = TypeVar("T")

if TYPE_CHECKING:
    from lxml.cssselect import CSSSelector

__all__ = [
    "Skip",
    "clean_text",
    "css_selector",
    "decode_html",
    "element_text",
    "has_markup",
    "html_to_text",
    "iso_utc",
    "one_line",
    "parse_html",
    "release_id",
    "safe_link",
    "strip_controls",
]

# --- HTML to text ------------------------------------------------------------------------------

_PARAGRAPH, _LINE = 2, 1
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "legend",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
    ]
)
_LINES = frozenset(["br", "li", "tr"])
_DROPPED = frozenset(
    ["script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math"]
)


class PerThread(Generic[T]):
    """One lxml parser for each thread that asks. A parser object keeps its parse state in
    itself, so one shared by the poll's parsing threads may be used by two at once, which lxml
    does not support (a poll on a loaded machine died of SIGSEGV in that code, rarely)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._local = threading.local()

    def get(self) -> T:
        parser: T | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = self._make()
        return parser


_HTML_PARSER = PerThread(
    lambda: etree.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, default_doctype=False
    )
)
_TAG = re.compile(r"<[^>]*>?")
_DROPPED_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_MARKUP = re.compile(r"<[A-Za-z!/?]|&(?:#\d|#x[0-9A-Fa-f]|[A-Za-z]{2,})")
_DOCTYPE = re.compile(r"<!doctype[^>\[]*(?:\[.*?\])?\s*>", re.I | re.S)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


# Tells the walk to leave an element out, with everything inside it.
Skip = Callable[[etree._Element], bool]


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by a blank line, markup gone.

    Block elements (p, div, h1-h6, lists, tables...) become paragraph breaks, `br` and `li`
    line breaks; script, style and similar content is dropped; entities are decoded; the result
    goes through `clean_text`. Never raises.
    """
    if not isinstance(html, str) or not html.strip():
        return ""
    if not _MARKUP.search(html):
        return clean_text(html)
    source = strip_controls(html)
    root = parse_html(source)
    text = element_text(root) if root is not None else ""
    # libxml2 gives up on pathological markup (nesting past its depth limit): strip tags crudely.
    return text or clean_text(html_lib.unescape(_TAG.sub(" ", _DROPPED_BLOCK.sub(" ", source))))


def has_markup(text: str) -> bool:
    """Does `text` hold a tag or an entity, or is it plain text already?"""
    return _MARKUP.search(text) is not None


def parse_html(markup: str, *, whole_page: bool = False) -> etree._Element | None:
    """The tree of an HTML fragment (or of a whole page), or None when nothing can be read.

    `markup` must have been through `strip_controls`. Entities are never resolved, nothing is
    fetched; a DOCTYPE is cut first, since lxml's HTML parser reads an internal subset as text.
    """
    markup = _DOCTYPE.sub("", markup, count=1) if whole_page else markup
    try:
        if whole_page:
            return etree.fromstring(markup, _HTML_PARSER.get())
        return etree.fromstring(f"<html><body>{markup}</body></html>", _HTML_PARSER.get())
    except (etree.LxmlError, ValueError):
        return None


def element_text(element: etree._Element, skip: Skip | None = None) -> str:
    """Plain text of `element` and what it holds (not the text after it), as `html_to_text`
    gives it; elements for which `skip` is true are left out, with all they hold."""
    return clean_text(_assemble(_walk(element, skip)))


def _walk(root: etree._Element, skip: Skip | None = None) -> list[str | int]:
    """Text pieces and break markers in document order, without recursion (deep HTML is fine)."""
    pieces: list[str | int] = []
    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skip_depth or tag in _DROPPED or (skip is not None and skip(el)):
                if not skip_depth and tag in _BLOCKS:
                    pieces.append(_PARAGRAPH)  # a left-out block still parts its neighbours
                skip_depth += 1
                continue
            if tag in _BLOCKS or tag in _LINES:
                pieces.append(_PARAGRAPH if tag in _BLOCKS else _LINE)
            if el.text:
                pieces.append(el.text)
            continue
        if skip_depth:
            skip_depth -= 1
            if skip_depth:
                continue
        elif tag in _BLOCKS:
            pieces.append(_PARAGRAPH)
        elif tag in ("li", "tr"):
            pieces.append(_LINE)
        elif tag in ("td", "th"):
            pieces.append(" ")
        if el.tail and el is not root:
            pieces.append(el.tail)
    return pieces


def _assemble(pieces: list[str | int]) -> str:
    out: list[str] = []
    words: list[str] = []
    pending = 0
    for piece in pieces:
        if isinstance(piece, int):
            if words:
                out.append(" ".join("".join(words).split()))
                words = []
            pending = max(pending, piece) if out else 0
            continue
        if pending and piece.strip():
            out.append("\n\n" if pending == _PARAGRAPH else "\n")
            pending = 0
        words.append(piece)
    if words:
        out.append(" ".join("".join(words).split()))
    return "".join(out)


def decode_html(body: bytes) -> str:
    """An HTML page's bytes as text: UTF-8 when it is, else the charset the page declares, else
    Windows-1252."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", "replace")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(body[:4096])
    for codec in ((declared.group(1).decode("ascii") if declared else ""), "cp1252"):
        try:
            return body.decode(codec, "replace") if codec else ""
        except LookupError:
            continue
    return body.decode("latin-1")


@lru_cache(maxsize=64)
def css_selector(css: str) -> CSSSelector:
    """A compiled CSS selector for HTML; raises `cssselect.SelectorError` when it is not one."""
    from lxml.cssselect import CSSSelector  # cssselect only where selectors are used

    return CSSSelector(css, translator="html")


# --- ids, links and dates -----------------------------------------------------------------------


def safe_link(url: str, base: str = "") -> str:
    """An absolute http(s) link without control characters, or "" for anything else."""
    url = "".join(clean_text(url).split())
    if not url:
        return ""
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return ""
    return url if url.lower().startswith(("http://", "https://")) else ""


def release_id(guid: str, link: str, title: str, source: str) -> str:
    """A stable 16-hex-digit id: from the GUID, else the canonical link, else source and title.

    A GUID that looks like a bare counter ("17") is not unique beyond its feed, so the source
    name is mixed into it.
    """
    guid = " ".join((guid or "").split())
    if guid:
        local = len(guid) < 16 and not any(c in guid for c in ":/.")
        key = f"guid\x1f{source}\x1f{guid}" if local else f"guid\x1f{guid}"
    elif link and link.strip():
        key = f"link\x1f{canonical_url(link)}"
    else:
        key = f"title\x1f{source}\x1f{' '.join((title or '').split()).casefold()}"
    return hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).hexdigest()


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def iso_utc(when: datetime | None, now: datetime | None = None) -> str:
    """ISO 8601 in UTC to the second, or "" when unknown or implausible (before 1990, or more
    than two days ahead of `now`). A naive datetime is taken as UTC."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        return ""
    now = now or datetime.now(UTC)
    if when < EARLIEST or when > now + FUTURE_SLACK:
        return ""
    return when.isoformat()


# A summary is one line of at most this many characters.
SUMMARY_CHARS = 320


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word boundary with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"
