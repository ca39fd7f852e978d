from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from state.engine import storage
from state.engine.folder import DatabaseFolder
from state.engine.storage import (
    AtomicJSONStorage,
    CorruptDatabase,
    NewerSchema,
    StoreError,
    atomic_write,
    read_tables,
)


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "db.json"
    target.write_text("old")
    atomic_write(target, b'{"a": {}}')
    assert target.read_bytes() == b'{"a": {}}'
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]


def test_atomic_write_keeps_the_permission_bits_of_a_shared_file(tmp_path: Path) -> None:
    target = tmp_path / "db.json"
    target.write_text("{}")
    target.chmod(0o660)
    atomic_write(target, b"{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o660


def test_tinydb_reads_back_what_it_wrote_through_the_storage(tmp_path: Path) -> None:
    db = TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage)
    db.insert({"title": "Cumbre"})
    again = TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage)
    assert again.all() == [{"title": "Cumbre"}]


def test_deferred_writes_reach_the_disk_once_at_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[Path] = []
    real = storage.atomic_write

    def counting(path: Path, payload: bytes, **options: Any) -> None:
        writes.append(path)
        real(path, payload, **options)

    monkeypatch.setattr(storage, "atomic_write", counting)
    db = TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage)
    store = db.storage
    assert isinstance(store, AtomicJSONStorage)
    store.begin()
    db.insert({"n": 1})
    db.insert({"n": 2})
    assert writes == [] and not (tmp_path / "t.json").exists()
    store.flush()
    assert writes == [tmp_path / "t.json"]
    assert len(TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage).all()) == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"releases": {"1": {"title": "cut sh', "truncated or not JSON"),
        (b"\x00\x01garbage", "truncated or not JSON"),
        (b'["a", "list"]', "not TinyDB tables"),
    ],
)
def test_a_broken_file_gets_an_error_that_names_it(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "2023-01.json"
    path.write_bytes(content)
    with pytest.raises(CorruptDatabase, match=reason) as caught:
        read_tables(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert "Move it aside" in str(caught.value)


def test_move_aside_renames_the_broken_file_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "triage.json"
    path.write_bytes(b"{broken")
    with pytest.raises(CorruptDatabase) as caught:
        read_tables(path)
    moved = caught.value.move_aside()
    assert not path.exists()
    assert moved.read_bytes() == b"{broken"
    assert moved.name.startswith("triage.json.corrupt-")


def test_a_file_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    path.write_bytes(orjson.dumps({"_meta": {"file": {"schema": 99, "token": "x"}}}))
    with pytest.raises(NewerSchema, match="newer summitwatch"):
        read_tables(path)


def test_a_database_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_text("{}")
    with pytest.raises(StoreError, match="is a folder"):
        DatabaseFolder(path).open()


def test_opening_removes_temporary_files_left_by_a_killed_writer(tmp_path: Path) -> None:
    DatabaseFolder(tmp_path / "db").open()
    leftover = tmp_path / "db" / "releases" / ".2023-01.json.tmp-123-abcd"
    leftover.write_text("half")
    DatabaseFolder(tmp_path / "db").open()
    assert not leftover.exists()


def test_a_writer_waiting_too_long_for_the_lock_gets_a_clear_error(tmp_path: Path) -> None:
    holder = DatabaseFolder(tmp_path / "db")
    holder.open()
    waiter = DatabaseFolder(tmp_path / "db")
    waiter.lock_timeout = 0.2
    with holder.locked(), pytest.raises(StoreError, match="held the database lock"):
        waiter.open()


def test_transaction_writes_changed_files_then_the_manifest(tmp_path: Path) -> None:
    folder = DatabaseFolder(tmp_path / "db")
    before = folder.open()
    with folder.transaction() as txn:
        txn.table("triage.json", "triage").insert({"note": "x"})
        txn.tables("health.json")  # read but not changed: not written
    manifest = folder.read_manifest()
    assert manifest is not None and manifest.epoch == before.epoch
    assert set(manifest.tokens) == {"triage.json"}
    assert not (tmp_path / "db" / "health.json").exists()
    data = read_tables(tmp_path / "db" / "triage.json")
    assert data is not None and data["_meta"]["file"]["token"] == manifest.tokens["triage.json"]


def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    folder = DatabaseFolder(tmp_path / "db")
    folder.open()
    with pytest.raises(RuntimeError), folder.transaction() as txn:
        txn.table("triage.json", "triage").insert({"note": "x"})
        raise RuntimeError("boom")
    assert not (tmp_path / "db" / "triage.json").exists()
    assert os.listdir(tmp_path / "db" / "releases") == []
