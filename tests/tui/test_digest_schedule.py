"""The scheduled digest: sent once per scheduled time, across restarts and processes, and
covering what came in since the one before. The clock is injected; everything else is real
(the database folder, the ledger in it, a JSON receiver on 127.0.0.1)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from pytest_httpserver import HTTPServer

from feeds import AlertTarget, DigestSettings
from feeds.collect.sources import AlertSettings, Config
from state import Store
from tests.state.factories import make_item
from tui.alerts import seconds_until_digest, send_scheduled_digest

MEXICO_CITY = timezone(timedelta(hours=-6))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MEXICO_CITY)


def config_for(server: HTTPServer, every: str = "day") -> Config:
    target = AlertTarget(f"json://127.0.0.1:{server.port}/hook")
    return Config(
        path=None,
        sources=(),
        alerts=AlertSettings(targets=(target,), timeout=20),
        digest=DigestSettings(every=every, at=time(8, 0), weekday=2),
    )


def digests(server: HTTPServer) -> list[dict[str, str]]:
    return [json.loads(r.get_data()) for r, _ in server.log if r.path == "/hook"]


def run(db: Path, config: Config, now: datetime) -> list[str]:
    """One process's look at the schedule: a fresh store, as after a restart."""
    with Store(db, load="none") as store:
        return send_scheduled_digest(config, store, {}, now)


def test_a_daily_digest_is_sent_once_across_restarts_and_covers_its_day(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    config = config_for(httpserver)
    db = tmp_path / "db"
    with Store(db) as store:
        iso = lambda t: t.isoformat(timespec="seconds")  # noqa: E731
        store.add([make_item("tue", title="Tuesday's summit statement")], now=iso(at(1, 10)))
        store.add([make_item("wed", title="Wednesday's summit statement")], now=iso(at(2, 9)))

    # The first run only sets the mark: a new schedule never sends the whole database.
    assert run(db, config, at(1, 8, 30)) == []
    assert digests(httpserver) == []
    # Wednesday 08:01: the digest of Tuesday 08:00 to Wednesday 08:00, once.
    assert run(db, config, at(2, 8, 1)) == []
    assert run(db, config, at(2, 8, 5)) == []
    assert run(db, config, at(2, 23, 59)) == []
    [wednesday] = digests(httpserver)
    assert wednesday["title"] == (
        "summitwatch digest: 1 release, 2026-12-01 08:00 to 2026-12-02 08:00"
    )
    assert "Tuesday's summit statement" in wednesday["message"]
    assert "Wednesday's" not in wednesday["message"]
    # The machine was off on Thursday morning: Friday's first look sends the digest of the
    # scheduled time that passed last (Friday 08:00), from Wednesday 08:00, once.
    assert run(db, config, at(4, 9)) == []
    assert run(db, config, at(4, 9, 1)) == []
    wednesday, friday = digests(httpserver)
    assert friday["title"].startswith("summitwatch digest: 1 release, 2026-12-02 08:00 to ")
    assert "Wednesday's summit statement" in friday["message"]


def test_a_weekly_digest_waits_for_its_weekday_and_watch_wakes_for_it(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    config = config_for(httpserver, every="week")  # Wednesdays at 08:00
    db = tmp_path / "db"
    with Store(db) as store:
        store.add([make_item("r1")], now=at(3, 12).isoformat())
    run(db, config, at(3, 7))  # Thursday the 3rd: marks Wednesday the 2nd
    assert seconds_until_digest(config, at(9, 7, 59)) == 61.0
    run(db, config, at(9, 7, 59))
    assert digests(httpserver) == []
    run(db, config, at(9, 8))
    [weekly] = digests(httpserver)
    assert weekly["title"] == "summitwatch digest: 1 release, 2026-12-02 08:00 to 2026-12-09 08:00"


def test_a_target_that_fails_the_digest_is_reported_and_the_time_is_not_sent_again(
    tmp_path: Path,
) -> None:
    dead = Config(
        path=None,
        sources=(),
        alerts=AlertSettings(targets=(AlertTarget("json://127.0.0.1:9/hook"),), timeout=5),
        digest=DigestSettings(every="day"),
    )
    db = tmp_path / "db"
    with Store(db) as store:
        store.add([make_item("r1")], now=at(1, 12).isoformat())
    run(db, dead, at(1, 9))
    [problem] = run(db, dead, at(2, 9))
    assert problem.startswith("alert target json://127.0.0.1:9/hook: ")
    # Sent at most once: a failed digest is reported, not retried on every poll.
    assert run(db, dead, at(2, 10)) == []
