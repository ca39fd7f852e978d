"""A daily digest across a daylight-saving change: exactly one a day, at the set local time.

The watch is simulated over four days around each change: it wakes when the poll interval
or `seconds_until_digest` says and runs the real scheduled digest against the real database
folder (its ledger) and a JSON receiver on 127.0.0.1. The zone is the real one, from the
system's time zone database, named by `$TZ` as a user would set it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from pytest_httpserver import HTTPServer

from feeds import AlertTarget, DigestSettings
from feeds.collect.sources import AlertSettings, Config
from state import Store
from state.alerts.digest import latest_slot, next_slot
from tests.state.factories import make_item
from tui.alerts import local_now, local_zone, seconds_until_digest, send_scheduled_digest

POLL_SECONDS = 1800  # how often the simulated `poll --watch` wakes between digests


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        pytest.skip(f"the time zone database has no {name} (install tzdata)")


def test_a_time_the_clock_skips_is_sent_in_the_hour_after_the_gap() -> None:
    toronto = zone("America/Toronto")  # 2026-03-08: 02:00 EST becomes 03:00 EDT
    at_0230 = DigestSettings(every="day", at=time(2, 30))
    before = datetime(2026, 3, 8, 1, 59, tzinfo=toronto)
    slot = next_slot(at_0230, before)
    assert slot.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert (slot.hour, slot.minute) == (3, 30)
    after = datetime(2026, 3, 8, 3, 31, tzinfo=toronto)
    assert latest_slot(at_0230, after) == slot
    # The day before and after keep 02:30, each in its own offset.
    assert latest_slot(at_0230, before).astimezone(UTC) == datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    assert next_slot(at_0230, after).astimezone(UTC) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def test_a_time_the_clock_shows_twice_is_its_first_showing() -> None:
    toronto = zone("America/Toronto")  # 2026-11-01: 02:00 EDT becomes 01:00 EST
    at_0130 = DigestSettings(every="day", at=time(1, 30))
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second_showing = datetime(2026, 11, 1, 6, 45, tzinfo=UTC).astimezone(toronto)  # 01:45 EST
    assert (second_showing.hour, second_showing.minute, second_showing.fold) == (1, 45, 1)
    assert latest_slot(at_0130, second_showing).astimezone(UTC) == first
    assert next_slot(at_0130, second_showing).astimezone(UTC) == datetime(
        2026, 11, 2, 6, 30, tzinfo=UTC
    )


def test_the_local_zone_keeps_its_summer_time_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    zone("America/Toronto")
    monkeypatch.setenv("TZ", "America/Toronto")
    assert local_zone() == ZoneInfo("America/Toronto")
    assert local_now().tzinfo == ZoneInfo("America/Toronto")
    monkeypatch.setenv("TZ", "Not/A_Zone")
    assert local_zone().utcoffset(datetime.now()) is not None  # the offset of the moment


def watch(
    db: Path, config: Config, start: datetime, days: int, server: HTTPServer
) -> list[datetime]:
    """`poll --watch` from `start` for `days` days; the local times digests were sent at."""
    sent: list[datetime] = []
    moment, end = start.astimezone(UTC), start.astimezone(UTC) + timedelta(days=days)
    with Store(db, load="none") as store:
        while moment < end:
            now = moment.astimezone(local_zone())
            before = len(server.log)
            assert send_scheduled_digest(config, store, {}, now) == []
            if len(server.log) > before:
                sent.append(now)
            wait = min(POLL_SECONDS, seconds_until_digest(config, now))
            moment += timedelta(seconds=wait)
    return sent


CHANGES = [
    # zone, day of the change, the time of day that day lacks or repeats, local hour of noon
    pytest.param("America/Toronto", date(2026, 3, 8), time(2, 30), id="Toronto-spring-gap"),
    pytest.param("America/Toronto", date(2026, 11, 1), time(1, 30), id="Toronto-fall-twice"),
    pytest.param("America/Toronto", date(2026, 11, 1), time(8, 0), id="Toronto-fall-0800"),
    pytest.param("America/Mexico_City", date(2022, 4, 3), time(2, 30), id="Mexico-2022-gap"),
    pytest.param("America/Mexico_City", date(2022, 10, 30), time(1, 30), id="Mexico-2022-twice"),
]


@pytest.mark.parametrize(("name", "change", "at"), CHANGES)
def test_a_daily_digest_goes_out_once_a_day_across_a_daylight_saving_change(
    name: str,
    change: date,
    at: time,
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tz = zone(name)
    monkeypatch.setenv("TZ", name)
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    config = Config(
        path=None,
        sources=(),
        alerts=AlertSettings(
            targets=(AlertTarget(f"json://127.0.0.1:{httpserver.port}/hook"),), timeout=20
        ),
        digest=DigestSettings(every="day", at=at),
    )
    db = tmp_path / "db"
    days = [change + timedelta(days=n) for n in range(-2, 3)]
    with Store(db) as store:  # one summit release first seen at noon of each day
        for day in days:
            noon = datetime.combine(day, time(12, 0), tzinfo=tz).astimezone(UTC)
            store.add([make_item(f"noon {day}", title=f"Noon of {day}")], now=noon.isoformat())

    start = datetime.combine(days[0], time(0, 10), tzinfo=tz)
    sent = watch(db, config, start, days=5, server=httpserver)

    # The first look only sets the mark; then one digest on each of the four days after,
    # seconds after its time, on the day of the change too.
    assert [s.date() for s in sent] == days[1:]
    for when in sent:
        wanted = datetime.combine(when.date(), at, tzinfo=tz).astimezone(UTC)
        assert timedelta(0) <= when.astimezone(UTC) - wanted <= timedelta(seconds=2)
    # Every release of the days between is in exactly one digest.
    bodies = [json.loads(r.get_data())["message"] for r, _ in httpserver.log]
    for day in days[:-1]:
        assert sum(f"Noon of {day}" in body for body in bodies) == 1, day
    assert not any(f"Noon of {days[-1]}" in body for body in bodies)  # after the last digest
