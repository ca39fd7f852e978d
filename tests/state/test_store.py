from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from feeds.models import SourceHealth
from state.dedupe import keys_for
from state.engine import folder, storage
from state.records import Correction, TriageState
from state.store import (
    CorruptDatabase,
    NewerSchema,
    ReadOnlyDatabase,
    Store,
    StoreError,
)
from tests.state.factories import LOREM, make_classification, make_item, make_items

NOW = "2023-01-12T08:00:00+00:00"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "summitwatch.db"


@pytest.fixture
def store(db: Path) -> Store:
    return Store(db)


def test_a_new_database_is_a_folder_with_a_manifest(db: Path) -> None:
    with Store(db) as store:
        store.add([make_item("a"), make_item("b", published="2022-11-03T00:00:00+00:00")])
    names = sorted(str(p.relative_to(db)) for p in db.rglob("*.json"))
    assert names == [
        "index/2022-11.000.json",
        "index/2023-01.000.json",
        "releases/2022-11.000.json",
        "releases/2023-01.000.json",
        "summitwatch.json",
    ]


def test_added_releases_are_there_after_reopening_newest_first(db: Path, store: Store) -> None:
    result = store.add(
        [make_item("old", published="2022-01-01T00:00:00+00:00"), make_item("new")], now=NOW
    )
    assert [r.release.title for r in result.new] == [
        "Release old on the summit",
        "Release new on the summit",
    ]
    again = Store(db)
    assert [r.id for r in again.all()] == [result.new[1].id, result.new[0].id]
    assert again.get(result.new[0].id) == result.new[0]
    assert result.new[0].first_seen == NOW


def test_add_can_answer_with_light_records(store: Store) -> None:
    first = store.add([make_item("a")], light=True).new[0]
    assert first.release.text == "" and dict(first.classification.evidence) == {}
    assert first == store.all()[0]
    edited = store.add([make_item("a", title="A corrected title")], light=True).changed[0]
    assert edited.release.title == "A corrected title" and edited.release.text == ""
    full = store.get(first.id)
    assert full is not None and full.release.text and full.classification.evidence


def test_keys_computed_by_the_caller_are_the_ones_used(store: Store) -> None:
    first = make_item("a")
    store.add([first])
    # Keys that say "the release a" make another release a copy of it: they were used as given.
    other = make_item("b", link="https://example.gov/news/a-again", guid="another-guid-b")
    assert store.add([other], keys=[keys_for(first.release)]).new == []
    assert store.add([other], keys=[None]).new != []  # None: computed here, so it is new


def test_known_finds_releases_stored_under_their_id_or_as_a_copy(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        store.add([make_item("a")])
    # Another process, that loads no release (as a poll does), asks.
    with Store(tmp_path / "db", load="none") as store:
        a = make_item("a").release
        copy = make_item("c", title=a.title, text=a.text).release
        assert copy.id != a.id
        assert store.known([a, copy, make_item("b").release]) == {a.id, copy.id}
        assert store.known([]) == set()


def test_the_same_release_twice_is_stored_once(store: Store) -> None:
    store.add([make_item("a")])
    second = store.add([make_item("a"), make_item("a")])
    assert second.new == [] and second.changed == []
    assert len(store.all()) == 1


@pytest.mark.parametrize(
    "copy",
    [
        {"guid": "https://example.gov/guid/a", "link": "https://mirror.gov/x", "text": "Other."},
        {
            "link": "https://www.example.gov/news/a/?utm_source=twitter",
            "guid": "",
            "title": "Release a on the summit",  # a shared link alone is not enough
            "text": "B.",
        },
        {
            "link": "https://mirror.gov/y",
            "guid": "",
            "title": "Release a on the summit",
            "text": f"{LOREM} Item a.",
        },
    ],
    ids=["same-guid", "same-canonical-url", "same-text"],
)
def test_a_copy_from_another_source_is_stored_once_listing_both_sources(
    store: Store, copy: dict[str, Any]
) -> None:
    first = store.add([make_item("a")]).new[0]
    again = store.add([make_item("a-copy", source="gob.mx", **copy)])
    assert again.new == []
    assert [r.id for r in store.all()] == [first.id]
    assert store.all()[0].sources == ("pm.gc.ca", "gob.mx")


def test_an_edited_release_keeps_its_triage_and_records_when_it_changed(store: Store) -> None:
    first = store.add([make_item("a")], now=NOW).new[0]
    store.update([first.id], triage=TriageState.RELEVANT, note="brief the DM")
    result = store.add([make_item("a", title="Corrected title")], now="2023-01-13T00:00:00+00:00")
    assert result.new == [] and [r.id for r in result.changed] == [first.id]
    edited = store.get(first.id)
    assert edited is not None
    assert edited.release.title == "Corrected title"
    assert (edited.triage, edited.note) == (TriageState.RELEVANT, "brief the DM")
    assert (edited.first_seen, edited.changed_at) == (NOW, "2023-01-13T00:00:00+00:00")


def test_a_summary_only_copy_does_not_count_as_an_edit(store: Store) -> None:
    store.add([make_item("a")])
    result = store.add([make_item("a", text="", summary="Just a summary of the full text here.")])
    assert result.changed == []
    stored = store.get(store.all()[0].id)
    assert stored is not None and stored.release.text.startswith("The leaders")


def test_decisions_are_stored_and_survive_reopening(db: Path, store: Store) -> None:
    ids = [r.id for r in store.add(make_items(3)).new]
    correction = Correction(summit=False, pillars_added=("health",))
    updated = store.update(ids[:2], read=True, starred=True, triage="follow_up")
    store.update([ids[0]], note="call Ottawa", correction=correction)
    assert [r.id for r in updated] == ids[:2]
    again = Store(db).get(ids[0])
    assert again is not None
    assert (again.read, again.starred, again.triage) == (True, True, TriageState.FOLLOW_UP)
    assert (again.note, again.correction) == ("call Ottawa", correction)
    assert again.summit is False and "health" in again.pillars


def test_update_refuses_fields_that_are_not_decisions(store: Store) -> None:
    ids = [r.id for r in store.add(make_items(1)).new]
    with pytest.raises(TypeError, match="title"):
        store.update(ids, title="x")


def test_update_of_an_unknown_id_changes_nothing(store: Store) -> None:
    assert store.update(["nope"], read=True) == []


def test_reclassifying_keeps_triage_and_corrections(db: Path, store: Store) -> None:
    first = store.add([make_item("a")]).new[0]
    store.update([first.id], triage="relevant", correction=Correction(pillars_removed=("climate",)))
    new = make_classification(pillars=("climate", "security"))
    assert store.replace_classifications([(first.id, new), ("missing", new)]) == 1
    assert store.replace_classifications([(first.id, new)]) == 0
    again = Store(db).get(first.id)
    assert again is not None
    assert again.classification == new and again.triage == TriageState.RELEVANT
    assert again.pillars == ("security",)


def test_source_health_is_stored_by_source(db: Path, store: Store) -> None:
    store.record_health([SourceHealth("gob.mx", status=200, items_seen=3)])
    store.record_health(
        [
            SourceHealth("gob.mx", status=500, consecutive_failures=1),
            SourceHealth("pm.gc.ca", status=304),
        ]
    )
    health = Store(db).health()
    assert health["gob.mx"] == SourceHealth("gob.mx", status=500, consecutive_failures=1)
    assert set(health) == {"gob.mx", "pm.gc.ca"}


def test_refresh_shows_what_another_process_stored(db: Path, store: Store) -> None:
    other = Store(db)
    assert other.refresh() is False
    added = store.add(make_items(2)).new
    store.update([added[0].id], starred=True)
    assert other.refresh() is True
    assert {r.id for r in other.all()} == {r.id for r in added}
    seen = other.get(added[0].id)
    assert seen is not None and seen.starred


def test_writes_merge_with_what_another_process_wrote_in_between(db: Path, store: Store) -> None:
    other = Store(db)
    ids = [r.id for r in store.add(make_items(2)).new]
    other.add([make_item("from-other")])  # other has not refreshed: it must catch up
    other.update(ids[:1], note="seen by other")
    store.update(ids[:1], triage="relevant")
    final = Store(db).get(ids[0])
    assert final is not None and (final.note, final.triage) == ("seen by other", "relevant")
    assert len(Store(db).all()) == 3


def test_bodies_of_old_non_summit_releases_are_pruned_to_metadata(db: Path, store: Store) -> None:
    store.add(
        [
            make_item("old-other", summit=False, published="2022-01-01T00:00:00+00:00"),
            make_item("old-summit", published="2022-01-01T00:00:00+00:00"),
            make_item("new-other", summit=False, published="2023-01-10T00:00:00+00:00"),
        ]
    )
    assert store.prune_bodies(older_than_days=90, now=NOW) == 1
    bodies = {r.release.title.split()[1]: r.release.text for r in Store(db).iter_full()}
    assert bodies["old-other"] == ""
    assert bodies["old-summit"] and bodies["new-other"]
    assert (
        store.add(
            [make_item("old-other", summit=False, published="2022-01-01T00:00:00+00:00")]
        ).changed
        == []
    )


def test_backup_is_a_database_that_opens_with_everything(tmp_path: Path, store: Store) -> None:
    ids = [r.id for r in store.add(make_items(3)).new]
    store.update(ids[:1], note="kept")
    dest = store.backup(tmp_path / "backup")
    copy = Store(dest)
    assert [r.id for r in copy.all()] == [r.id for r in store.all()]
    assert copy.get(ids[0]).note == "kept"  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="already exists"):
        store.backup(tmp_path / "backup")


@pytest.mark.parametrize("keys", ["copied", "lost"])
def test_a_restored_backup_dedupes_against_what_it_holds(
    tmp_path: Path, store: Store, keys: str
) -> None:
    """The backup copies the dedupe index (keys.sqlite) with the chunks; a backup without it
    (a read-only database's, or one copied by hand) builds it again at its first write."""
    kept = make_items(5, published="2024-03-10")
    store.add(kept)
    dest = store.backup(tmp_path / "backup")
    assert (dest / "keys.sqlite").exists()
    later = make_items(3, prefix="later", published="2024-03-11")
    store.add(later)
    restored = tmp_path / "restored"
    shutil.copytree(dest, restored)
    if keys == "lost":
        (restored / "keys.sqlite").unlink()
    again = Store(restored, load="none")
    assert again.add(kept).new == [], "what the backup holds is known"
    by_guid = make_item("elsewhere", guid=kept[0].release.guid, published="2024-03-12")
    assert again.add([by_guid]).new == []
    assert [r.id for r in again.add(later).new] == [i.release.id for i in later]
    again.close()
    assert len(Store(restored)) == 8


def test_a_database_named_by_a_relative_path_is_backed_up_with_its_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Store(Path("db")) as store:
        store.add(make_items(2))
        dest = store.backup(Path("copy"))
    assert (tmp_path / "copy" / "keys.sqlite").exists() and not dest.is_absolute()


def test_import_adds_releases_and_never_overrides_a_local_decision(
    tmp_path: Path, store: Store
) -> None:
    ids = [r.id for r in store.add(make_items(2)).new]
    store.update([ids[0]], triage="not_relevant")
    other = Store(tmp_path / "other")
    other.add(make_items(3))
    other.update(ids, triage="relevant", note="from the other desk")
    assert store.import_records(other.iter_full()) == 3
    first, second = store.get(ids[0]), store.get(ids[1])
    assert first is not None and second is not None
    assert (first.triage, first.note) == (TriageState.NOT_RELEVANT, "from the other desk")
    assert (second.triage, second.note) == (TriageState.RELEVANT, "from the other desk")
    assert len(store.all()) == 3


def test_events_group_releases_of_one_statement(store: Store) -> None:
    text = (
        "Leaders agree to a 1,250 million investment in Monterrey and Querétaro, "
        "a Semiconductor Forum on 17 March and 4,000 scholarships by 2027."
    )
    es = (
        "Los líderes acuerdan una inversión de 1.250 millones en Monterrey y Querétaro, "
        "un Foro de Semiconductores el 17 de marzo y 4.000 becas para 2027."
    )
    added = store.add(
        [make_item("en", text=text), make_item("es", text=es, source="gob.mx", language="es")]
    ).new
    assert [sorted(g) for g in store.events()] == [sorted(r.id for r in added)]


def test_methods_can_be_called_from_a_worker_thread(store: Store) -> None:
    errors: list[BaseException] = []

    def work(prefix: str) -> None:
        try:
            for item in make_items(5, prefix=prefix):
                store.add([item])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(store.all()) == 10


# -- damaged, newer and read-only databases --------------------------------------------


def damaged(db: Path, name: str, content: bytes) -> Path:
    with Store(db) as store:
        ids = [r.id for r in store.add([make_item("a")]).new]
        store.update(ids, note="n")
        store.record_health([SourceHealth("gob.mx")])
    path = db / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "name", ["summitwatch.json", "triage.json", "health.json", "releases/2023-01.000.json"]
)
@pytest.mark.parametrize(
    "content",
    [b"", b'{"releases": {"a": {"ti', b"not json"],
    ids=["empty", "truncated", "not-json"],
)
def test_a_damaged_file_gets_a_clear_error_naming_it_and_is_not_overwritten(
    db: Path, name: str, content: bytes
) -> None:
    path = damaged(db, name, content)
    with pytest.raises(CorruptDatabase) as caught:
        Store(db)
    assert caught.value.path == path and str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_moving_a_damaged_file_aside_starts_that_part_fresh(db: Path) -> None:
    damaged(db, "releases/2023-01.000.json", b"{")
    with pytest.raises(CorruptDatabase) as caught:
        Store(db)
    moved = caught.value.move_aside()
    store = Store(db)
    assert store.all() == [] and moved.read_bytes() == b"{"
    assert store.add([make_item("a")]).new  # the release comes back, its note waiting for it
    assert store.all()[0].note == "n"


def test_moving_a_damaged_manifest_aside_keeps_the_releases(db: Path) -> None:
    damaged(db, "summitwatch.json", b"")
    with pytest.raises(CorruptDatabase) as caught:
        Store(db)
    caught.value.move_aside()
    assert [r.note for r in Store(db).all()] == ["n"]


def test_a_database_from_a_newer_version_is_refused_and_left_alone(db: Path) -> None:
    Store(db).add([make_item("a")])
    manifest = db / "summitwatch.json"
    data = orjson.loads(manifest.read_bytes())
    data["meta"]["db"]["schema"] = storage.SCHEMA_VERSION + 1
    manifest.write_bytes(orjson.dumps(data))
    before = {p: p.read_bytes() for p in db.rglob("*.json")}
    with pytest.raises(NewerSchema, match="Upgrade summitwatch"):
        Store(db)
    assert {p: p.read_bytes() for p in db.rglob("*.json")} == before


def test_an_older_database_is_migrated_after_a_backup(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store(db).add([make_item("a")])
    steps: list[Path] = []
    current = storage.SCHEMA_VERSION
    newer = current + 1
    monkeypatch.setattr(storage, "SCHEMA_VERSION", newer)
    monkeypatch.setitem(storage.MIGRATIONS, current, steps.append)
    store = Store(db)
    assert steps == [db] and len(store.all()) == 1
    assert (db.parent / f"summitwatch.db.schema{current}-backup" / "summitwatch.json").exists()
    assert folder.DatabaseFolder(db).read_manifest().schema == newer  # type: ignore[union-attr]


def test_a_read_only_database_gets_a_clear_error(db: Path) -> None:
    Store(db).add([make_item("a")])
    for path in db.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    db.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyDatabase, match="read-only for you"):
            Store(db)
        viewer = Store(db, read_only=True)
        assert len(viewer.all()) == 1
        with pytest.raises(ReadOnlyDatabase):
            viewer.update([viewer.all()[0].id], read=True)
    finally:
        for path in [db, *db.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_chunk_marked_read_only_is_never_replaced(db: Path) -> None:
    """Opening checks the folders and the few files every write touches; a release chunk is
    checked when a write is about to replace it."""
    Store(db).add([make_item("a", published="2023-01-10")])
    chunk = next((db / "releases").glob("2023-01.*.json"))
    before = chunk.read_bytes()
    chunk.chmod(0o444)
    try:
        store = Store(db)
        with pytest.raises(ReadOnlyDatabase) as caught:
            store.add([make_item("b", published="2023-01-11")])
        assert caught.value.path == chunk and chunk.read_bytes() == before
        assert [r.id for r in store.add([make_item("c", published="2024-02-01")]).new]
    finally:
        chunk.chmod(0o644)


def test_a_release_type_is_kept_with_the_full_record(db: Path, store: Store) -> None:
    item = make_item("t1")
    typed = replace(item, release=replace(item.release, release_type="Comunicado"))
    [added] = store.add([typed]).new
    reopened = Store(db)
    full = reopened.get(added.id)
    assert full is not None and full.release.release_type == "Comunicado"


def test_pillars_of_any_taxonomy_survive_reopening_and_a_correction(db: Path, store: Store) -> None:
    item = make_item("cec", pillars=("agua", "especies"))
    store.add([item])
    store.update([item.release.id], correction=Correction(pillars_added=("aire",)))
    for _ in range(2):  # from the chunk as written, then from its index
        again = Store(db).get(item.release.id)
        assert again is not None
        assert again.classification.pillars == ("agua", "especies")
        assert again.pillars == ("agua", "especies", "aire")
