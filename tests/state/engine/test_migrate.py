"""Opening a database written with schema 1 (no month indexes) upgrades it, after a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from feeds.models import ClassifiedRelease
from state.dedupe import keys_for
from state.engine import storage
from state.engine.fastinit import maker
from state.engine.folder import DatabaseFolder
from state.records import StoredRelease
from state.store import Store
from tests.state.factories import make_item

EN = (
    "Leaders agree to a 1,250 million investment in Monterrey and Querétaro, "
    "a Semiconductor Forum on 17 March and 4,000 scholarships by 2027."
)
ES = (
    "Los líderes acuerdan una inversión de 1.250 millones en Monterrey y Querétaro, "
    "un Foro de Semiconductores el 17 de marzo y 4.000 becas para 2027."
)


def v1_doc(item: ClassifiedRelease) -> dict[str, Any]:
    """A release document as schema 1 wrote it: no event features."""
    stored = StoredRelease(item.release, item.classification, "2023-01-11T00:00:00+00:00")
    return {
        "release": stored.release.to_dict(),
        "classification": stored.classification.to_dict(),
        "first_seen": stored.first_seen,
        "sources": [item.release.source],
        "changed_at": "",
        "keys": keys_for(item.release).to_dict(),
    }


def write_v1(db: Path, items: list[ClassifiedRelease], note_on: str) -> None:
    """A schema-1 database as the previous version left it (`_meta` last in every file)."""
    (db / "releases").mkdir(parents=True)
    meta = {"_meta": {"file": {"token": "aaaa", "schema": 1}}}
    docs = {item.release.id: v1_doc(item) for item in items}
    (db / "releases" / "2023-01.json").write_bytes(orjson.dumps({"releases": docs, **meta}))
    triage = {"triage": {note_on: {"note": "kept", "updated": "2023-01-12T00:00:00+00:00"}}}
    (db / "triage.json").write_bytes(orjson.dumps({**triage, **meta}))
    files = {"releases/2023-01.json": {"token": "aaaa"}, "triage.json": {"token": "aaaa"}}
    manifest = {"meta": {"db": {"schema": 1, "epoch": "e1"}}, "files": files}
    (db / "summitwatch.json").write_bytes(orjson.dumps(manifest))


@pytest.fixture
def v1(tmp_path: Path) -> tuple[Path, list[ClassifiedRelease]]:
    db = tmp_path / "summitwatch.db"
    items = [
        make_item("en", text=EN),
        make_item("es", text=ES, source="gob.mx", language="es"),
        make_item("other", summit=False),
    ]
    write_v1(db, items, note_on=items[0].release.id)
    return db, items


def test_a_schema_1_database_gets_its_indexes_after_a_backup(
    v1: tuple[Path, list[ClassifiedRelease]],
) -> None:
    db, items = v1
    store = Store(db)
    assert DatabaseFolder(db).read_manifest().schema == storage.SCHEMA_VERSION  # type: ignore[union-attr]
    assert (db.parent / "summitwatch.db.schema1-backup" / "releases" / "2023-01.json").exists()
    assert (db / "index" / "2023-01.000.json").exists()
    assert not (db / "index" / "2023-01.json").exists()
    assert not (db / "releases" / "2023-01.json").exists()
    assert len(store.all()) == 3 and all(r.release.text == "" for r in store.all())
    full = store.get(items[0].release.id)
    assert full is not None and full.release == items[0].release and full.note == "kept"
    assert [sorted(g) for g in store.events()] == [sorted(i.release.id for i in items[:2])]
    copy = make_item("copy", text=EN, title=items[0].release.title, link="https://m.gov/x", guid="")
    assert store.add([copy]).new == []


def test_the_upgraded_months_are_read_from_their_indexes(
    v1: tuple[Path, list[ClassifiedRelease]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = v1
    Store(db)

    def no_full_reads(path: Path) -> None:
        raise AssertionError(f"read in full: {path}")

    real = storage.read_tables
    monkeypatch.setattr(
        "state.engine.index.read_tables",
        lambda p: no_full_reads(p) if "releases" in str(p) else real(p),
    )
    assert len(Store(db).all()) == 3


def test_a_schema_1_database_opens_read_only_without_being_changed(
    v1: tuple[Path, list[ClassifiedRelease]],
) -> None:
    db, items = v1
    before = {p: p.read_bytes() for p in db.rglob("*.json")}
    viewer = Store(db, read_only=True)
    assert len(viewer.all()) == 3
    assert viewer.get(items[0].release.id) is not None
    assert len(viewer.events()) == 1
    assert {p: p.read_bytes() for p in db.rglob("*.json")} == before


def test_maker_builds_equal_instances_of_the_real_class() -> None:
    item = make_item("a")
    build = maker(type(item.release))
    fields = item.release.to_dict()
    made = build(*fields.values())
    assert type(made) is type(item.release) and made == item.release
    assert hash(made) == hash(item.release)
    with pytest.raises(AttributeError):
        made.title = "changed"  # type: ignore[misc]


def test_maker_leaves_classes_it_cannot_build_alone() -> None:
    class Plain:
        pass

    assert maker(Plain) is Plain
