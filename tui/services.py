"""Plain wiring shared by the command line and the App: build the parts, poll into the store.

No Textual here: `summitwatch poll` must start fast, and this runs on its path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from feeds import (
    DEMO_DIR,
    ClassifiedRelease,
    Config,
    Fetcher,
    FullTextReport,
    Poller,
    Release,
    Source,
    SourceHealth,
    SourceOutcome,
    TextRetries,
    due_sources,
    needs_full_text,
    utc_now,
)
from state import BY_RULE, Keys, Store, StoredRelease, changes_for_marks, keys_for

if TYPE_CHECKING:
    from feeds import ClassifierSource, ReleaseClassifier

# Storing after every source costs one atomic rewrite each; a few seconds' batch is plenty
# fresh for a person and keeps a 1,000-source poll from rewriting the store 1,000 times. A batch
# is bounded by releases, not sources, so that a poll of large feeds never holds many at once.
FLUSH_EVERY_RELEASES = 1000
FLUSH_EVERY_SECONDS = 2.0
# `summitwatch poll` parses and classifies in this many processes once a poll brings enough
# changed feeds; the App keeps to threads (forking beside a running terminal UI is not worth it).
POLL_PROCESSES = 2

ProgressHandler = Callable[["PollProgress"], None]
StoredHandler = Callable[["PollReport"], None]
EnrichedHandler = Callable[[list[StoredRelease]], None]
# Hears, from the thread that waits, who holds the database lock when a write of the poll has
# waited half a second for it (the store's `telling_waits`); once a poll.
WaitHandler = Callable[[str], None]
_T = TypeVar("_T")
# After a poll the store could not take (a full disk, a lock held too long), the next one waits
# this long, doubling with each failure in a row up to the longest: polling again at once
# would only ask every source again, without validators, and fail the same way.
STORE_RETRY_FIRST, STORE_RETRY_LONGEST = 10.0, 1800.0


class StoreBackoff:
    """How long to wait before polling again after the store failed `failed()` times in a row."""

    def __init__(self) -> None:
        self.delay = 0.0

    def failed(self) -> float:
        self.delay = min(STORE_RETRY_LONGEST, max(STORE_RETRY_FIRST, self.delay * 2))
        return self.delay

    def succeeded(self) -> None:
        self.delay = 0.0


@dataclass(frozen=True, slots=True)
class PollProgress:
    done: int
    total: int
    source: str
    failed: bool


@dataclass(slots=True)
class PollReport:
    outcomes: list[SourceOutcome[Keys]] = field(default_factory=list)
    new: list[StoredRelease] = field(default_factory=list)
    changed: list[StoredRelease] = field(default_factory=list)
    # Enabled sources a poll of the due ones left for later, and the soonest of their times.
    not_due: int = 0
    next_due: str = ""
    store_error: str = ""  # why nothing could be stored (the dashboard's poll reports it)
    # The full-text stage, when it ran; `enriched` counts the releases its texts updated.
    full_text: FullTextReport | None = None
    enriched: int = 0
    # Releases a rule left out once their page gave their text (`SourceOutcome.waiting`).
    ignored_on_text: list[Release] = field(default_factory=list)

    def take_enriched(self, records: Sequence[StoredRelease]) -> None:
        """Releases the full-text stage updated: `new` shows them as they now are."""
        fresh = {r.id: r for r in records}
        self.new = [fresh.get(r.id, r) for r in self.new]
        self.enriched += len(records)

    @property
    def failed(self) -> list[SourceOutcome[Keys]]:
        return [o for o in self.outcomes if o.failed]

    @property
    def ignored(self) -> list[Release]:
        """Releases the config's rules left out of the store in this poll."""
        listed = [release for outcome in self.outcomes for release in outcome.ignored]
        return listed + self.ignored_on_text

    @property
    def new_summit(self) -> list[StoredRelease]:
        return [r for r in self.new if r.summit]


class _Writer:
    """Runs the poll's store writes in a thread; the first that waits for another process's
    lock tells `on_wait` who holds it (and waits on, up to the store's lock timeout)."""

    def __init__(self, store: Store, on_wait: WaitHandler | None) -> None:
        self.store = store
        self._on_wait = on_wait
        self._told = False

    def _waiting(self, holder: str) -> None:
        if not self._told and self._on_wait is not None:
            self._told = True
            self._on_wait(holder)

    async def run(self, write: Callable[..., _T], *args: Any) -> _T:
        def telling() -> _T:
            with self.store.telling_waits(self._waiting):
                return write(*args)

        return await asyncio.to_thread(telling)


def make_fetcher(config: Config, *, cookie_file: Path | None = None) -> Fetcher:
    """The one fetcher of a process; the bundled demo folder is the only place `file:` may read.
    `cookie_file` keeps the browser's cookies between polls (see `cookie_file_for`)."""
    return Fetcher(config.poll.fetch, file_roots=(DEMO_DIR,), cookie_file=cookie_file)


def cookie_file_for(store: Store) -> Path:
    """Where the browser keeps the cookies of walled sites: beside the database, one file per
    database, so that a passed challenge is not solved again at every poll."""
    return store.path.with_name(store.path.name + ".cookies.json")


def load_classifier(config: Config, taxonomy: Path | None = None) -> ReleaseClassifier:
    from feeds import Classifier  # not on the path of a poll that brings nothing

    return Classifier.load(taxonomy or config.taxonomy)


class _Batch:
    """Outcomes waiting to be written, flushed by size or by age, one flush at a time."""

    def __init__(self, writer: _Writer, report: PollReport, full_text: bool) -> None:
        self._writer = writer
        self._store = writer.store
        self._report = report
        self._full_text = full_text
        # New releases that came with a summary only, with their source: the full-text stage's.
        self.wanted: dict[str, tuple[Release, Source]] = {}
        # Releases whose rules wait for their text, by id, with their source: not stored yet.
        self.waiting: dict[str, tuple[ClassifiedRelease, Source]] = {}
        # The health of their sources, stored once they are: a poll stopped before keeps the
        # old validators, so that the next one reads the feed, and them, again.
        self._held_health: list[SourceHealth] = []
        self._candidates: dict[str, tuple[Release, Source]] = {}
        self._releases: list[ClassifiedRelease] = []
        self._keys: list[Keys | None] = []
        self._health: list[SourceHealth] = []
        self._marks: dict[str, tuple[str, ...]] = {}
        self._since = time.monotonic()
        self._writing = asyncio.Lock()

    def add(self, outcome: SourceOutcome[Keys]) -> None:
        self._releases.extend(outcome.releases)
        self._marks.update(outcome.marks)
        if self._full_text:
            for item in outcome.releases:
                if needs_full_text(item.release):
                    self._candidates[item.release.id] = (item.release, outcome.source)
        prepared: Sequence[Keys | None] = outcome.prepared or (None,) * len(outcome.releases)
        self._keys.extend(prepared)
        self.waiting.update((c.release.id, (c, outcome.source)) for c in outcome.waiting)
        (self._held_health if outcome.waiting else self._health).append(outcome.health)

    def add_ruled(self, items: Sequence[tuple[ClassifiedRelease, Source]]) -> None:
        """Releases that waited for their text, ruled now on what they have (their text, or
        the summary when no page came): kept ones are stored at the next flush."""
        from feeds import apply_rules

        for item, source in items:
            ruled = apply_rules(source.rules, [item.release])
            if ruled.ignored:
                self._report.ignored_on_text.extend(ruled.ignored)
                continue
            self._releases.append(item)
            self._keys.append(None)
            self._marks.update(ruled.marks)

    def release_health(self) -> None:
        """Every release that waited for its text is ruled: its source's health may be stored."""
        self._health.extend(self._held_health)
        self._held_health = []

    @property
    def due(self) -> bool:
        aged = time.monotonic() - self._since >= FLUSH_EVERY_SECONDS
        return len(self._releases) >= FLUSH_EVERY_RELEASES or aged

    async def flush(self) -> None:
        # Take the pending lists on the loop before the write starts in a thread: outcomes that
        # arrive meanwhile go into fresh lists, where the next flush finds them.
        releases, keys, health, marks = self._releases, self._keys, self._health, self._marks
        candidates = self._candidates
        self._releases, self._keys, self._health, self._marks = [], [], [], {}
        self._candidates = {}
        self._since = time.monotonic()
        async with self._writing:
            await self._writer.run(self._write, releases, keys, health, marks, candidates)

    def _write(
        self,
        releases: list[ClassifiedRelease],
        keys: list[Keys | None],
        health: list[SourceHealth],
        marks: dict[str, tuple[str, ...]],
        candidates: dict[str, tuple[Release, Source]],
    ) -> None:
        if releases:
            # A cold poll of 1,000 feeds brings 30,000 releases: the report keeps them light.
            added = self._store.add(releases, light=True, keys=keys)
            self._report.new.extend(self._marked(added.new, marks) if marks else added.new)
            self._report.changed.extend(added.changed)
            # Only releases stored as new get their page fetched: once per release.
            self.wanted.update((r.id, candidates[r.id]) for r in added.new if r.id in candidates)
        if health:
            self._store.record_health(health)

    def _marked(
        self, new: list[StoredRelease], marks: dict[str, tuple[str, ...]]
    ) -> list[StoredRelease]:
        """The new releases with the marks their rules set (only new ones: a release already
        stored keeps what people decided about it)."""
        by_changes: dict[tuple[tuple[str, Any], ...], list[str]] = {}
        for stored in new:
            if stored.id in marks:
                changes = tuple(sorted(changes_for_marks(marks[stored.id]).items()))
                by_changes.setdefault(changes, []).append(stored.id)
        updated = {
            stored.id: stored
            for changes, ids in by_changes.items()
            for stored in self._store.update(ids, author=BY_RULE, **dict(changes))
        }
        return [updated.get(stored.id, stored) for stored in new]


class _Texts:
    """Releases the full-text stage classified again, written every few seconds (by
    `flush_while`) rather than one transaction a page."""

    def __init__(
        self,
        writer: _Writer,
        report: PollReport,
        on_enriched: EnrichedHandler | None,
        earlier: set[str],
        batch: _Batch,
    ) -> None:
        self._writer = writer
        self._store = writer.store
        self._report = report
        self._on_enriched = on_enriched
        self._earlier = earlier  # ids of releases stored by earlier polls (tried again)
        self._batch = batch  # where releases that waited for their text go, once ruled
        self._items: list[ClassifiedRelease] = []
        self._writing = asyncio.Lock()

    async def add(self, item: ClassifiedRelease) -> None:
        waited = self._batch.waiting.pop(item.release.id, None)
        if waited is not None:
            self._batch.add_ruled([(item, waited[1])])
        else:
            self._items.append(item)

    async def flush(self) -> None:
        await self._batch.flush()  # releases that waited for their text and were kept
        items, self._items = self._items, []
        if not items:
            return
        async with self._writing:
            records = await self._writer.run(self._write, items)
        self._report.take_enriched(records)
        if records and self._on_enriched is not None:
            self._on_enriched(records)

    def _write(self, items: list[ClassifiedRelease]) -> list[StoredRelease]:
        records = self._store.enrich(items)
        done = {r.id for r in records}
        # A release of an earlier poll that this process has not loaded (the command line
        # loads none) is not enriched in memory: `add` finds it by its keys and takes the
        # text as an enrichment, not an edit.
        away = [i for i in items if i.release.id in self._earlier and i.release.id not in done]
        if away:
            self._store.add(away, light=True)
            for item in away:
                stored = self._store.get(item.release.id)
                if stored is not None and stored.release.text == item.release.text:
                    records.append(stored)
        return records

    async def flush_while(self, running: asyncio.Task[FullTextReport]) -> FullTextReport:
        """Flush every `FLUSH_EVERY_SECONDS` until `running` ends, then once more. The writes
        are not in the stage's task, so that its time running out never cuts one short."""
        try:
            while not running.done():
                await asyncio.wait([running], timeout=FLUSH_EVERY_SECONDS)
                await self.flush()
        finally:
            running.cancel()  # when the poll itself is cancelled (no-op once done)
        return running.result()


async def _complete_texts(
    poller: Poller[Keys],
    writer: _Writer,
    report: PollReport,
    wanted: dict[str, tuple[Release, Source]],
    config: Config,
    on_enriched: EnrichedHandler | None,
    earlier: set[str],
    batch: _Batch,
) -> None:
    """The full-text stage: fetch the pages of new summary-only releases (and of `earlier`
    ones tried again), update them in place."""
    texts = _Texts(writer, report, on_enriched, earlier, batch)
    stage = asyncio.create_task(
        poller.complete_texts(list(wanted.values()), texts.add, config.poll.full_text_seconds)
    )
    report.full_text = done = await texts.flush_while(stage)
    if done.blocked:
        # The listing answered, so the source is healthy; its texts are short, and why.
        health = writer.store.health()
        noted = []
        for name, errors in done.blocked.items():
            some = f"{len(errors)} release{'s' if len(errors) > 1 else ''}"
            if name in health:
                words = f"full text of {some} not fetched: {errors[0]}"
                noted.append(replace(health[name], last_error=words))
        await writer.run(writer.store.record_health, noted)


def retries_file_for(store: Store) -> Path:
    """Where the releases whose page is to be tried again wait: beside the database."""
    return store.path.with_name(store.path.name + ".fulltext.json")


async def _texts_stage(
    poller: Poller[Keys],
    writer: _Writer,
    report: PollReport,
    batch: _Batch,
    config: Config,
    on_enriched: EnrichedHandler | None,
) -> bool:
    """The full-text stage for this poll's new releases, for those whose rules wait for their
    text, and for those of earlier polls whose page failed or was not reached, whose next try
    has come. True if releases that waited for their text were stored."""
    store = writer.store
    waiting = batch.waiting
    if waiting:
        # Stored by an earlier poll (and ruled then): ruled again as any release seen again,
        # without a page. Only those never stored wait for theirs.
        known = await asyncio.to_thread(store.known, [c.release for c, _ in waiting.values()])
        batch.add_ruled([waiting.pop(i) for i in known])
    new = {**batch.wanted, **{i: (c.release, s) for i, (c, s) in waiting.items()}}
    retries = TextRetries(retries_file_for(store))
    await asyncio.to_thread(retries.load)
    by_name = {source.name: source for source in config.enabled_sources}
    again = {r.id: (r, s) for r, s in retries.due(utc_now(), by_name) if r.id not in new}
    wanted = {**new, **again}
    stored = len(report.new)
    if wanted:
        stage = (poller, writer, report, wanted, config, on_enriched, set(again), batch)
        await _complete_texts(*stage)
    # Those whose page did not come are ruled on their summary, and stored now.
    batch.add_ruled(list(waiting.values()))
    waiting.clear()
    batch.release_health()
    await batch.flush()
    if report.full_text is not None:
        # A page is tried again only for a release that is stored: never for one left out.
        left_out = {release.id for release in report.ignored_on_text}
        tried = [pair for pair in wanted.values() if pair[0].id not in left_out]
        retries.settle(tried, report.full_text, utc_now())
    await asyncio.to_thread(retries.save)
    return len(report.new) > stored


async def poll_into_store(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    classifier: ClassifierSource,
    *,
    sources: Sequence[Source] | None = None,
    only_due: bool = False,
    on_progress: ProgressHandler | None = None,
    on_stored: StoredHandler | None = None,
    on_enriched: EnrichedHandler | None = None,
    on_wait: WaitHandler | None = None,
    processes: int = 1,
) -> PollReport:
    """Poll the configured sources (or `sources`) and store what they brought; then, when the
    config asks for full text, fetch the pages of the new releases that came with a summary
    only and update them in place. `on_stored` hears when every source's releases are stored
    (before the pages), `on_enriched` each batch of releases their pages updated, `on_wait` who
    holds the database lock when a write has waited half a second for another process."""
    health = store.health()
    chosen = list(sources if sources is not None else config.enabled_sources)
    report = PollReport()
    if only_due:
        due = due_sources(chosen, health, utc_now())
        due_names = {s.name for s in due}
        waiting = [health[s.name] for s in chosen if s.enabled and s.name not in due_names]
        report.not_due = len(waiting)
        report.next_due = min((h.next_poll for h in waiting), default="")
        chosen = due
    writer = _Writer(store, on_wait)
    batch = _Batch(writer, report, config.poll.full_text)
    total = len(chosen)
    poller = Poller(
        fetcher,
        classifier,
        default_interval=config.poll.interval,
        full_text=config.poll.full_text,
        # Computed beside classification (in the worker processes of a large poll): the
        # store's own thread was the slowest part of a cold poll.
        prepare=keys_for,
        processes=processes,
    )
    async with poller:  # one cycle: the browser, if any, serves both stages and ends here
        async with aclosing(poller.outcomes(chosen, health)) as outcomes:
            async for outcome in outcomes:
                batch.add(outcome)
                # The releases live on in the store and in `report.new`; not holding them
                # twice keeps a large poll's memory flat.
                report.outcomes.append(replace(outcome, releases=(), prepared=(), waiting=()))
                # Stored every few seconds while the other sources go on: the dashboard
                # shows each source's releases soon after it answers, not at the end.
                if batch.due:
                    await batch.flush()
                if on_progress is not None:
                    done = len(report.outcomes)
                    on_progress(PollProgress(done, total, outcome.source.name, outcome.failed))
        await batch.flush()
        if on_stored is not None:
            on_stored(report)
        if config.poll.full_text:
            late = await _texts_stage(poller, writer, report, batch, config, on_enriched)
            if late and on_stored is not None:
                on_stored(report)  # releases kept once their text came: shown now
    if config.poll.prune_after_days and report.new:
        await writer.run(store.prune_bodies, config.poll.prune_after_days)
    return report
