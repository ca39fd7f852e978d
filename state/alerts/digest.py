"""The digest: what came in over a period, as the Markdown briefing, sent on a schedule.

A schedule names a local time of day, daily or on one weekday. The digest of a scheduled time
covers what came in (first seen) from the scheduled time before it up to this one, so a digest
missed while the machine was off is sent once when the watch is back, and no release is in two
digests or in none. That it goes out once, across restarts and beside a second process, is
settled in the ledger (`AlertLedger.claim_digest`) before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from feeds import AlertTarget, DigestSettings, PillarSet
from state.alerts.deliver import DEFAULT_TIMEOUT
from state.alerts.ledger import AlertLedger
from state.alerts.message import AlertMessage
from state.alerts.round import AlertRound, send_round
from state.alerts.rules import FilterLookup
from state.briefing import Briefing, counted, to_markdown
from state.records import StoredRelease

__all__ = [
    "came_in",
    "digest_message",
    "latest_slot",
    "next_slot",
    "parse_since",
    "send_digest",
]

_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _slot_on(day: date, schedule: DigestSettings, zone: tzinfo | None) -> datetime:
    """The instant the schedule names on the local `day`, in UTC. A time the clock shows twice
    (the hour repeated when summer time ends) is its first showing; a time the clock skips
    (the hour lost when it starts) is read with the offset before the change, so it falls in
    the hour after the gap (02:30 becomes 03:30). Either way each day has exactly one."""
    return datetime.combine(day, schedule.at, tzinfo=zone).astimezone(UTC)


def _days(schedule: DigestSettings, start: date, step: int) -> Iterator[date]:
    """The scheduled days from `start` (included), forwards (`step` 1) or backwards (-1)."""
    day = start
    while True:
        if schedule.every != "week" or day.weekday() == schedule.weekday:
            yield day
        day += timedelta(days=step)


def latest_slot(schedule: DigestSettings, now: datetime) -> datetime:
    """The latest scheduled time at or before `now` (aware), in the zone of `now`. Days are
    counted on the wall clock of that zone (a ZoneInfo follows its summer time; a fixed
    offset does not), and instants compared in UTC, so that a daylight-saving change neither
    skips a day nor repeats one."""
    zone, moment = now.tzinfo, now.astimezone(UTC)
    for day in _days(schedule, now.date(), -1):
        slot = _slot_on(day, schedule, zone)
        if slot <= moment:
            return slot.astimezone(zone)
    raise AssertionError("unreachable: the days go back without end")


def next_slot(schedule: DigestSettings, now: datetime) -> datetime:
    """The first scheduled time after `now` (aware), in the zone of `now`."""
    zone, moment = now.tzinfo, now.astimezone(UTC)
    for day in _days(schedule, now.date(), 1):
        slot = _slot_on(day, schedule, zone)
        if slot > moment:
            return slot.astimezone(zone)
    raise AssertionError("unreachable: the days go on without end")


def parse_since(text: str, now: datetime) -> datetime:
    """`24h`, `90m`, `7d`, `2w` before `now`, or an ISO date or time; ValueError otherwise."""
    span = _SPAN.match(text)
    if span:
        return now - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since {text!r}: expected a span like 24h, 7d or 90m, or a date like 2026-12-01"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=now.tzinfo)


def _first_seen(stored: StoredRelease) -> datetime | None:
    try:
        seen = datetime.fromisoformat(stored.first_seen)
    except ValueError:
        return None
    return seen if seen.tzinfo else seen.replace(tzinfo=UTC)


def came_in(
    releases: Iterable[StoredRelease], since: datetime, until: datetime | None = None
) -> list[StoredRelease]:
    """The releases first seen from `since` up to (not including) `until`, oldest first."""
    chosen = []
    for stored in releases:
        seen = _first_seen(stored)
        if seen is not None and seen >= since and (until is None or seen < until):
            chosen.append((seen, stored))
    chosen.sort(key=lambda pair: (pair[0], pair[1].id))
    return [stored for _, stored in chosen]


def digest_message(
    releases: Sequence[StoredRelease], since: datetime, until: datetime, pillars: PillarSet
) -> AlertMessage:
    """The briefing of `releases` (grouped as the Markdown export) with a title that says
    how many came in and when."""
    fmt = "%Y-%m-%d %H:%M"
    local_since = since.astimezone(until.tzinfo)
    title = f"summitwatch digest: {counted(len(releases))}, {local_since:{fmt}} to {until:{fmt}}"
    stamp = until.astimezone(UTC).isoformat(timespec="seconds")
    about = Briefing(scope=f"came in {local_since:{fmt}} to {until:{fmt}}", title=title)
    return AlertMessage(title, to_markdown(releases, pillars, about, exported_at=stamp))


def send_digest(
    targets: Sequence[AlertTarget],
    releases: Sequence[StoredRelease],
    saved: FilterLookup,
    ledger: AlertLedger | None,
    *,
    since: datetime,
    until: datetime,
    pillars: PillarSet,
    timeout: float = DEFAULT_TIMEOUT,
) -> AlertRound:
    """Send every target (digest-only ones too) the digest of the `releases` its rule picks,
    none if it picks none, within `timeout` seconds; keep how each answered."""

    def words(target: AlertTarget, chosen: Sequence[StoredRelease]) -> list[AlertMessage]:
        return [digest_message(chosen, since, until, pillars)] if chosen else []

    now = datetime.now(UTC).isoformat(timespec="seconds")
    return send_round(targets, releases, saved, ledger, words, now=now, timeout=timeout)
