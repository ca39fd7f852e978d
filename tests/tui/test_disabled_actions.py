"""Keys that cannot act are greyed in the footer and left off the command palette."""

from __future__ import annotations

from textual.pilot import Pilot

from feeds import Classifier, Config
from state import Store
from tui.app import SummitWatchApp
from tui.services import make_fetcher

from .fixtures import fixed_config
from .waiting import workers_done


def enabled(app: SummitWatchApp, key: str) -> bool:
    return app.screen.active_bindings[key].enabled


def palette_titles(app: SummitWatchApp) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


async def settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def test_undo_is_greyed_until_there_is_something_to_undo(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        assert not enabled(fixed_app, "u")
        assert "Undo" not in palette_titles(fixed_app)
        await pilot.press("r")
        await settle(fixed_app, pilot)
        assert enabled(fixed_app, "u")
        assert "Undo" in palette_titles(fixed_app)
        await pilot.press("u")
        await settle(fixed_app, pilot)
        assert not enabled(fixed_app, "u")


async def test_triage_keys_are_greyed_while_nothing_is_listed(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        assert enabled(fixed_app, "r") and enabled(fixed_app, "s")
        await pilot.press("slash", *"no release says this")
        await settle(fixed_app, pilot)
        await pilot.press("enter")  # back to the list, now empty
        await settle(fixed_app, pilot)
        assert not enabled(fixed_app, "r") and not enabled(fixed_app, "s")
        assert "Star" not in palette_titles(fixed_app)
        await pilot.press("escape")
        await settle(fixed_app, pilot)
        assert enabled(fixed_app, "r") and enabled(fixed_app, "s")


async def test_poll_is_greyed_while_a_poll_runs(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        assert enabled(fixed_app, "p")
        fixed_app.polling = True  # as the poll worker sets it for the length of a poll
        await pilot.pause()
        assert not enabled(fixed_app, "p")
        assert "Poll now" not in palette_titles(fixed_app)
        fixed_app.polling = False
        await pilot.pause()
        assert enabled(fixed_app, "p")
        assert "Poll now" in palette_titles(fixed_app)


async def test_demo_is_offered_until_it_is_shown(
    fixed_store: Store, classifier: Classifier, demo_app: SummitWatchApp
) -> None:
    def no_demo_here() -> tuple[Config, Store]:
        raise AssertionError("the test does not load the demo")

    app = SummitWatchApp(
        config=fixed_config(),
        store=fixed_store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        demo_loader=no_demo_here,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert enabled(app, "d")
        assert "Offline demo" in palette_titles(app)
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await settle(demo_app, pilot)
        assert not enabled(demo_app, "d")
        assert "Offline demo" not in palette_titles(demo_app)
