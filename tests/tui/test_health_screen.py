"""Source health: a long last error is read in full, wrapped, without scrolling sideways."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable, Static

from feeds import SourceHealth
from tui.app import SummitWatchApp
from tui.screens.health import ERROR_COLUMN, SourceHealthScreen

from .fixtures import SOURCES, fixed_health

LONG = (
    'blocked by a bot challenge (gob.mx proof-of-work); this source needs fetch = "browser", '
    "see README. The page answered 200 with 14,233 bytes of script and no items; the last "
    "success was three days ago and the next try is in two hours. END-OF-ERROR"
)


async def test_the_highlighted_sources_last_error_is_shown_whole_and_wrapped(
    fixed_app: SummitWatchApp,
) -> None:
    health = {h.source: h for h in fixed_health()}
    health["SRE"] = replace(health["SRE"], last_error=LONG)
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        await fixed_app.push_screen(SourceHealthScreen(SOURCES, health))
        await pilot.pause()
        table = fixed_app.screen.query_one(DataTable)
        cell = str(table.get_row("SRE")[-1])
        assert len(cell) <= ERROR_COLUMN and cell.endswith("…")
        table.move_cursor(row=table.get_row_index("SRE"))
        await pilot.pause()
        detail = fixed_app.screen.query_one("#health-detail", Static)
        text = str(detail.render())
        assert text == f"SRE: {LONG}"  # all of it
        # Wrapped on lines that fit the screen: as many as its length needs.
        assert detail.size.width <= 80
        assert detail.size.height >= len(text) // detail.size.width
        table.move_cursor(row=0)
        await pilot.pause()
        assert str(detail.render()).startswith(f"{SOURCES[0].name}: ")


async def test_a_source_never_polled_says_so(fixed_app: SummitWatchApp) -> None:
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        await fixed_app.push_screen(SourceHealthScreen(SOURCES, {"SRE": SourceHealth("SRE")}))
        await pilot.pause()
        detail = str(fixed_app.screen.query_one("#health-detail", Static).render())
        assert detail.startswith(f"{SOURCES[0].name}: no error at its last poll")
