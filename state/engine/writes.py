"""What one write transaction changes: whole release documents by chunk, and decisions.

Memory holds light records only, so a change to a stored release starts from its document on
disk (read by the transaction) or from a full record the caller gave; memory follows each
change at once, so that later items of the same batch are deduplicated against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

import orjson

from feeds import ClassifiedRelease
from state.dedupe import Keys, is_edit, is_enrichment, keys_for, release_digest
from state.engine.chunks import ChunkFiller, month_for
from state.engine.codec import full_record, release_doc
from state.engine.index import row_from_doc
from state.engine.memory import Memory
from state.engine.storage import TRIAGE, Transaction, doc
from state.records import StoredRelease

__all__ = ["Batch", "add_one", "put_docs", "utc_stamp", "write_triage"]


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Batch:
    """Release documents a transaction writes, by chunk."""

    def __init__(self, txn: Transaction, mem: Memory) -> None:
        self.txn = txn
        self.mem = mem
        self.docs: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._filler: ChunkFiller | None = None

    def doc(self, name: str, release_id: str) -> dict[str, Any] | None:
        """The document as this batch left it, else a copy of it as on disk."""
        pending = self.docs.get(name, {}).get(release_id)
        if pending is not None:
            return pending
        on_disk = self.txn.tables(name).get("releases", {}).get(release_id)
        return dict(on_disk) if on_disk is not None else None

    def put(self, name: str, data: dict[str, Any]) -> StoredRelease:
        """Store a whole document in the chunk `name`; returns the light record held."""
        self.docs[name][str(data["release"]["id"])] = data
        return self.mem.put_row(row_from_doc(data), name)

    def put_new(self, data: dict[str, Any]) -> StoredRelease:
        """Store the document of a new release in the chunk its month is filling."""
        if self._filler is None:
            known = set(self.txn.manifest.tokens) | set(self.mem.ids)
            self._filler = ChunkFiller(self.txn.folder.root, known)
        month = month_for(str(data["release"].get("published", "")))
        return self.put(self._filler.place(month, len(orjson.dumps(data))), data)

    def record(self, release_id: str) -> StoredRelease:
        """The full record of a release this batch wrote, with its decisions."""
        name = self.mem.where[release_id]
        return full_record(self.mem.releases[release_id], self.docs[name][release_id])

    def write(self) -> None:
        for name, docs in self.docs.items():
            self.txn.put(name, "releases", docs)

    @property
    def count(self) -> int:
        return sum(len(docs) for docs in self.docs.values())


def put_docs(txn: Transaction, name: str, table: str, docs: Mapping[str, Any]) -> None:
    """Replace or insert whole documents by id; the file is still written once."""
    txn.put(name, table, {str(i): dict(data) for i, data in docs.items()})


def write_triage(txn: Transaction, mem: Memory, fields: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge decisions field by field into what is on disk, then into memory."""
    if not fields:
        return
    stamp = utc_stamp()
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
        mem.set_triage(release_id, merged[release_id])


def add_one(
    batch: Batch, item: ClassifiedRelease, now: str, source: str, given: Keys | None = None
) -> tuple[str, str]:
    """Store one incoming release: "new", "changed" (an edit), "enriched" (a text where
    there was a summary), "sources" (seen in one more source) or "" (nothing new)."""
    mem, release = batch.mem, item.release
    keys = _keys(mem, item, given)
    found = mem.index.find(release.id, keys)
    if found is None:
        seen_in: tuple[str, ...] = (source,) if source else ()
        stored = StoredRelease(release, item.classification, now, sources=seen_in)
        batch.put_new(release_doc(stored, keys))
        return "new", release.id
    old, old_keys, name = mem.releases[found], mem.index.keys(found) or keys, mem.where[found]
    sources = old.sources if not source or source in old.sources else (*old.sources, source)
    if found == release.id and is_edit(old_keys, keys):
        stored = old.with_changes(
            release=release, classification=item.classification, sources=sources
        )
        batch.put(name, release_doc(stored.with_changes(changed_at=now), keys))
        return "changed", found
    if is_enrichment(old_keys, keys):
        body = replace(old.release, text=release.text, summary=release.summary or "")
        stored = old.with_changes(release=body, classification=item.classification, sources=sources)
        digest = release_digest(body)
        batch.put(
            name,
            release_doc(stored, replace(old_keys, body=keys.body, kind=keys.kind, digest=digest)),
        )
        return "enriched", found
    data = None if sources == old.sources else batch.doc(name, found)
    if data is None:
        return "", found
    batch.put(name, {**data, "sources": list(sources)})
    return "sources", found


def _keys(mem: Memory, item: ClassifiedRelease, given: Keys | None) -> Keys:
    """The keys of an incoming release: those stored for it when it is the very release
    stored under its id (the same digest), else those `given` (computed by the caller), else
    computed here (which normalises its text)."""
    stored = mem.index.keys(item.release.id)
    if stored is not None and stored.digest and stored.digest == release_digest(item.release):
        return stored
    return given if given is not None else keys_for(item.release)
