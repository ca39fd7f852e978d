"""One poll cycle: fetch every due source, parse, classify, and hand each source's outcome on.

The cycle knows nothing of storage: the caller passes the last known health of each source
(for its validators and backoff) and reads one `SourceOutcome` per source from
`Poller.outcomes` as soon as that source is done, so that a slow source never holds back what
the others brought; what to keep, and when to write it, is the caller's. A caller that wants
more made of each release where the CPU work is done (the store's dedupe keys) gives a typed
`prepare`: a `Poller[Keys]` yields `SourceOutcome[Keys]`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeAlias, TypeVar, overload

from feeds.collect.fetch import Fetcher
from feeds.collect.schedule import interval_of, next_delay
from feeds.models import ClassifiedRelease, FetchResult, Release, Source, SourceHealth

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from feeds.collect.fulltext import FullTextReport
    from feeds.judge.protocol import ReleaseClassifier

# The classifier, or how to load it when the first body is to be classified: most polls
# bring nothing new and need no taxonomy (nor the import of feeds.judge.classify).
ClassifierSource: TypeAlias = "ReleaseClassifier | Callable[[], ReleaseClassifier]"

# What the caller's `prepare` makes of each release (None for a poller without one).
P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class SourceOutcome(Generic[P]):
    """What one source gave in one poll: its new health and every release it listed."""

    source: Source
    health: SourceHealth
    releases: tuple[ClassifiedRelease, ...] = ()
    # What the poller's `prepare` made of each release, in the same order (empty without one).
    prepared: tuple[P, ...] = ()
    # Releases the source's rules left out (counted and named, never stored), and the marks
    # its rules set on kept ones, by release id.
    ignored: tuple[Release, ...] = ()
    marks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Releases that came with a summary only and that a rule searching the text may yet
    # ignore or mark (with `full_text`): to be fetched, then ruled on their text, before they
    # are stored. Not in `releases`.
    waiting: tuple[ClassifiedRelease, ...] = ()

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


# A poll expected to bring at least this many bodies (sources without validators) parses and
# classifies them in worker processes: below it, the workers cost more than the second core gives.
PROCESSES_AFTER_CHANGED = 8
# How often a worker process looks whether the poll that started it is still there.
PARENT_CHECK_SECONDS = 1.0

# Work the caller wants done on each release beside classification, where the CPU is (the
# store's dedupe keys: they normalise the whole text, and a cold poll of 1,000 feeds took
# twice as long with them computed in the store's thread). Must be a module-level function.
Prepare: TypeAlias = Callable[[Release], P]
Classified: TypeAlias = tuple[tuple[ClassifiedRelease, ...], tuple[P, ...]]
Parsed: TypeAlias = tuple[str | None, Classified[P]]
TextHandler = Callable[[ClassifiedRelease], Awaitable[None]]


def _classify(classifier: ReleaseClassifier, release: Release) -> ClassifiedRelease:
    return ClassifiedRelease(release, classifier.classify_release(release))


def _classify_all(
    classifier: ReleaseClassifier, prepare: Prepare[P] | None, releases: Sequence[Release]
) -> Classified[P]:
    classified = tuple(_classify(classifier, r) for r in releases)
    return classified, tuple(map(prepare, releases)) if prepare is not None else ()


def _parse_and_classify(
    classifier: Callable[[], ReleaseClassifier], prepare: Prepare[P] | None, result: FetchResult
) -> Parsed[P]:
    """The parse error, or the releases classified (and prepared)."""
    # Imported at the first body, not with this module: lxml and feedparser cost an
    # unchanged (all-304) poll a tenth of its time and memory for nothing.
    from feeds.collect.parsers import parse_result

    parsed = parse_result(result)
    if parsed.error is not None:
        return parsed.error, ((), ())
    return None, _classify_all(classifier(), prepare, parsed.releases)


_worker_classifier: ReleaseClassifier | None = None
_worker_prepare: Prepare[Any] | None = None


def _init_worker(classifier: ReleaseClassifier, prepare: Prepare[Any] | None, parent: int) -> None:
    global _worker_classifier, _worker_prepare
    _worker_classifier, _worker_prepare = classifier, prepare
    # A worker waits on a pipe that it holds both ends of: when the poll is killed (kill -9,
    # out of memory) no end-of-file ever comes, and it would wait for ever.
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker once `parent` is gone (it is then the child of another process)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _in_worker(result: FetchResult) -> Parsed[Any]:
    classifier = _worker_classifier
    assert classifier is not None  # set by _init_worker in every worker
    return _parse_and_classify(lambda: classifier, _worker_prepare, result)


def _fork_pool(
    classifier: ReleaseClassifier, prepare: Prepare[Any] | None, processes: int
) -> ProcessPoolExecutor | None:
    """Worker processes forked now, or None where forking is not safe.

    Fork, because the workers then share the loaded modules and classifier instead of importing
    and building them again; now, while this process runs a single thread, because a lock that
    another thread holds at the fork stays held forever in the child (a worker froze that way
    when the pool forked lazily, at its first task, beside the poll's threads).
    """
    # Imported here: a poll with little to parse (most are) never starts a process.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    import feeds.collect.parse  # noqa: F401  (once, before the fork, for every worker)

    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    pool = ProcessPoolExecutor(processes, context, _init_worker, (classifier, prepare, parent))
    pool.submit(int).result()  # the fork context starts every worker at the first task
    return pool


def _ruled(outcome: SourceOutcome[P], full_text: bool) -> SourceOutcome[P]:
    """The outcome after its source's rules: ignored releases taken out (after classification,
    so that a text rule sees the text the feed gave), marks noted. With `full_text`, a release
    that came with a summary only and that a text rule may yet decide on waits for its page
    (`SourceOutcome.waiting`) instead: no rule is applied to it here."""
    rules = outcome.source.rules
    if not rules:
        return outcome
    from feeds.collect.rules import apply_rules, waits_for_text

    waiting: list[int] = []
    if full_text:
        from feeds.collect.fulltext import needs_full_text

        waiting = [
            n
            for n, c in enumerate(outcome.releases)
            if needs_full_text(c.release) and waits_for_text(rules, c.release)
        ]
    held = set(waiting)
    ready = [n for n in range(len(outcome.releases)) if n not in held]
    ruled = apply_rules(rules, (outcome.releases[n].release for n in ready))
    left_out = {release.id for release in ruled.ignored}
    kept = [n for n in ready if outcome.releases[n].release.id not in left_out]
    if len(kept) == len(outcome.releases):
        return replace(outcome, marks=ruled.marks)
    return replace(
        outcome,
        releases=tuple(outcome.releases[n] for n in kept),
        prepared=tuple(outcome.prepared[n] for n in kept) if outcome.prepared else (),
        ignored=ruled.ignored,
        marks=ruled.marks,
        waiting=tuple(outcome.releases[n] for n in waiting),
    )


class CpuStage(Generic[P]):
    """Where parsing and classification run: worker processes when the poll expects enough
    bodies to use both cores, else a thread (a warm poll is mostly 304s and parses little)."""

    def __init__(
        self, classifier: ClassifierSource, processes: int = 1, prepare: Prepare[P] | None = None
    ) -> None:
        self._source = classifier
        self._classifier: ReleaseClassifier | None = None if callable(classifier) else classifier
        self._loading = threading.Lock()  # parse threads may all want it at once
        self._prepare = prepare
        # Workers get the classifier at the fork, so it is loaded before.
        self._pool = _fork_pool(self.classifier(), prepare, processes) if processes > 1 else None

    def classifier(self) -> ReleaseClassifier:
        with self._loading:
            if self._classifier is None:
                assert callable(self._source)
                self._classifier = self._source()
            return self._classifier

    async def parse(self, result: FetchResult) -> Parsed[P]:
        """The parse error, or the releases classified."""
        if self._pool is not None:
            loop = asyncio.get_running_loop()
            try:
                parsed: Parsed[P] = await loop.run_in_executor(self._pool, _in_worker, result)
                return parsed
            except BrokenExecutor:  # a worker died (killed, out of memory): carry on here
                self._pool = None
        return await asyncio.to_thread(_parse_and_classify, self.classifier, self._prepare, result)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _has_validators(health: SourceHealth | None) -> bool:
    return health is not None and bool(health.etag or health.last_modified)


class Poller(Generic[P]):
    """Wires fetch -> parse -> classify for many sources at once (`outcomes`), then
    (`complete_texts`) the full text of the releases whose feed gave only a summary.

    One poller is one poll cycle: used as `async with`, it ends at its exit whatever the cycle
    started, the headless browser above all, which the listing stage and the full-text stage
    share (a walled site walls its release pages too: one browser, one challenge, per cycle).
    """

    @overload
    def __init__(
        self: Poller[None],
        fetcher: Fetcher,
        classifier: ClassifierSource,
        *,
        default_interval: int = 900,
        clock: Callable[[], datetime] = utc_now,
        processes: int = 1,
        prepare: None = None,
        full_text: bool = False,
    ) -> None: ...

    @overload
    def __init__(
        self,
        fetcher: Fetcher,
        classifier: ClassifierSource,
        *,
        default_interval: int = 900,
        clock: Callable[[], datetime] = utc_now,
        processes: int = 1,
        prepare: Prepare[P],
        full_text: bool = False,
    ) -> None: ...

    def __init__(
        self,
        fetcher: Fetcher,
        classifier: ClassifierSource,
        *,
        default_interval: int = 900,
        clock: Callable[[], datetime] = utc_now,
        processes: int = 1,
        prepare: Prepare[P] | None = None,
        full_text: bool = False,
    ) -> None:
        """`full_text`: the cycle will fetch the pages of releases that came with a summary
        only, so that rules searching the text wait for it (`SourceOutcome.waiting`)."""
        self._fetcher = fetcher
        self._classifier = classifier
        self._loading = threading.Lock()
        self._default_interval = default_interval
        self._clock = clock
        self._processes = processes
        self._prepare = prepare
        self._full_text = full_text

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """End the cycle: a browser started for its browser sources or their release pages
        ends with it (cookies kept). Safe to call twice."""
        await self._fetcher.close_browser()

    def classifier(self) -> ReleaseClassifier:
        """The classifier, loaded at the first call when given as a loader (once per poller:
        both stages use it)."""
        with self._loading:
            if callable(self._classifier):
                self._classifier = self._classifier()
            return self._classifier

    async def outcomes(
        self, sources: Sequence[Source], health: Mapping[str, SourceHealth]
    ) -> AsyncGenerator[SourceOutcome[P], None]:
        """Poll `sources` concurrently (the fetcher enforces limits) and yield each source's
        outcome as soon as it is done; never raises for a source. The sources go on while the
        caller works on what was yielded (stores it); leaving the loop early stops them."""
        # Bodies wait for the CPU stage; without this bound a fast server would have every
        # feed of a large poll in memory at once.
        in_flight = asyncio.Semaphore(max(4, 2 * self._fetcher.policy.concurrency))
        bodies = sum(1 for s in sources if not _has_validators(health.get(s.name)))
        many = bodies >= PROCESSES_AFTER_CHANGED
        loaded = None if callable(self._classifier) else self._classifier
        stage = CpuStage(loaded or self.classifier, self._processes if many else 1, self._prepare)
        # Finished outcomes wait here for the caller, not in their task: a task list holding
        # its results would keep every release of the poll in memory until the last source.
        done: asyncio.Queue[SourceOutcome[P] | BaseException] = asyncio.Queue()

        async def one(source: Source) -> None:
            try:
                async with in_flight:
                    outcome = await self._poll_one(stage, source, health.get(source.name))
            except Exception as exc:  # a bug: reach the caller, never hang it
                done.put_nowait(exc)
            else:
                done.put_nowait(outcome)

        tasks = [asyncio.create_task(one(source)) for source in sources]
        try:
            for _ in tasks:
                item = await done.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.to_thread(stage.close)

    async def poll(
        self, sources: Sequence[Source], health: Mapping[str, SourceHealth]
    ) -> list[SourceOutcome[P]]:
        """Every source's outcome, in the order of `sources` (`outcomes` gives them as they
        come, without holding them all)."""
        position = {id(source): n for n, source in enumerate(sources)}
        found = [outcome async for outcome in self.outcomes(sources, health)]
        return sorted(found, key=lambda outcome: position[id(outcome.source)])

    async def complete_texts(
        self, wanted: Sequence[tuple[Release, Source]], on_text: TextHandler, budget: float
    ) -> FullTextReport:
        """The full-text stage (`feeds.collect.fulltext`) for `wanted` releases, each with the
        source it came from, within `budget` seconds: each text that arrives is classified and
        handed to `on_text`."""
        from feeds.collect.fulltext import fetch_full_texts  # lxml.html only when wanted

        async def classified(release: Release) -> None:
            item = await asyncio.to_thread(lambda: _classify(self.classifier(), release))
            await on_text(item)

        per_host = self._fetcher.policy.per_host
        return await fetch_full_texts(
            self._fetcher, wanted, classified, budget=budget, per_host=per_host
        )

    async def _poll_one(
        self, stage: CpuStage[P], source: Source, previous: SourceHealth | None
    ) -> SourceOutcome[P]:
        before = previous or SourceHealth(source=source.name)
        try:
            result = await self._fetcher.fetch(source, before.etag, before.last_modified)
        except Exception as exc:  # the fetcher promises not to raise; a bug must not stop a poll
            result = FetchResult(source=source, status=None, error=f"internal error: {exc!r}")
        if result.error is not None:
            return self._failure(source, before, result, result.error)
        if result.not_modified:
            return SourceOutcome(source, self._success(source, before, result, before.items_seen))
        error, (classified, prepared) = await stage.parse(result)
        if error is not None:
            return self._failure(source, before, result, error)
        health = self._success(source, before, result, len(classified))
        return _ruled(SourceOutcome(source, health, classified, prepared), self._full_text)

    def _interval(self, source: Source) -> int:
        return interval_of(source, self._default_interval)

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
    ) -> SourceOutcome[P]:
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
