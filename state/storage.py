"""Atomic, locked TinyDB storage, and the folder that makes one summitwatch database.

A database is a folder (`--db PATH` names it; it is created when missing):

    summitwatch.json        the manifest: schema version, an epoch, a token for every file below
    triage.json             people's decisions (read, triage, starred, note, correction) by id
    health.json             source health by source name
    releases/YYYY-MM.json   releases by month of publication ("undated.json" when unknown)
    .lock                   the writers' lock (filelock)

Every file is a TinyDB database written by `AtomicJSONStorage`: the data goes to a temporary
file in the same folder, is flushed and fsynced, then replaces the old file (os.replace, then
the folder is fsynced). A reader sees the old file or the new one, never half of one; a killed
writer leaves the last complete file behind, so every write that returned survives.

Writers take the lock, read from disk the manifest and every file they change, apply their
change and write (`DatabaseFolder.transaction`): processes never lose each other's updates.
Each written file gets a new random token, kept in the file's `_meta` table and, written last,
in the manifest; readers compare the manifest's tokens with those they loaded and reload only
the files that changed. A poll therefore rewrites one month of releases, not the whole store.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

SCHEMA_VERSION = 1
MANIFEST = "summitwatch.json"
TRIAGE = "triage.json"
HEALTH = "health.json"
RELEASES_DIR = "releases"
LOCK = ".lock"
META_TABLE = "_meta"
LOCK_TIMEOUT = 30.0
# A manifest changed this recently is read even if its stat looks unchanged: file times are
# coarse, and a replaced file may reuse the old inode and have the same size.
RACY_NS = 2_000_000_000

Tables = dict[str, dict[str, Any]]
Signature = tuple[int, int, int]
Migration = Callable[[Path], None]
# MIGRATIONS[n] upgrades a database folder from schema n to n + 1, in place, under the lock.
MIGRATIONS: dict[int, Migration] = {}


class StoreError(Exception):
    """A database problem, in words that name the file and say what to do."""


class CorruptDatabase(StoreError):
    """A database file that cannot be read as JSON tables; it is never overwritten."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"{path}: this database file is damaged ({reason}). Move it aside to start fresh "
            "(it is renamed, not deleted), or restore the database from a backup."
        )

    def move_aside(self) -> Path:
        """Rename the broken file to `<name>.corrupt-<UTC time>` and return its new path."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        count = 1
        while target.exists():
            count += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{count}")
        os.rename(self.path, target)
        return target


class NewerSchema(StoreError):
    """The database was written by a newer summitwatch; it is left untouched."""

    def __init__(self, path: Path, found: int) -> None:
        self.path = path
        self.found = found
        super().__init__(
            f"{path}: written by a newer summitwatch (database schema {found}; this version "
            f"reads up to {SCHEMA_VERSION}). Upgrade summitwatch to open it; nothing was changed."
        )


class ReadOnlyDatabase(StoreError):
    """The database (or one of its files) cannot be written by this user."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: the database is read-only for you. Ask its owner for write access "
            "(chmod u+w or g+w on the folder and its files), or open it read-only."
        )


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
        raise NewerSchema(path, found)
    return cast(Tables, data)


def file_meta(data: Tables) -> dict[str, Any]:
    meta = data.get(META_TABLE, {}).get("file", {})
    return meta if isinstance(meta, dict) else {}


def file_schema(data: Tables) -> int:
    value = file_meta(data).get("schema", 0)
    return value if isinstance(value, int) else 0


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot fsync a folder
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _write_fd(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def atomic_write(path: Path, payload: bytes) -> None:
    """Write `payload` to a temporary file beside `path`, fsync it, and rename it over `path`.

    The file keeps the permission bits of the one it replaces, so a group-shared database stays
    group-writable.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(fd, path.stat().st_mode & 0o7777)
            _write_fd(fd, payload)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ReadOnlyDatabase(path) from exc
        raise StoreError(f"{path}: could not write the database ({exc.strerror}).") from exc


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

    def read(self) -> Tables | None:
        if not self._deferred:
            return read_tables(self.path)
        if self._pending is None:
            self._pending = read_tables(self.path) or {}
        return self._pending

    def write(self, data: Tables) -> None:
        if self.read_only:
            raise ReadOnlyDatabase(self.path)
        if self._deferred:
            self._pending, self.dirty = data, True
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, orjson.dumps(data))

    def begin(self) -> None:
        self._deferred, self._pending, self.dirty = True, None, False

    def flush(self) -> None:
        """Write what the transaction changed, if anything, and leave deferred mode."""
        pending, dirty = self._pending, self.dirty
        self.discard()
        if dirty and pending is not None:
            self.write(pending)

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


class Transaction:
    """What one writer changes while it holds the lock; files are read from disk on first use."""

    def __init__(self, folder: DatabaseFolder, manifest: Manifest) -> None:
        self.folder = folder
        self.manifest = manifest
        self.written: dict[str, str] = {}  # name -> new token, once committed
        self.read_tokens: dict[str, str] = {}  # name -> token found on disk
        self._dbs: dict[str, TinyDB] = {}

    def tables(self, name: str) -> Tables:
        """The file's tables as on disk now (plus this transaction's changes)."""
        if name not in self._dbs:
            db = open_tinydb(self.folder.root / name)
            self._storage(db).begin()
            self._dbs[name] = db
            data = self._storage(db).read() or {}
            self.read_tokens[name] = str(file_meta(data).get("token", ""))
            return data
        return self._storage(self._dbs[name]).read() or {}

    def table(self, name: str, table: str) -> Table:
        self.tables(name)
        return self._dbs[name].table(table)

    def commit(self) -> None:
        for name, db in self._dbs.items():
            storage = self._storage(db)
            if storage.dirty:
                token = new_token()
                meta = {"token": token, "schema": SCHEMA_VERSION}
                db.table(META_TABLE).upsert(doc(meta, "file"))
                storage.flush()
                self.written[name] = token
        self.discard()
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


def _writable(path: Path) -> bool:
    # Write bits are checked as well as access(): root may write anything, but a database its
    # owner marked read-only is meant to stay that way.
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


class DatabaseFolder:
    """The files of one database, its lock and its manifest."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        self.lock_timeout = LOCK_TIMEOUT
        self._lock = FileLock(root / LOCK, timeout=self.lock_timeout)

    def data_files(self) -> list[str]:
        """Every data file present, as names relative to the folder."""
        names = [name for name in (TRIAGE, HEALTH) if (self.root / name).exists()]
        folder = self.root / RELEASES_DIR
        if folder.is_dir():
            names += sorted(f"{RELEASES_DIR}/{p.name}" for p in folder.glob("*.json"))
        return names

    def open(self) -> Manifest:
        """Create the folder or check it; return its manifest. Raises the StoreErrors."""
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(
                f"{self.root}: is a file; a summitwatch database is a folder. "
                "Give --db a folder path (it is created when missing)."
            )
        if self.read_only:
            if not self.root.is_dir():
                raise StoreError(f"{self.root}: no database here to open read-only.")
            return self.read_manifest() or self._fresh_manifest()
        self._check_writable()
        try:
            (self.root / RELEASES_DIR).mkdir(parents=True, exist_ok=True)
        except PermissionError as exc:
            raise ReadOnlyDatabase(self.root) from exc
        with self.locked():
            self._remove_temporary_files()
            manifest = self.read_manifest()
            if manifest is None:
                manifest = self._fresh_manifest()
                self.write_manifest(manifest)
            if manifest.schema < SCHEMA_VERSION:
                manifest = self._migrate(manifest)
        return manifest

    def _check_writable(self) -> None:
        if not self.root.exists():
            return
        paths = [self.root, self.root / MANIFEST, self.root / RELEASES_DIR]
        paths += [self.root / name for name in self.data_files()]
        for path in paths:
            if path.exists() and not _writable(path):
                raise ReadOnlyDatabase(path)

    def _remove_temporary_files(self) -> None:
        # Only called under the lock: no writer is running, so every temporary file is left
        # over from a killed process.
        for folder in (self.root, self.root / RELEASES_DIR):
            for leftover in folder.glob(".*.tmp-*"):
                leftover.unlink(missing_ok=True)

    def _fresh_manifest(self) -> Manifest:
        """A new manifest; files already present (after a broken manifest was moved aside)
        are listed with new tokens so that every reader reloads them."""
        return Manifest(
            SCHEMA_VERSION, new_token(), {name: new_token() for name in self.data_files()}
        )

    def _migrate(self, manifest: Manifest) -> Manifest:
        backup = self.root.with_name(f"{self.root.name}.schema{manifest.schema}-backup")
        if not backup.exists():
            copy_database(self.root, backup)
        for version in range(manifest.schema, SCHEMA_VERSION):
            step = MIGRATIONS.get(version)
            if step is None:
                raise StoreError(f"{self.root}: no migration from database schema {version}.")
            step(self.root)
        manifest = Manifest(SCHEMA_VERSION, new_token(), self._fresh_manifest().tokens)
        self.write_manifest(manifest)
        return manifest

    def signature(self) -> Signature | None:
        try:
            st = os.stat(self.root / MANIFEST)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def may_have_changed(self, seen: Signature | None) -> bool:
        """Cheap: one stat. True when the manifest should be read again."""
        current = self.signature()
        if current is None or current != seen:
            return True
        return time.time_ns() - current[2] < RACY_NS

    def read_manifest(self) -> Manifest | None:
        data = read_tables(self.root / MANIFEST)
        if data is None:
            return None
        meta = data.get("meta", {}).get("db", {})
        schema, epoch = meta.get("schema"), meta.get("epoch")
        if not isinstance(schema, int) or not isinstance(epoch, str):
            raise CorruptDatabase(self.root / MANIFEST, "no schema version or epoch")
        if schema > SCHEMA_VERSION:
            raise NewerSchema(self.root / MANIFEST, schema)
        files = data.get("files", {})
        tokens = {str(k): str(v.get("token", "")) for k, v in files.items() if isinstance(v, dict)}
        return Manifest(schema, epoch, tokens)

    def write_manifest(self, manifest: Manifest) -> None:
        files = {name: {"token": token} for name, token in sorted(manifest.tokens.items())}
        meta = {"schema": manifest.schema, "epoch": manifest.epoch}
        storage = AtomicJSONStorage(self.root / MANIFEST, read_only=self.read_only)
        storage.write({"meta": {"db": meta}, "files": files})

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        if self.read_only:
            raise ReadOnlyDatabase(self.root)
        try:
            self._lock.acquire(timeout=self.lock_timeout)
        except Timeout as exc:
            raise StoreError(
                f"{self.root}: another summitwatch process has held the database lock for "
                f"{self.lock_timeout:.0f} s; try again, or look for a stuck process."
            ) from exc
        except PermissionError as exc:
            raise ReadOnlyDatabase(self.root / LOCK) from exc
        try:
            yield
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the lock, hand out files read from disk, write what changed on success."""
        with self.locked():
            manifest = self.read_manifest()
            if manifest is None:
                raise StoreError(f"{self.root / MANIFEST}: the manifest disappeared; reopen.")
            txn = Transaction(self, manifest)
            try:
                yield txn
            except BaseException:
                txn.discard()
                raise
            txn.commit()


def copy_database(root: Path, dest: Path) -> Path:
    """Copy the database files (not the lock, leftovers or broken files) to a new folder `dest`.

    Consistent when the caller holds the lock. The copy is made beside `dest` and renamed into
    place, so an interrupted backup never looks complete.
    """
    if dest.exists():
        raise StoreError(f"{dest}: already exists; give the backup a new folder name.")
    partial = dest.with_name(f".{dest.name}.partial-{secrets.token_hex(4)}")
    (partial / RELEASES_DIR).mkdir(parents=True)
    try:
        names = [MANIFEST, *DatabaseFolder(root).data_files()]
        for name in names:
            if (root / name).exists():
                shutil.copyfile(root / name, partial / name)
                _fsync_file(partial / name)
        _fsync_dir(partial / RELEASES_DIR)
        _fsync_dir(partial)
        os.rename(partial, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return dest


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
