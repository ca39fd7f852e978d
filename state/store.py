"""The store: every release summitwatch has seen, what people decided about it, source health.

`Store(path)` opens (or creates) the database folder laid out in `state.engine.storage`. It holds in
memory a *light* record of every release (everything but the text and the evidence, read from
the chunk indexes of `state.engine.index`), so the dashboard lists and searches without touching the
disk; `get()` and `iter_full()` read the full records back from their chunk (of about 1 MB,
`state.engine.chunks`). Every write takes the database lock, catches up with what other processes
wrote, changes only the files concerned and returns once they are on disk. `refresh()` picks
up other processes' writes with one stat when nothing changed.

Releases are deduplicated (`state.dedupe`) and grouped into events (`state.events`).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from feeds import Classification, ClassifiedRelease, Release, SourceHealth, body_of
from state.dedupe import Keys, keys_for
from state.engine.bodies import Bodies
from state.engine.chunks import month_of
from state.engine.codec import doc_features, full_record, imported_triage, release_doc, triage_doc
from state.engine.folder import DatabaseFolder, copy_database
from state.engine.index import is_partition, read_partition_rows, write_index
from state.engine.keyindex import KeyIndex
from state.engine.memory import Memory
from state.engine.migrate import add_index, split_months
from state.engine.storage import (
    HEALTH,
    LOCK_TIMEOUT,
    MIGRATIONS,
    TRIAGE,
    CorruptDatabase,
    Manifest,
    NewerSchema,
    ReadOnlyDatabase,
    StoreError,
    Transaction,
    Version,
    check_complete,
    check_version,
    count_of,
    file_version,
    read_tables,
)
from state.engine.writes import Batch, add_one, put_docs, put_triage, utc_stamp, write_triage
from state.events import FEATURES_VERSION, features, group_events
from state.records import StoredRelease, current_user

__all__ = [
    "AddResult",
    "CorruptDatabase",
    "NewerSchema",
    "ReadOnlyDatabase",
    "Store",
    "StoreError",
]

Change = Callable[[str, dict[str, Any]], bool]
MIGRATIONS.setdefault(1, add_index)  # schema 1 -> 2: the month indexes
MIGRATIONS.setdefault(2, split_months)  # schema 2 -> 3: months in chunks
CHUNKS_PER_WRITE = 4  # chunks a transaction when reclassifying or pruning
FIRST_CHUNKS = 2  # load="newest" loads the newest months until it has this many chunks
Load = Literal["all", "newest", "none"]


@dataclass(frozen=True)
class AddResult:
    """Records of the releases an `add()` stored or changed: full (text and evidence) unless
    it was asked for light ones."""

    new: list[StoredRelease]
    changed: list[StoredRelease]


def _split_newest(names: list[str], wanted: int) -> tuple[list[str], list[str]]:
    """`names` (sorted) split into what to load now, the newest months until they make
    `wanted` chunks, and the other chunks, oldest first. Whole months are kept together, since
    a month's chunks fill in order of arrival, not of date; undated releases list by when they
    were first seen, so they come with the newest (when any are wanted)."""
    months: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if is_partition(name):
            months[month_of(name)].append(name)
    first = [name for name in names if not is_partition(name)]
    if wanted:
        first += months.pop("undated", [])
    dated = sorted(months, reverse=True)
    loaded = 0
    while dated and loaded < wanted:
        month = months.pop(dated.pop(0))
        first += month
        loaded += len(month)
    older = [name for month in sorted(months) for name in months[month]]
    return first, older


def _newest_first(stored: StoredRelease) -> tuple[str, str, str]:
    return (stored.release.published or stored.first_seen, stored.first_seen, stored.id)


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Loading creates millions of objects and no cycles; the collector would only slow it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Store:
    """The database: light records in memory, full ones on demand. Thread-safe.

    `all()` and `update()` give light records: `release.text == ""` and
    `classification.evidence == {}`, everything else intact. `get()`, `iter_full()` and
    `add()` give full ones.
    """

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        load: Load = "all",
        lock_timeout: float = LOCK_TIMEOUT,
        user: str | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """Open the database at `path`, loading `load`: "all" releases, only the "newest"
        months (enough to fill a screen: the dashboard), or "none" (decisions and source health
        only: a poll that may find nothing new). `load_deferred()` loads what was left, and so
        does every write that touches releases, so that none ever sees part of the store.
        A write waits `lock_timeout` seconds for another process's, then fails. `user` (the
        Unix user by default) is who decides through this store, and whose reading state
        `read` is: decisions are the team's, reading is personal. Opening takes the lock too
        (it tidies, and may migrate): `on_wait` hears who holds it, as in `telling_waits`."""
        self.path = Path(path)
        self.read_only = read_only
        self.user = current_user() if user is None else user
        on_write = partial(write_index, self.path)
        self._keys = KeyIndex(self.path)
        self._folder = DatabaseFolder(
            self.path, read_only=read_only, on_write=on_write, on_commit=self._keys_commit
        )
        self._folder.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._waits = threading.local()  # .handler: see `telling_waits`
        self._mem = Memory(self.user)
        self._bodies = Bodies(self.path)
        self._signature: tuple[int, int, int] | None = None
        self._sorted: list[StoredRelease] | None = None
        self._events: list[list[str]] | None = None
        self._closed = False
        self._deferred: dict[str, str] = {}  # chunk -> its manifest token, not loaded yet
        # Files found damaged or lost after opening (see `_load`), by name.
        self.damaged: dict[str, CorruptDatabase] = {}
        manifest = self._manifest = self._folder.open(on_wait)
        self._signature = self._folder.signature()
        self._opening = True
        self._sync(manifest, first=load)
        self._opening = False

    # -- reading -------------------------------------------------------------------------

    def all(self) -> list[StoredRelease]:
        """Every release as a light record, newest `published` first (then newest first seen)."""
        with self._lock:
            if self._sorted is None:
                with _paused_gc():
                    releases = self._mem.releases.values()
                    self._sorted = sorted(releases, key=_newest_first, reverse=True)
            return list(self._sorted)

    @property
    def complete(self) -> bool:
        """False while months left by `load` are on disk only (reads see what is loaded)."""
        return not self._deferred

    def load_deferred(self) -> None:
        """Load the months an open with `load` left on disk, newest first. The lock is taken
        one chunk at a time, so calls from other threads wait milliseconds, not the whole load."""
        loaded = False
        while True:
            with self._lock:
                if not self._deferred:
                    break
                name, token = self._deferred.popitem()
                if name in self._mem.seen:  # a write or refresh loaded it meanwhile
                    continue
                with _paused_gc():
                    self._load(name, token)
                self._sorted = self._events = None
                loaded = True
        if loaded:
            gc.freeze()  # as after a full open (see `_sync`)

    def __len__(self) -> int:
        return len(self._mem.releases)

    def get(self, release_id: str) -> StoredRelease | None:
        """The full record of a release (its chunk is read, or taken from the few kept)."""
        with self._lock:
            light = self._mem.releases.get(release_id)
            if light is None:
                return None
            data = self._bodies.docs(self._mem.where[release_id]).get(release_id)
            return light if data is None else full_record(light, data)

    def iter_full(self, ids: Iterable[str] | None = None) -> Iterator[StoredRelease]:
        """Full records of `ids` (unknown ones skipped), or of every release, chunk by chunk,
        newest month first: only one chunk's bodies are held at a time. Decisions are those
        held when the iteration starts."""
        with self._lock:
            mem = self._mem
            wanted = mem.releases.keys() if ids is None else [i for i in ids if i in mem.where]
            months: dict[str, list[StoredRelease]] = defaultdict(list)
            for release_id in wanted:
                months[mem.where[release_id]].append(mem.releases[release_id])
        for name in sorted(months, reverse=True):
            with self._lock:
                docs = self._bodies.read(name)
            for light in sorted(months[name], key=_newest_first, reverse=True):
                data = docs.get(light.id)
                yield light if data is None else full_record(light, data)

    def health(self) -> dict[str, SourceHealth]:
        with self._lock:
            return dict(self._mem.health)

    def events(self) -> list[list[str]]:
        """Groups (two or more) of ids of releases that are one statement; newest first."""
        with self._lock:
            if self._events is None:
                releases = self._mem.releases.values()
                self._events = group_events(releases, features_of=self._features_of)
            return [list(group) for group in self._events]

    def _features_of(self, stored: StoredRelease) -> frozenset[str]:
        found = self._mem.features.get(stored.id)
        # None: a summit release by a person's correction only; without the version: stored
        # by an earlier summitwatch, before meetings and places were features. Read its text.
        if found is None or FEATURES_VERSION not in found:
            full = self.get(stored.id) or stored
            body = body_of(full.release)
            found = self._mem.features[stored.id] = tuple(features(full.release.title, body))
        return frozenset(found)

    def refresh(self) -> bool:
        """Load what other processes wrote; one stat when nothing changed. True if anything did."""
        with self._lock:
            if not self._folder.may_have_changed(self._signature):
                return False
            signature = self._folder.signature()
            manifest = self._folder.read_manifest()
            if manifest is None:
                return False
            changed = self._sync(manifest, complete=False)
            self._signature = signature
            return changed

    # -- writing -------------------------------------------------------------------------

    def add(
        self,
        items: Sequence[ClassifiedRelease],
        now: str | None = None,
        source: str | None = None,
        *,
        light: bool = False,
        keys: Sequence[Keys | None] | None = None,
    ) -> AddResult:
        """Store new releases, merge copies of stored ones, record edits (triage is kept).
        Returns full records of the new and the edited releases (light ones with `light`:
        a large poll then skips decoding every evidence it has just encoded). `keys`, given
        in the order of `items`, are their `keys_for` computed already (None where not)."""
        now = now or utc_stamp()
        new: dict[str, None] = {}
        changed: dict[str, None] = {}
        # Many objects and no cycles (see `_sync`): the collector would rescan the store.
        # Duplicates are found in the key index: a poll of a store opened with load="none"
        # never loads the releases it does not touch.
        with _paused_gc(), self._write(complete=False) as txn:
            batch = Batch(txn, self._mem, self._keys)
            given = keys if keys is not None else [None] * len(items)
            for item, item_keys in zip(items, given, strict=True):
                where_from = source or item.release.source
                outcome, release_id = add_one(batch, item, now, where_from, item_keys)
                if outcome == "new":
                    new[release_id] = None
                elif outcome == "changed" and release_id not in new:
                    changed[release_id] = None
            batch.write()
        record = self._mem.releases.__getitem__ if light else batch.record
        return AddResult([record(i) for i in new], [record(i) for i in changed])

    def known(self, releases: Sequence[Release]) -> set[str]:
        """Ids of `releases` stored already, under their own id or as a copy of another (as
        `add` would find them), from the key index: a poll asks before it fetches a page that
        decides whether a release is kept at all. Reads under the database lock; writes
        nothing but the key index's own catching up."""
        if not releases:
            return set()
        with self._folder.locked(), self._lock:
            try:
                return {r.id for r in releases if self._keys.find(r.id, keys_for(r)) is not None}
            finally:
                self._keys.commit({})

    def update(
        self, ids: Sequence[str], *, author: str | None = None, undo: bool = False, **changes: Any
    ) -> list[StoredRelease]:
        """Record decisions (read, triage, starred, note, correction) on releases, made by
        `author` (this store's user by default), each with a history line. An `undo` restores
        only the decisions `author` made last (see `decide`). Returns the light records of the
        releases changed."""
        fields = triage_doc(changes)
        if not fields:
            return []
        who = self.user if author is None else author
        with self._write() as txn:
            targets = [i for i in dict.fromkeys(ids) if i in self._mem.releases]
            write_triage(txn, self._mem, {i: fields for i in targets}, who, undo=undo)
        return [self._mem.releases[i] for i in targets]

    def replace_classifications(self, items: Iterable[tuple[str, Classification]]) -> int:
        """Store new classifier output; people's triage and corrections are kept. One
        transaction for a few chunks, so that a large reclassification holds little at a time.
        Returns how many releases changed."""
        wanted = dict(items)

        def change(release_id: str, data: dict[str, Any]) -> bool:
            new = wanted[release_id].to_dict()
            if data.get("classification") == new:
                return False
            data["classification"] = new
            found = doc_features(data)
            if found is None:
                data.pop("f", None)
            else:
                data["f"] = found
            return True

        return self._rewrite(wanted, change)

    def enrich(self, items: Sequence[ClassifiedRelease]) -> list[StoredRelease]:
        """Give stored releases the full text found for them after their feed gave only a
        summary, and the classification of that text: an enrichment, not an edit, so triage,
        first seen, sources and `changed_at` stay, and so does the keys' digest (the release
        as its feed gives it is still known at once when seen again). Only releases held in
        memory are enriched (those this process stored: a poll's new ones). Returns the light
        records of those changed."""
        wanted = {item.release.id: item for item in items}
        changed: list[str] = []

        def change(release_id: str, data: dict[str, Any]) -> bool:
            item = wanted[release_id]
            if not item.release.text or data["release"].get("text") == item.release.text:
                return False
            data["release"] = {**data["release"], "text": item.release.text}
            data["classification"] = item.classification.to_dict()
            keys = keys_for(Release.from_dict(data["release"]))
            digest = (data.get("keys") or {}).get("d", "")
            data["keys"] = {**keys.to_dict(), "d": digest}
            found = doc_features(data)
            if found is None:
                data.pop("f", None)
            else:
                data["f"] = found
            changed.append(release_id)
            return True

        self._rewrite(wanted, change, complete=False)
        return [self._mem.releases[i] for i in changed if i in self._mem.releases]

    def record_health(self, items: Sequence[SourceHealth]) -> None:
        with self._write(complete=False) as txn:
            put_docs(txn, HEALTH, "health", {h.source: h.to_dict() for h in items})
            self._mem.health.update((h.source, h) for h in items)

    def prune_bodies(self, older_than_days: int, now: str | None = None) -> int:
        """Drop the text of non-summit releases published more than `older_than_days` ago."""
        moment = datetime.fromisoformat((now or utc_stamp()).replace("Z", "+00:00"))
        cutoff = (moment - timedelta(days=older_than_days)).isoformat(timespec="seconds")

        def prunable(stored: StoredRelease) -> bool:
            when = stored.release.published or stored.first_seen
            return not stored.summit and bool(when) and when < cutoff

        def change(release_id: str, data: dict[str, Any]) -> bool:
            if not prunable(self._mem.releases[release_id]) or not data["release"].get("text"):
                return False
            data["release"] = {**data["release"], "text": ""}
            if isinstance(data.get("versions"), list):  # earlier versions go with the text
                data["versions"] = [{**v, "text": ""} for v in data["versions"]]
            return True

        with self._write():  # catch up with the other processes before choosing
            mem = self._mem
            chosen = [i for i, r in mem.releases.items() if i not in mem.bare and prunable(r)]
        return self._rewrite(chosen, change)

    def import_records(self, records: Iterable[StoredRelease]) -> int:
        """Add releases from an export with their decisions. A release already here keeps every
        decision made here; the export fills in only what is still at its default. Give full
        records (`read_json_export`, `iter_full`): a light one is stored without its text.
        Returns how many releases were added or had decisions filled in."""
        with self._write() as txn:
            mem = self._mem
            batch = Batch(txn, mem, self._keys)
            added: set[str] = set()
            decisions: dict[str, dict[str, Any]] = {}
            for record in records:
                keys = keys_for(record.release)
                target = self._keys.find(record.id, keys)
                if target is None:
                    target = record.id
                    batch.put_new(release_doc(record, keys))
                    added.add(target)
                merged = imported_triage(mem.triage.get(target, {}), record)
                if merged is not None:
                    decisions[target] = merged
            batch.write()
            put_triage(txn, mem, decisions)
        return len(added | set(decisions))

    def backup(self, dest: Path) -> Path:
        """Copy the database to the new folder `dest`, consistently, while others write."""
        if self.read_only:
            return copy_database(self.path, Path(dest))
        with self._folder.locked(), self._lock:
            return copy_database(self.path, Path(dest))

    @contextmanager
    def telling_waits(self, handler: Callable[[str], None]) -> Iterator[None]:
        """While the block runs, a write of this thread that finds the database lock held by
        another process for more than half a second calls `handler` with who holds it (from
        the thread that waits), then keeps waiting up to `lock_timeout`: the caller can say
        at once that the write waits, and still hear how it ended."""
        previous = getattr(self._waits, "handler", None)
        self._waits.handler = handler
        try:
            yield
        finally:
            self._waits.handler = previous

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._bodies.clear()
            self._keys.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- inside -------------------------------------------------------------------------

    def _rewrite(self, ids: Iterable[str], change: Change, *, complete: bool = True) -> int:
        """Apply `change` to the stored documents of `ids` (those in memory), a few chunks a
        transaction; count the documents it changed (it returns True for those)."""
        with self._lock:
            chunks: dict[str, list[str]] = defaultdict(list)
            for release_id in ids:
                if release_id in self._mem.where:
                    chunks[self._mem.where[release_id]].append(release_id)
        names, count = sorted(chunks), 0
        for start in range(0, len(names), CHUNKS_PER_WRITE):
            with self._write(complete=complete) as txn:
                batch = Batch(txn, self._mem, self._keys)
                for name in names[start : start + CHUNKS_PER_WRITE]:
                    for release_id in chunks[name]:
                        if self._mem.where.get(release_id) != name:
                            continue  # gone, or moved by another process meanwhile
                        data = batch.doc(name, release_id)
                        if data is not None and change(release_id, data):
                            batch.put(name, data)
                batch.write()
                count += batch.count
        return count

    @contextmanager
    def _write(self, *, complete: bool = True) -> Iterator[Transaction]:
        """A transaction, memory brought level first; `complete=False` for one that needs no
        release in memory (source health; adds, which look duplicates up in the key index),
        which leaves deferred months deferred."""
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed.")
        if self.read_only:
            raise ReadOnlyDatabase(self.path)
        # The database lock first: while another process holds it, this thread waits without
        # the store's own lock, so that readers (the dashboard's keys) go on.
        on_wait = getattr(self._waits, "handler", None)
        with self._folder.locked(on_wait), self._lock:
            try:
                with self._folder.transaction_held() as txn:
                    first: Load = "all" if complete else "none"
                    self._sync(txn.manifest, first=first, complete=complete)
                    yield txn
            except BaseException:
                self._keys.rollback()
                # Memory may be ahead of the disk: reload it all at the next write or refresh.
                self._mem.epoch, self._signature = "", None
                raise
            finally:
                self._sorted = self._events = None
            self._after_commit(txn)

    def _keys_commit(self, txn: Transaction) -> None:
        """The key index follows the chunks the transaction wrote (called under the lock)."""
        self._keys.commit(txn.written)

    def _after_commit(self, txn: Transaction) -> None:
        for name, token in txn.written.items():
            if name in self._deferred:
                # Not loaded (a poll's store loads nothing): memory holds the releases this
                # write put, and the rest of the chunk comes with the other deferred ones.
                self._deferred[name] = token
                self._bodies.forget(name)
                continue
            if txn.read_tokens.get(name, "") != self._mem.tokens.get(name, ""):
                # Written by a process killed before it updated the manifest: we missed it.
                self._load(name, token)
            self._mem.seen[name] = token
            self._mem.tokens[name] = token
            self._bodies.forget(name)

    def _sync(self, manifest: Manifest, *, first: Load = "all", complete: bool = True) -> bool:
        """Bring memory level with the files `manifest` describes; True if anything changed.
        A full load loads `first` (see `__init__`) and defers the rest; otherwise `complete`
        loads what is still deferred as well (every write that touches releases must)."""
        mem = self._mem
        self._manifest = manifest
        full = manifest.epoch != mem.epoch
        if full:
            names = sorted(set(manifest.tokens) | set(self._folder.data_files()))
            self.damaged = {}
            self._mem = mem = Memory(self.user)
            mem.epoch = manifest.epoch
            self._bodies.clear()
            self._deferred = {}
            if first != "all":
                names, older = _split_newest(names, FIRST_CHUNKS if first == "newest" else 0)
                # popitem() takes the last: the newest of the older months comes first.
                self._deferred = {name: manifest.tokens.get(name, "") for name in older}
        else:
            names = [n for n, token in manifest.tokens.items() if mem.seen.get(n) != token]
            deferred = [n for n in self._deferred if n not in mem.seen]
            if complete:
                names += [n for n in deferred if n not in names]
                self._deferred = {}
            else:  # still deferred, now at the token the manifest gives them
                names = [n for n in names if n not in self._deferred]
                self._deferred = {n: manifest.tokens.get(n, "") for n in deferred}
            if not names:
                return False
        names.sort(key=lambda n: n != TRIAGE)  # decisions first, so releases load with them
        with _paused_gc():
            for name in names:
                self._load(name, manifest.tokens.get(name, ""))
        if full:
            # A million objects and no cycles among them: keep the collector from scanning
            # them again and again (reference counting still frees them when unused).
            gc.freeze()
        self._sorted = self._events = None
        return True

    def _load(self, name: str, seen: str) -> None:
        """Load one file into memory; `seen` is its token in the manifest. A damaged or lost
        file stops the opening; found later (an older month, another process's change) it is
        kept in `damaged` and left out, so that the rest stays usable."""
        try:
            self._load_checked(name, seen)
        except CorruptDatabase as exc:
            exc.root = self.path
            if self._opening:
                raise
            self.damaged[name] = exc
            self._mem.seen[name] = seen  # not read again until it changes

    def _load_checked(self, name: str, seen: str) -> None:
        path, expected = self.path / name, self._manifest.expected(name)
        if not is_partition(name):
            data = read_tables(path)
            found = None if data is None else count_of(name, data)
            check_complete(self.path, name, found, expected)
            if data is not None:
                self._check_version(name, file_version(data))
            self._mem.load(name, data, seen)
            return
        self._bodies.forget(name)
        rows, version = read_partition_rows(self.path, name)
        check_complete(self.path, name, len(rows) if path.exists() else None, expected)
        if path.exists():
            self._check_version(name, version)
        try:
            self._mem.replace_rows(name, rows, version[0], seen)
        except (TypeError, ValueError, KeyError, IndexError):  # an index edited by hand
            rows, version = read_partition_rows(self.path, name, use_index=False)
            self._mem.replace_rows(name, rows, version[0], seen)
        self.damaged.pop(name, None)

    def _check_version(self, name: str, version: Version) -> None:
        """`check_version` against the manifest memory follows. Reads take no lock: when the
        manifest on disk lists another version of the file by now, other processes wrote it
        meanwhile, and the refresh that loads their writes checks it again."""
        listed = self._manifest.tokens.get(name)
        try:
            check_version(self.path, name, version, listed)
        except CorruptDatabase:
            fresh = self._folder.read_manifest()
            if fresh is None or fresh.tokens.get(name) == listed:
                raise
