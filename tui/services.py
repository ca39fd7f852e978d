"""Plain wiring shared by the command line and the App: build the parts, poll into the store.

No Textual here: `summitwatch poll` must start fast, and this runs on its path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import (
    DEMO_DIR,
    ClassifiedRelease,
    Config,
    Fetcher,
    Poller,
    Release,
    Source,
    SourceHealth,
    SourceOutcome,
    due_sources,
    utc_now,
)
from state import Keys, Store, StoredRelease, changes_for_marks, keys_for

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


@dataclass(frozen=True, slots=True)
class PollProgress:
    done: int
    total: int
    source: str
    failed: bool


@dataclass(slots=True)
class PollReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    new: list[StoredRelease] = field(default_factory=list)
    changed: list[StoredRelease] = field(default_factory=list)
    # Enabled sources a poll of the due ones left for later, and the soonest of their times.
    not_due: int = 0
    next_due: str = ""

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def ignored(self) -> list[Release]:
        """Releases the config's rules left out of the store in this poll."""
        return [release for outcome in self.outcomes for release in outcome.ignored]

    @property
    def new_summit(self) -> list[StoredRelease]:
        return [r for r in self.new if r.summit]


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

    def __init__(self, store: Store, report: PollReport) -> None:
        self._store = store
        self._report = report
        self._releases: list[ClassifiedRelease] = []
        self._keys: list[Keys | None] = []
        self._health: list[SourceHealth] = []
        self._marks: dict[str, tuple[str, ...]] = {}
        self._since = time.monotonic()
        self._writing = asyncio.Lock()

    def add(self, outcome: SourceOutcome) -> None:
        self._releases.extend(outcome.releases)
        self._marks.update(outcome.marks)
        prepared = outcome.prepared or (None,) * len(outcome.releases)
        self._keys.extend(k if isinstance(k, Keys) else None for k in prepared)
        self._health.append(outcome.health)

    @property
    def due(self) -> bool:
        aged = time.monotonic() - self._since >= FLUSH_EVERY_SECONDS
        return len(self._releases) >= FLUSH_EVERY_RELEASES or aged

    async def flush(self) -> None:
        # Take the pending lists on the loop before the write starts in a thread: outcomes that
        # arrive meanwhile go into fresh lists, where the next flush finds them.
        releases, keys, health, marks = self._releases, self._keys, self._health, self._marks
        self._releases, self._keys, self._health, self._marks = [], [], [], {}
        self._since = time.monotonic()
        async with self._writing:
            await asyncio.to_thread(self._write, releases, keys, health, marks)

    def _write(
        self,
        releases: list[ClassifiedRelease],
        keys: list[Keys | None],
        health: list[SourceHealth],
        marks: dict[str, tuple[str, ...]],
    ) -> None:
        if releases:
            # A cold poll of 1,000 feeds brings 30,000 releases: the report keeps them light.
            added = self._store.add(releases, light=True, keys=keys)
            self._report.new.extend(self._marked(added.new, marks) if marks else added.new)
            self._report.changed.extend(added.changed)
        if health:
            self._store.record_health(health)

    def _marked(
        self, new: list[StoredRelease], marks: dict[str, tuple[str, ...]]
    ) -> list[StoredRelease]:
        """The new releases with the marks their rules set (only new ones: a release already
        stored keeps what people decided about it)."""
        by_changes: dict[tuple[tuple[str, object], ...], list[str]] = {}
        for stored in new:
            if stored.id in marks:
                changes = tuple(sorted(changes_for_marks(marks[stored.id]).items()))
                by_changes.setdefault(changes, []).append(stored.id)
        updated = {
            stored.id: stored
            for changes, ids in by_changes.items()
            for stored in self._store.update(ids, **dict(changes))
        }
        return [updated.get(stored.id, stored) for stored in new]


async def poll_into_store(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    classifier: ClassifierSource,
    *,
    sources: Sequence[Source] | None = None,
    only_due: bool = False,
    on_progress: ProgressHandler | None = None,
    processes: int = 1,
) -> PollReport:
    """Poll the configured sources (or `sources`) and store what they brought."""
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
    batch = _Batch(store, report)
    total = len(chosen)

    async def handle(outcome: SourceOutcome) -> None:
        batch.add(outcome)
        # The releases live on in the store and in `report.new`; not holding them twice keeps
        # a large poll's memory flat.
        report.outcomes.append(replace(outcome, releases=()))
        if batch.due:
            await batch.flush()
        if on_progress is not None:
            on_progress(
                PollProgress(len(report.outcomes), total, outcome.source.name, outcome.failed)
            )

    poller = Poller(
        fetcher,
        classifier,
        default_interval=config.poll.interval,
        full_text=config.poll.full_text,
        is_known=store.knows,  # asked only of the releases of a feed that changed
        # Computed beside classification (in the worker processes of a large poll): the
        # store's own thread was the slowest part of a cold poll.
        prepare=keys_for,
        processes=processes,
    )
    await poller.poll(chosen, health, handle)
    await batch.flush()
    if config.poll.prune_after_days and report.new:
        await asyncio.to_thread(store.prune_bodies, config.poll.prune_after_days)
    return report
