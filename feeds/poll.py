"""One poll cycle: fetch every due source, parse, classify, and hand each source's outcome on.

The cycle knows nothing of storage: the caller passes the last known health of each source
(for its validators and backoff) and receives one `SourceOutcome` per source as soon as that
source is done, so that a slow source never holds back what the others brought.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from feeds.classify import Classifier
from feeds.fetch import Fetcher
from feeds.fulltext import complete_texts
from feeds.models import ClassifiedRelease, FetchResult, Release, Source, SourceHealth
from feeds.parse import ParseOutcome, parse_result
from feeds.schedule import next_delay

OutcomeHandler = Callable[["SourceOutcome"], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source gave in one poll: its new health and every release it listed."""

    source: Source
    health: SourceHealth
    releases: tuple[ClassifiedRelease, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.health.consecutive_failures)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def due_sources(
    sources: Sequence[Source], health: Mapping[str, SourceHealth], now: datetime
) -> list[Source]:
    """The enabled sources whose next poll time has come (or that were never polled)."""
    due = []
    for source in sources:
        if not source.enabled:
            continue
        known = health.get(source.name)
        if known is None or not known.next_poll or known.next_poll <= iso(now):
            due.append(source)
    return due


class Poller:
    """Wires fetch -> parse -> classify for many sources at once."""

    def __init__(
        self,
        fetcher: Fetcher,
        classifier: Classifier,
        *,
        default_interval: int = 900,
        clock: Callable[[], datetime] = utc_now,
        full_text: bool = False,
        is_known: Callable[[str], bool] = lambda _id: False,
    ) -> None:
        self._fetcher = fetcher
        self._classifier = classifier
        self._default_interval = default_interval
        self._clock = clock
        self._full_text = full_text
        self._is_known = is_known

    async def poll(
        self,
        sources: Sequence[Source],
        health: Mapping[str, SourceHealth],
        on_outcome: OutcomeHandler | None = None,
    ) -> list[SourceOutcome]:
        """Poll `sources` concurrently (the fetcher enforces limits); never raises for a source."""

        async def one(source: Source) -> SourceOutcome:
            outcome = await self.poll_source(source, health.get(source.name))
            if on_outcome is not None:
                handled = on_outcome(outcome)
                if handled is not None:
                    await handled
            return outcome

        return list(await asyncio.gather(*(one(source) for source in sources)))

    async def poll_source(self, source: Source, previous: SourceHealth | None) -> SourceOutcome:
        before = previous or SourceHealth(source=source.name)
        try:
            result = await self._fetcher.fetch(source, before.etag, before.last_modified)
        except Exception as exc:  # the fetcher promises not to raise; a bug must not stop a poll
            result = FetchResult(source=source, status=None, error=f"internal error: {exc!r}")
        if result.error is not None:
            return self._failure(source, before, result, result.error)
        if result.not_modified:
            return SourceOutcome(source, self._success(source, before, result, before.items_seen))
        parsed: ParseOutcome = await asyncio.to_thread(parse_result, result)
        if parsed.error is not None:
            return self._failure(source, before, result, parsed.error)
        releases = parsed.releases
        if self._full_text:
            releases = await complete_texts(self._fetcher, source, releases, self._is_known)
        classified = await asyncio.to_thread(self.classify_all, releases)
        health = self._success(source, before, result, len(classified))
        return SourceOutcome(source, health, classified)

    def classify_all(self, releases: Sequence[Release]) -> tuple[ClassifiedRelease, ...]:
        return tuple(self.classify(release) for release in releases)

    def classify(self, release: Release) -> ClassifiedRelease:
        classification = self._classifier.classify(
            release.title, release.text or release.summary, release.language or None
        )
        return ClassifiedRelease(release, classification)

    def _interval(self, source: Source) -> int:
        return source.interval or self._default_interval

    def _success(
        self, source: Source, before: SourceHealth, result: FetchResult, items: int
    ) -> SourceHealth:
        now = self._clock()
        delay = next_delay(self._interval(source), 0, result.retry_after)
        return replace(
            before,
            last_attempt=iso(now),
            last_success=iso(now),
            status=result.status,
            items_seen=items,
            consecutive_failures=0,
            last_error="",
            etag=result.etag or (before.etag if result.not_modified else None),
            last_modified=result.last_modified
            or (before.last_modified if result.not_modified else None),
            next_poll=iso(now + timedelta(seconds=delay)),
        )

    def _failure(
        self, source: Source, before: SourceHealth, result: FetchResult, error: str
    ) -> SourceOutcome:
        now = self._clock()
        failures = before.consecutive_failures + 1
        delay = next_delay(self._interval(source), failures, result.retry_after)
        health = replace(
            before,
            last_attempt=iso(now),
            status=result.status,
            consecutive_failures=failures,
            last_error=error,
            next_poll=iso(now + timedelta(seconds=delay)),
        )
        return SourceOutcome(source, health)
