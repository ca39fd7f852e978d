"""Atomic TinyDB storage: the files of a summitwatch database and how they are written.

A database is a folder (`--db PATH` names it; it is created when missing; `state.engine.folder`):

    summitwatch.json        the manifest: schema version, an epoch, a token for every file below
    triage.json             people's decisions (read, triage, starred, note, correction) by id
    health.json             source health by source name
    releases/YYYY-MM.NNN.json  releases by month of publication, in chunks of about
                            `CHUNK_BYTES` ("undated.NNN.json" when unknown; `state.engine.chunks`)
    index/YYYY-MM.NNN.json  the light fields of that chunk's releases (`state.engine.index`)
    keys.sqlite             the dedupe keys of every release (`state.engine.keyindex`)
    .lock                   the writers' lock (filelock)

Every file is a TinyDB database written by `AtomicJSONStorage`: the data goes to a temporary
file in the same folder, is flushed and fsynced, then replaces the old file (os.replace; the
folders a transaction wrote in are fsynced once, before the manifest). A reader sees the old
file or the new one, never half of one; a killed writer leaves the last complete file behind,
so every write that returned survives.

Writers take the lock, read from disk the manifest and every file they change, apply their
change and write (`DatabaseFolder.transaction`): processes never lose each other's updates.
Each written file gets a new random token, kept in the file's `_meta` table (written first in
the file, so that its first bytes name its version) and, written last, in the manifest; readers
compare the manifest's tokens with those they loaded and reload only the files that changed.
The `_meta` table also names the token the manifest listed for the file when it was written
(its `base`): a file is the version the manifest records (its token) or one a writer killed
before it updated the manifest wrote over that version (its base), and anything else (an
older copy, another file put in its place) is damage, named when the file is read
(`check_version`) and never written over. Files written before bases were recorded are checked
by their counts only.
New releases fill the last chunk of their month and then new chunks, so a poll rewrites at
most one partly filled chunk a month besides the chunks it creates, whatever the store's size.

An index file is a cache derived from its chunk, written after it and before the manifest; it
names the token and size of the chunk it summarises and is ignored when they do not match (so
it is not fsynced: one lost in a power cut only costs reading its chunk in full once).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from state.errors import CorruptDatabase, NewerSchema, ReadOnlyDatabase, StoreError

if TYPE_CHECKING:
    from state.engine.folder import DatabaseFolder

__all__ = [
    "HEALTH",
    "INDEX_DIR",
    "KEYS_FILE",
    "LOCK",
    "LOCK_TIMEOUT",
    "MANIFEST",
    "META_TABLE",
    "MIGRATIONS",
    "RACY_NS",
    "RELEASES_DIR",
    "SCHEMA_VERSION",
    "TRIAGE",
    "AtomicJSONStorage",
    "CorruptDatabase",
    "Manifest",
    "Migration",
    "NewerSchema",
    "OnWrite",
    "ReadOnlyDatabase",
    "Signature",
    "StoreError",
    "Tables",
    "Transaction",
    "Version",
    "adopt",
    "atomic_write",
    "check_complete",
    "check_version",
    "count_of",
    "doc",
    "dump_tables",
    "file_meta",
    "file_schema",
    "file_version",
    "fsync_dir",
    "head_token",
    "head_version",
    "json_names",
    "new_token",
    "open_tinydb",
    "read_tables",
    "writable",
]

SCHEMA_VERSION = 3
MANIFEST = "summitwatch.json"
TRIAGE = "triage.json"
HEALTH = "health.json"
RELEASES_DIR = "releases"
INDEX_DIR = "index"
KEYS_FILE = "keys.sqlite"
LOCK = ".lock"
META_TABLE = "_meta"
LOCK_TIMEOUT = 30.0
# A manifest changed this recently is read even if its stat looks unchanged: file times are
# coarse, and a replaced file may reuse the old inode and have the same size.
RACY_NS = 2_000_000_000
HEAD_BYTES = 256

Tables = dict[str, dict[str, Any]]
Signature = tuple[int, int, int]
Migration = Callable[[Path], None]
# MIGRATIONS[n] upgrades a database folder from schema n to n + 1, in place, under the lock.
MIGRATIONS: dict[int, Migration] = {}
# Called with (file name, its tables, its token, its size) after a transaction wrote a file.
OnWrite = Callable[[str, Tables, str, int], None]
_HEAD_META = re.compile(rb'^\{"_meta":\{"file":(\{[^{}]*\})')
# A file's token, and the token the manifest listed for it when it was written (None when the
# file does not say: written before bases were recorded).
Version = tuple[str, str | None]


def read_tables(path: Path) -> Tables | None:
    """The tables of one database file, None if it does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise StoreError(f"{path}: cannot read this database file (permission denied).") from exc
    if not raw.strip():
        raise CorruptDatabase(path, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CorruptDatabase(path, f"truncated or not JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptDatabase(path, "JSON, but not TinyDB tables of documents")
    found = file_schema(data)
    if found > SCHEMA_VERSION:
        raise NewerSchema(path, found, SCHEMA_VERSION)
    return cast(Tables, data)


def json_names(folder: Path) -> list[str]:
    """The names of the data files in `folder` (`*.json`, not the hidden temporary files),
    sorted; none when it is missing. One listing and no Path per entry: it is on the path of
    every open and write, and a store of 100,000 releases has ~500 files."""
    try:
        found = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n for n in found if n.endswith(".json") and not n.startswith("."))


def writable(path: Path) -> bool:
    """May this user write `path`? Write bits are checked as well as access(): root may write
    anything, but a database its owner marked read-only is meant to stay that way."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def file_meta(data: Tables) -> dict[str, Any]:
    meta = data.get(META_TABLE, {}).get("file", {})
    return meta if isinstance(meta, dict) else {}


def file_version(data: Tables) -> Version:
    return _version(file_meta(data))


def _version(meta: dict[str, Any]) -> Version:
    base = meta.get("base")
    return str(meta.get("token", "")), base if isinstance(base, str) else None


def file_schema(data: Tables) -> int:
    value = file_meta(data).get("schema", 0)
    return value if isinstance(value, int) else 0


def adopt(path: Path, folder: Path) -> None:
    """Run as root, give `path` the owner and group of `folder` (the database folder or the one
    `path` sits in), and a folder `path` its mode: a poll run as root must not lock the
    database's owner out of their files, and a group-shared database stays group-writable."""
    if getattr(os, "geteuid", lambda: -1)() != 0:
        return
    try:
        like = folder.stat()
        st = path.stat()
        if (st.st_uid, st.st_gid) != (like.st_uid, like.st_gid):
            os.chown(path, like.st_uid, like.st_gid)
        if path.is_dir() and (st.st_mode & 0o7777) != (like.st_mode & 0o7777):
            os.chmod(path, like.st_mode & 0o7777)
    except OSError:  # not ours to fix (a file system without owners): leave it as made
        pass


def _adopt_fd(fd: int, folder: Path) -> None:
    if getattr(os, "geteuid", lambda: -1)() != 0:
        return
    like = folder.stat()
    with contextlib.suppress(OSError):
        os.fchown(fd, like.st_uid, like.st_gid)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a folder
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _write_fd(fd: int, payload: bytes, sync: bool) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    if sync:
        os.fsync(fd)


def atomic_write(
    path: Path, payload: bytes, *, sync: bool = True, dirs: set[Path] | None = None
) -> None:
    """Write `payload` to a temporary file beside `path`, fsync it, and rename it over `path`,
    then fsync the folder, or add it to `dirs` for the caller to fsync once for many files.
    `sync=False` skips both fsyncs (for caches that are checked when read).

    The file keeps the permission bits of the one it replaces, so a group-shared database stays
    group-writable.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(fd, path.stat().st_mode & 0o7777)
            _adopt_fd(fd, path.parent)
            _write_fd(fd, payload, sync)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if dirs is not None:
            dirs.add(path.parent)
        elif sync:
            fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ReadOnlyDatabase(path) from exc
        raise StoreError(f"{path}: could not write the database ({exc.strerror}).") from exc


def dump_tables(data: Tables) -> bytes:
    """The file's bytes, its `_meta` table first so that `head_token` finds its token."""
    if META_TABLE in data and next(iter(data)) != META_TABLE:
        data = {META_TABLE: data[META_TABLE], **data}
    return orjson.dumps(data)


def head_version(path: Path) -> Version | None:
    """The version of a database file read from its first bytes, without reading the rest;
    None when the file is missing or does not start with its `_meta` table."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    found = _HEAD_META.match(head)
    if found is None:
        return None
    try:
        meta = orjson.loads(found.group(1))
    except orjson.JSONDecodeError:
        return None
    version = _version(meta) if isinstance(meta, dict) else ("", None)
    return version if version[0] else None


def head_token(path: Path) -> str | None:
    """The token of a database file from its first bytes (see `head_version`)."""
    version = head_version(path)
    return None if version is None else version[0]


class AtomicJSONStorage(Storage):
    """TinyDB storage: one orjson file, replaced atomically on every write.

    Between `begin()` and `flush()` writes are held in memory, so a transaction that changes a
    file several times reads it once and writes it once.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self._deferred = False
        self._pending: Tables | None = None
        self.dirty = False
        self.size = 0  # bytes in the file after the last write

    def read(self) -> Tables | None:
        if not self._deferred:
            return read_tables(self.path)
        if self._pending is None:
            self._pending = read_tables(self.path) or {}
        return self._pending

    def write(self, data: Tables, dirs: set[Path] | None = None) -> None:
        if self.read_only:
            raise ReadOnlyDatabase(self.path)
        if self._deferred:
            self._pending, self.dirty = data, True
            return
        if not self.path.parent.is_dir():
            self.path.parent.mkdir(parents=True)
            adopt(self.path.parent, self.path.parent.parent)
        elif self.path.exists() and not writable(self.path):
            raise ReadOnlyDatabase(self.path)  # marked read-only: not replaced behind its back
        payload = dump_tables(data)
        atomic_write(self.path, payload, dirs=dirs)
        self.size = len(payload)

    def begin(self) -> None:
        self._deferred, self._pending, self.dirty = True, None, False

    def flush(self, dirs: set[Path] | None = None) -> Tables | None:
        """Write what the transaction changed, if anything, and leave deferred mode (`dirs`
        collects the folder to fsync, as `atomic_write`). Returns the tables written (None
        when nothing was)."""
        pending, dirty = self._pending, self.dirty
        self.discard()
        if dirty and pending is not None:
            self.write(pending, dirs)
            return pending
        return None

    def discard(self) -> None:
        self._deferred, self._pending, self.dirty = False, None, False

    def close(self) -> None:
        self.discard()


class StrIdTable(Table):
    """Documents keyed by strings (release ids, source names) rather than counters."""

    document_id_class = str  # type: ignore[assignment]


class StrIdTinyDB(TinyDB):
    table_class = StrIdTable


def open_tinydb(path: Path, read_only: bool = False) -> TinyDB:
    return StrIdTinyDB(path, storage=AtomicJSONStorage, read_only=read_only)


def doc(data: dict[str, Any], doc_id: str) -> Document:
    return Document(data, doc_id=doc_id)  # type: ignore[arg-type]


def new_token() -> str:
    return secrets.token_hex(8)


@dataclass
class Manifest:
    schema: int
    epoch: str
    tokens: dict[str, str] = field(default_factory=dict)
    # How many documents each file held when last written: a file that holds fewer (an older
    # copy, one replaced by `{}`) or is missing has lost data, and is never written over.
    counts: dict[str, int] = field(default_factory=dict)

    def expected(self, name: str) -> int | None:
        """The documents `name` must hold at least; None when the manifest does not list it."""
        if name not in self.tokens:
            return None
        return self.counts.get(name, 0)


_NOUNS = {TRIAGE: ("decisions", "triage"), HEALTH: ("sources", "health")}


def count_of(name: str, data: Tables | None) -> int:
    """The documents of a database file: releases, decisions or sources."""
    table = _NOUNS.get(name, ("releases", "releases"))[1]
    return len((data or {}).get(table, {}))


def check_complete(root: Path, name: str, found: int | None, expected: int | None) -> None:
    """Raise CorruptDatabase when a file the manifest lists is missing (`found` None) or holds
    fewer documents than the manifest records (`expected`)."""
    if expected is None:
        return
    noun = _NOUNS.get(name, ("releases", "releases"))[0]
    if found is None:
        recorded = f"; the manifest records {expected} {noun} in it" if expected else ""
        reason = f"the file is missing{recorded}"
        raise CorruptDatabase(root / name, reason, kind="missing", root=root)
    if found < expected:
        reason = (
            f"it holds {found} {noun} where the manifest records {expected}: "
            "an older copy or a replaced file"
        )
        raise CorruptDatabase(root / name, reason, kind="short", root=root)


def check_version(root: Path, name: str, version: Version, listed: str | None) -> None:
    """Raise CorruptDatabase when the file `name` is neither the version the manifest lists
    (`listed`, None when it lists none) nor one written over that version by a writer killed
    before it updated the manifest. A file that names no base is not judged here."""
    token, base = version
    if listed is None or token == listed or base is None or base == listed:
        return
    reason = "it is not the version the manifest records: an older copy or another file"
    raise CorruptDatabase(root / name, reason, kind="replaced", root=root)


class Transaction:
    """What one writer changes while it holds the lock; files are read from disk on first use."""

    def __init__(self, folder: DatabaseFolder, manifest: Manifest) -> None:
        self.folder = folder
        self.manifest = manifest
        self.written: dict[str, str] = {}  # name -> new token, once committed
        self.read_tokens: dict[str, str] = {}  # name -> token found on disk
        self._dbs: dict[str, TinyDB] = {}

    def tables(self, name: str) -> Tables:
        """The file's tables as on disk now (plus this transaction's changes). A file that
        lost documents the manifest records, or is not the version it records, raises
        CorruptDatabase: it is not written over."""
        if name not in self._dbs:
            root = self.folder.root
            db = open_tinydb(root / name)
            self._storage(db).begin()
            try:
                data = self._storage(db).read() or {}
            except CorruptDatabase as exc:
                exc.root = root
                raise
            found = count_of(name, data) if (root / name).exists() else None
            check_complete(root, name, found, self.manifest.expected(name))
            version = file_version(data)
            check_version(root, name, version, self.manifest.tokens.get(name))
            self._dbs[name] = db
            self.read_tokens[name] = version[0]
            return data
        return self._storage(self._dbs[name]).read() or {}

    def table(self, name: str, table: str) -> Table:
        self.tables(name)
        return self._dbs[name].table(table)

    def put(self, name: str, table: str, docs: dict[str, dict[str, Any]]) -> None:
        """Replace or insert whole documents by id in the file's tables as TinyDB holds them,
        without building a TinyDB `Document` for each: the bulk path of adding releases."""
        if not docs:
            return
        data = self.tables(name)
        data.setdefault(table, {}).update(docs)
        storage = self._storage(self._dbs[name])
        storage.write(data)  # deferred: marks the file changed
        self._dbs[name].table(table).clear_cache()

    def commit(self) -> None:
        on_write = self.folder.on_write
        dirs: set[Path] = set()
        for name, db in self._dbs.items():
            storage = self._storage(db)
            if storage.dirty:
                token, base = new_token(), self.manifest.tokens.get(name, "")
                pending = storage.read() or {}
                meta = {"token": token, "base": base, "schema": SCHEMA_VERSION}
                pending[META_TABLE] = {"file": meta}
                data = storage.flush(dirs)
                self.written[name] = token
                self.manifest.counts[name] = count_of(name, data)
                if on_write is not None and data is not None:
                    on_write(name, data, token, storage.size)
        self.discard()
        for folder in sorted(dirs):  # once for all the files renamed into each
            fsync_dir(folder)
        if self.written:
            self.manifest.tokens.update(self.written)
            self.folder.write_manifest(self.manifest)

    def discard(self) -> None:
        for db in self._dbs.values():
            self._storage(db).discard()
        self._dbs.clear()

    @staticmethod
    def _storage(db: TinyDB) -> AtomicJSONStorage:
        return cast(AtomicJSONStorage, db.storage)
