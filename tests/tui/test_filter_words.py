"""The filter in plain words, taking its parts away, and counts: without Textual."""

from __future__ import annotations

from feeds.judge.classify import Classifier
from state.filters import ViewFilter
from tui.view import combine, describe_filter, empty_hint, selection_label, take_back

from .test_view import _index

PILLARS = Classifier.load().taxonomy.pillar_set


def test_the_filter_reads_in_plain_words() -> None:
    view = ViewFilter(("pillar:security", "country:MX", "state:follow_up"), "fentanyl")
    assert describe_filter(view, PILLARS) == "Security × Mexico × Follow-up · 'fentanyl'"


def test_no_filter_reads_all_releases() -> None:
    assert describe_filter(ViewFilter(), PILLARS) == "All releases"
    assert describe_filter(ViewFilter(("all",), "  "), PILLARS) == "All releases"
    assert describe_filter(ViewFilter((), "tariffs"), PILLARS) == "'tariffs'"


def test_labels_of_every_kind() -> None:
    assert selection_label("summit", PILLARS) == "Summit"
    assert selection_label("starred", PILLARS) == "Starred"
    assert selection_label("source:PM Canada", PILLARS) == "PM Canada"
    assert selection_label("country:ZZ", PILLARS) == "ZZ"
    assert selection_label("state:not_relevant", PILLARS) == "Not relevant"


def test_taking_away_the_last_part_goes_back_the_way_the_filter_reads() -> None:
    parts = (("pillar:security", "country:MX"), "state:follow_up", "fentanyl")
    assert describe_filter(combine(*parts), PILLARS) == "Security × Mexico × Follow-up · 'fentanyl'"
    parts = take_back(*parts)
    assert describe_filter(combine(*parts), PILLARS) == "Security × Mexico × Follow-up"
    parts = take_back(*parts)
    assert describe_filter(combine(*parts), PILLARS) == "Security × Mexico"
    parts = take_back(*parts)
    assert describe_filter(combine(*parts), PILLARS) == "Security"
    parts = take_back(*parts)
    assert parts == ((), "all", "")
    assert take_back(*parts) == ((), "all", "")


def test_taking_back_a_kept_choice_that_is_highlighted_leaves_all() -> None:
    assert take_back(("country:MX",), "country:MX", "") == ((), "all", "")


def test_a_kept_choice_applies_beside_a_highlighted_one_of_its_kind() -> None:
    view = combine(("pillar:security",), "pillar:health", "")
    assert view.selections == ("pillar:security", "pillar:health")
    assert [r.id for r in _index().select(view)] == ["a"]


def test_highlighting_all_or_a_kept_choice_adds_nothing() -> None:
    assert combine(("country:MX",), "all", "x") == ViewFilter(("country:MX",), "x")
    assert combine(("country:MX",), "country:MX", "") == ViewFilter(("country:MX",), "")


def test_totals_count_read_releases_too() -> None:
    index = _index()
    totals, unread = index.total_counts(), index.unread_counts()
    assert (totals["all"], unread["all"]) == (3, 2)
    assert (totals["pillar:security"], unread["pillar:security"]) == (2, 1)


def test_an_empty_store_says_to_poll_or_load_the_demo() -> None:
    why, keys = empty_hint(ViewFilter(), PILLARS, 0, polled=False)
    assert "nothing has been polled" in why
    assert "p polls" in keys and "d: demo" in keys


def test_an_empty_store_after_a_poll_points_at_source_health() -> None:
    why, keys = empty_hint(ViewFilter(), PILLARS, 0, polled=True)
    assert "no source gave any" in why
    assert "h: source health" in keys


def test_an_empty_filter_names_itself_and_how_to_undo_it() -> None:
    why, keys = empty_hint(ViewFilter(("country:MX",), "tariffs"), PILLARS, 12, polled=True)
    assert why == "No release matches Mexico · 'tariffs'."
    assert "Esc" in keys
    assert all(len(line) <= 60 for line in (why, keys))
