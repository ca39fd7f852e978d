"""The folder that makes one summitwatch database: its files, lock, manifest and migrations.

The layout and the write protocol are described in `state.engine.storage`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from state.engine import storage
from state.engine.storage import (
    HEALTH,
    INDEX_DIR,
    KEYS_FILE,
    LOCK,
    LOCK_TIMEOUT,
    MANIFEST,
    MIGRATIONS,
    RACY_NS,
    RELEASES_DIR,
    TRIAGE,
    AtomicJSONStorage,
    Manifest,
    OnWrite,
    Signature,
    Transaction,
    adopt,
    fsync_dir,
    head_token,
    json_names,
    new_token,
    read_tables,
    writable,
)
from state.errors import CorruptDatabase, NewerSchema, ReadOnlyDatabase, StoreError

__all__ = ["WAIT_NOTICE", "DatabaseFolder", "WaitHandler", "copy_database", "lock_holder"]

# A write that has not had the lock for this long tells its `on_wait` who holds it.
WAIT_NOTICE = 0.5
WaitHandler = Callable[[str], None]


class DatabaseFolder:
    """The files of one database, its lock and its manifest."""

    def __init__(
        self,
        root: Path,
        *,
        read_only: bool = False,
        on_write: OnWrite | None = None,
        on_commit: Callable[[Transaction], None] | None = None,
    ) -> None:
        self.root = root
        self.read_only = read_only
        self.on_write = on_write  # told of every file a transaction wrote (the store's index)
        # Told of every committed transaction, still under the lock (the store's key index).
        self.on_commit = on_commit
        self.lock_timeout = LOCK_TIMEOUT
        self._lock = FileLock(root / LOCK, timeout=self.lock_timeout)

    def data_files(self) -> list[str]:
        """Every data file present, as names relative to the folder."""
        names = [name for name in (TRIAGE, HEALTH) if (self.root / name).exists()]
        return names + [f"{RELEASES_DIR}/{n}" for n in json_names(self.root / RELEASES_DIR)]

    def index_files(self) -> list[str]:
        """Every index file present (caches of the release files), relative to the folder."""
        return [f"{INDEX_DIR}/{n}" for n in json_names(self.root / INDEX_DIR)]

    def open(self, on_wait: WaitHandler | None = None) -> Manifest:
        """Create the folder or check it; return its manifest. Raises the StoreErrors.
        `on_wait` hears who holds the lock when another process keeps it (see `locked`)."""
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
        adopt(self.root / RELEASES_DIR, self.root)
        with self.locked(on_wait):
            adopt(self.root / LOCK, self.root)
            self._remove_temporary_files()
            manifest = self.read_manifest()
            if manifest is None:
                manifest = self._fresh_manifest()
                self.write_manifest(manifest)
            if manifest.schema < storage.SCHEMA_VERSION:
                manifest = self._migrate(manifest)
        return manifest

    def _check_writable(self) -> None:
        """The folders and the files every writer writes; a release chunk is checked when a
        transaction is about to write it (`AtomicJSONStorage.write`), so that opening stays
        the same few checks whatever the store's size."""
        if not self.root.exists():
            return
        names = (MANIFEST, RELEASES_DIR, INDEX_DIR, TRIAGE, HEALTH, KEYS_FILE)
        for path in [self.root, *(self.root / name for name in names)]:
            if path.exists() and not writable(path):
                raise ReadOnlyDatabase(path)

    def _remove_temporary_files(self) -> None:
        # Only called under the lock: no writer is running, so every temporary file is left
        # over from a killed process.
        for folder in (self.root, self.root / RELEASES_DIR, self.root / INDEX_DIR):
            try:
                found = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in found:
                if name.startswith(".") and ".tmp-" in name:
                    (folder / name).unlink(missing_ok=True)

    def _fresh_manifest(self) -> Manifest:
        """A new manifest (a new epoch: every reader reloads); files already present (after a
        broken manifest was moved aside, or a migration) are listed at the version they are,
        or with a new token when their first bytes name none."""
        tokens = {name: head_token(self.root / name) for name in self.data_files()}
        return Manifest(
            storage.SCHEMA_VERSION,
            new_token(),
            {name: token or new_token() for name, token in tokens.items()},
        )

    def _migrate(self, manifest: Manifest) -> Manifest:
        backup = self.root.with_name(f"{self.root.name}.schema{manifest.schema}-backup")
        if not backup.exists():
            copy_database(self.root, backup)
        for version in range(manifest.schema, storage.SCHEMA_VERSION):
            step = MIGRATIONS.get(version)
            if step is None:
                raise StoreError(f"{self.root}: no migration from database schema {version}.")
            step(self.root)
        manifest = Manifest(storage.SCHEMA_VERSION, new_token(), self._fresh_manifest().tokens)
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
        if schema > storage.SCHEMA_VERSION:
            raise NewerSchema(self.root / MANIFEST, schema, storage.SCHEMA_VERSION)
        files = {str(k): v for k, v in data.get("files", {}).items() if isinstance(v, dict)}
        tokens = {name: str(v.get("token", "")) for name, v in files.items()}
        counts = {name: v["count"] for name, v in files.items() if isinstance(v.get("count"), int)}
        return Manifest(schema, epoch, tokens, counts)

    def write_manifest(self, manifest: Manifest) -> None:
        files: dict[str, dict[str, object]] = {}
        for name, token in sorted(manifest.tokens.items()):
            files[name] = {"token": token}
            if name in manifest.counts:
                files[name]["count"] = manifest.counts[name]
        meta = {"schema": manifest.schema, "epoch": manifest.epoch}
        writer = AtomicJSONStorage(self.root / MANIFEST, read_only=self.read_only)
        writer.write({"meta": {"db": meta}, "files": files})

    def forget(self, name: str) -> None:
        """Drop a lost or moved-aside data file from the manifest; every reader reloads."""
        with self.locked():
            manifest = self.read_manifest()
            if manifest is None or name not in manifest.tokens:
                return
            del manifest.tokens[name]
            manifest.counts.pop(name, None)
            manifest.epoch = new_token()
            self.write_manifest(manifest)

    @contextlib.contextmanager
    def locked(self, on_wait: WaitHandler | None = None) -> Iterator[None]:
        """Hold the writers' lock, waiting up to `lock_timeout` for another process. When the
        lock is not free within `WAIT_NOTICE` seconds, `on_wait` hears who holds it (and the
        wait goes on)."""
        if self.read_only:
            raise ReadOnlyDatabase(self.root)
        try:
            if on_wait is None or self.lock_timeout <= WAIT_NOTICE:
                self._lock.acquire(timeout=self.lock_timeout)
            else:
                try:
                    self._lock.acquire(timeout=WAIT_NOTICE)
                except Timeout:
                    on_wait(f"{self.lock_holder()} holds the database lock")
                    self._lock.acquire(timeout=self.lock_timeout - WAIT_NOTICE)
        except Timeout as exc:
            raise StoreError(
                f"{self.root}: {self.lock_holder()} has held the database lock for "
                f"{self.lock_timeout:g} s; try again, or look for a stuck process."
            ) from exc
        except PermissionError as exc:
            raise ReadOnlyDatabase(self.root / LOCK) from exc
        try:
            yield
        finally:
            self._lock.release()

    def lock_holder(self) -> str:
        """Who holds the writers' lock, in words: "summitwatch poll (process 4242)" where the
        system says (Linux's /proc/locks), else "another process"."""
        return lock_holder(self.root / LOCK) or "another process"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the lock, hand out files read from disk, write what changed on success."""
        with self.locked(), self.transaction_held() as txn:
            yield txn

    @contextlib.contextmanager
    def transaction_held(self) -> Iterator[Transaction]:
        """`transaction()` for a caller that holds `locked()` already."""
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
        if self.on_commit is not None:
            self.on_commit(txn)


def lock_holder(lock: Path) -> str | None:
    """The process holding the flock on the file `lock`, named from its command line, from
    /proc/locks; None where the system does not say (not Linux, not visible to us)."""
    try:
        st = os.stat(lock)
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in table.splitlines():
        # "3: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF"; waiters are marked "->"
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK" or "->" in fields:
            continue
        try:
            major, minor, inode = fields[5].split(":")
            same = int(inode) == st.st_ino and (int(major, 16), int(minor, 16)) == (
                os.major(st.st_dev),
                os.minor(st.st_dev),
            )
        except ValueError:
            continue
        if same and fields[4].isdigit():
            return f"{_program(int(fields[4]))} (process {fields[4]})"
    return None


def _program(pid: int) -> str:
    """A process's program in a few words ("summitwatch poll", "python"), printable only."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "a process"
    args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    while len(args) > 1 and os.path.basename(args[0]).startswith("python"):
        if args[1].startswith("-"):
            break
        args = args[1:]  # the script a Python runs, not the interpreter
    if not args:
        return "a process"
    words = [os.path.basename(args[0])]
    if words[0] == "summitwatch":
        words += [a for a in args[1:] if not a.startswith("-")][:1]
    text = " ".join(words)
    return "".join(c for c in text if c.isprintable())[:60] or "a process"


def copy_database(root: Path, dest: Path) -> Path:
    """Copy the database files (not the lock, leftovers or broken files) to a new folder `dest`,
    with the dedupe index (`_copy_keys`).

    Consistent when the caller holds the lock. The copy is made beside `dest` and renamed into
    place, so an interrupted backup never looks complete.
    """
    if dest.exists():
        raise StoreError(f"{dest}: already exists; give the backup a new folder name.")
    partial = dest.with_name(f".{dest.name}.partial-{secrets.token_hex(4)}")
    (partial / RELEASES_DIR).mkdir(parents=True)
    (partial / INDEX_DIR).mkdir()
    try:
        source = DatabaseFolder(root)
        names = [MANIFEST, *source.data_files(), *source.index_files()]
        for name in names:
            if (root / name).exists():
                shutil.copyfile(root / name, partial / name)
                _fsync_file(partial / name)
        if _copy_keys(root / KEYS_FILE, partial / KEYS_FILE):
            _fsync_file(partial / KEYS_FILE)
        fsync_dir(partial / RELEASES_DIR)
        fsync_dir(partial / INDEX_DIR)
        fsync_dir(partial)
        os.rename(partial, dest)
        fsync_dir(dest.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return dest


def _copy_keys(source: Path, target: Path) -> bool:
    """Copy keys.sqlite through SQLite's backup API, which includes what its write-ahead log
    holds; True if copied. The index is a cache of the chunks: where it cannot be read (a
    read-only database whose log SQLite may not open), the copy goes without it and the
    first write to the restored database builds it from the chunks."""
    if not source.exists():
        return False
    import sqlite3

    try:
        reading = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
        with contextlib.closing(reading) as src, contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error:
        for leftover in target.parent.glob(f"{target.name}*"):
            leftover.unlink(missing_ok=True)
        return False
    return True


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
