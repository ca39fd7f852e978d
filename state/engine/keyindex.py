"""The dedupe keys of every stored release, on disk: a poll finds duplicates without holding
the store in memory.

`keys.sqlite` in the database folder holds one row per release: the chunk it lives in, its
dedupe keys (`state.dedupe.Keys`, as 8-byte hashes; the GUID hashed as well) and the sources it
was seen in, with an index on the GUID, on the canonical URL and on the fingerprint. A lookup
reads a few pages of that file; a poll that stores 60 releases in a store of 100,000 never
reads the others.

Like `index/`, it is a cache of the chunks, never the truth: each chunk's rows are recorded
with the token of the chunk they were read from, and its size and modification time. A writer,
under the database lock, lists the chunks and stats each; where size or time differ (or are too
recent to tell two writes apart) it compares the recorded token with the chunk's own (the first
bytes of the file, `head_token`), and reads again every chunk whose token differs: one written
by a process killed before it committed here, a file restored by hand, an index deleted,
damaged or never built. Its own changes go into one SQLite
transaction, committed after its chunks are written (SQLite keeps that transaction whole
through a crash), so that what this file says about a chunk is either true of the chunk's
current token or marked with an older one. A file SQLite cannot read is deleted and built
again from the chunks.

`sqlite3` is imported by the methods that use it, at the first write that needs the index:
a poll that finds nothing new never loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from state.dedupe import Keys, guid_key
from state.engine.index import (
    BODY_KEY,
    BODY_KIND,
    DIGEST,
    GUID,
    ID,
    SOURCES,
    TITLE_KEY,
    URL_KEY,
    Row,
    is_partition,
    read_partition_rows,
)
from state.engine.storage import KEYS_FILE, RACY_NS, RELEASES_DIR, adopt, head_token, json_names
from state.errors import StoreError

if TYPE_CHECKING:
    import sqlite3

__all__ = ["KEYS_FILE", "Entry", "KeyIndex"]

_SIDE_FILES = ("-wal", "-shm")  # SQLite's, beside the file in WAL mode
FORMAT = 2  # 2: each chunk's size and time beside its token
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(format INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
                                  token TEXT NOT NULL, stat TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS releases(id TEXT PRIMARY KEY, chunk INTEGER NOT NULL, guid BLOB,
                                    url BLOB, title BLOB, body BLOB, kind TEXT NOT NULL,
                                    digest BLOB, sources TEXT NOT NULL) WITHOUT ROWID;
"""
# Created after a first fill: building an index once is faster than growing it row by row.
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS by_guid ON releases(guid) WHERE guid IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS by_url ON releases(url) WHERE url IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS by_fingerprint ON releases(title, body) WHERE kind != ''",
)
_SOURCES_SEP = "\x1f"
# Pages SQLite may keep in memory (KiB, as its negative cache_size): a large first poll then
# rewrites each page once, not once per release.
_CACHE_KIB = 16_000
_Blob = bytes | None
_Values = tuple[str, int, _Blob, _Blob, _Blob, _Blob, str, _Blob, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index says of one stored release. `keys.guid` is empty: only its hash is kept,
    which is all a lookup needs."""

    chunk: str
    keys: Keys
    sources: tuple[str, ...]


def _blob(value: str) -> _Blob:
    """A key as its 8 bytes (keys are 16-hex-digit hashes); anything else (a document edited
    by hand) is hashed, so that equal values still compare equal."""
    if not value:
        return None
    if len(value) == 16:
        with contextlib.suppress(ValueError):
            return bytes.fromhex(value)
    return hashlib.blake2b(value.encode("utf-8", "replace"), digest_size=8).digest()


def _guid_blob(guid: str) -> _Blob:
    key = guid_key(guid)
    return hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).digest() if key else None


def _hex(value: _Blob) -> str:
    return value.hex() if value else ""


def _stat(path: Path | str, now: int) -> str:
    """A chunk's size and modification time, as recorded beside its token: while they stay
    the same, so does the file (every write replaces it: a new time, to the nanosecond where
    the file system keeps them). "" when missing, or when changed within `RACY_NS` of `now`:
    a file system's clock is coarse, and two writes within one tick may leave the same time,
    so such a file is always opened, until it is old enough to be told apart."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    if now - st.st_mtime_ns < RACY_NS:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def _signature(path: Path) -> str:
    """The token a chunk carries, or (for a file without one first) its size and time."""
    token = head_token(path)
    if token is not None:
        return token
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"stat:{st.st_size}:{st.st_mtime_ns}"


class KeyIndex:
    """The on-disk dedupe index of one database folder. Used only by a writer, under the
    database lock: `begin()` (implied by the first lookup or change), then `commit(written)`
    once the transaction's files are written, or `rollback()`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / KEYS_FILE
        self._db: sqlite3.Connection | None = None
        self._active = False
        self._chunk_ids: dict[str, int] = {}

    # -- transaction ---------------------------------------------------------------------

    def begin(self) -> None:
        """Start a transaction and bring the index level with the chunks (idempotent)."""
        if self._active:
            return
        import sqlite3

        try:
            try:
                self._begin()
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:
                # Damaged, not an SQLite file, or of another format: it is only a cache.
                self._discard_file()
                self._begin()
        except sqlite3.Error as exc:
            self._close()
            raise StoreError(f"{self.path}: cannot use the dedupe index ({exc}).") from exc

    def commit(self, written: Mapping[str, str]) -> None:
        """Record the tokens of the chunks the transaction wrote, then commit. Never raises for
        SQLite: an index left behind is found stale and read again by the next writer."""
        if not self._active:
            return
        import sqlite3

        db = self._conn()
        try:
            now = time.time_ns()
            for name, token in written.items():
                if is_partition(name):
                    stat = _stat(self.root / name, now)  # "": just written, racy
                    db.execute(
                        "UPDATE chunks SET token = ?, stat = ? WHERE id = ?",
                        (token, stat, self._chunk(name)),
                    )
            db.execute("COMMIT")
        except sqlite3.Error:
            self.rollback()
        finally:
            self._active = False

    def rollback(self) -> None:
        if not self._active:
            return
        import sqlite3

        self._active = False
        self._chunk_ids.clear()
        with contextlib.suppress(sqlite3.Error):
            self._conn().execute("ROLLBACK")

    def close(self) -> None:
        self.rollback()
        self._close()

    # -- lookups and changes (inside a transaction) ---------------------------------------

    def find(self, release_id: str, keys: Keys) -> str | None:
        """The id of the stored release this one duplicates, or None if it is new: the same
        id, else `match(keys)`."""
        self.begin()
        if self._conn().execute("SELECT 1 FROM releases WHERE id = ?", (release_id,)).fetchone():
            return release_id
        return self.match(keys)

    def match(self, keys: Keys) -> str | None:
        """The id of a stored release with the same GUID, else the same canonical URL and the
        same title or body, else the same fingerprint (title and body); None if none. One
        statement, each part answered by its own index; among equals, the smallest id."""
        self.begin()
        parts: list[str] = []
        values: list[_Blob | bool] = []
        if keys.guid:
            parts.append("SELECT id, 0 AS rank FROM releases WHERE guid = ?")
            values.append(_guid_blob(keys.guid))
        if keys.url:
            # A shared link alone is no proof (a feed that points every item at one page, a
            # hostile one reusing a real release's link): the title or the body must agree.
            parts.append(
                "SELECT id, 1 AS rank FROM releases WHERE url = ?"
                " AND (title = ? OR (? AND kind != '' AND body = ?))"
            )
            values += [_blob(keys.url), _blob(keys.title), bool(keys.kind), _blob(keys.body)]
        if keys.kind:
            parts.append(
                "SELECT id, 2 AS rank FROM releases WHERE title = ? AND body = ? AND kind != ''"
            )
            values += [_blob(keys.title), _blob(keys.body)]
        if not parts:
            return None
        query = f"SELECT id FROM ({' UNION ALL '.join(parts)}) ORDER BY rank, id LIMIT 1"
        found = self._conn().execute(query, values).fetchone()
        return None if found is None else str(found[0])

    def entry(self, release_id: str) -> Entry | None:
        self.begin()
        found = (
            self._conn()
            .execute(
                "SELECT c.name, r.url, r.title, r.body, r.kind, r.digest, r.sources"
                " FROM releases r JOIN chunks c ON c.id = r.chunk WHERE r.id = ?",
                (release_id,),
            )
            .fetchone()
        )
        if found is None:
            return None
        name, url, title, body, kind, digest, sources = found
        keys = Keys("", _hex(url), _hex(title), _hex(body), kind, _hex(digest))
        return Entry(name, keys, tuple(sources.split(_SOURCES_SEP)) if sources else ())

    def put(self, row: Row, chunk: str) -> None:
        """Record the release of an index row (`state.engine.index`) as stored in `chunk`."""
        self.begin()
        self._conn().execute(
            "INSERT OR REPLACE INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._values(row, self._chunk(chunk)),
        )

    def reread(self, chunk: str) -> None:
        """Read one chunk again (a lookup found the index out of step with it)."""
        self.begin()
        path = self.root / chunk
        self._reread(chunk, _signature(path), stat=_stat(path, time.time_ns()))

    # -- inside ----------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3

            # The store's lock serialises every use; the calls come from its worker threads.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # consistent after a crash; enough
                db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
                db.executescript(_SCHEMA)
                found = db.execute("SELECT format FROM meta").fetchone()
                if found is None:
                    db.execute("INSERT INTO meta VALUES (?)", (FORMAT,))
                elif found[0] == 1:  # every chunk's head is read once, and its stat recorded
                    db.execute("ALTER TABLE chunks ADD COLUMN stat TEXT NOT NULL DEFAULT ''")
                    db.execute("UPDATE meta SET format = ?", (FORMAT,))
                elif found[0] != FORMAT:
                    raise sqlite3.DatabaseError(f"format {found[0]}, not {FORMAT}")
            except BaseException:
                db.close()
                raise
            for made in (self.path, *(self.path.with_name(KEYS_FILE + x) for x in _SIDE_FILES)):
                if made.exists():
                    adopt(made, self.root)
            self._db = db
        return self._db

    def _close(self) -> None:
        if self._db is not None:
            import sqlite3

            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        self._chunk_ids.clear()

    def _discard_file(self) -> None:
        self._close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _begin(self) -> None:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        self._active = True
        try:
            self._level()
        except BaseException:
            self.rollback()
            raise

    def _level(self) -> None:
        """Read again every chunk whose token is not the one recorded; drop the rows of
        chunks that are gone. A chunk whose size and modification time are those recorded
        with its token is not opened (`_stat`): a poll into a store of 100,000 releases then
        lists one folder and stats its ~240 chunks, rather than reading the head of each."""
        db = self._conn()
        recorded = {
            name: (cid, token, stat)
            for cid, name, token, stat in db.execute("SELECT id, name, token, stat FROM chunks")
        }
        self._chunk_ids = {name: cid for name, (cid, _, _) in recorded.items()}
        present = [f"{RELEASES_DIR}/{n}" for n in json_names(self.root / RELEASES_DIR)]
        for name in set(recorded) - set(present):
            db.execute("DELETE FROM releases WHERE chunk = ?", (recorded[name][0],))
            db.execute("DELETE FROM chunks WHERE id = ?", (recorded[name][0],))
            del self._chunk_ids[name]
        now, root = time.time_ns(), str(self.root)
        for name in present:  # in name order: where two chunks hold one id, the first wins
            cid, token, stat = recorded.get(name, (0, "", ""))
            current = _stat(os.path.join(root, name), now)
            if stat and current == stat:
                continue
            signature = _signature(self.root / name)
            if name not in recorded or token != signature:
                self._reread(name, signature, known=name in recorded, stat=current)
            elif current != stat:  # the same token: a copy, or just out of the racy window
                db.execute("UPDATE chunks SET stat = ? WHERE id = ?", (current, cid))
        for statement in _INDEXES:
            db.execute(statement)

    def _reread(self, name: str, signature: str, known: bool = True, stat: str = "") -> None:
        db = self._conn()
        cid = self._chunk(name)
        if known:
            db.execute("DELETE FROM releases WHERE chunk = ?", (cid,))
        db.executemany(
            "INSERT OR IGNORE INTO releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._rows_of(name, cid),
        )
        db.execute("UPDATE chunks SET token = ?, stat = ? WHERE id = ?", (signature, stat, cid))

    def _rows_of(self, name: str, cid: int) -> list[_Values]:
        rows, _ = read_partition_rows(self.root, name)
        try:
            return [self._values(row, cid) for row in rows]
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            # An index edited by hand: the chunk itself says what it holds.
            rows, _ = read_partition_rows(self.root, name, use_index=False)
            return [self._values(row, cid) for row in rows]

    def _chunk(self, name: str) -> int:
        cid = self._chunk_ids.get(name)
        if cid is None:
            db = self._conn()
            db.execute("INSERT OR IGNORE INTO chunks(name, token) VALUES (?, '')", (name,))
            cid = int(db.execute("SELECT id FROM chunks WHERE name = ?", (name,)).fetchone()[0])
            self._chunk_ids[name] = cid
        return cid

    @staticmethod
    def _values(row: Row, cid: int) -> _Values:
        # str() on each field: a row read from an index file is typed as written, not checked.
        kind = row[BODY_KIND] if row[BODY_KIND] in ("text", "summary") else ""
        sources: Iterable[str] = row[SOURCES]
        return (
            str(row[ID]),
            cid,
            _guid_blob(str(row[GUID])),
            _blob(str(row[URL_KEY])),
            _blob(str(row[TITLE_KEY])),
            _blob(str(row[BODY_KEY])),
            kind,
            _blob(str(row[DIGEST])),
            _SOURCES_SEP.join(map(str, sources)),
        )
