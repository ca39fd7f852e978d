"""The digest's clock and contents: scheduled times, spans, what came in, the briefing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from feeds import DigestSettings, load_taxonomy
from state.alerts.digest import came_in, digest_message, latest_slot, next_slot, parse_since
from state.records import StoredRelease
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set

EAST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 12, 3, 7, 30, tzinfo=EAST)  # a Thursday, before 08:00


def test_the_latest_scheduled_time_is_today_or_the_day_before() -> None:
    daily = DigestSettings(every="day", at=time(8, 0))
    assert latest_slot(daily, NOW) == datetime(2026, 12, 2, 8, 0, tzinfo=EAST)
    assert latest_slot(daily, NOW.replace(hour=8)) == datetime(2026, 12, 3, 8, 0, tzinfo=EAST)
    assert next_slot(daily, NOW) == datetime(2026, 12, 3, 8, 0, tzinfo=EAST)


def test_a_weekly_time_falls_on_its_weekday() -> None:
    mondays = DigestSettings(every="week", at=time(17, 45), weekday=0)
    assert latest_slot(mondays, NOW) == datetime(2026, 11, 30, 17, 45, tzinfo=EAST)
    assert next_slot(mondays, NOW) == datetime(2026, 12, 7, 17, 45, tzinfo=EAST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", NOW - timedelta(hours=24)),
        ("90m", NOW - timedelta(minutes=90)),
        ("7d", NOW - timedelta(days=7)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=EAST)),
        ("2026-12-01T10:00:00+00:00", datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ],
)
def test_since_takes_spans_and_dates(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_since_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="expected a span like 24h"):
        parse_since("last week", NOW)


def stored(seed: str, first_seen: str, pillars: tuple[str, ...] = ("security",)) -> StoredRelease:
    return StoredRelease(
        release=make_release(seed, title=f"Release {seed}"),
        classification=make_classification(pillars=pillars),
        first_seen=first_seen,
    )


def test_what_came_in_is_first_seen_from_since_up_to_until() -> None:
    releases = [
        stored("late", "2026-12-03T12:30:00+00:00"),  # 07:30 in EAST: until itself, left out
        stored("in", "2026-12-02T13:00:00+00:00"),
        stored("edge", "2026-12-01T13:00:00+00:00"),  # 08:00 in EAST: since itself, kept
        stored("early", "2026-12-01T12:59:59+00:00"),
        stored("broken", "not a time"),
    ]
    since = datetime(2026, 12, 1, 8, 0, tzinfo=EAST)
    chosen = came_in(releases, since, NOW)
    assert [r.release.title for r in chosen] == ["Release edge", "Release in"]


def test_the_digest_is_the_markdown_briefing_with_its_period_in_the_title() -> None:
    releases = [
        stored("a", "2026-12-02T13:00:00+00:00"),
        stored("b", "2026-12-02T14:00:00+00:00", ("climate",)),
    ]
    message = digest_message(releases, datetime(2026, 12, 2, 8, 0, tzinfo=EAST), NOW, BUNDLED)
    assert message.title == "summitwatch digest: 2 releases, 2026-12-02 08:00 to 2026-12-03 07:30"
    assert message.body.startswith(f"# {message.title}\n")
    assert "\n## Security (1)\n" in message.body and "\n### Canada\n" in message.body
    assert "The leaders agreed to cut methane emissions." in message.body
