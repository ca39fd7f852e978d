"""The on-disk dedupe index: duplicates found without loading the store, and never trusted
when it does not match the chunks (missing, damaged, restored from an older copy, or left
behind by a writer killed at any moment)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from state.dedupe import keys_for
from state.engine.keyindex import KEYS_FILE
from state.engine.storage import dump_tables, new_token
from state.store import Store
from tests.state.factories import make_item, make_release

ROOT = Path(__file__).resolve().parents[3]
KILLS = 12


def index_files(db: Path) -> list[Path]:
    return [p for p in db.iterdir() if p.name.startswith(KEYS_FILE)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db"
    with Store(path) as store:
        store.add([make_item(f"r{n}", published=f"202{n % 4}-0{1 + n % 9}-10") for n in range(40)])
    return path


def test_a_copy_is_found_by_guid_link_or_fingerprint_with_nothing_loaded(db: Path) -> None:
    original = make_release("r7")
    copies = [
        make_item("a", guid=original.guid, link="https://elsewhere.gov/a"),
        make_item(
            "b", link=original.link + "?utm_medium=email", title=original.title, text="Edited."
        ),
        make_item("c", guid="", link="", title=original.title, text=original.text),
    ]
    store = Store(db, load="none")
    for copy in copies:
        assert store.add([copy]).new == [], copy.release.id
    assert len(store) == 0, "nothing was loaded to find them"
    assert [r.id for r in store.add([make_item("new one")]).new] == [make_release("new one").id]


def test_copies_within_one_batch_are_found(db: Path) -> None:
    first, second = make_item("x1"), make_item("x2", guid=make_release("x1").guid)
    added = Store(db, load="none").add([first, second]).new
    assert [r.id for r in added] == [first.release.id]


@pytest.mark.parametrize("damage", ["deleted", "garbage", "emptied"])
def test_a_missing_or_damaged_index_is_built_again(db: Path, damage: str) -> None:
    for path in index_files(db):
        path.unlink()
    if damage == "garbage":
        (db / KEYS_FILE).write_bytes(b"\x1b[31m not an index \x00" * 100)
    elif damage == "emptied":
        (db / KEYS_FILE).write_bytes(b"")
    store = Store(db, load="none")
    assert store.add([make_item("r3", published="2023-04-10")]).new == []
    assert [r.id for r in store.add([make_item("r99")]).new] == [make_release("r99").id]
    assert Store(db, load="none").add([make_item("r99")]).new == []


def test_an_index_restored_from_an_older_copy_is_read_again(db: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    Store(db, load="none").add([make_item("before")])
    for path in index_files(db):
        shutil.copy(path, saved / path.name)
    later = [make_item(f"later{n}") for n in range(5)]
    Store(db, load="none").add(later)
    for path in index_files(db):
        path.unlink()
    for path in saved.iterdir():
        shutil.copy(path, db / path.name)
    assert Store(db, load="none").add(later).new == [], "the index knew nothing of them"


def test_a_chunk_restored_from_an_older_copy_is_followed(db: Path, tmp_path: Path) -> None:
    month = "2026-02"
    Store(db).add([make_item("old", published=f"{month}-01")])
    chunk = next((db / "releases").glob(f"{month}.*.json"))
    shutil.copy(chunk, tmp_path / "chunk")
    Store(db).add([make_item("gone", published=f"{month}-02")])
    shutil.copy(tmp_path / "chunk", chunk)  # by hand: "gone" is no longer stored
    added = Store(db, load="none").add([make_item("gone")]).new
    assert [r.id for r in added] == [make_release("gone").id]


def test_a_chunk_rewritten_at_once_with_the_same_size_and_time_is_read_again(db: Path) -> None:
    """Size and time say a chunk is unchanged only once they are old enough to be trusted: a
    writer killed after rewriting a chunk within the same clock tick is still followed."""
    store = Store(db, load="none")
    for seed in ("zeroth", "first"):  # the second write gives the chunk a base of 16 digits
        store.add([make_item(seed, published="2026-03-01")])
    chunk = next((db / "releases").glob("2026-03.*.json"))
    before, raw = chunk.stat(), chunk.read_bytes()
    data = orjson.loads(raw)
    doc = data["releases"].pop(make_release("first").id)
    other = make_release("fir5t", published="2026-03-01")  # as long as "first", field by field
    data["releases"][other.id] = {
        **doc,
        "release": other.to_dict(),
        "keys": keys_for(other).to_dict(),
    }
    meta = data["_meta"]["file"]  # a killed writer's: a new token over the manifest's
    data["_meta"]["file"] = {**meta, "token": new_token(), "base": meta["token"]}
    swapped = dump_tables(data)
    assert len(swapped) == len(raw)
    chunk.write_bytes(swapped)  # what a killed writer left: same size, same time, new token
    os.utime(chunk, ns=(before.st_atime_ns, before.st_mtime_ns))
    added = Store(db, load="none").add([make_item("first", published="2026-03-01")]).new
    assert [r.id for r in added] == [make_release("first").id], "the index followed the chunk"


def test_a_copied_store_is_not_read_again_and_still_finds_its_copies(
    db: Path, tmp_path: Path
) -> None:
    Store(db, load="none").add([make_item("before")])
    time.sleep(0.01)
    copy = tmp_path / "copy"
    shutil.copytree(db, copy)  # sizes and times kept, as a backup restored with them
    store = Store(copy, load="none")
    assert store.add([make_item("before")]).new == []
    assert store.add([make_item("r5", published="2021-06-10")]).new == []


def child(db: Path, start: int) -> None:
    store = Store(db, load="none")
    print("ready", flush=True)
    for i in range(start, start + 10_000):
        added = store.add([make_item(f"k{i}", published=f"2024-{1 + i % 12:02d}-01")]).new
        print(f"add {added[0].id}", flush=True)


def test_every_release_a_killed_writer_reported_is_found_again(tmp_path: Path) -> None:
    db = tmp_path / "db"
    rng = random.Random(20260301)
    reported: set[str] = set()
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.state.engine.test_keyindex", str(db), str(kill * 10_000)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        for line in proc.stdout.read().splitlines():
            reported.add(line.split()[1])
        proc.wait()
    stored = Store(db).all()
    assert len(reported) > KILLS and set(reported) <= {r.id for r in stored}
    # Other ids, the same GUIDs: found only through the index's GUID keys, for every release
    # on disk, including any whose writer was killed before it committed the index.
    copies = [make_item(f"{r.id}-copy", guid=r.release.guid) for r in stored]
    assert Store(db, load="none").add(copies).new == [], "a stored release was taken for new"


if __name__ == "__main__":
    child(Path(sys.argv[1]), int(sys.argv[2]))
