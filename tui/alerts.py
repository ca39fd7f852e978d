"""Alerts after a poll, wired to the store: the Apprise targets of [alerts] and the hook.

The hook is a command of the user's that receives each new summit release as JSON, e.g.
`command = "mail -s 'summitwatch' me@example.org"`. It runs through the shell, once per
release, with the release on standard input; it may not hold up polling for more than
ALERT_TIMEOUT seconds. What the Apprise targets get, and how, is `state.alerts`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds import Config, PillarSet, one_line, utc_now
from state import Store, StoredRelease, saved_filters_for
from tui.report import release_json
from tui.services import PollReport

if TYPE_CHECKING:
    from state import FilterLookup

ALERT_TIMEOUT = 30.0


def alert_payload(stored: StoredRelease) -> str:
    data = release_json(stored)
    data["summary"] = stored.release.summary
    return json.dumps(data, ensure_ascii=False)


def run_alert_hook(command: str, releases: Sequence[StoredRelease]) -> list[str]:
    """Run `command` once per release; return the problems in plain words (never raises)."""
    problems = []
    for stored in releases:
        try:
            done = subprocess.run(
                command,
                shell=True,
                input=alert_payload(stored),
                text=True,
                capture_output=True,
                timeout=ALERT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            problems.append(f"alert command timed out after {ALERT_TIMEOUT:.0f} s")
            continue
        except OSError as exc:
            problems.append(f"alert command could not start: {exc}")
            continue
        if done.returncode != 0:
            # The command's own words, which may echo feed text: one clean line.
            err = done.stderr.strip().splitlines()[-1:] or [""]
            problems.append(f"alert command exited with {done.returncode}: {one_line(err[0])}")
    return problems


def alert_candidates(
    config: Config, store: Store, new: Sequence[StoredRelease], *, edits: bool = False
) -> list[StoredRelease]:
    """The full records of the `new` (or, with `edits`, edited) releases some [alerts]
    target may want: the poll keeps light ones, and the evidence sentence is in the full
    ones. Reads the store: call it where the store is used, not from a delivery thread."""
    targets = [t for t in config.alerts.targets if not t.digest_only and (t.edits or not edits)]
    if not targets or not new:
        return []
    from state import wants_text  # loads the alerting modules: only when there are targets

    any_release = wants_text(targets)
    ids = [r.id for r in new if any_release or r.summit]
    return list(store.iter_full(ids)) if ids else []


def taxonomy_pillars(config: Config) -> PillarSet:
    """The pillars of the config's taxonomy (`--taxonomy` is set into the config)."""
    from feeds import load_taxonomy

    return load_taxonomy(config.taxonomy).pillar_set


def send_alerts(
    config: Config,
    folder: Path,
    releases: Sequence[StoredRelease],
    saved: FilterLookup,
    edited: Sequence[StoredRelease] = (),
    *,
    pillars: PillarSet | None = None,
) -> list[str]:
    """Alert the [alerts] targets of the `releases` their rules pick, within the configured
    time, and keep how each answered in the database `folder`; return the problems in plain
    words (never raises). Blocking for at most [alerts] timeout: run it off the poll's path."""
    if not releases and not edited:
        return []
    from feeds import TaxonomyError
    from state import AlertLedger, alert_round

    try:
        named = pillars or taxonomy_pillars(config)
    except TaxonomyError as exc:
        return [f"alerts not sent: {exc}"]
    done = alert_round(
        config.alerts.targets,
        releases,
        saved,
        AlertLedger(folder),
        pillars=named,
        now=utc_now().isoformat(timespec="seconds"),
        timeout=config.alerts.timeout,
        edited=edited,
    )
    return done.problems


def full_records(store: Store, releases: Sequence[StoredRelease]) -> list[StoredRelease]:
    """The full records of light `releases`, in their order."""
    order = {r.id: n for n, r in enumerate(releases)}
    return sorted(store.iter_full(list(order)), key=lambda r: order[r.id])


def send_scheduled_digest(
    config: Config, store: Store, saved: FilterLookup, now: datetime
) -> list[str]:
    """If a time of the [digest] schedule has passed since the last digest, send the digest
    of what came in since then to every alert target; once, however many processes or
    restarts see the time pass. Returns the problems in plain words (never raises).
    Blocking for at most [alerts] timeout: run it off the poll's path."""
    schedule = config.digest
    if not schedule.every or not config.alerts.targets:
        return []
    from feeds import TaxonomyError
    from state import AlertLedger, LedgerError, came_in, latest_slot, send_digest

    slot = latest_slot(schedule, now)
    mark = slot.astimezone(UTC).isoformat(timespec="seconds")
    ledger = AlertLedger(store.path)
    try:
        if ledger.digest_mark() >= mark:  # taken already: the usual case, a read only
            return []
        pillars = taxonomy_pillars(config)
        previous = ledger.claim_digest(mark)
    except TaxonomyError as exc:
        return [f"digest not sent: {exc}"]
    except LedgerError as exc:
        return [f"digest not sent: {exc}"]
    if previous is None:
        return []
    since = datetime.fromisoformat(previous)
    store.load_deferred()  # a poll opens the store without its releases
    releases = full_records(store, came_in(store.all(), since, slot))
    done = send_digest(
        config.alerts.targets,
        releases,
        saved,
        ledger,
        since=since,
        until=slot,
        pillars=pillars,
        timeout=config.alerts.timeout,
    )
    return done.problems


def local_zone() -> tzinfo:
    """The zone of the wall clock with its summer-time rules: the zone `$TZ` names, else the
    system's (`/etc/localtime`); failing both, the offset of the moment, which has no rules
    (a digest right after a change would then be an hour off)."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return ZoneInfo(name)
        with open("/etc/localtime", "rb") as system:
            return ZoneInfo.from_file(system)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        fixed = datetime.now().astimezone().tzinfo
        return fixed if fixed is not None else UTC


def local_now() -> datetime:
    """The time as the clock on the wall reads it, where the digest is scheduled."""
    return datetime.now(local_zone())


def seconds_until_digest(config: Config, now: datetime) -> float:
    """How long `poll --watch` may sleep before the next scheduled digest (inf: none)."""
    if not config.digest.every or not config.alerts.targets:
        return math.inf
    from state import next_slot

    # In UTC: two times of one ZoneInfo subtract as wall-clock readings, across a change too.
    wait = next_slot(config.digest, now).astimezone(UTC) - now.astimezone(UTC)
    return max(1.0, wait.total_seconds() + 1.0)


def start_alerts(config: Config, store: Store, result: PollReport) -> asyncio.Task[None]:
    """Alert the hook and the Apprise targets of what `result` brought, in a thread. The
    task may be awaited (a single poll) or left to finish (`poll --watch`)."""
    releases = alert_candidates(config, store, result.new)
    edited = alert_candidates(config, store, result.changed, edits=True)
    summit = result.new_summit
    saved = saved_filters_for(store.path)

    def deliver() -> list[str]:
        problems = [saved.error] if saved.error and (releases or edited) else []
        if config.alerts.command and summit:
            problems += run_alert_hook(config.alerts.command, summit)
        return problems + send_alerts(config, store.path, releases, saved, edited)

    return _in_background(deliver)


def start_digest(config: Config, store: Store, now: datetime) -> asyncio.Task[None] | None:
    """Send the scheduled digest in a thread if its time has come (see
    `send_scheduled_digest`); None when no digest is scheduled."""
    if not config.digest.every or not config.alerts.targets:
        return None
    saved = saved_filters_for(store.path)
    return _in_background(lambda: send_scheduled_digest(config, store, saved, now))


# Tasks still running: held so that they are not collected midway.
_RUNNING: set[asyncio.Task[None]] = set()


def _in_background(work: Callable[[], list[str]]) -> asyncio.Task[None]:
    async def run() -> None:
        for problem in await asyncio.to_thread(work):
            print(f"summitwatch: {problem}", file=sys.stderr)

    task = asyncio.create_task(run())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return task
