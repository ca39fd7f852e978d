"""The words of an alert: every part a reader needs, and nothing a hostile feed slipped in."""

from __future__ import annotations

from feeds import load_taxonomy
from state.alerts.message import BATCH_AFTER, messages_for, release_message
from state.records import StoredRelease
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set


def stored(seed: str = "r1", *, summit: bool = True, **release: str) -> StoredRelease:
    return StoredRelease(
        release=make_release(seed, **release),
        classification=make_classification(summit=summit, pillars=("security",)),
        first_seen="2026-12-01T09:00:00+00:00",
    )


def test_a_release_alert_names_government_date_decision_pillars_evidence_and_link() -> None:
    message = release_message(stored(published="2023-01-10T12:00:00+00:00", country="US"), BUNDLED)
    assert message.title == "Summit release · United States: Release r1 on the summit"
    lines = message.body.split("\n\n")
    assert lines[0] == "United States · pm.gc.ca · 2023-01-10"
    assert lines[1] == "Decision: summit release · Pillars: Security"
    assert lines[2] == "> The North American Leaders' Summit."
    assert lines[3] == "https://example.gov/news/r1"


def test_a_release_that_is_not_a_summit_release_says_so() -> None:
    message = release_message(stored(summit=False), BUNDLED)
    assert message.title.startswith("Release · Canada: ")
    assert "Decision: not a summit release · Pillars: Security" in message.body
    assert "> The leaders agreed to cut methane emissions." in message.body


def test_hostile_feed_text_cannot_escape_or_add_links() -> None:
    message = release_message(
        stored(
            title="\x1b]52;c;cHduZWQ=\x07Summit [click](https://evil.example)\nsecond line",
            link="javascript:alert(1)",
        ),
        BUNDLED,
    )
    assert "\x1b" not in message.title + message.body
    assert "\n" not in message.title
    assert "[click](" not in message.title
    assert "javascript" not in message.body


def test_many_releases_at_once_become_one_message_with_every_link() -> None:
    releases = [stored(f"r{n}") for n in range(BATCH_AFTER + 1)]
    [message] = messages_for(releases, BUNDLED)
    assert (
        message.title == f"summitwatch: {BATCH_AFTER + 1} new releases ({BATCH_AFTER + 1} summit)"
    )
    for n in range(BATCH_AFTER + 1):
        assert f"https://example.gov/news/r{n}" in message.body
    assert len(messages_for(releases[:BATCH_AFTER], BUNDLED)) == BATCH_AFTER
