"""The walking skeleton end to end: bundled demo -> poll -> store -> panes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from state.store import Store
from tui.app import SummitWatchApp
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList

from .waiting import workers_done


async def wait_for_poll(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    """Until the first poll has reported: it starts after the first paint, so the workers
    may all be done (the index's) before its worker exists."""
    for _ in range(200):
        await workers_done(app)
        await pilot.pause(0.05)
        if app.last_report is not None:
            return
    raise AssertionError("the first poll did not finish")


async def choose(pilot: Pilot[None], selection: str) -> None:
    nav = pilot.app.screen.query_one(Navigator)
    nav.focus()
    await pilot.pause()
    for _ in range(len(nav.options)):
        option = nav.highlighted_option
        if option is not None and option.id == selection:
            break
        await pilot.press("down")
    await pilot.pause()
    assert nav.highlighted_option is not None and nav.highlighted_option.id == selection


def reader_text(app: SummitWatchApp) -> str:
    return str(app.screen.query_one("#reader-header", Static).visual)


async def test_security_pillar_lists_exactly_the_stored_security_releases(
    demo_app: SummitWatchApp, demo_store: Store
) -> None:
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await wait_for_poll(demo_app, pilot)
        stored = demo_store.all()
        assert len(stored) >= 30
        await choose(pilot, "pillar:security")
        shown = [r.id for r in demo_app.screen.query_one(ReleaseList).releases]
        expected = [r.id for r in stored if "security" in r.pillars]
        assert expected, "the demo has no release labelled security"
        assert sorted(shown) == sorted(expected)

        await pilot.press("tab")  # from the navigator to the list
        await pilot.press("down", "enter")
        opened = demo_app.screen.query_one(ReleaseList).current
        assert opened is not None
        assert opened.release.title in reader_text(demo_app)
        assert demo_store.get(opened.id) is not None
        await pilot.pause()
        await workers_done(demo_app)
        assert demo_store.get(opened.id).read  # type: ignore[union-attr]


async def test_narrow_terminal_swaps_list_and_reader(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        screen = fixed_app.screen
        assert screen.has_class("-narrow")
        assert not screen.query_one("#reader").display
        await pilot.press("enter")
        assert screen.has_class("-reading")
        assert screen.query_one("#reader").display
        assert not screen.query_one("#list-pane").display
        await pilot.press("escape")
        assert not screen.has_class("-reading")
        assert screen.query_one(ReleaseList).has_focus


async def test_read_state_survives_a_restart(
    fixed_app: SummitWatchApp, fixed_store: Store, classifier: object
) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        first = fixed_app.screen.query_one(ReleaseList).current
        assert first is not None and not first.read
        await pilot.press("enter")
        await workers_done(fixed_app)
    path = fixed_store.path
    fixed_store.close()
    with Store(path) as reopened:
        assert reopened.get(first.id).read  # type: ignore[union-attr]


async def test_feed_text_with_markup_shows_literally(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "country:MX")
        await pilot.press("tab", "enter")
        assert "[Comunicado 031]" in reader_text(fixed_app)


async def test_search_narrows_the_list_ignoring_accents(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"reunion cancilleres")
        shown = fixed_app.screen.query_one(ReleaseList).releases
        assert [r.id for r in shown] == ["r3"]
        await pilot.press("escape")
        assert len(fixed_app.screen.query_one(ReleaseList).releases) == 4


async def test_help_lists_every_key(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        body = str(fixed_app.screen.query_one("#help-body", Static).visual)
        for words in ("Quit", "Poll now", "Open", "Search"):
            assert words in body
        await pilot.press("escape")
        assert fixed_app.screen.query_one(ReleaseList)
