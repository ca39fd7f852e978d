"""parse_result on feed bodies: the fast path, the forgiving path, and hostile content."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from feeds.collect.parsers import parse_result
from feeds.models import MAX_ITEMS, FetchResult, ParseOutcome, Release, Source
from tests.paths import SHARED

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SOURCE = Source(name="wh", url="https://example.gov/feed", country="US", language="en")
FIXTURES = SHARED / "fixtures"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def parse(body: bytes, content_type: str | None = None, source: Source = SOURCE) -> ParseOutcome:
    result = FetchResult(
        source=source, status=200, body=body, final_url=source.url, content_type=content_type
    )
    return parse_result(result, now=NOW)


def rss(items: str, encoding: str = "utf-8", declare: bool = True) -> str:
    head = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    return (
        f'{head}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Feed</title><link>https://example.gov/</link>{items}</channel></rss>"
    )


def item(
    title: str = "Title",
    link: str = "https://example.gov/a",
    guid: str | None = None,
    date: str = "Tue, 10 Jan 2023 00:00:00 GMT",
    extra: str = "",
) -> str:
    parts = [f"<title>{title}</title>" if title else "", f"<link>{link}</link>" if link else ""]
    parts.append(f"<guid>{guid}</guid>" if guid else "")
    parts.append(f"<pubDate>{date}</pubDate>" if date else "")
    return f"<item>{''.join(parts)}{extra}</item>"


def assert_clean(release: Release) -> None:
    for value in (release.title, release.summary, release.text, release.link, release.guid):
        assert not CONTROL.search(value), repr(value)


# --- the shape of a release ---------------------------------------------------------------------


def test_rss_item_becomes_a_normalised_release():
    extra = (
        "<description>&lt;p&gt;Short &amp;amp; sweet.&lt;/p&gt;</description>"
        "<content:encoded><![CDATA[<h2>Heading</h2><p>First para.</p><p>Second"
        "<script>alert(1)</script> para.</p>]]></content:encoded>"
    )
    outcome = parse(rss(item(guid="https://example.gov/?p=1", extra=extra)).encode())
    assert outcome.error is None
    [release] = outcome.releases
    assert release.title == "Title"
    assert release.link == "https://example.gov/a"
    assert release.guid == "https://example.gov/?p=1"
    assert release.published == "2023-01-10T00:00:00+00:00"
    assert release.text == "Heading\n\nFirst para.\n\nSecond para."
    assert release.summary == "Short & sweet."
    assert (release.source, release.country, release.language) == ("wh", "US", "en")
    assert len(release.id) == 16


def test_description_is_the_text_when_there_is_no_content():
    outcome = parse(rss(item(extra="<description>Only a summary.</description>")).encode())
    assert outcome.releases[0].text == "Only a summary."
    assert outcome.releases[0].summary == "Only a summary."


def test_long_summary_is_cut_at_a_word_with_an_ellipsis():
    words = " ".join(["word"] * 200)
    outcome = parse(rss(item(extra=f"<description>{words}</description>")).encode())
    summary = outcome.releases[0].summary
    assert len(summary) <= 320 and summary.endswith("word…")


def test_language_is_empty_when_the_source_has_none():
    source = Source(name="x", url="https://example.gov/feed", country="CA")
    assert parse(rss(item()).encode(), source=source).releases[0].language == ""


def test_atom_entry_with_xhtml_content_and_text_title():
    body = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<entry><title type="text">a &lt;b&gt; is not bold</title><id>urn:uuid:1</id>
<link rel="alternate" href="/news/1"/><link rel="enclosure" href="/x.mp3"/>
<updated>2023-01-10T05:00:00-05:00</updated>
<summary type="html">&lt;p&gt;Sum&lt;/p&gt;</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
<p>Body <b>one</b></p><p>two</p></div></content>
</entry></feed>"""
    [release] = parse(body.encode()).releases
    assert release.title == "a <b> is not bold"
    assert release.link == "https://example.gov/news/1"
    assert release.published == "2023-01-10T10:00:00+00:00"
    assert release.text == "Body one\n\ntwo"
    assert release.summary == "Sum"
    assert release.guid == "urn:uuid:1"


def test_rss_1_0_goes_through_feedparser():
    body = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.gov/"><title>R</title><link>https://example.gov/</link></channel>
<item rdf:about="https://example.gov/r1"><title>RDF item</title><link>https://example.gov/r1</link>
<dc:date>2023-01-10T00:00:00Z</dc:date><description>Hello</description></item></rdf:RDF>"""
    [release] = parse(body.encode()).releases
    assert (release.title, release.link, release.text) == (
        "RDF item",
        "https://example.gov/r1",
        "Hello",
    )
    assert release.published == "2023-01-10T00:00:00+00:00"


def test_real_whitehouse_style_fixture_parses_thirty_releases():
    path = FIXTURES / "wh_briefings_thirdparty_generated_rss.xml"
    if not path.exists():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    outcome = parse(path.read_bytes())
    assert outcome.error is None and len(outcome.releases) == 30
    first = outcome.releases[0]
    assert first.link.startswith("https://www.whitehouse.gov/") and "\n" not in first.link
    assert first.published == "2026-08-21T20:00:54+00:00"


# --- not feeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            b"<!DOCTYPE html><html><body><p>Hi</p></body></html>",
            "HTML page where a feed was expected",
        ),
        (
            b"\xef\xbb\xbf  <html lang='en'><head></head></html>",
            "HTML page where a feed was expected",
        ),
        (b'{"feed": {"entry": []}}', "not a feed: a JSON document"),
        (b"   ", "not a feed: the body is empty"),
        (
            b"<rss version='2.0'>\n<channel>\n<item><title>x</titl></item>",
            "not a feed: malformed XML at line 3",
        ),
    ],
)
def test_bodies_that_are_not_feeds_are_said_so(body: bytes, error: str):
    outcome = parse(body)
    assert outcome.releases == [] and outcome.error == error


def test_valid_feed_without_items_is_empty_not_an_error():
    assert parse(rss("").encode()) == ParseOutcome([], None)


def test_broken_but_readable_feed_is_rescued_by_feedparser():
    body = rss(item(title="Fish & Chips <b>now</b")).encode()
    [release] = parse(body).releases
    assert release.title.startswith("Fish & Chips")


# --- hostile XML --------------------------------------------------------------------------------


def billion_laughs(padding: int = 0) -> bytes:
    """Ten levels of ten references each: 10**9 "lol"s if anything expanded it."""
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    prolog = '<?xml version="1.0"?>' + " " * padding + f"<!DOCTYPE rss [{''.join(decls)}]>"
    return (prolog + rss(item(title="a &lol9; b"), declare=False)).encode()


@pytest.mark.parametrize(
    "body",
    [
        billion_laughs(),
        billion_laughs(padding=8192),
        billion_laughs().decode().replace('"1.0"', '"1.0" encoding="utf-16"').encode("utf-16"),
    ],
    ids=["utf-8", "padded-prolog", "utf-16"],
)
def test_billion_laughs_does_not_expand(body: bytes):
    # Refused on the declaration itself, before expat expands anything.
    outcome = parse(body)
    assert outcome.releases == []
    assert outcome.error is not None and outcome.error.startswith("refused: the feed declares")


def test_external_entity_does_not_read_local_files(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    body = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>' + rss(
        item(title="x &xxe; y", extra="<description>&xxe;</description>"), declare=False
    )
    outcome = parse(body.encode())
    assert outcome.releases == []
    assert outcome.error is not None and "external-entity" in outcome.error
    assert "TOP-SECRET" not in outcome.error


def test_a_doctype_without_entities_is_still_a_feed():
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        + rss(item(title="Old but fine"), declare=False)
    )
    outcome = parse(body.encode())
    assert outcome.error is None
    assert [r.title for r in outcome.releases] == ["Old but fine"]


# --- encodings ----------------------------------------------------------------------------------


def test_latin_1_declared_encoding_is_honoured():
    body = rss(item(title="Réunion à Montréal"), encoding="iso-8859-1").encode("latin-1")
    assert parse(body).releases[0].title == "Réunion à Montréal"


def test_windows_1252_smart_quotes_survive_a_wrong_utf8_declaration():
    body = rss(item(title="“Cumbre” de Líderes")).encode("cp1252")
    assert parse(body).releases[0].title == "“Cumbre” de Líderes"


def test_windows_1252_named_in_the_http_header_is_used():
    body = rss(item(title="“Cumbre” – Líderes"), declare=False).encode("cp1252")
    outcome = parse(body, content_type="application/rss+xml; charset=windows-1252")
    assert outcome.releases[0].title == "“Cumbre” – Líderes"


def test_utf16_with_bom_is_read():
    body = rss(item(title="Sommet des leaders nord-américains"), encoding="utf-16").encode("utf-16")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert parse(body).releases[0].title == "Sommet des leaders nord-américains"


# --- missing and odd fields ---------------------------------------------------------------------


def test_items_missing_fields_still_become_releases_with_stable_ids():
    items = (
        item(title="", guid="g-1")
        + item(link="", date="")
        + item(title="No link", link="", date="")
    )
    first = parse(rss(items).encode()).releases
    again = parse(rss(items).encode()).releases
    assert len(first) == 3
    assert [r.id for r in first] == [r.id for r in again]
    undated = [r for r in first if not r.published]
    assert len(undated) == 2 and all(r.link == "" for r in undated)


@pytest.mark.parametrize(
    "date",
    ["Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT", "not a date", "0"],
)
def test_implausible_or_unreadable_dates_become_unknown(date: str):
    assert parse(rss(item(date=date)).encode()).releases[0].published == ""


def test_dates_in_other_formats_are_read():
    release = parse(rss(item(date="2023-01-10")).encode()).releases[0]
    assert release.published == "2023-01-10T00:00:00+00:00"


def test_duplicate_guids_in_one_feed_are_kept_once():
    items = item(title="First", guid="dup") + item(title="Second", guid="dup")
    assert [r.title for r in parse(rss(items).encode()).releases] == ["First"]


def test_ten_thousand_items_are_capped_newest_first():
    items = "".join(
        item(
            title=f"T{i}",
            link=f"https://example.gov/{i}",
            date=f"{2000 + i % 20}-01-{1 + i % 28:02d}T00:00:00Z",
        )
        for i in range(10_000)
    )
    releases = parse(rss(items).encode()).releases
    assert len(releases) == MAX_ITEMS
    dates = [r.published for r in releases]
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2019-")


def test_unsafe_and_relative_links():
    items = item(title="js", link="javascript:alert(1)") + item(title="rel", link="/news/2")
    by_title = {r.title: r.link for r in parse(rss(items).encode()).releases}
    assert by_title == {"js": "", "rel": "https://example.gov/news/2"}


def test_terminal_escapes_and_invisible_characters_are_stripped():
    title = "&#x202E;Red &#x200B;alert&#xFEFF;"
    extra = "<description><![CDATA[<p>Hello \x1b[2J\x1b]0;pwned\x07world</p>]]></description>"
    body = rss(item(title=title, extra=extra)).encode()
    [release] = parse(body).releases
    assert release.title == "Red alert"
    assert release.text == "Hello world"
    assert_clean(release)


# --- properties ---------------------------------------------------------------------------------


def _no_internal_failure(outcome: ParseOutcome) -> None:
    assert not (outcome.error or "").startswith("could not parse"), outcome.error
    for release in outcome.releases:
        assert_clean(release)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_break_parsing(body: bytes):
    _no_internal_failure(parse(body))
    _no_internal_failure(parse(body, source=Source("p", "https://e.gov/", "MX", kind="page")))


_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _TEXT), max_size=6),
    st.sampled_from(["rss", "atom"]),
    st.booleans(),
)
def test_random_feed_shaped_xml_never_breaks_parsing(
    fields: list[tuple[str, str, str, str]], kind: str, raw: bool
):
    def x(s: str) -> str:
        return s if raw else escape(s)

    if kind == "rss":
        body = rss(
            "".join(
                f"<item><title>{x(t)}</title><link>{x(lnk)}</link><guid>{x(g)}</guid>"
                f"<description>{x(d)}</description></item>"
                for t, lnk, g, d in fields
            )
        )
    else:
        body = (
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            + "".join(
                f'<entry><title type="html">{x(t)}</title><link href="{x(lnk)}"/><id>{x(g)}</id>'
                f"<content type='html'>{x(d)}</content></entry>"
                for t, lnk, g, d in fields
            )
            + "</feed>"
        )
    outcome = parse(body.encode("utf-8", "surrogatepass"))
    _no_internal_failure(outcome)
    assert len(outcome.releases) <= len(fields)
