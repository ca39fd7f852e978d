"""Every edit kept: versions of a release in a real store under tmp_path, and the word diff."""

from __future__ import annotations

from pathlib import Path

import orjson

from state import Store, StoredRelease, TriageState
from state.versions import MAX_VERSIONS, Change, Piece, changes, word_diff
from tests.state.factories import make_item

FIRST = "The ministers will meet in Ottawa on Monday to discuss border security."
SECOND = "The ministers will meet in Mexico City on Tuesday to discuss border security."
THIRD = "The ministers met in Mexico City on Tuesday and agreed on border security."


def day(n: int) -> str:
    return f"2026-12-{n:02d}T12:00:00+00:00"


def edit(store: Store, text: str, when: str, title: str = "Trilateral meeting") -> None:
    store.add([make_item("meeting", title=title, text=text)], now=when)


def full(store: Store, release_id: str) -> StoredRelease:
    found = store.get(release_id)
    assert found is not None
    return found


def test_each_edit_keeps_the_version_it_replaced_and_when_each_was_seen(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        edit(store, FIRST, day(1))
        [stored] = store.all()
        store.update([stored.id], triage=TriageState.FOLLOW_UP, note="watch the venue")
        edit(store, SECOND, day(2))
        edit(store, SECOND, day(3))  # seen again unchanged: no version
        edit(store, THIRD, day(4), title="Trilateral meeting held")
    with Store(tmp_path / "db") as store:  # from the disk, as after a restart
        record = full(store, stored.id)
        light = store.all()[0]
    assert [(v.title, v.text, v.seen) for v in record.versions] == [
        ("Trilateral meeting", FIRST, day(1)),
        ("Trilateral meeting", SECOND, day(2)),
        ("Trilateral meeting held", THIRD, day(4)),
    ]
    assert record.edited and record.changed_at == day(4)
    assert (record.triage, record.note) == (TriageState.FOLLOW_UP, "watch the venue")
    # Lists hold light records: no text, no versions, but they know it was edited.
    assert light.earlier_versions == () and light.edited


def test_versions_are_bounded_to_the_first_and_the_latest(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        for n in range(MAX_VERSIONS + 5):
            when = f"2026-12-01T12:{n:02d}:00+00:00"
            store.add([make_item("flip", text=f"{FIRST} Revision {n}.")], now=when)
        [stored] = store.all()
        versions = full(store, stored.id).versions
    assert len(versions) == MAX_VERSIONS
    assert versions[0].text.endswith("Revision 0.")  # what was published first stays
    assert versions[1].text.endswith("Revision 6.")
    assert versions[-1].text.endswith(f"Revision {MAX_VERSIONS + 4}.")


def test_a_release_stored_before_versions_were_kept_is_one_version(tmp_path: Path) -> None:
    # The document an older summitwatch wrote for an edited release: `changed_at`, no versions.
    old = make_item("meeting", title="Trilateral meeting", text=FIRST)
    record = StoredRelease(old.release, old.classification, day(1), changed_at=day(2))
    with Store(tmp_path / "db") as store:
        store.import_records([record])
        before = full(store, old.release.id)
        edit(store, SECOND, day(5))
        after = full(store, old.release.id)
    assert before.edited and [v.text for v in before.versions] == [FIRST]
    assert [(v.text, v.seen) for v in after.versions] == [(FIRST, day(2)), (SECOND, day(5))]


def test_pruning_a_text_prunes_its_earlier_versions(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        for text in (FIRST, SECOND):
            store.add([make_item("old", summit=False, text=text)], now=day(1))
        [stored] = store.all()
        assert store.prune_bodies(older_than_days=90, now="2026-12-31T00:00:00+00:00") == 1
        pruned = full(store, stored.id)
    assert [v.text for v in pruned.versions] == ["", ""]
    assert len(pruned.earlier_versions) == 1


def test_an_export_record_carries_its_versions_and_reads_back(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        edit(store, FIRST, day(1))
        edit(store, SECOND, day(2))
        record = full(store, store.all()[0].id)
    data = orjson.loads(orjson.dumps(record.to_dict()))
    assert [v["text"] for v in data["versions"]] == [FIRST]
    assert StoredRelease.from_dict(data).versions == record.versions


def test_the_word_diff_names_what_was_removed_and_what_was_added() -> None:
    pieces = word_diff(FIRST, SECOND)
    assert "".join(p.text for p in pieces if p.op != "removed") == SECOND
    assert "".join(p.text for p in pieces if p.op != "added") == FIRST
    # Word by word, "on" is shared; quoted, two changes one word apart are one passage.
    assert [p.text for p in pieces if p.op == "removed"] == ["Ottawa ", "Monday "]
    assert changes(pieces) == [Change("Ottawa on Monday", "Mexico City on Tuesday")]
    assert word_diff("a  b", "a b") == [Piece("same", "a b")]  # spacing alone is no change
    assert changes(word_diff("", "New text.")) == [Change("", "New text.")]


def test_an_edit_summary_quotes_changed_passages_cleaned_and_escaped(tmp_path: Path) -> None:
    from state.export import edit_summary

    with Store(tmp_path / "db") as store:
        edit(store, FIRST, day(1))
        edit(store, FIRST.replace("Ottawa", "\x1b]0;PWNED\x07[Ottawa](http://x)"), day(2))
        record = full(store, store.all()[0].id)
    head, lines = edit_summary(record)
    assert head == "First seen 2026-12-01 12:00 UTC; changed 2026-12-02 12:00 UTC (version 2)."
    assert lines == ["- “Ottawa” became “\\[Ottawa\\](http://x)”"]


def test_two_nearby_changes_in_a_long_text_stay_two_passages() -> None:
    """Between two changes only common words ("of the"): in a text long enough for difflib
    to treat common words as noise, they must still part the two changes."""
    line = "Paragraph {n} speaks of the care of the environment and of the people."
    old = " ".join(line.format(n=n) for n in range(30))
    edited = line.format(n=15).replace("care", "protection").replace("environment", "climate")
    new = old.replace(line.format(n=15), edited)
    assert len(old.split()) > 300  # past difflib's threshold of 200 for treating words as noise
    assert changes(word_diff(old, new)) == [
        Change("care", "protection"),
        Change("environment", "climate"),
    ]
    assert "".join(p.text for p in word_diff(old, new) if p.op != "removed") == new
