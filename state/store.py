"""The store: every release summitwatch has seen, what people decided about it, source health.

`Store(path)` opens (or creates) the database folder laid out in `state.storage` and keeps all
of it in memory, so the dashboard reads and searches without touching the disk. Every write
takes the database lock, catches up with what other processes wrote, changes only the files
concerned and returns once they are on disk. `refresh()` picks up other processes' writes with
one stat when nothing changed.

Releases are deduplicated (`state.dedupe`) and grouped into events (`state.events`).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import orjson

from feeds.models import (
    Classification,
    ClassifiedRelease,
    Evidence,
    Match,
    Release,
    SourceHealth,
)
from state.dedupe import DedupeIndex, Keys, is_edit, is_enrichment, keys_for
from state.events import FeatureCache, group_events
from state.records import Correction, StoredRelease, TriageState
from state.storage import (
    HEALTH,
    RELEASES_DIR,
    TRIAGE,
    CorruptDatabase,
    DatabaseFolder,
    Manifest,
    NewerSchema,
    ReadOnlyDatabase,
    StoreError,
    Tables,
    Transaction,
    copy_database,
    doc,
    file_meta,
    read_tables,
)

__all__ = [
    "AddResult",
    "CorruptDatabase",
    "NewerSchema",
    "ReadOnlyDatabase",
    "Store",
    "StoreError",
    "partition_for",
]

TRIAGE_FIELDS = ("read", "triage", "starred", "note", "correction")


@dataclass(frozen=True)
class AddResult:
    new: list[StoredRelease]
    changed: list[StoredRelease]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def partition_for(published: str) -> str:
    """The file a release is first stored in: its month of publication."""
    year, month = published[:4], published[5:7]
    if len(published) >= 7 and year.isdigit() and month.isdigit() and published[4] == "-":
        return f"{RELEASES_DIR}/{year}-{month}.json"
    return f"{RELEASES_DIR}/undated.json"


_BLANK_TRIAGE: dict[str, Any] = {
    "read": False,
    "triage": TriageState.NEW,
    "starred": False,
    "note": "",
    "correction": Correction(),
}


def triage_fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """StoredRelease keyword arguments from a stored triage document (defaults when absent)."""
    if not data:
        return _BLANK_TRIAGE
    try:
        triage = TriageState(data.get("triage", "new"))
    except ValueError:
        triage = TriageState.NEW
    return {
        "read": bool(data.get("read", False)),
        "triage": triage,
        "starred": bool(data.get("starred", False)),
        "note": str(data.get("note", "")),
        "correction": Correction.from_dict(data.get("correction")),
    }


def triage_doc(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of `update()`'s changes; rejects anything else."""
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise TypeError(f"update() cannot change {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "triage":
            out[name] = TriageState(value).value
        elif name == "correction":
            fixed = value if isinstance(value, Correction) else Correction.from_dict(value)
            out[name] = fixed.to_dict()
        elif name == "note":
            out[name] = str(value)
        else:
            out[name] = bool(value)
    return out


def release_doc(stored: StoredRelease, keys: Keys) -> dict[str, Any]:
    return {
        "release": stored.release.to_dict(),
        "classification": stored.classification.to_dict(),
        "first_seen": stored.first_seen,
        "sources": list(stored.sources),
        "changed_at": stored.changed_at,
        "keys": keys.to_dict(),
    }


def _evidence(data: Mapping[str, Any]) -> Evidence:
    matches = tuple(Match(m["term"], m["field"], m["start"], m["end"]) for m in data["matches"])
    return Evidence(data["score"], matches, data["sentence"])


def _decode(data: Mapping[str, Any]) -> tuple[Release, Classification]:
    """The fast path for documents this module wrote (opening 100,000 releases pays per call)."""
    c = data["classification"]
    evidence = {k: _evidence(v) for k, v in c["evidence"].items()}
    return Release(**data["release"]), Classification(
        c["language"],
        c["summit"],
        c["summit_score"],
        tuple(c["pillars"]),
        c["pillar_scores"],
        evidence,
    )


def from_release_doc(data: Mapping[str, Any], triage: Mapping[str, Any] | None) -> StoredRelease:
    try:
        release, classification = _decode(data)
    except (KeyError, TypeError):  # written by hand or by an older version: the careful path
        release = Release.from_dict(data["release"])
        classification = Classification.from_dict(data.get("classification", {}))
    return StoredRelease(
        release=release,
        classification=classification,
        first_seen=str(data.get("first_seen", "")),
        sources=tuple(data.get("sources", ())),
        changed_at=str(data.get("changed_at", "")),
        **triage_fields(triage),
    )


def _imported_triage(local: Mapping[str, Any], record: StoredRelease) -> dict[str, Any]:
    """An import's decisions, only where the local copy still has the default."""
    ours, theirs = triage_fields(local), triage_fields(record.to_dict())
    blank = triage_fields(None)
    wanted = {k: v for k, v in theirs.items() if ours[k] == blank[k] and v != blank[k]}
    return triage_doc(wanted)


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


class _Memory:
    """Everything loaded, and which file each part came from."""

    def __init__(self) -> None:
        self.releases: dict[str, StoredRelease] = {}
        self.where: dict[str, str] = {}
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.index = DedupeIndex()
        self.triage: dict[str, dict[str, Any]] = {}
        self.health: dict[str, SourceHealth] = {}
        self.seen: dict[str, str] = {}  # file -> manifest token when loaded
        self.tokens: dict[str, str] = {}  # file -> token found inside the file
        self.epoch = ""

    def put(self, stored: StoredRelease, keys: Keys, name: str) -> None:
        self.releases[stored.id] = stored
        self.where[stored.id] = name
        self.ids[name].add(stored.id)
        self.index.add(stored.id, keys)

    def load(self, name: str, data: Tables | None, token: str) -> None:
        tables = data or {}
        if name == TRIAGE:
            self._load_triage(tables.get("triage", {}))
        elif name == HEALTH:
            docs = tables.get("health", {}).values()
            self.health = {h.source: h for h in (SourceHealth.from_dict(d) for d in docs)}
        else:
            self._load_releases(name, tables.get("releases", {}))
        self.seen[name] = token
        self.tokens[name] = str(file_meta(tables).get("token", ""))

    def _load_releases(self, name: str, docs: Mapping[str, Any]) -> None:
        for release_id in self.ids.pop(name, set()):
            self.releases.pop(release_id, None)
            self.where.pop(release_id, None)
            self.index.remove(release_id)
        for release_id, data in docs.items():
            if release_id in self.where:
                continue  # already held by another file; the first one wins
            stored = from_release_doc(data, self.triage.get(release_id))
            self.put(stored, Keys.from_dict(data.get("keys", {}), stored.release.guid), name)

    def _load_triage(self, docs: Mapping[str, Any]) -> None:
        old, self.triage = self.triage, {str(k): dict(v) for k, v in docs.items()}
        for release_id in set(old) | set(self.triage):
            if old.get(release_id) != self.triage.get(release_id):
                self.set_triage(release_id, self.triage.get(release_id))

    def set_triage(self, release_id: str, data: Mapping[str, Any] | None) -> None:
        if data is not None:
            self.triage[release_id] = dict(data)
        stored = self.releases.get(release_id)
        if stored is not None:
            self.releases[release_id] = stored.with_changes(**triage_fields(data))


class Store:
    """The database, held in memory; safe to call from one worker thread at a time or several."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._folder = DatabaseFolder(self.path, read_only=read_only)
        self._lock = threading.RLock()
        self._mem = _Memory()
        self._signature: tuple[int, int, int] | None = None
        self._sorted: list[StoredRelease] | None = None
        self._events: list[list[str]] | None = None
        self._features: FeatureCache = {}
        self._closed = False
        manifest = self._folder.open()
        self._signature = self._folder.signature()
        self._sync(manifest)

    # -- reading -------------------------------------------------------------------------

    def all(self) -> list[StoredRelease]:
        """Every release, newest `published` first (then newest first seen)."""
        with self._lock:
            if self._sorted is None:
                with _paused_gc():
                    self._sorted = sorted(
                        self._mem.releases.values(),
                        key=lambda r: (r.release.published or r.first_seen, r.first_seen, r.id),
                        reverse=True,
                    )
            return list(self._sorted)

    def __len__(self) -> int:
        return len(self._mem.releases)

    def get(self, release_id: str) -> StoredRelease | None:
        return self._mem.releases.get(release_id)

    def health(self) -> dict[str, SourceHealth]:
        with self._lock:
            return dict(self._mem.health)

    def events(self) -> list[list[str]]:
        """Groups (two or more) of ids of releases that are one statement; newest first."""
        with self._lock:
            if self._events is None:
                self._events = group_events(self._mem.releases.values(), cache=self._features)
            return [list(group) for group in self._events]

    def refresh(self) -> bool:
        """Load what other processes wrote; one stat when nothing changed. True if anything did."""
        with self._lock:
            if not self._folder.may_have_changed(self._signature):
                return False
            signature = self._folder.signature()
            manifest = self._folder.read_manifest()
            if manifest is None:
                return False
            changed = self._sync(manifest)
            self._signature = signature
            return changed

    # -- writing -------------------------------------------------------------------------

    def add(
        self,
        items: Sequence[ClassifiedRelease],
        now: str | None = None,
        source: str | None = None,
    ) -> AddResult:
        """Store new releases, merge copies of stored ones, record edits (triage is kept)."""
        now = now or utc_now()
        new: dict[str, None] = {}
        changed: dict[str, None] = {}
        with self._write() as txn:
            touched: dict[str, set[str]] = defaultdict(set)
            for item in items:
                outcome, release_id = self._add_one(item, now, source or item.release.source)
                if outcome:
                    touched[self._mem.where[release_id]].add(release_id)
                if outcome == "new":
                    new[release_id] = None
                elif outcome == "changed" and release_id not in new:
                    changed[release_id] = None
            self._write_releases(txn, touched)
        releases = self._mem.releases
        return AddResult([releases[i] for i in new], [releases[i] for i in changed])

    def _add_one(self, item: ClassifiedRelease, now: str, source: str) -> tuple[str, str]:
        mem, release = self._mem, item.release
        keys = keys_for(release)
        found = mem.index.find(release.id, keys)
        if found is None:
            stored = StoredRelease(
                release=release,
                classification=item.classification,
                first_seen=now,
                sources=(source,) if source else (),
                **triage_fields(mem.triage.get(release.id)),
            )
            mem.put(stored, keys, partition_for(release.published))
            return "new", release.id
        old, old_keys = mem.releases[found], mem.index.keys(found) or keys
        sources = old.sources if not source or source in old.sources else (*old.sources, source)
        if found == release.id and is_edit(old_keys, keys):
            stored = old.with_changes(
                release=release, classification=item.classification, sources=sources
            )
            mem.put(stored.with_changes(changed_at=now), keys, mem.where[found])
            return "changed", found
        if is_enrichment(old_keys, keys):
            body = replace(old.release, text=release.text, summary=release.summary or "")
            stored = old.with_changes(
                release=body, classification=item.classification, sources=sources
            )
            enriched = replace(old_keys, body=keys.body, kind=keys.kind)
            mem.put(stored, enriched, mem.where[found])
            return "enriched", found
        if sources == old.sources:
            return "", found
        mem.put(old.with_changes(sources=sources), old_keys, mem.where[found])
        return "sources", found

    def update(self, ids: Sequence[str], **changes: Any) -> list[StoredRelease]:
        """Record people's decisions (read, triage, starred, note, correction) on releases."""
        fields = triage_doc(changes)
        if not fields:
            return []
        with self._write() as txn:
            targets = [i for i in dict.fromkeys(ids) if i in self._mem.releases]
            self._write_triage(txn, {i: fields for i in targets})
        return [self._mem.releases[i] for i in targets]

    def replace_classifications(self, items: Iterable[tuple[str, Classification]]) -> int:
        """Store new classifier output; people's triage and corrections are kept."""
        wanted = dict(items)
        with self._write() as txn:
            touched: dict[str, set[str]] = defaultdict(set)
            for release_id, classification in wanted.items():
                old = self._mem.releases.get(release_id)
                if old is None or old.classification == classification:
                    continue
                self._mem.releases[release_id] = old.with_changes(classification=classification)
                touched[self._mem.where[release_id]].add(release_id)
            self._write_releases(txn, touched)
        return sum(len(ids) for ids in touched.values())

    def record_health(self, items: Sequence[SourceHealth]) -> None:
        with self._write() as txn:
            docs = {h.source: h.to_dict() for h in items}
            self._put_docs(txn, HEALTH, "health", docs)
            self._mem.health.update((h.source, h) for h in items)

    def prune_bodies(self, older_than_days: int, now: str | None = None) -> int:
        """Drop the text of non-summit releases published more than `older_than_days` ago."""
        moment = datetime.fromisoformat((now or utc_now()).replace("Z", "+00:00"))
        cutoff = (moment - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        with self._write() as txn:
            touched: dict[str, set[str]] = defaultdict(set)
            for release_id, stored in list(self._mem.releases.items()):
                when = stored.release.published or stored.first_seen
                if stored.summit or not stored.release.text or not when or when >= cutoff:
                    continue
                pruned = replace(stored.release, text="")
                self._mem.releases[release_id] = stored.with_changes(release=pruned)
                touched[self._mem.where[release_id]].add(release_id)
            self._write_releases(txn, touched)
        return sum(len(ids) for ids in touched.values())

    def import_records(self, records: Iterable[StoredRelease]) -> int:
        """Add releases from an export with their decisions. A release already here keeps every
        decision made here; the export fills in only what is still at its default.
        Returns how many releases were added or had decisions filled in."""
        with self._write() as txn:
            mem = self._mem
            touched: dict[str, set[str]] = defaultdict(set)
            decisions: dict[str, dict[str, Any]] = {}
            for record in records:
                keys = keys_for(record.release)
                target = mem.index.find(record.id, keys)
                if target is None:
                    target = record.id
                    local = triage_fields(mem.triage.get(target))
                    mem.put(
                        record.with_changes(**local), keys, partition_for(record.release.published)
                    )
                    touched[mem.where[target]].add(target)
                fields = _imported_triage(mem.triage.get(target, {}), record)
                if fields:
                    decisions[target] = fields
            self._write_releases(txn, touched)
            self._write_triage(txn, decisions)
        return len({i for ids in touched.values() for i in ids} | set(decisions))

    def backup(self, dest: Path) -> Path:
        """Copy the database to the new folder `dest`, consistently, while others write."""
        with self._lock:
            if self.read_only:
                return copy_database(self.path, Path(dest))
            with self._folder.locked():
                return copy_database(self.path, Path(dest))

    def close(self) -> None:
        self._closed = True

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

    @contextmanager
    def _write(self) -> Iterator[Transaction]:
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed.")
        if self.read_only:
            raise ReadOnlyDatabase(self.path)
        with self._lock:
            try:
                with self._folder.transaction() as txn:
                    self._sync(txn.manifest)
                    yield txn
            except BaseException:
                # Memory may be ahead of the disk: reload it all at the next write or refresh.
                self._mem.epoch, self._signature = "", None
                raise
            finally:
                self._sorted = self._events = None
            self._after_commit(txn)

    def _after_commit(self, txn: Transaction) -> None:
        for name, token in txn.written.items():
            if txn.read_tokens.get(name, "") != self._mem.tokens.get(name, ""):
                # Written by a process killed before it updated the manifest: we missed it.
                self._mem.load(name, read_tables(self.path / name), token)
            self._mem.seen[name] = token
            self._mem.tokens[name] = token

    def _sync(self, manifest: Manifest) -> bool:
        """Bring memory level with the files `manifest` describes; True if anything changed."""
        mem = self._mem
        full = manifest.epoch != mem.epoch
        if full:
            names = sorted(set(manifest.tokens) | set(self._folder.data_files()))
            self._mem = mem = _Memory()
            mem.epoch = manifest.epoch
        else:
            names = [n for n, token in manifest.tokens.items() if mem.seen.get(n) != token]
            if not names:
                return False
        names.sort(key=lambda n: n != TRIAGE)  # decisions first, so releases load with them
        with _paused_gc():
            for name in names:
                mem.load(name, read_tables(self.path / name), manifest.tokens.get(name, ""))
        if full:
            # A million objects and no cycles among them: keep the collector from scanning
            # them again and again (reference counting still frees them when unused).
            gc.freeze()
        self._sorted = self._events = None
        return True

    def _write_releases(self, txn: Transaction, touched: Mapping[str, set[str]]) -> None:
        mem = self._mem
        for name, ids in touched.items():
            docs = {}
            for release_id in ids:
                keys = mem.index.keys(release_id) or keys_for(mem.releases[release_id].release)
                docs[release_id] = release_doc(mem.releases[release_id], keys)
            self._put_docs(txn, name, "releases", docs)

    @staticmethod
    def _put_docs(txn: Transaction, name: str, table: str, docs: Mapping[str, Any]) -> None:
        """Replace or insert whole documents by id; the file is still written once."""
        if not docs:
            return
        on_disk = txn.tables(name).get(table, {})
        target = txn.table(name, table)
        existing = [i for i in docs if i in on_disk]
        if existing:
            target.remove(doc_ids=cast(list[int], existing))
        target.insert_multiple(doc(dict(data), i) for i, data in docs.items())

    def _write_triage(self, txn: Transaction, fields: Mapping[str, Mapping[str, Any]]) -> None:
        """Merge decisions field by field into what is on disk, then into memory."""
        if not fields:
            return
        stamp = utc_now()
        target = txn.table(TRIAGE, "triage")
        groups: dict[bytes, list[str]] = defaultdict(list)
        for release_id, changes in fields.items():
            groups[orjson.dumps(changes, option=orjson.OPT_SORT_KEYS)].append(release_id)
        for ids in groups.values():
            changes = {**fields[ids[0]], "updated": stamp}
            on_disk = txn.tables(TRIAGE).get("triage", {})
            existing = [i for i in ids if i in on_disk]
            if existing:
                target.update(changes, doc_ids=cast(list[int], existing))
            fresh = [doc(dict(changes), i) for i in ids if i not in on_disk]
            if fresh:
                target.insert_multiple(fresh)
        merged = txn.tables(TRIAGE)["triage"]
        for release_id in fields:
            self._mem.set_triage(release_id, merged[release_id])
