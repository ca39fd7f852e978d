"""Months in chunks: bulk adds write new chunks and never rewrite full ones; schema 2 months
are split; a release seen again unchanged costs no text normalisation."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from state.engine import chunks, storage, writes
from state.engine.chunks import ChunkFiller, chunk_name, chunk_number, month_for, month_of
from state.engine.folder import DatabaseFolder
from state.engine.migrate import split_months
from state.store import Store
from tests.state.engine.test_migrate import v1_doc
from tests.state.factories import make_item, make_items

LIMIT = 4_000  # a few releases a chunk


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", LIMIT)
    return tmp_path / "summitwatch.db"


def chunk_files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((db / "releases").glob("*.json"))}


def test_names_say_the_month_and_the_chunk() -> None:
    assert month_for("2025-11-03T12:00:00+00:00") == "2025-11" and month_for("") == "undated"
    name = chunk_name("2025-11", 3)
    assert name == "releases/2025-11.003.json"
    assert (month_of(name), chunk_number(name)) == ("2025-11", 3)
    assert (month_of("releases/2025-11.json"), chunk_number("releases/2025-11.json")) == (
        "2025-11",
        None,
    )


def test_the_filler_tops_up_the_last_chunk_then_starts_the_next(tmp_path: Path) -> None:
    (tmp_path / "releases").mkdir()
    (tmp_path / chunk_name("2025-11", 2)).write_bytes(b"x" * 600)
    known = [chunk_name("2025-11", n) for n in range(3)]
    filler = ChunkFiller(tmp_path, known, limit=1000)
    assert filler.place("2025-11", 300) == chunk_name("2025-11", 2)
    assert filler.place("2025-11", 300) == chunk_name("2025-11", 3)
    assert filler.place("2025-12", 5000) == chunk_name("2025-12", 0)  # one too big: alone
    assert filler.place("2025-12", 10) == chunk_name("2025-12", 1)


def test_a_bulk_add_fills_chunks_and_the_next_rewrites_no_full_one(db: Path) -> None:
    store = Store(db)
    store.add(make_items(20))
    first = chunk_files(db)
    assert len(first) > 3 and all(len(data) <= 2 * LIMIT for data in first.values())
    store.add(make_items(20, prefix="s"))
    second = chunk_files(db)
    rewritten = [name for name in first if second[name] != first[name]]
    assert rewritten in ([], [max(first)])  # at most the last, partly filled chunk
    again = Store(db)
    assert len(again.all()) == 40
    assert all(again.get(r.id) is not None for r in again.all())
    assert sorted(p.name for p in (db / "index").glob("*.json")) == sorted(second)


def test_edits_rewrite_the_chunk_the_release_lives_in(db: Path) -> None:
    store = Store(db)
    added = store.add(make_items(20)).new
    before = chunk_files(db)
    home = store._mem.where[added[0].id].removeprefix("releases/")
    changed = store.add([make_item("r0", title="Corrected title")]).changed
    assert [r.id for r in changed] == [added[0].id]
    after = chunk_files(db)
    assert [name for name in before if after[name] != before[name]] == [home]
    assert Store(db).get(added[0].id).release.title == "Corrected title"  # type: ignore[union-attr]


def test_a_release_seen_again_unchanged_is_not_normalised_again(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(db).add(make_items(5))
    store = Store(db)

    def no_keys(*args: object) -> None:
        raise AssertionError("keys computed for an unchanged release")

    with monkeypatch.context() as patch:
        patch.setattr(writes, "keys_for", no_keys)
        result = store.add(make_items(5))
    assert result.new == [] and result.changed == []
    edited = store.add([make_item("r1", text="A different text about the summit, long enough.")])
    assert [r.release.text[:11] for r in edited.changed] == ["A different"]


def write_v2(db: Path, count: int) -> list[str]:
    """A schema 2 database: one month file with its index, as the previous version wrote."""
    items = make_items(count)
    (db / "releases").mkdir(parents=True)
    meta = {"_meta": {"file": {"token": "bbbb", "schema": 2}}}
    docs = {item.release.id: v1_doc(item) for item in items}
    (db / "releases" / "2023-01.json").write_bytes(orjson.dumps({**meta, "releases": docs}))
    files = {"releases/2023-01.json": {"token": "bbbb"}}
    manifest = {"meta": {"db": {"schema": 2, "epoch": "e2"}}, "files": files}
    (db / "summitwatch.json").write_bytes(orjson.dumps(manifest))
    return [item.release.id for item in items]


def test_a_schema_2_database_is_split_into_chunks_after_a_backup(db: Path) -> None:
    ids = write_v2(db, 12)
    assert len(Store(db, read_only=True).all()) == 12  # read as it is, untouched
    store = Store(db)
    assert DatabaseFolder(db).read_manifest().schema == storage.SCHEMA_VERSION  # type: ignore[union-attr]
    assert (db.parent / "summitwatch.db.schema2-backup" / "releases" / "2023-01.json").exists()
    names = sorted(chunk_files(db))
    assert len(names) > 1 and all(chunk_number(f"releases/{n}") is not None for n in names)
    assert sorted(p.name for p in (db / "index").glob("*.json")) == names
    assert sorted(r.id for r in store.all()) == sorted(ids)
    assert all(store.get(i) is not None and store.get(i).release.text for i in ids)  # type: ignore[union-attr]


def test_splitting_again_after_a_kill_gives_the_same_chunks(db: Path) -> None:
    write_v2(db, 12)
    month = (db / "releases" / "2023-01.json").read_bytes()
    split_months(db, limit=LIMIT)
    first = {n: orjson.loads(b)["releases"] for n, b in chunk_files(db).items()}
    (db / "releases" / "2023-01.json").write_bytes(month)  # killed before the month went
    split_months(db, limit=LIMIT)
    again = {n: orjson.loads(b)["releases"] for n, b in chunk_files(db).items()}
    assert again == first and not (db / "releases" / "2023-01.json").exists()
