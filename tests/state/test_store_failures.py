"""The store under real trouble: locks held by other processes, full disks, damaged files."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from state import CorruptDatabase, Store, StoreError, TriageState
from tests.damage import DISK_FULL, fill, lock_held_elsewhere, small_disk
from tests.state.factories import make_item


def _store_with(path: Path, count: int = 3, **kwargs: object) -> Store:
    store = Store(path, **kwargs)  # type: ignore[arg-type]
    store.add([make_item(f"r{n}") for n in range(count)])
    return store


def test_reads_go_on_while_a_write_waits_for_another_process(tmp_path: Path) -> None:
    store = _store_with(tmp_path / "db", lock_timeout=3.0)
    some = store.all()[0].id
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.update([some], triage=TriageState.RELEVANT)
        except StoreError as exc:
            errors.append(exc)

    with lock_held_elsewhere(store.path):
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)  # the writer now waits for the lock
        started = time.monotonic()
        store.refresh()
        assert store.get(some) is not None
        assert len(store.all()) == 3
        waited = time.monotonic() - started
        writer.join()
    assert waited < 1.0, f"a read waited {waited:.1f} s for another process's lock"
    assert errors and "lock" in str(errors[0])


def test_a_write_held_up_by_another_process_says_so_at_once_and_names_it(
    tmp_path: Path,
) -> None:
    store = _store_with(tmp_path / "db", lock_timeout=20.0)
    some = store.all()[0].id
    heard: list[tuple[float, str]] = []
    done: list[float] = []

    def write() -> None:
        with store.telling_waits(lambda words: heard.append((time.monotonic(), words))):
            store.update([some], triage=TriageState.RELEVANT)
        done.append(time.monotonic())

    with lock_held_elsewhere(store.path) as holder:
        started = time.monotonic()
        writer = threading.Thread(target=write)
        writer.start()
        deadline = started + 10
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heard, "the write never said it was waiting"
        assert heard[0][0] - started < 3.0
        assert f"(process {holder.pid})" in heard[0][1], heard
        assert "python" in heard[0][1] and "holds the database lock" in heard[0][1]
        assert not done, "it waits on, as long as the lock timeout"
    writer.join(timeout=10)
    assert done and store.get(some).triage is TriageState.RELEVANT  # type: ignore[union-attr]
    assert len(heard) == 1


def test_a_write_that_never_gets_the_lock_names_who_held_it(tmp_path: Path) -> None:
    store = _store_with(tmp_path / "db", lock_timeout=1.5)
    heard: list[str] = []
    some = store.all()[0].id
    with (
        lock_held_elsewhere(store.path) as holder,
        store.telling_waits(heard.append),
        pytest.raises(StoreError) as caught,
    ):
        store.update([some], starred=True)
    assert len(heard) == 1
    assert f"(process {holder.pid}) has held the database lock for 1.5 s" in str(caught.value)


def test_a_write_on_a_full_disk_fails_with_a_message_and_changes_nothing(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path) as disk:
        store = _store_with(disk / "db")
        some = store.all()[0].id
        filler = fill(disk)
        with pytest.raises(StoreError, match=DISK_FULL):
            store.update([some], triage=TriageState.RELEVANT)
        filler.unlink()
        with Store(disk / "db", read_only=True) as again:
            assert again.get(some).triage is TriageState.NEW  # type: ignore[union-attr]
        store.update([some], triage=TriageState.RELEVANT)
        with Store(disk / "db", read_only=True) as again:
            assert again.get(some).triage is TriageState.RELEVANT  # type: ignore[union-attr]
        store.close()


def _months(path: Path) -> Store:
    """A store of 36 releases over three months (a chunk each) with 6 decisions."""
    store = Store(path)
    for month in ("2023-01", "2023-02", "2023-03"):
        store.add(
            [make_item(f"{month}-{n}", published=f"{month}-10T12:00:00+00:00") for n in range(12)]
        )
    chosen = [r.id for r in store.all()[:6]]
    store.update(chosen, triage=TriageState.RELEVANT)
    return store


def _lose(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    else:
        path.write_text("{}", encoding="utf-8")


@pytest.mark.parametrize("how", ["missing", "emptied"])
@pytest.mark.parametrize("name", ["releases/2023-02.000.json", "triage.json"])
def test_a_lost_or_emptied_file_stops_the_store_and_says_which(
    tmp_path: Path, name: str, how: str
) -> None:
    _months(tmp_path / "db").close()
    _lose(tmp_path / "db" / name, how)
    with pytest.raises(CorruptDatabase) as caught:
        Store(tmp_path / "db")
    assert caught.value.path == tmp_path / "db" / name
    noun = "decisions" if name == "triage.json" else "releases"
    assert f"records {6 if noun == 'decisions' else 12}" in str(caught.value) or how == "missing"
    assert ("missing" if how == "missing" else f"holds 0 {noun}") in str(caught.value)


def test_an_older_copy_of_a_chunk_is_noticed(tmp_path: Path) -> None:
    store = _months(tmp_path / "db")
    chunk = tmp_path / "db" / "releases" / "2023-02.000.json"
    older = chunk.read_bytes()
    store.add([make_item(f"late-{n}", published="2023-02-20T12:00:00+00:00") for n in range(5)])
    store.close()
    chunk.write_bytes(older)
    with pytest.raises(CorruptDatabase, match="holds 12 releases where the manifest records 17"):
        Store(tmp_path / "db")


def test_an_older_copy_holding_as_many_releases_is_named(tmp_path: Path) -> None:
    store = _months(tmp_path / "db")
    chunk = tmp_path / "db" / "releases" / "2023-02.000.json"
    older = chunk.read_bytes()
    seen_again = make_item("2023-02-3", published="2023-02-10T12:00:00+00:00")
    store.add([seen_again], source="state.gov")  # the chunk is rewritten, as many releases
    store.close()
    chunk.write_bytes(older)
    with pytest.raises(CorruptDatabase, match="not the version the manifest records") as caught:
        Store(tmp_path / "db")
    assert caught.value.path == chunk and caught.value.kind == "replaced"
    assert "Move it aside" in str(caught.value)
    moved = caught.value.move_aside()
    assert moved is not None and moved.read_bytes() == older
    with Store(tmp_path / "db") as rest:
        assert len(rest) == 24


def test_an_older_copy_of_the_decisions_with_as_many_is_named(tmp_path: Path) -> None:
    store = _months(tmp_path / "db")
    triage = tmp_path / "db" / "triage.json"
    older = triage.read_bytes()
    store.update([store.all()[0].id], triage=TriageState.BRIEFED)  # still 6 decisions
    store.close()
    triage.write_bytes(older)
    with pytest.raises(CorruptDatabase, match=r"triage\.json.*not the version"):
        Store(tmp_path / "db")


def test_a_running_store_never_writes_over_an_older_copy(tmp_path: Path) -> None:
    store = _months(tmp_path / "db")
    chunk = tmp_path / "db" / "releases" / "2023-03.000.json"
    older = chunk.read_bytes()
    store.add([make_item("2023-03-1", published="2023-03-10T12:00:00+00:00")], source="other")
    chunk.write_bytes(older)
    with pytest.raises(CorruptDatabase, match=r"2023-03\.000\.json.*not the version"):
        store.add([make_item("new", published="2023-03-28T12:00:00+00:00")])
    assert chunk.read_bytes() == older
    fresh = Store(tmp_path / "db", load="none")
    with pytest.raises(CorruptDatabase, match=r"2023-03\.000\.json"):
        fresh.add([make_item("2023-03-2", published="2023-03-10T12:00:00+00:00")], source="x")


def test_files_rewritten_by_others_while_a_store_reads_are_not_called_damaged(
    tmp_path: Path,
) -> None:
    """Reads take no lock: a month loaded late, after other processes rewrote it twice, is
    their version, not an older copy."""
    _months(tmp_path / "db").close()
    reader = Store(tmp_path / "db", load="newest")
    assert not reader.complete
    with Store(tmp_path / "db") as other:
        for source in ("a", "b"):
            copy = make_item("2023-01-4", published="2023-01-10T12:00:00+00:00")
            other.add([copy], source=source)
    reader.load_deferred()
    assert reader.damaged == {} and len(reader) == 36
    reader.refresh()
    assert reader.damaged == {} and len(reader) == 36


def test_a_running_store_never_writes_over_a_file_that_lost_decisions(tmp_path: Path) -> None:
    store = _months(tmp_path / "db")
    triage = tmp_path / "db" / "triage.json"
    triage.write_text("{}", encoding="utf-8")
    some = store.all()[10].id
    with pytest.raises(CorruptDatabase, match=r"triage\.json"):
        store.update([some], starred=True)
    assert triage.read_text(encoding="utf-8") == "{}"
    chunk = tmp_path / "db" / "releases" / "2023-03.000.json"
    chunk.write_text("{}", encoding="utf-8")
    with pytest.raises(CorruptDatabase, match=r"2023-03\.000\.json"):
        store.add([make_item("new", published="2023-03-28T12:00:00+00:00")])
    assert chunk.read_text(encoding="utf-8") == "{}"


def test_moving_a_lost_file_aside_opens_the_rest(tmp_path: Path) -> None:
    _months(tmp_path / "db").close()
    chunk = tmp_path / "db" / "releases" / "2023-02.000.json"
    chunk.write_text('{"releases": {}}', encoding="utf-8")
    with pytest.raises(CorruptDatabase) as caught:
        Store(tmp_path / "db")
    moved = caught.value.move_aside()
    assert moved is not None and moved.read_text(encoding="utf-8") == '{"releases": {}}'
    with Store(tmp_path / "db") as store:
        assert len(store) == 24
        store.add([make_item("after", published="2023-02-11T12:00:00+00:00")])
    with Store(tmp_path / "db") as store:
        assert len(store) == 25
