"""What one write transaction changes: whole release documents by chunk, and decisions.

Memory holds light records only (and maybe not all of them: a poll loads none), so a change to
a stored release starts from its document on disk (read by the transaction); the key index of
`state.engine.keyindex` and memory follow each change at once, so that later items of the same
batch are deduplicated against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from feeds import ClassifiedRelease, Release
from state.dedupe import Keys, is_edit, is_enrichment, keys_for, release_digest
from state.engine.chunks import ChunkFiller, month_for
from state.engine.codec import decide, full_record, release_doc
from state.engine.index import row_from_doc
from state.engine.keyindex import Entry, KeyIndex
from state.engine.memory import Memory
from state.engine.storage import TRIAGE, Transaction
from state.errors import StoreError
from state.records import StoredRelease
from state.versions import versions_after_edit, versions_from

__all__ = ["Batch", "add_one", "put_docs", "put_triage", "utc_stamp", "write_triage"]


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Batch:
    """Release documents a transaction writes, by chunk."""

    def __init__(self, txn: Transaction, mem: Memory, keys: KeyIndex) -> None:
        self.txn = txn
        self.mem = mem
        self.keys = keys
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
        row = row_from_doc(data)
        self.keys.put(row, name)
        return self.mem.put_row(row, name)

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


def write_triage(
    txn: Transaction,
    mem: Memory,
    fields: Mapping[str, Mapping[str, Any]],
    who: str,
    *,
    undo: bool = False,
) -> None:
    """Merge the decisions `who` made (`fields`, by release id) into what is on disk, with a
    history line each (`decide`), then into memory."""
    if not fields:
        return
    stamp = utc_stamp()
    on_disk = txn.tables(TRIAGE).get("triage", {})
    docs = {
        i: decide(on_disk.get(i), changes, who, stamp, undo=undo) for i, changes in fields.items()
    }
    put_triage(txn, mem, docs)


def put_triage(txn: Transaction, mem: Memory, docs: Mapping[str, Mapping[str, Any]]) -> None:
    """Write whole decision documents by release id, then hold them in memory."""
    if not docs:
        return
    put_docs(txn, TRIAGE, "triage", docs)
    for release_id, data in docs.items():
        mem.set_triage(release_id, data)


def add_one(
    batch: Batch,
    item: ClassifiedRelease,
    now: str,
    source: str,
    given: Keys | None = None,
    *,
    retry: bool = True,
) -> tuple[str, str]:
    """Store one incoming release: "new", "changed" (an edit), "enriched" (a text where
    there was a summary), "sources" (seen in one more source) or "" (nothing new).

    The stored release it duplicates is found in the on-disk key index; its document is
    read only when something is to change."""
    index, release = batch.keys, item.release
    own = index.entry(release.id)
    keys = _keys(own, release, given)
    found = release.id if own is not None else index.match(keys)
    if found is None:
        seen_in: tuple[str, ...] = (source,) if source else ()
        stored = StoredRelease(release, item.classification, now, sources=seen_in)
        batch.put_new(release_doc(stored, keys))
        return "new", release.id
    entry = own if own is not None else index.entry(found)
    assert entry is not None  # found by the same index, in the same transaction
    old_keys, old_sources = entry.keys, entry.sources
    sources = old_sources if not source or source in old_sources else (*old_sources, source)
    edit = found == release.id and is_edit(old_keys, keys)
    enriched = not edit and is_enrichment(old_keys, keys)
    if not edit and not enriched and sources == old_sources:
        return "", found
    data = batch.doc(entry.chunk, found)
    if data is None:
        if not retry:
            raise StoreError(f"{entry.chunk}: does not hold {found}, which its index names.")
        index.reread(entry.chunk)  # the index was out of step with that chunk
        return add_one(batch, item, now, source, given, retry=False)
    old = batch.mem.light(row_from_doc(data))
    if edit:
        stored = old.with_changes(
            release=release,
            classification=item.classification,
            sources=sources,
            changed_at=now,
            earlier_versions=versions_after_edit(data),
        )
        batch.put(entry.chunk, release_doc(stored, keys))
        return "changed", found
    if enriched:
        body = replace(old.release, text=release.text, summary=release.summary or "")
        stored = old.with_changes(
            release=body,
            classification=item.classification,
            sources=sources,
            earlier_versions=versions_from(data.get("versions")),
        )
        digest = release_digest(body)
        new_keys = replace(old_keys, body=keys.body, kind=keys.kind, digest=digest)
        batch.put(entry.chunk, release_doc(stored, new_keys))
        return "enriched", found
    batch.put(entry.chunk, {**data, "sources": list(sources)})
    return "sources", found


def _keys(own: Entry | None, release: Release, given: Keys | None) -> Keys:
    """The keys of an incoming release: those stored for it when it is the very release
    stored under its id (the same digest), else those `given` (computed by the caller), else
    computed here (which normalises its text)."""
    if own is not None and own.keys.digest and own.keys.digest == release_digest(release):
        return own.keys
    return given if given is not None else keys_for(release)
