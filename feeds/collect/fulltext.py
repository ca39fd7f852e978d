"""Full text for releases whose feed carries only a summary: the last stage of a poll cycle.

The cycle stores every release at once with what its feed gave; this stage then fetches the
pages of the new ones that came with a summary only, through the same fetcher (per-host limit,
timeouts, size cap, our user agent), and hands on each text as it arrives so that the release
is classified again and updated in place. It never holds up the cycle for long:

- it has its own time budget (`[poll] full_text_seconds`); what is still waiting when the
  budget runs out keeps its summary;
- a host that fails to resolve or to connect is skipped for the rest of the stage (a breaker
  per host): unreachable item links cost one failure per host, not one per release;
- each host's pages are fetched newest release first, `per_host` at a time.

Only the releases this cycle stored as new are fetched, and a page that answers but says no
more than the summary leaves its release as it was. A page that failed, or that the budget left
unfetched, is tried again at later cycles (`TextRetries`): `RETRY_TRIES` tries in all, the
second at the next cycle, then after `RETRY_WAIT` and four times that; the releases waiting
are kept in a small JSON file beside the database.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from feeds.collect.challenge import is_blocked
from feeds.collect.fetch import Fetcher
from feeds.models import FetchResult, Release, Source
from feeds.text import body_of

__all__ = ["FullTextReport", "TextRetries", "fetch_full_texts", "needs_full_text"]

# Below this many characters a release is taken to be a summary, not the release itself.
SUMMARY_ONLY_BELOW = 600
TextHandler = Callable[[Release], Awaitable[None]]
# A page not fetched is tried again: this many tries in all, the second at the next cycle, the
# third `RETRY_WAIT` after the second, the fourth four times that after the third.
RETRY_TRIES = 4
RETRY_WAIT = timedelta(hours=1)


def needs_full_text(release: Release) -> bool:
    body = body_of(release)
    return len(body) < SUMMARY_ONLY_BELOW and release.link.startswith(("http://", "https://"))


@dataclass(slots=True)
class FullTextReport:
    """What the stage did with the pages it was given."""

    wanted: int = 0
    found: int = 0  # texts handed on
    failed: int = 0  # pages that failed, or said no more than the summary
    unreachable: int = 0  # skipped: their host had failed to resolve or connect
    hosts_down: tuple[str, ...] = ()  # as "scheme://host:port"
    # Source name -> the fetcher's words for each of its pages behind a bot challenge, so that
    # the source can say why its texts are short.
    blocked: dict[str, list[str]] = field(default_factory=dict)
    # Ids of the releases done with: their text arrived, or their page answered with no more
    # than the summary. The others (failed, unreachable, out of time) may be tried again.
    settled: set[str] = field(default_factory=set)

    @property
    def out_of_time(self) -> int:
        """Pages still waiting (or being fetched) when the budget ran out."""
        return self.wanted - self.found - self.failed - self.unreachable


async def fetch_full_texts(
    fetcher: Fetcher,
    wanted: Sequence[tuple[Release, Source]],
    on_text: TextHandler,
    *,
    budget: float,
    per_host: int = 2,
) -> FullTextReport:
    """Fetch the page of each release (with the source it came from), within `budget`
    seconds, and await `on_text` with each release that gets its text. Never raises for a
    page."""
    report = FullTextReport(wanted=len(wanted))
    queues: dict[str, deque[tuple[Release, Source]]] = {}
    for release, source in sorted(wanted, key=lambda pair: pair[0].published, reverse=True):
        queues.setdefault(_host(release.link), deque()).append((release, source))
    down: set[str] = set()

    async def drain(host: str, queue: deque[tuple[Release, Source]]) -> None:
        while queue:
            if host in down:
                report.unreachable += len(queue)
                queue.clear()
                return
            release, source = queue.popleft()
            result = await _fetch_page(fetcher, source, release)
            if result.unreachable:
                down.add(host)
            elif result.error is not None and is_blocked(result.error):
                report.blocked.setdefault(source.name, []).append(result.error)
            text = await _page_text(result, source, release)
            if result.error is None:
                report.settled.add(release.id)
            if not text:
                report.failed += 1
                continue
            await on_text(replace(release, text=text))
            report.found += 1

    workers = [drain(h, q) for h, q in queues.items() for _ in range(max(1, per_host))]
    try:
        async with asyncio.timeout(budget):
            await asyncio.gather(*workers)
    except TimeoutError:
        pass  # what is left keeps its summary: `report.out_of_time` counts it
    report.hosts_down = tuple(sorted(down))
    return report


def _host(link: str) -> str:
    """Scheme, host and port: what fails to resolve or connect together."""
    try:
        parts = urlsplit(link)
    except ValueError:  # a malformed address: the fetch will say so
        return link
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


async def _fetch_page(fetcher: Fetcher, source: Source, release: Release) -> FetchResult:
    page = Source(
        name=source.name,
        url=release.link,
        country=source.country,
        language=source.language,
        kind="page",
        user_agent=source.user_agent,
        fetch=source.fetch,  # a site behind a wall walls its release pages too
    )
    return await fetcher.fetch(page)


async def _page_text(result: FetchResult, source: Source, release: Release) -> str:
    """The main text of the release's page when it says more than the feed did."""
    if result.error is not None or not result.body:
        return ""
    # Imported at the first page: lxml costs a poll that fetches none a tenth of its time.
    from feeds.collect.extract import extract_main_text

    text = await asyncio.to_thread(
        extract_main_text, result.body, title=release.title, drop=source.drop
    )
    return text if len(text) > len(body_of(release)) else ""


@dataclass(frozen=True, slots=True)
class _Waiting:
    release: Release
    source: str  # the name of the source it came from
    tries: int  # tries so far, all failed
    next_try: datetime


class TextRetries:
    """Releases whose page is to be tried again at a later cycle, kept in a JSON file (`path`,
    beside the database). `load`, then `due` gives those whose time has come, and `settle`
    records what a stage made of the pages it was given; `save` writes the file (atomically).
    A file that cannot be read is taken as empty: the cost is a page not tried again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._waiting: dict[str, _Waiting] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            waiting = {
                str(entry["release"]["id"]): _Waiting(
                    Release.from_dict(entry["release"]),
                    str(entry["source"]),
                    int(entry["tries"]),
                    datetime.fromisoformat(str(entry["next_try"])),
                )
                for entry in raw
            }
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            waiting = {}
        self._waiting = waiting

    def due(self, now: datetime, sources: Mapping[str, Source]) -> list[tuple[Release, Source]]:
        """The releases to try again now, with their source (one no longer configured
        drops its releases)."""
        gone = [key for key, w in self._waiting.items() if w.source not in sources]
        for key in gone:
            del self._waiting[key]
        return [(w.release, sources[w.source]) for w in self._waiting.values() if w.next_try <= now]

    def settle(
        self, tried: Iterable[tuple[Release, Source]], report: FullTextReport, now: datetime
    ) -> None:
        """After a stage given `tried`: a release settled (`report.settled`) is done with; any
        other waits for its next try, or is given up after `RETRY_TRIES`."""
        for release, source in tried:
            before = self._waiting.pop(release.id, None)
            if release.id in report.settled:
                continue
            tries = 1 + (before.tries if before is not None else 0)
            if tries < RETRY_TRIES:
                wait = RETRY_WAIT * 4 ** (tries - 2) if tries > 1 else timedelta(0)
                self._waiting[release.id] = _Waiting(release, source.name, tries, now + wait)

    def save(self) -> None:
        entries = [
            {
                "release": w.release.to_dict(),
                "source": w.source,
                "tries": w.tries,
                "next_try": w.next_try.isoformat(timespec="seconds"),
            }
            for w in self._waiting.values()
        ]
        if not entries and not self.path.exists():
            return
        part = self.path.with_name(self.path.name + ".part")
        part.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        os.replace(part, self.path)
