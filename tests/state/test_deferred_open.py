"""Opening with older months deferred: the newest first, the rest on demand, and no write or
refresh ever working on part of the store."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from feeds.models import SourceHealth
from state import store as store_module
from state.store import Store
from tests.state.factories import make_item

MONTHS = ["2021-03", "2022-07", "2023-01", "2024-05", "2025-11"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three releases in each of five months, and two without a date."""
    monkeypatch.setattr(store_module, "FIRST_CHUNKS", 2)
    path = tmp_path / "summitwatch.db"
    items = [
        make_item(f"{month}-{n}", published=f"{month}-1{n}T09:00:00+00:00")
        for month in MONTHS
        for n in range(3)
    ]
    items += [make_item(f"undated-{n}", published="") for n in range(2)]
    with Store(path) as store:
        store.add(items)
    return path


def months_listed(store: Store) -> set[str]:
    return {r.release.published[:7] or "undated" for r in store.all()}


def test_only_the_newest_months_and_the_undated_are_loaded_first(db: Path) -> None:
    store = Store(db, load="newest")
    assert not store.complete
    assert months_listed(store) == {"2025-11", "2024-05", "undated"}
    full = Store(db).all()
    # What is listed first is exactly the top of the whole list.
    assert store.all() == full[: len(store.all())]
    store.load_deferred()
    assert store.complete
    assert store.all() == full


def test_an_add_finds_copies_in_deferred_months_without_loading_them(db: Path) -> None:
    store = Store(db, load="newest")
    again = make_item("2021-03-0", published="2021-03-10T09:00:00+00:00")
    result = store.add([again])  # a copy of a release in a deferred month
    assert result.new == [] and not store.complete
    assert "2021-03" not in months_listed(store)
    store.load_deferred()
    assert len(store) == len(Store(db)) == 17


def test_a_triage_write_keeps_the_deferred_months(db: Path) -> None:
    store = Store(db, load="newest")
    newest = store.all()[0]
    store.update([newest.id], starred=True)
    assert store.complete and len(store.all()) == 17
    reopened = Store(db)
    assert reopened.get(newest.id).starred  # type: ignore[union-attr]
    assert len(reopened) == 17


def test_a_refresh_loads_what_others_wrote_and_leaves_the_rest_deferred(db: Path) -> None:
    store = Store(db, load="newest")
    with Store(db) as other:
        other.add([make_item("late", published="2020-02-02T09:00:00+00:00")])
    assert store.refresh()
    assert "2020-02" in months_listed(store) and "2021-03" not in months_listed(store)
    assert not store.complete
    store.load_deferred()
    assert store.complete and len(store) == 18
    assert store.all() == Store(db).all()


def test_nothing_loaded_until_a_write_needs_the_releases(db: Path) -> None:
    store = Store(db, load="none")
    assert len(store) == 0 and not store.complete
    store.record_health([SourceHealth(source="pm.gc.ca", items_seen=3)])
    assert len(store) == 0, "source health touches no release"
    assert store.health()["pm.gc.ca"].items_seen == 3
    store.load_deferred()
    assert store.get(Store(db).all()[-1].id) is not None and store.complete
    again = Store(db, load="none")
    result = again.add([make_item("2021-03-1", published="2021-03-11T09:00:00+00:00")])
    assert result.new == [] and len(again) == 0  # a copy: found, and nothing loaded for it
    fresh = again.add([make_item("new", published="2021-03-12T09:00:00+00:00")]).new
    assert [r.id for r in fresh] == [make_item("new").release.id] and not again.complete
    assert len(Store(db)) == 18


def test_an_add_into_a_deferred_month_holds_only_what_it_added(db: Path) -> None:
    store = Store(db, load="none")
    added = store.add([make_item("new", published="2021-03-12T09:00:00+00:00")]).new
    assert len(store) == 1, "the month's other releases stay on disk"
    assert store.get(added[0].id) is not None and not store.complete
    store.load_deferred()
    assert store.complete and store.all() == Store(db).all() and len(store) == 18


def test_an_old_month_rewritten_by_another_process_is_seen(db: Path) -> None:
    store = Store(db, load="newest")
    old = next(r for r in Store(db).all() if r.release.published.startswith("2021-03-10"))
    copy = make_item("2021-03-0", published=old.release.published)
    with Store(db) as other:
        other.add([copy], source="state.gov")  # its chunk is rewritten with one more source
        other.update([old.id], note="seen in 2021")
    store.load_deferred()
    store.refresh()
    again = store.get(old.id)
    assert again is not None and again.note == "seen in 2021"
    assert again.sources == (*old.sources, "state.gov")


def test_an_ordinary_open_loads_everything(db: Path) -> None:
    store = Store(db)
    assert store.complete and len(store) == 17


def test_loading_in_a_thread_while_people_triage(db: Path) -> None:
    store = Store(db, load="newest")
    newest = [r.id for r in store.all()]
    loader = threading.Thread(target=store.load_deferred)
    loader.start()
    for n, release_id in enumerate(newest):
        store.update([release_id], note=f"note {n}")
        assert len(store.all()) >= len(newest)
    loader.join(10)
    assert store.complete and len(store.all()) == 17
    assert [store.get(i).note for i in newest] == [  # type: ignore[union-attr]
        f"note {n}" for n in range(len(newest))
    ]
