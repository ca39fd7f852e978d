"""Selections, search and unread counts, without Textual."""

from __future__ import annotations

from datetime import date

from feeds.models import Classification, PillarSet, Release
from feeds.text import fold
from state.filters import ALL, ViewFilter, pillars_named
from state.records import Correction, StoredRelease
from tui.view import ReleaseIndex, daily_counts


def _ids(index: ReleaseIndex, *selections: str, search: str = "") -> list[str]:
    view = ViewFilter()
    for selection in selections:
        view = view.choose(selection)
    return [r.id for r in index.select(view.with_search(search))]


def _stored(
    rid: str,
    title: str,
    *,
    summit: bool,
    pillars: tuple[str, ...],
    country: str = "US",
    read: bool = False,
    text: str = "",
) -> StoredRelease:
    release = Release(
        id=rid,
        source=f"src-{country}",
        country=country,
        language="en",
        title=title,
        link=f"https://example.org/{rid}",
        published="2023-01-10",
        text=text,
    )
    classification = Classification(
        "en", summit, 0.9 if summit else 0.1, pillars, dict.fromkeys(pillars, 0.8)
    )
    return StoredRelease(release, classification, first_seen="2023-01-10", read=read)


def _index() -> ReleaseIndex:
    index = ReleaseIndex()
    index.replace(
        [
            _stored(
                "a",
                "Declaración de América del Norte",
                summit=True,
                pillars=("security", "health"),
                country="MX",
            ),
            _stored("b", "Fentanyl joint statement", summit=True, pillars=("security",), read=True),
            _stored("c", "Condolences", summit=False, pillars=(), country="CA"),
        ]
    )
    return index


def test_fold_removes_case_and_accents() -> None:
    assert fold("Déclaration MÉXICO") == "declaration mexico"


def test_pillar_selection_lists_exactly_that_pillar() -> None:
    assert _ids(_index(), "pillar:security") == ["a", "b"]
    assert _ids(_index(), "pillar:health") == ["a"]


def test_summit_and_other_split_the_releases() -> None:
    index = _index()
    assert _ids(index, "summit") == ["a", "b"]
    assert _ids(index, "other") == ["c"]


def test_search_ignores_case_and_accents_and_needs_every_word() -> None:
    index = _index()
    assert _ids(index, search="declaracion america") == ["a"]
    assert _ids(index, search="DECLARACIÓN fentanyl") == []


def test_unread_counts_skip_read_releases() -> None:
    counts = _index().unread_counts()
    assert counts["all"] == 2
    assert counts["pillar:security"] == 1
    assert counts["country:MX"] == 1
    assert counts["summit"] == 1


def test_corrections_move_a_release_between_selections() -> None:
    index = _index()
    corrected = index.releases[2].with_changes(
        correction=Correction(summit=True, pillars_added=("dei",))
    )
    index.update([corrected])
    assert _ids(index, "pillar:dei") == ["c"]
    assert "c" in _ids(index, "summit")


def test_filters_of_different_kinds_combine() -> None:
    assert _ids(_index(), "pillar:security", "country:MX") == ["a"]
    assert _ids(_index(), "pillar:security", "country:CA") == []


def test_a_filter_of_the_same_kind_replaces_the_previous_one() -> None:
    view = ViewFilter().choose("country:MX").choose("country:CA")
    assert view.selections == ("country:CA",)
    assert ViewFilter().choose("summit").choose("other").selections == ("other",)


def test_all_clears_the_selections_but_keeps_the_search() -> None:
    view = ViewFilter().choose("pillar:dei").with_search("x").choose("all")
    assert view.selections == ()
    assert view.search == "x"


def test_triage_state_and_star_are_selections() -> None:
    index = _index()
    index.update([index.releases[1].with_changes(starred=True)])
    assert _ids(index, "starred") == ["b"]
    assert _ids(index, "state:new") == ["a", "b", "c"]


def test_saved_filter_round_trips_through_a_dict() -> None:
    view = ViewFilter(("pillar:health", "country:MX"), "vacunas")
    assert ViewFilter.from_dict(view.to_dict()) == view


def test_the_reader_names_the_release_type_where_the_listing_gave_one() -> None:
    from dataclasses import replace

    from tui.render import reader_header

    stored = _stored("mx1", "Comunicado 1", summit=True, pillars=(), country="MX")
    typed = replace(stored, release=replace(stored.release, release_type="Comunicado"))
    assert "src-MX · Comunicado · MX" in reader_header(typed, PillarSet(())).plain
    assert "src-MX · MX" in reader_header(stored, PillarSet(())).plain


def test_daily_counts_follow_the_pillars_given_and_skip_others() -> None:
    older = _stored("x", "Old", summit=True, pillars=("agua", "security"))
    counts = daily_counts([older], date(2023, 1, 10), ("agua", "especies"), days=3)
    assert counts["agua"] == [0, 0, 1] and counts["especies"] == [0, 0, 0]
    assert "security" not in counts and counts[ALL] == [0, 0, 1]


def test_the_index_knows_the_pillars_its_releases_carry() -> None:
    assert sorted(_index().pillars_carried()) == ["health", "security"]
    assert pillars_named(("pillar:agua", "country:MX", "saved:x")) == ["agua"]


def test_a_correction_leaves_pillars_of_another_taxonomy_as_they_are() -> None:
    from tui.screens.dialogs import correction_from_choice

    stored = _stored("x", "Old", summit=True, pillars=("agua", "security"))
    offered = ("dei", "security", "health")
    correction = correction_from_choice(stored, True, {"health"}, offered)
    assert correction == Correction(pillars_added=("health",), pillars_removed=("security",))
    assert stored.with_changes(correction=correction).pillars == ("agua", "health")
