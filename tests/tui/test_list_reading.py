"""Reading the list and the triage flow (#17): counts, the filter in sight, empty lists,
moving on after a triage key, J/K/N from the reader, what the reader and the list mark."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Label

from feeds import Classifier, Config, DashboardSettings, FetchPolicy, Source
from feeds.collect.sources import PollSettings
from state import Store
from state.records import TriageState
from tui.app import SummitWatchApp
from tui.render import first_cell, reader_header
from tui.services import make_fetcher
from tui.widgets.list_header import FilterBar
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList
from tui.widgets.release_reader import ReleaseReader
from tui.widgets.status_line import StatusLine

from .fixtures import FIXED_NOW, fixed_config, live_app
from .test_demo_app import choose, wait_for_poll
from .test_disabled_actions import enabled
from .waiting import workers_done


async def settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause(0.15)  # the reader follows the cursor once it rests
    await workers_done(app)
    await pilot.pause()


def rows(app: SummitWatchApp) -> ReleaseList:
    return app.screen.query_one(ReleaseList)


def heading(app: SummitWatchApp) -> str:
    return str(app.screen.query_one(FilterBar).render())


def status(app: SummitWatchApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


def reader(app: SummitWatchApp) -> str:
    release = app.screen.query_one(ReleaseReader).release
    assert release is not None
    return release.id


def prompt(app: SummitWatchApp, key: str) -> str:
    return str(app.screen.query_one(Navigator).get_option(key).prompt)


async def test_navigator_counts_unread_of_total_and_says_so(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        nav = fixed_app.screen.query_one(Navigator)
        assert "unread/total" in str(nav.get_option_at_index(0).prompt)
        assert prompt(fixed_app, "summit").endswith(" 3/3")
        await pilot.press("m")  # r2, a summit release, read
        await settle(fixed_app, pilot)
        assert prompt(fixed_app, "summit").endswith(" 2/3")
        assert prompt(fixed_app, "all").endswith(" 3/4")
        assert "4 listed · 3 unread" in heading(fixed_app)


async def test_the_filter_reads_above_the_list_and_escape_takes_it_back(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("All releases")
        await choose(pilot, "pillar:security")
        await pilot.press("space")
        await choose(pilot, "country:MX")
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("Security × Mexico")
        assert [r.id for r in rows(fixed_app).releases] == []
        await pilot.press("escape")  # the highlighted Mexico goes; the kept Security stays
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("Security ")
        assert fixed_app.screen.query_one(Navigator).highlighted_option.id == "all"  # type: ignore[union-attr]
        assert sorted(r.id for r in rows(fixed_app).releases) == ["r1", "r2"]
        await pilot.press("slash", *"drug", "escape")  # the search words go first
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("Security ")
        await pilot.press("escape")
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("All releases")
        assert len(rows(fixed_app).releases) == 4


async def test_a_kept_choice_applies_beside_a_highlighted_one_of_its_kind(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "pillar:security")
        await pilot.press("space")
        await choose(pilot, "pillar:health")
        await settle(fixed_app, pilot)
        assert "✓" in prompt(fixed_app, "pillar:security")
        assert heading(fixed_app).startswith("Security × Health")
        assert [r.id for r in rows(fixed_app).releases] == ["r2"]


async def test_backspace_clears_the_whole_filter(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        assert not enabled(fixed_app, "backspace")
        await choose(pilot, "country:CA")
        await pilot.press("space")
        await choose(pilot, "pillar:security")
        await pilot.press("slash", *"drug", "enter")
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("Canada × Security · 'drug'")
        assert enabled(fixed_app, "backspace")
        await pilot.press("backspace")
        await settle(fixed_app, pilot)
        assert heading(fixed_app).startswith("All releases")
        assert len(rows(fixed_app).releases) == 4
        assert "✓" not in prompt(fixed_app, "country:CA")


async def test_an_empty_list_says_why_and_what_to_press(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"no release says this", "enter")
        await settle(fixed_app, pilot)
        hint = rows(fixed_app).empty_hint
        assert hint[0] == "No release matches 'no release says this'."
        assert "Esc" in hint[1]
        await pilot.press("escape")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).empty_hint == ()


async def test_first_start_without_network_at_80x24(empty_app: SummitWatchApp) -> None:
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await settle(empty_app, pilot)
        assert "nothing has been polled" in rows(empty_app).empty_hint[0]
        assert "p polls" in rows(empty_app).empty_hint[1]
        assert "0 listed" in heading(empty_app)


async def test_offline_first_start_at_80x24_says_so_in_80_columns(
    tmp_path: Path, classifier: Classifier
) -> None:
    sources = tuple(
        Source(name=f"dead {n}", url=f"http://127.0.0.1:9/feed{n}", country="US") for n in range(12)
    )
    policy = PollSettings(fetch=FetchPolicy(connect_timeout=1.0))
    with Store(tmp_path / "db") as store:
        app = live_app(Config(path=None, sources=sources, poll=policy), store, classifier)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_poll(app, pilot)
            await settle(app, pilot)
            line = status(app)
            assert "0/12 sources answered" in line and line.endswith("offline? d: demo"), line
            assert "no source gave any" in rows(app).empty_hint[0]
            assert "h: source health" in rows(app).empty_hint[1]


def _app(store: Store, classifier: Classifier, *, advance: bool) -> SummitWatchApp:
    """The fixed dashboard with `[dashboard] advance` as given."""
    config = Config(path=None, sources=fixed_config().sources, dashboard=DashboardSettings(advance))
    return SummitWatchApp(
        config=config,
        store=store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        clock=lambda: FIXED_NOW,
    )


async def test_a_triage_key_moves_the_cursor_on_and_says_so(
    fixed_store: Store, classifier: Classifier
) -> None:
    app = _app(fixed_store, classifier, advance=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        first = rows(app).current
        assert first is not None
        await pilot.press("r")
        await settle(app, pilot)
        assert rows(app).cursor == 1
        assert status(app).startswith(f"Relevant: {first.release.title}")
        assert "moved to the next" in status(app)
        assert fixed_store.get(first.id).triage is TriageState.RELEVANT  # type: ignore[union-attr]


async def test_a_release_triaged_out_of_the_view_leaves_the_cursor_on_the_next(
    fixed_store: Store, classifier: Classifier
) -> None:
    app = _app(fixed_store, classifier, advance=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "state:new")
        await pilot.press("tab")
        await settle(app, pilot)
        second = rows(app).releases[1].id
        await pilot.press("f")  # the first leaves "New"; the one after it is under the cursor
        await settle(app, pilot)
        assert rows(app).current is not None and rows(app).current.id == second  # type: ignore[union-attr]


async def test_advance_off_keeps_the_cursor(fixed_store: Store, classifier: Classifier) -> None:
    app = _app(fixed_store, classifier, advance=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert rows(app).cursor == 0
        assert status(app).startswith("Relevant: ")


async def test_undo_brings_the_cursor_back(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("r")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).cursor == 1
        await pilot.press("u")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).cursor == 0


async def test_the_reader_goes_on_with_J_K_and_N_without_going_back(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        ids = [r.id for r in rows(fixed_app).releases]
        await pilot.press("enter")
        await settle(fixed_app, pilot)
        assert fixed_app.screen.has_class("-reading") and reader(fixed_app) == ids[0]
        await pilot.press("J")
        await settle(fixed_app, pilot)
        assert fixed_app.screen.has_class("-reading") and reader(fixed_app) == ids[1]
        assert fixed_store.get(ids[1]).read  # type: ignore[union-attr]
        await pilot.press("K")
        await settle(fixed_app, pilot)
        assert reader(fixed_app) == ids[0]
        await pilot.press("N")  # ids[1] was read on the way: the next unread is ids[2]
        await settle(fixed_app, pilot)
        assert reader(fixed_app) == ids[2]
        await pilot.press("J", "J")
        await settle(fixed_app, pilot)
        assert reader(fixed_app) == ids[3]
        assert status(fixed_app) == "no release after this one"


async def test_mark_all_read_marks_the_view(fixed_app: SummitWatchApp, fixed_store: Store) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "summit")
        await pilot.press("tab", "A")
        await settle(fixed_app, pilot)
        assert [r.id for r in fixed_store.all() if not r.read] == ["r4"]
        assert not enabled(fixed_app, "A")
        await pilot.press("u")  # one step takes it back
        await settle(fixed_app, pilot)
        assert len([r for r in fixed_store.all() if not r.read]) == 4


async def test_ctrl_a_marks_every_listed_release(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("ctrl+a")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).marked == {"r1", "r2", "r3", "r4"}
        assert "4 marked" in heading(fixed_app)
        await pilot.press("escape")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).marked == frozenset()


async def test_ctrl_a_marks_every_listed_release_from_the_reader_and_the_navigator(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "summit")  # the navigator has focus
        await pilot.press("ctrl+a")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).marked == {"r1", "r2", "r3"}
        await pilot.press("escape")
        rows(fixed_app).focus()
        await pilot.press("enter")  # open the release, then read it
        fixed_app.screen.query_one(ReleaseReader).focus()
        await settle(fixed_app, pilot)
        assert rows(fixed_app).marked == frozenset()
        await pilot.press("ctrl+a")
        await settle(fixed_app, pilot)
        assert rows(fixed_app).marked == {"r1", "r2", "r3"}
        assert "3 marked" in heading(fixed_app)


async def test_ctrl_a_in_the_search_box_stays_a_text_key(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash", *"drug", "ctrl+a")
        await settle(fixed_app, pilot)
        box = fixed_app.screen.query_one("#search", Input)
        assert box.value == "drug" and box.cursor_position == 0  # to the start of the line
        assert rows(fixed_app).marked == frozenset()


async def test_the_reader_shows_state_star_and_note_and_the_list_marks_the_note(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("s", "a")
        await pilot.pause()
        title = str(fixed_app.screen.query_one(".dialog-title", Label).render())
        assert title == "Note on “Sixth meeting of the North American Drug Dialogue”"
        await pilot.press(*"ask Health Canada", "enter")
        await settle(fixed_app, pilot)
        shown = fixed_app.screen.query_one(ReleaseReader).release
        assert shown is not None
        header = reader_header(shown, fixed_app.pillars).plain
        assert "Triage: New · * starred · unread" in header
        assert "Note: ask Health Canada" in header
        line = rows(fixed_app).render_line(0).text
        assert line.startswith("✎*·◆ ")


def test_counterparts_are_marked_when_there_is_no_note(fixed_store: Store) -> None:
    stored = fixed_store.get("r1")
    assert stored is not None
    marks = {"marked": False, "unsaved": False, "saving": False}
    assert first_cell(stored, counterparts=True, **marks).plain == "⇄"
    assert first_cell(stored, counterparts=False, **marks).plain == " "
    noted = stored.with_changes(note="x")
    assert first_cell(noted, counterparts=True, **marks).plain == "✎"


def test_the_link_is_a_hyperlink_cleaned_of_escapes(fixed_store: Store) -> None:
    stored = fixed_store.get("r1")
    assert stored is not None
    hostile = stored.with_changes(
        release=dataclasses.replace(stored.release, link="https://x.example/\x1b]8;;evil\x07a")
    )
    from feeds import load_taxonomy

    header: Text = reader_header(hostile, load_taxonomy().pillar_set)
    links = {str(span.style.link) for span in header.spans if not isinstance(span.style, str)}
    links.discard("None")
    assert links == {"https://x.example/a"}


async def test_enter_in_the_navigator_moves_on_to_the_list(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "summit")
        await pilot.press("enter")
        await pilot.pause()
        assert rows(fixed_app).has_focus
