"""The Atom feed of a curated stream, read back by a real feed parser."""

from __future__ import annotations

import feedparser

from feeds import load_taxonomy
from state.atom import to_atom
from state.records import StoredRelease
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set


def stored(seed: str, first_seen: str, **release: str) -> StoredRelease:
    return StoredRelease(
        release=make_release(seed, **release),
        classification=make_classification(pillars=("security", "climate")),
        first_seen=first_seen,
    )


def test_a_feed_reader_reads_title_link_dates_pillars_and_evidence() -> None:
    releases = [
        stored("old", "2026-12-01T10:00:00+00:00", title="Older statement"),
        stored("new", "2026-12-02T10:00:00+00:00", title="Joint statement", country="MX"),
    ]
    text = to_atom(
        releases, title="summitwatch: Mexico security", feed_id="urn:x:feed", pillars=BUNDLED
    )
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "summitwatch: Mexico security"
    assert feed.feed.updated == "2026-12-02T10:00:00Z"
    newest, oldest = feed.entries
    assert (newest.title, oldest.title) == ("Joint statement", "Older statement")
    assert newest.link == "https://example.gov/news/new"
    assert newest.published == "2023-01-10T12:00:00Z"
    assert newest.author == "Mexico · pm.gc.ca"
    assert [t.term for t in newest.tags] == ["summit", "climate", "security"]  # taxonomy order
    assert newest.summary.startswith("The North American Leaders' Summit.")


def test_hostile_text_stays_text_and_the_feed_stays_well_formed() -> None:
    hostile = stored(
        "h",
        "2026-12-02T10:00:00+00:00",
        title="\x1b[2J<script>alert(1)</script> & \x00 \x0b ]]> statement",
        link="javascript:alert(1)",
        summary="\x07<b>bold</b>",
    )
    text = to_atom([hostile], title="t", feed_id="urn:x", pillars=BUNDLED)
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    assert "<script>" not in text  # escaped, so a reader shows it as text
    assert "&lt;script&gt;" in text
    assert "javascript" not in text
    assert entry.title == "<script>alert(1)</script> &   ]]> statement"


def test_the_feed_holds_the_newest_releases_up_to_its_limit() -> None:
    releases = [stored(f"r{n}", f"2026-12-{n + 1:02d}T10:00:00+00:00") for n in range(5)]
    feed = feedparser.parse(to_atom(releases, title="t", feed_id="urn:x", pillars=BUNDLED, limit=3))
    assert [e.id for e in feed.entries] == [
        f"urn:summitwatch:release:{r.id}" for r in reversed(releases[2:])
    ]
