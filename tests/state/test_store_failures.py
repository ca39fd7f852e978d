"""The store under real trouble: locks held by other processes, full disks, damaged files."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from state import Store, StoreError, TriageState
from tests.damage import fill, lock_held_elsewhere, small_disk
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


def test_a_write_on_a_full_disk_fails_with_a_message_and_changes_nothing(
    tmp_path: Path,
) -> None:
    with small_disk(tmp_path) as disk:
        store = _store_with(disk / "db")
        some = store.all()[0].id
        filler = fill(disk)
        with pytest.raises(StoreError, match="No space left"):
            store.update([some], triage=TriageState.RELEVANT)
        filler.unlink()
        with Store(disk / "db", read_only=True) as again:
            assert again.get(some).triage is TriageState.NEW  # type: ignore[union-attr]
        store.update([some], triage=TriageState.RELEVANT)
        with Store(disk / "db", read_only=True) as again:
            assert again.get(some).triage is TriageState.RELEVANT  # type: ignore[union-attr]
        store.close()
