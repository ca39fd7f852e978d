"""OPML and URL lists in, OPML and TOML out, feeds found from an HTML page."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.collect.opml import (
    discover_source,
    feed_links,
    new_sources,
    read_source_list,
    to_opml,
    to_toml,
)
from feeds.collect.sources import ConfigError, parse_config
from feeds.models import Source

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Government">
    <outline type="rss" text="White House" xmlUrl="https://www.whitehouse.gov/news/feed/"/>
    <outline type="rss" title="PM &amp; Canada" text="x" xmlUrl="https://pm.gc.ca/en/news.rss"/>
  </outline>
</body></opml>"""
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title><link>https://example.org/a</link></item></channel></rss>'


def test_opml_outlines_become_sources() -> None:
    sources = read_source_list(OPML, Path("f.opml"), country="CA", language="fr")
    assert [(s.name, s.url) for s in sources] == [
        ("White House", "https://www.whitehouse.gov/news/feed/"),
        ("PM & Canada", "https://pm.gc.ca/en/news.rss"),
    ]
    assert {(s.country, s.language) for s in sources} == {("CA", "fr")}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><body>hi</body></html>", "is not OPML: the root is <html>"),
        (b"<opml><body><outline", "is not OPML"),
        (b"<opml><body></body></opml>", "no feeds to import"),
        (b'<opml><body><outline xmlUrl="file:///etc/passwd"/></body></opml>', "unsupported URL"),
    ],
)
def test_a_file_that_is_not_usable_opml_is_refused_in_plain_words(data: bytes, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as err:
        read_source_list(data, Path("bad.opml"))
    assert "bad.opml" in str(err.value)


def test_opml_declaring_entities_is_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<opml><body><outline text="&b;" xmlUrl="https://example.org/f"/></body></opml>'
    )
    with pytest.raises(ConfigError, match="declares a DOCTYPE or entities"):
        read_source_list(bomb, Path("b.opml"))


def test_a_plain_list_of_urls_is_read_too() -> None:
    data = b"# my feeds\nhttps://a.example/feed\n\nhttps://b.example/rss\n"
    assert [s.url for s in read_source_list(data, Path("urls.txt"))] == [
        "https://a.example/feed",
        "https://b.example/rss",
    ]


def test_exported_opml_reads_back_and_skips_index_pages() -> None:
    sources = [
        Source("A & B", "https://a.example/feed?x=1&y=2", "US"),
        Source("SRE", "https://www.gob.mx/sre/es/archivo/prensa", "MX", kind="page"),
    ]
    again = read_source_list(to_opml(sources).encode(), Path("out.opml"))
    assert [(s.name, s.url) for s in again] == [("A & B", "https://a.example/feed?x=1&y=2")]


def test_toml_for_the_config_loads_back() -> None:
    sources = [Source('Quote " and \\ back', "https://a.example/feed", "MX", "es")]
    config = parse_config(to_toml(sources), Path("c.toml"))
    assert config.sources == tuple(sources)


def test_new_sources_skip_known_urls_and_rename_taken_names() -> None:
    known = [Source("A", "https://a.example/feed", "US")]
    added = new_sources(
        known,
        [Source("A", "https://a.example/feed", "US"), Source("A", "https://b.example/f", "US")],
    )
    assert [(s.name, s.url) for s in added] == [("A (2)", "https://b.example/f")]


def test_feed_links_are_found_in_an_html_page() -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed/">'
        b'<link rel="alternate" type="text/html" href="/other">'
        b'<link rel="alternate" type="application/atom+xml" href="https://x.example/atom"></head></html>'
    )
    assert feed_links(page, "https://site.example/news/") == [
        "https://site.example/feed/",
        "https://x.example/atom",
    ]


async def test_discovery_follows_the_advertised_feed(httpserver: HTTPServer) -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    httpserver.expect_request("/news").respond_with_data(
        f"<html><head>{link}</head></html>", content_type="text/html"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    async with Fetcher(FetchPolicy(total_timeout=5)) as fetcher:
        found = await discover_source(fetcher, httpserver.url_for("/news"), country="MX")
        assert found.url == httpserver.url_for("/feed.xml")
        direct = await discover_source(fetcher, httpserver.url_for("/feed.xml"), country="US")
        assert direct.url == httpserver.url_for("/feed.xml")


async def test_discovery_without_a_feed_says_what_to_do(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(
        "<html><body>no feed</body></html>", content_type="text/html"
    )
    async with Fetcher(FetchPolicy(total_timeout=5)) as fetcher:
        with pytest.raises(ValueError, match='kind = "page"'):
            await discover_source(fetcher, httpserver.url_for("/page"), country="US")
