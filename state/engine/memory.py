"""What a store holds in memory: the light record of every release and what it needs besides.

Built from the index rows of `state.engine.index`; the bodies and the evidence stay on disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from sys import intern
from typing import Any

from feeds import Classification, Release, SourceHealth
from state.engine.codec import BLANK_TRIAGE, triage_fields, triage_tuple
from state.engine.fastinit import maker
from state.engine.index import EMPTY_EVIDENCE, FEATURES, HAS_TEXT, ID, Row
from state.engine.storage import HEALTH, TRIAGE, Tables, file_meta
from state.records import StoredRelease

__all__ = ["Memory"]


_release = maker(Release)
_classification = maker(Classification)
_stored = maker(StoredRelease)


class Memory:
    """Everything loaded, and which file each part came from."""

    def __init__(self, reader: str = "") -> None:
        self.releases: dict[str, StoredRelease] = {}
        self.where: dict[str, str] = {}
        self.ids: dict[str, set[str]] = {}
        self.features: dict[str, tuple[str, ...]] = {}  # summit releases' event features
        self.bare: set[str] = set()  # releases stored without a text
        self.triage: dict[str, dict[str, Any]] = {}
        self.health: dict[str, SourceHealth] = {}
        self.seen: dict[str, str] = {}  # file -> manifest token when loaded
        self.tokens: dict[str, str] = {}  # file -> token of the data loaded
        self.epoch = ""
        self.reader = reader  # whose reading state `read` is (read/unread is personal)

    def light(self, row: Row) -> StoredRelease:
        """The light record of an index row, with its decisions: the hot path of open."""
        # A row of another length raises ValueError: the month is then read in full.
        # fmt: off
        (
            rid, source, country, language, title, link, published, summary, guid,
            clang, summit, score, pillars, scores, first_seen, sources, changed_at,
            _url, _title, _body, _kind, _has_text, _features, _digest,
        ) = row
        # fmt: on
        decided = self.triage.get(rid)
        read, triage, starred, note, correction, history = (
            BLANK_TRIAGE if decided is None else triage_tuple(decided, self.reader)
        )
        return _stored(
            _release(
                rid, intern(source), intern(country), intern(language), title, link,
                published, summary, "", guid, "",
            ),
            _classification(intern(clang), summit, score, tuple(pillars), scores, EMPTY_EVIDENCE),
            intern(first_seen), read, triage, starred, note, correction,
            (intern(sources[0]),) if len(sources) == 1 else tuple(map(intern, sources)),
            changed_at, history, (),
        )  # fmt: skip

    def put_row(self, row: Row, name: str) -> StoredRelease:
        """Hold the release of one index row (written by this process): `load_rows` for one."""
        release_id, found = row[ID], row[FEATURES]
        self.forget(release_id)
        stored = self.releases[release_id] = self.light(row)
        self.where[release_id] = name
        self.ids.setdefault(name, set()).add(release_id)
        if not row[HAS_TEXT]:
            self.bare.add(release_id)
        if found is not None:
            self.features[release_id] = tuple(map(intern, found))
        return stored

    def load_rows(self, name: str, rows: Sequence[Row]) -> None:
        """Add the releases of `rows`, from the month `name`, to what memory holds."""
        where = self.where
        fresh = [row for row in rows if row[ID] not in where]  # else the first file wins
        ids = [row[ID] for row in fresh]
        self.releases.update(zip(ids, map(self.light, fresh), strict=True))
        where.update(dict.fromkeys(ids, name))
        self.ids.setdefault(name, set()).update(ids)
        self.bare.update(row[ID] for row in fresh if not row[HAS_TEXT])
        self.features.update(
            (row[ID], tuple(map(intern, found)))
            for row in fresh
            if (found := row[FEATURES]) is not None
        )

    def replace_rows(self, name: str, rows: Sequence[Row], token: str, seen: str) -> None:
        """Replace what memory holds of the month `name` with `rows`."""
        for release_id in list(self.ids.get(name, ())):
            self.forget(release_id)
        self.load_rows(name, rows)
        self.seen[name] = seen
        self.tokens[name] = token

    def forget(self, release_id: str) -> None:
        self.releases.pop(release_id, None)
        name = self.where.pop(release_id, None)
        if name is not None:
            self.ids.get(name, set()).discard(release_id)
        self.bare.discard(release_id)
        self.features.pop(release_id, None)

    def load(self, name: str, data: Tables | None, token: str) -> None:
        """Load triage.json or health.json."""
        tables = data or {}
        if name == TRIAGE:
            self._load_triage(tables.get("triage", {}))
        elif name == HEALTH:
            docs = tables.get("health", {}).values()
            self.health = {h.source: h for h in (SourceHealth.from_dict(d) for d in docs)}
        self.seen[name] = token
        self.tokens[name] = str(file_meta(tables).get("token", ""))

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
            self.releases[release_id] = stored.with_changes(**triage_fields(data, self.reader))
