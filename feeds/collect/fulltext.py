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

"Once": only the releases this cycle stored as new are fetched; a page that fails or says no
more than the summary leaves its release as it was.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from feeds.collect.challenge import is_blocked
from feeds.collect.fetch import Fetcher
from feeds.models import FetchResult, Release, Source
from feeds.text import body_of

__all__ = ["FullTextReport", "fetch_full_texts", "needs_full_text"]

# Below this many characters a release is taken to be a summary, not the release itself.
SUMMARY_ONLY_BELOW = 600
TextHandler = Callable[[Release], Awaitable[None]]


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
