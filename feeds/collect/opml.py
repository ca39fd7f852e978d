"""Sources in and out: OPML files, plain URL lists, TOML to append to a config, feed discovery."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree, html as lxml_html

from feeds.collect.fetch import Fetcher
from feeds.collect.parsers import parse_result
from feeds.collect.sources import ConfigError
from feeds.models import COUNTRIES, Source
from feeds.text import one_line

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def read_source_list(
    data: bytes, path: Path, *, country: str = "US", language: str = ""
) -> list[Source]:
    """Sources from an OPML file, or from a text file of URLs (one a line, # comments)."""
    if country not in COUNTRIES:
        raise ConfigError(path, None, f"country must be one of {COUNTRIES}")
    if data.lstrip()[:1] == b"<":
        return _from_opml(data, path, country, language)
    return _from_url_list(data, path, country, language)


def _from_opml(data: bytes, path: Path, country: str, language: str) -> list[Source]:
    # lxml still expands internal entities inside attributes; OPML never needs a DOCTYPE.
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise ConfigError(path, None, "is not plain OPML: it declares a DOCTYPE or entities")
    try:
        root = etree.fromstring(data, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(path, exc.lineno, f"is not OPML: {exc.msg}") from exc
    if etree.QName(root).localname.lower() != "opml":
        raise ConfigError(path, root.sourceline, f"is not OPML: the root is <{root.tag}>")
    sources = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue
        _check_http(url, path, outline.sourceline)
        name = one_line(outline.get("title") or outline.get("text") or url)
        sources.append(Source(name=name, url=url, country=country, language=language))
    if not sources:
        raise ConfigError(path, None, "has no <outline> with an xmlUrl: no feeds to import")
    return sources


def _from_url_list(data: bytes, path: Path, country: str, language: str) -> list[Source]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, "is neither OPML nor a UTF-8 list of URLs") from exc
    sources = []
    for number, line in enumerate(text.splitlines(), start=1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        _check_http(url, path, number)
        sources.append(Source(name=url, url=url, country=country, language=language))
    return sources


def _check_http(url: str, path: Path, line: int | None) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ConfigError(path, line, f"unsupported URL {url!r}: only http:// and https://")


def to_opml(sources: Iterable[Source], title: str = "summitwatch sources") -> str:
    """An OPML 2.0 document of the feed sources (index pages have no feed to export)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_xml_text(title)}</title></head>",
        "  <body>",
    ]
    for source in sources:
        if source.kind != "feed":
            continue
        attrs = f'type="rss" text={quoteattr(source.name)} xmlUrl={quoteattr(source.url)}'
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_toml(sources: Iterable[Source]) -> str:
    """[[sources]] tables to append to a config file."""
    blocks = []
    for source in sources:
        lines = [
            "[[sources]]",
            f"name = {_toml_str(source.name)}",
            f"url = {_toml_str(source.url)}",
            f'country = "{source.country}"',
        ]
        if source.language:
            lines.append(f'language = "{source.language}"')
        if source.kind != "feed":
            lines.append(f'kind = "{source.kind}"')
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", "", escaped) + '"'


def new_sources(existing: Sequence[Source], candidates: Iterable[Source]) -> list[Source]:
    """Candidates whose URL is not configured yet, renamed where a name is taken."""
    urls = {s.url for s in existing}
    names = {s.name for s in existing}
    chosen = []
    for source in candidates:
        if source.url in urls:
            continue
        name, n = source.name, 2
        while name in names:
            name, n = f"{source.name} ({n})", n + 1
        urls.add(source.url)
        names.add(name)
        chosen.append(Source(name, source.url, source.country, source.language, source.kind))
    return chosen


def feed_links(page: bytes, base_url: str) -> list[str]:
    """The feeds an HTML page advertises with <link rel="alternate" type="...rss/atom...">."""
    try:
        root = lxml_html.fromstring(page)
    except (etree.ParserError, ValueError):
        return []
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            url = urljoin(base_url, href)
            if urlsplit(url).scheme in ("http", "https") and url not in found:
                found.append(url)
    return found


async def discover_source(
    fetcher: Fetcher, url: str, *, country: str, language: str = "", name: str = ""
) -> Source:
    """The feed at `url`, or the one its HTML page advertises; ValueError says why not."""
    probe = Source(name=name or url, url=url, country=country, language=language)
    result = await fetcher.fetch(probe)
    if result.error is not None:
        raise ValueError(f"{url}: {result.error}")
    parsed = parse_result(result)
    if parsed.error is None:
        final = result.final_url or url
        return Source(name=name or final, url=final, country=country, language=language)
    advertised = feed_links(result.body or b"", result.final_url or url)
    for feed_url in advertised:
        candidate = Source(name=name or feed_url, url=feed_url, country=country, language=language)
        feed = await fetcher.fetch(candidate)
        if feed.error is None and parse_result(feed).error is None:
            return candidate
    raise ValueError(
        f"{url}: no feed found ({parsed.error}); for an index page without a feed, add it to"
        ' the config by hand with kind = "page" and [sources.selectors]'
    )
