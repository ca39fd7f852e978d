"""Keyboard triage on a real store: every action, several at once, undo, filters, screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, SelectionList

from feeds import load_taxonomy
from state import SavedFilters
from state.records import TriageState
from state.store import Store
from tui.app import SummitWatchApp
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList

from .test_demo_app import choose
from .waiting import workers_done


def listed(app: SummitWatchApp) -> list[str]:
    return [r.id for r in app.screen.query_one(ReleaseList).releases]


async def settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


@pytest.mark.parametrize(
    ("key", "state"),
    [
        ("r", TriageState.RELEVANT),
        ("x", TriageState.NOT_RELEVANT),
        ("f", TriageState.FOLLOW_UP),
        ("b", TriageState.BRIEFED),
    ],
)
async def test_triage_key_sets_the_state_in_the_store(
    fixed_app: SummitWatchApp, fixed_store: Store, key: str, state: TriageState
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        first = listed(fixed_app)[0]
        await pilot.press(key)
        await settle(fixed_app, pilot)
        assert fixed_store.get(first).triage is state  # type: ignore[union-attr]
        await pilot.press("k", "n")  # back to it: the cursor moved on to the next
        await settle(fixed_app, pilot)
        assert fixed_store.get(first).triage is TriageState.NEW  # type: ignore[union-attr]


async def test_star_toggles(fixed_app: SummitWatchApp, fixed_store: Store) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        first = listed(fixed_app)[0]
        await pilot.press("s")
        await settle(fixed_app, pilot)
        assert fixed_store.get(first).starred  # type: ignore[union-attr]
        await pilot.press("s")
        await settle(fixed_app, pilot)
        assert not fixed_store.get(first).starred  # type: ignore[union-attr]


async def test_note_is_kept(fixed_app: SummitWatchApp, fixed_store: Store) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        first = listed(fixed_app)[0]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"brief the deputy", "enter")
        await settle(fixed_app, pilot)
        assert fixed_store.get(first).note == "brief the deputy"  # type: ignore[union-attr]


async def test_read_toggle(fixed_app: SummitWatchApp, fixed_store: Store) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        first = listed(fixed_app)[0]
        await pilot.press("m")
        await settle(fixed_app, pilot)
        assert fixed_store.get(first).read  # type: ignore[union-attr]
        await pilot.press("m")
        await settle(fixed_app, pilot)
        assert not fixed_store.get(first).read  # type: ignore[union-attr]


async def test_space_marks_several_and_one_key_triages_them_all(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        ids = listed(fixed_app)
        await pilot.press("space", "space", "f")
        await settle(fixed_app, pilot)
        states = {i: fixed_store.get(i).triage for i in ids}  # type: ignore[union-attr]
        assert states[ids[0]] is TriageState.FOLLOW_UP
        assert states[ids[1]] is TriageState.FOLLOW_UP
        assert states[ids[2]] is TriageState.NEW
        assert not fixed_app.screen.query_one(ReleaseList).marked


async def test_undo_takes_back_the_last_action_on_all_its_releases(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        ids = listed(fixed_app)
        await pilot.press("r")
        await settle(fixed_app, pilot)
        await pilot.press("space", "space", "b")
        await settle(fixed_app, pilot)
        await pilot.press("u")
        await settle(fixed_app, pilot)
        assert fixed_store.get(ids[0]).triage is TriageState.RELEVANT  # type: ignore[union-attr]
        assert fixed_store.get(ids[1]).triage is TriageState.NEW  # type: ignore[union-attr]
        await pilot.press("u")
        await settle(fixed_app, pilot)
        assert fixed_store.get(ids[0]).triage is TriageState.NEW  # type: ignore[union-attr]


async def test_correction_wins_over_the_classifier(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "other")
        await pilot.press("tab")
        other = listed(fixed_app)[0]
        await pilot.press("c")
        await pilot.pause()
        fixed_app.screen.query_one(Checkbox).value = True
        fixed_app.screen.query_one(SelectionList).select("health")
        await pilot.click("#save")
        await settle(fixed_app, pilot)
        stored = fixed_store.get(other)
        assert stored is not None and stored.summit and stored.pillars == ("health",)
        assert stored.classification.summit is False


async def test_kept_choices_combine_pillar_and_country(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "pillar:security")
        assert sorted(listed(fixed_app)) == ["r1", "r2"]
        await pilot.press("space")
        await choose(pilot, "country:CA")
        assert listed(fixed_app) == ["r2"]
        await pilot.press("space")
        await choose(pilot, "state:new")
        assert listed(fixed_app) == ["r2"]
        await choose(pilot, "state:briefed")
        assert listed(fixed_app) == []
        await choose(pilot, "all")
        await pilot.press("space")  # space on All clears the kept choices
        assert len(listed(fixed_app)) == 4


async def test_saved_filter_is_recalled_from_the_navigator(
    fixed_store: Store, classifier: object, tmp_path: Path
) -> None:
    from tui.services import make_fetcher

    from .fixtures import fixed_config

    saved = SavedFilters(tmp_path / "filters.json")
    app = SummitWatchApp(
        config=fixed_config(),
        store=fixed_store,
        classifier=classifier,  # type: ignore[arg-type]
        pillars=load_taxonomy().pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        saved_filters=saved,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "pillar:health")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"health watch", "enter")
        await pilot.pause()
        assert SavedFilters(tmp_path / "filters.json").names == ["health watch"]
        await choose(pilot, "all")
        assert len(listed(app)) == 4
        await choose(pilot, "saved:health watch")
        assert listed(app) == ["r2"]
        await pilot.press("space")  # keep it while looking at a country
        await choose(pilot, "country:CA")
        assert listed(app) == ["r2"]


async def test_search_is_instant_and_escape_restores(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash", *"DIALOGUE")
        assert listed(fixed_app) == ["r2"]
        assert fixed_app.screen.query_one("#search", Input).has_focus
        await pilot.press("escape")
        assert len(listed(fixed_app)) == 4


async def test_copy_link_uses_the_clipboard(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("y")
        assert fixed_app.clipboard == "https://example.org/r2"


async def test_health_screen_shows_the_last_error(fixed_app: SummitWatchApp) -> None:
    from textual.widgets import DataTable

    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        table = fixed_app.screen.query_one(DataTable)
        row = [str(c) for c in table.get_row("SRE")]
        assert "timed out after 30 s" in row
        assert "failing (3x)" in row
        await pilot.press("escape")
        assert fixed_app.screen.query_one(Navigator)


async def test_polling_in_the_background_never_blocks_the_list(
    demo_app: SummitWatchApp, demo_store: Store
) -> None:
    async with demo_app.run_test(size=(160, 48)) as pilot:
        # Keys pressed while the first poll runs are handled at once.
        for _ in range(5):
            await pilot.press("j")
        await workers_done(demo_app)
        await pilot.pause()
        assert len(listed(demo_app)) == len(demo_store.all()) >= 30
        await pilot.press("j", "j")
        assert demo_app.screen.query_one(ReleaseList).cursor >= 2
