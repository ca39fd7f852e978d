"""Light records in memory, full ones on demand, and the month indexes behind them."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import orjson
import pytest

from feeds.models import Classification, Release
from state.records import Correction, StoredRelease
from state.store import Store
from tests.state.factories import make_classification, make_item, make_items

ES = (
    "Los líderes acuerdan una inversión de 1.250 millones en Monterrey y Querétaro, "
    "un Foro de Semiconductores el 17 de marzo y 4.000 becas para 2027."
)
EN = (
    "Leaders agree to a 1,250 million investment in Monterrey and Querétaro, "
    "a Semiconductor Forum on 17 March and 4,000 scholarships by 2027."
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "summitwatch.db"


def test_all_gives_light_records_and_get_the_full_one(db: Path) -> None:
    added = Store(db).add([make_item("a", summary="A short summary.")]).new[0]
    store = Store(db)
    light = store.all()[0]
    assert light.release.text == "" and light.classification.evidence == {}
    assert light.release.summary == "A short summary."
    assert light.release == replace(added.release, text="")
    assert light.classification.pillar_scores == added.classification.pillar_scores
    full = store.get(added.id)
    assert full == added and full.release.text.startswith("The leaders")
    assert full.classification.evidence["climate"].sentence.startswith("The leaders")


def test_get_gives_the_current_decisions_with_the_full_record(db: Path) -> None:
    store = Store(db)
    release_id = store.add([make_item("a")]).new[0].id
    assert store.get(release_id) is not None  # its month is now kept in memory
    store.update([release_id], note="call Ottawa", starred=True)
    full = store.get(release_id)
    assert full is not None and (full.note, full.starred) == ("call Ottawa", True)
    assert full.release.text


def test_iter_full_yields_full_records_month_by_month(db: Path) -> None:
    store = Store(db)
    store.add([*make_items(3), make_item("old", published="2022-05-01T00:00:00+00:00")])
    full = list(store.iter_full())
    assert [r.release.published[:7] for r in full] == ["2023-01"] * 3 + ["2022-05"]
    assert all(r.release.text and r.classification.evidence for r in full)
    chosen = [store.all()[-1].id, "unknown"]
    assert [r.id for r in store.iter_full(chosen)] == chosen[:1]


def test_a_copy_with_the_same_text_is_found_after_reopening(db: Path) -> None:
    Store(db).add([make_item("a")])
    copy = make_item(
        "b",
        title="Release a on the summit",
        text=make_item("a").release.text,
        link="https://mirror.gov/b",
        guid="",
        source="gob.mx",
    )
    again = Store(db)
    assert again.add([copy]).new == []
    assert again.all()[0].sources == ("pm.gc.ca", "gob.mx")


def test_events_after_reopening_need_no_bodies(db: Path) -> None:
    items = [
        make_item("en", text=EN),
        make_item("es", text=ES, source="gob.mx", language="es"),
    ]
    ids = sorted(r.id for r in Store(db).add(items).new)
    assert [sorted(g) for g in Store(db).events()] == [ids]


def test_a_release_made_summit_by_a_person_joins_its_event(db: Path) -> None:
    items = [
        make_item("en", text=EN),
        make_item("es", text=ES, source="gob.mx", language="es", summit=False),
    ]
    ids = [r.id for r in Store(db).add(items).new]
    store = Store(db)
    assert store.events() == []
    store.update([ids[1]], correction=Correction(summit=True))
    assert [sorted(g) for g in Store(db).events()] == [sorted(ids)]


def test_pruning_after_reopening_drops_only_old_non_summit_texts(db: Path) -> None:
    Store(db).add(
        [
            make_item("old", summit=False, published="2022-01-01T00:00:00+00:00"),
            make_item("new", summit=False),
        ]
    )
    store = Store(db)
    assert store.prune_bodies(older_than_days=90, now="2023-01-12T00:00:00+00:00") == 1
    assert store.prune_bodies(older_than_days=90, now="2023-01-12T00:00:00+00:00") == 0
    texts = {r.release.title.split()[1]: r.release.text for r in Store(db).iter_full()}
    assert texts["old"] == "" and texts["new"]


def test_reclassifying_keeps_the_new_evidence_and_text(db: Path) -> None:
    store = Store(db)
    release_id = store.add([make_item("a")]).new[0].id
    new = make_classification(pillars=("health",), sentence="Vaccines for the region.")
    assert store.replace_classifications([(release_id, new)]) == 1
    full = Store(db).get(release_id)
    assert full is not None and full.classification == new and full.release.text


# -- the month indexes ------------------------------------------------------------------


def test_a_stale_index_is_ignored_and_the_month_read_in_full(db: Path) -> None:
    store = Store(db)
    release_id = store.add([make_item("a")]).new[0].id
    index = db / "index" / "2023-01.000.json"
    stale = index.read_bytes()
    store.add([make_item("b")])
    index.write_bytes(stale)  # as if the writer was killed before writing the index
    assert len(Store(db).all()) == 2
    index.write_bytes(b"{not json")
    again = Store(db)
    assert len(again.all()) == 2 and again.get(release_id) is not None


def test_an_index_with_wrong_rows_falls_back_to_the_month(db: Path) -> None:
    Store(db).add(make_items(2))
    index = db / "index" / "2023-01.000.json"
    data = orjson.loads(index.read_bytes())
    data["rows"][0][2:5] = [None, 7, []]  # right length, wrong types
    index.write_bytes(orjson.dumps(data))
    store = Store(db)
    assert len(store.all()) == 2
    assert all(isinstance(r.release.title, str) for r in store.all())


def test_a_backup_keeps_its_indexes_valid(tmp_path: Path, db: Path) -> None:
    store = Store(db)
    store.add(make_items(2))
    copy = store.backup(tmp_path / "backup")
    assert sorted(p.name for p in (copy / "index").iterdir()) == ["2023-01.000.json"]
    assert [r.id for r in Store(copy).all()] == [r.id for r in store.all()]


def test_writes_by_another_process_reach_the_index_and_refresh(db: Path) -> None:
    reader, writer = Store(db), Store(db)
    added = writer.add(make_items(2)).new
    assert reader.refresh() is True
    assert {r.id for r in reader.all()} == {r.id for r in added}
    full = reader.get(added[0].id)
    assert full is not None and full.release.text


def test_the_light_rows_match_the_fields_of_the_records() -> None:
    # Memory.light builds these positionally, without __init__: a field added, removed or
    # moved must be reflected there (and in state.engine.index.row_from_doc).
    assert [f.name for f in fields(Release)] == [
        *("id", "source", "country", "language", "title", "link", "published", "summary"),
        *("text", "guid", "release_type"),
    ]
    assert [f.name for f in fields(Classification)] == [
        *("language", "summit", "summit_score", "pillars", "pillar_scores", "evidence"),
    ]
    assert [f.name for f in fields(StoredRelease)] == [
        *("release", "classification", "first_seen", "read", "triage", "starred", "note"),
        *("correction", "sources", "changed_at", "history", "earlier_versions"),
    ]


def test_refresh_replaces_what_another_process_changed_in_a_month(db: Path) -> None:
    reader, writer = Store(db), Store(db)
    first = writer.add(make_items(2)).new[0]
    reader.refresh()
    writer.add([make_item("r0", title="Corrected title")])
    writer.update([first.id], note="seen")
    assert reader.refresh() is True
    assert len(reader.all()) == 2
    light = next(r for r in reader.all() if r.id == first.id)
    assert (light.release.title, light.note) == ("Corrected title", "seen")
    full = reader.get(first.id)
    assert full is not None and full.release.title == "Corrected title" and full.release.text


def test_an_index_that_cannot_be_loaded_leaves_no_stale_record(db: Path) -> None:
    reader, writer = Store(db), Store(db)
    first = writer.add(make_items(2)).new[0]
    reader.refresh()
    writer.add([make_item("r0", title="Corrected title")])
    index = db / "index" / "2023-01.000.json"
    data = orjson.loads(index.read_bytes())
    data["rows"][-1][2] = None  # breaks the row as it is loaded, after the others
    index.write_bytes(orjson.dumps(data))
    assert reader.refresh() is True
    titles = {r.id: r.release.title for r in reader.all()}
    assert len(titles) == 2 and titles[first.id] == "Corrected title"


def test_features_stored_before_meetings_counted_are_made_again(db: Path) -> None:
    import orjson

    from state.events import FEATURES_VERSION

    texts = {
        "ca": "The minister signed a declaration in Mexico City as the Leaders' Summit opened.",
        "mx": "En Palacio Nacional, el presidente inauguró la Cumbre de Líderes.",
    }
    items = [
        make_item("ca", text=texts["ca"], title="Minister signs", source="canada.ca"),
        make_item("mx", text=texts["mx"], title="Inaugura", source="gob.mx", language="es"),
    ]
    ids = sorted(r.id for r in Store(db).add(items).new)
    # As an earlier summitwatch wrote them: names and numbers only, no version mark.
    for chunk in (db / "releases").glob("*.json"):
        tables = orjson.loads(chunk.read_bytes())
        for doc in tables["releases"].values():
            doc["f"] = [f for f in doc["f"] if f != FEATURES_VERSION and ":" not in f]
        chunk.write_bytes(orjson.dumps(tables))
    assert [sorted(g) for g in Store(db).events()] == [ids]
