"""Plain-text output of the headless commands: new releases, the sources table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TextIO

import feeds
from feeds import (
    Config,
    FullTextReport,
    Release,
    SourceHealth,
    browser_problem,
    find_chromium,
    utc_now,
)
from state import StoredRelease
from tui.services import PollReport

MIN_WATCH_SLEEP, MAX_WATCH_SLEEP = 5.0, 3600.0


def release_json(stored: StoredRelease) -> dict[str, Any]:
    r = stored.release
    return {
        "id": r.id,
        "source": r.source,
        "country": r.country,
        "title": r.title,
        "link": r.link,
        "published": r.published,
        "summit": stored.summit,
        "pillars": list(stored.pillars),
    }


def release_line(stored: StoredRelease) -> str:
    r = stored.release
    mark = "SUMMIT" if stored.summit else "      "
    pillars = ",".join(stored.pillars) or "-"
    return f"{r.published[:10] or '----------'}  {r.country}  {mark}  {r.title}  [{pillars}]"


def print_poll(report: PollReport, *, as_json: bool, out: TextIO) -> None:
    for stored in report.new:
        if as_json:
            out.write(json.dumps(release_json(stored), ensure_ascii=False) + "\n")
        else:
            out.write(release_line(stored) + "\n")
    failed = report.failed
    answered = len(report.outcomes) - len(failed)
    summary = (
        f"{len(report.new)} new releases ({len(report.new_summit)} summit), "
        f"{len(report.changed)} changed; {answered} of {len(report.outcomes)} sources answered"
    )
    ignored = report.ignored
    if ignored:
        summary += f"; {len(ignored)} listed releases ignored by rules"
    if report.not_due:
        summary += (
            f"; {report.not_due} not due until {_local_time(report.next_due)} "
            "(--all polls them now)"
        )
    if report.full_text is not None:
        summary += f"; {full_text_words(report.full_text)}"
    if as_json:
        line = {
            "summary": summary,
            "failed": [_printable(o.source.name) for o in failed],
            "ignored": [
                _ignored_json(o.source.name, r) for o in report.outcomes for r in o.ignored
            ],
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    out.write(summary + "\n")
    for outcome in failed:
        out.write(f"  {_printable(outcome.source.name)}: {_printable(outcome.health.last_error)}\n")


def _ignored_json(source: str, release: Release) -> dict[str, str]:
    return {
        "source": source,
        "title": release.title,
        "link": release.link,
        "published": release.published,
    }


def full_text_words(done: FullTextReport) -> str:
    """What the full-text stage did, in a few words."""
    words = f"full text of {done.found} of {done.wanted} summary-only releases"
    left = []
    if done.unreachable:
        hosts = f"{len(done.hosts_down)} site{'s' if len(done.hosts_down) != 1 else ''}"
        left.append(f"{done.unreachable} on {hosts} not reached")
    if done.out_of_time:
        left.append(f"{done.out_of_time} out of time")
    return f"{words} ({', '.join(left)})" if left else words


def _printable(text: str) -> str:
    # Through the package's face at the call: `printable` lives beside the HTML parsers, which
    # an unchanged poll never loads.
    return feeds.printable(text)


def _local_time(iso_time: str) -> str:
    """An ISO 8601 UTC time as the user's local clock reads it, to the minute."""
    try:
        return datetime.fromisoformat(iso_time).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso_time


def source_rows(config: Config, health: Mapping[str, SourceHealth]) -> list[dict[str, Any]]:
    rows = []
    for source in config.sources:
        h = health.get(source.name, SourceHealth(source=source.name))
        rows.append(
            {
                "name": _printable(source.name),
                "url": _printable(source.url),
                "country": source.country,
                "kind": source.kind,
                "fetch": source.fetch,
                "enabled": source.enabled,
                "status": source_status(h) if source.enabled else "disabled",
                "last_success": h.last_success,
                "last_attempt": h.last_attempt,
                "items_seen": h.items_seen,
                "last_error": _printable(h.last_error),
                "next_poll": h.next_poll,
            }
        )
    return rows


def source_status(h: SourceHealth) -> str:
    if not h.last_attempt:
        return "never polled"
    if h.consecutive_failures:
        return f"failing ({h.consecutive_failures}x)"
    return "ok"


def print_sources(config: Config, health: Mapping[str, SourceHealth], *, out: TextIO) -> None:
    rows = source_rows(config, health)
    width = max((len(r["name"]) for r in rows), default=10)
    out.write(f"{'SOURCE':<{width}}  CC  {'STATUS':<14}  {'LAST SUCCESS':<20}  ITEMS  LAST ERROR\n")
    for r in rows:
        out.write(
            f"{r['name']:<{width}}  {r['country']}  {r['status']:<14}  "
            f"{(r['last_success'] or '-')[:19]:<20}  {r['items_seen']:>5}  {r['last_error']}\n"
        )
    browser = browser_line(config)
    if browser:
        out.write(f"\n{browser}\n")
    if config.path is not None:
        out.write(f"\nconfig: {config.path}\n")


def browser_line(config: Config) -> str:
    """Which enabled sources are fetched with the browser, and whether it is here; "" if none."""
    needing = [s.name for s in config.enabled_sources if s.fetch == "browser"]
    if not needing:
        return ""
    problem = browser_problem()
    here = f"available ({find_chromium()})" if problem is None else f"NOT available: {problem}"
    return f"browser: needed by {', '.join(needing)}; {here}"


def seconds_until_next_poll(health: Mapping[str, SourceHealth], config: Config) -> float:
    """How long `poll --watch` may sleep before some source is due again."""
    now = utc_now()
    waits = []
    for source in config.enabled_sources:
        h = health.get(source.name)
        if h is None or not h.next_poll:
            return MIN_WATCH_SLEEP
        waits.append((datetime.fromisoformat(h.next_poll) - now).total_seconds())
    if not waits:
        return MAX_WATCH_SLEEP
    return min(MAX_WATCH_SLEEP, max(MIN_WATCH_SLEEP, min(waits)))
