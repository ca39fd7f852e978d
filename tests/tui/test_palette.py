"""Every key of the dashboard is also on the command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.actions import parse
from textual.app import SystemCommand

from tui.app import SummitWatchApp
from tui.screens.main import MainScreen

from .test_demo_app import wait_for_poll
from .waiting import workers_done

# Keys that act inside the pane that has the focus (moving, opening, marking, keeping a
# navigator choice) are not commands of the screen; Escape closes the palette itself.
NOT_COMMANDS = {"back"}
# Textual's own palette commands that run one of our actions.
TEXTUAL_OWN = {"quit"}


def action_names(entries: object) -> set[str]:
    return {parse(entry.action)[1] for entry in entries}  # type: ignore[attr-defined]


def test_every_binding_of_the_app_and_the_main_screen_has_a_palette_command() -> None:
    bindings = [*SummitWatchApp.BINDINGS, *MainScreen.BINDINGS]
    offered = action_names([*SummitWatchApp.PALETTE, *MainScreen.PALETTE]) | TEXTUAL_OWN
    missing = [
        f"{b.id} ({b.action})"  # type: ignore[union-attr]
        for b in bindings
        if parse(b.action)[1] not in offered | NOT_COMMANDS  # type: ignore[union-attr]
    ]
    assert missing == []
    # And what is offered runs an action with a key (or one of the palette's own).
    keyed = {parse(b.action)[1] for b in bindings}  # type: ignore[union-attr]
    assert action_names([*SummitWatchApp.PALETTE, *MainScreen.PALETTE]) <= keyed


def palette_actions(app: SummitWatchApp) -> set[str]:
    """The actions behind the commands the palette offers now."""
    found = set()
    for command in app.get_system_commands(app.screen):
        assert isinstance(command, SystemCommand)
        run = command.callback
        if isinstance(run, partial) and run.args:
            found.add(parse(run.args[0])[1])
        else:
            found.add(getattr(run, "__name__", "").removeprefix("action_"))
    return found


async def test_side_by_side_read_and_back_to_new_are_on_the_palette(
    demo_app: SummitWatchApp,
) -> None:
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await wait_for_poll(demo_app, pilot)
        await pilot.press("slash", *"Encabeza el presidente", "enter")
        await workers_done(demo_app)
        await pilot.pause()
        offered = palette_actions(demo_app)
        assert {"compare", "toggle_read", "set_state", "quit", "help", "export_starred"} <= offered
        titles = {c.title for c in demo_app.get_system_commands(demo_app.screen)}
        assert {"Side by side", "Mark read/unread", "Back to new"} <= titles
