"""Keys typed in one burst after `/` are search words, never list keys.

A terminal delivers "/fentanyl" typed fast in one read: the driver queues every key before
the first is handled. Pilot's `press` waits for the app to be idle after each key, so it
cannot show this; the test queues the keys as the driver does.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tui.app import SummitWatchApp
from tui.screens.main import MainScreen

from .waiting import workers_done


def type_in_one_burst(app: SummitWatchApp, text: str) -> None:
    """Queue `text` as one read of the terminal gives it: every key before the first runs."""
    for char in text:
        app.post_message(events.Key("slash" if char == "/" else char, char))


async def test_keys_typed_fast_after_slash_go_to_the_search_box(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await workers_done(fixed_app)
        screen = fixed_app.screen
        type_in_one_burst(fixed_app, "/fentanyl")
        await pilot.pause()
        await workers_done(fixed_app)
        await pilot.pause()
        assert fixed_app.screen is screen  # "t" did not open the timeline
        assert screen.query_one("#search", Input).value == "fentanyl"
        assert isinstance(screen, MainScreen) and screen.search == "fentanyl"
        assert screen.listed is not None and screen.listed.view.search == "fentanyl"
        # "f", "e", "n", "a": no follow-up, export, back-to-new or note reached the list.
        assert fixed_app.triage.pending == 0 and not fixed_app.triage.can_undo


async def test_a_slash_typed_in_the_search_box_is_part_of_the_search(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"2023/11")
        await pilot.pause()
        screen = fixed_app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one("#search", Input).value == "2023/11"
        assert screen.search == "2023/11"


async def test_a_key_typed_just_before_slash_in_the_same_burst_still_acts_on_the_list(
    fixed_app: SummitWatchApp,
) -> None:
    async with fixed_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await workers_done(fixed_app)
        screen = fixed_app.screen
        type_in_one_burst(fixed_app, "r/zz")
        await pilot.pause()
        fixed_app.triage.wait(timeout=10)
        await workers_done(fixed_app)
        await pilot.pause()
        assert screen.query_one("#search", Input).value == "zz"
        assert fixed_app.triage.can_undo  # "r" marked the release under the cursor relevant
        assert fixed_app.store.get("r2").triage.value == "relevant"  # type: ignore[union-attr]
