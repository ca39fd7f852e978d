"""The dashboard on a real store holding an edited release: the list marks it, the reader
says when it changed, and V shows what each edit changed, word by word, text cleaned."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.widgets import Static

from feeds import ClassifiedRelease
from state.store import Store
from tui.app import SummitWatchApp
from tui.render import EDITED_MARK, title_cell
from tui.screens.versions import VersionsScreen
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_releases
from .test_triage import settle

HOSTILE = "\x1b]0;PWNED\x07[bold]not markup[/bold]"


def edited_copy(item: ClassifiedRelease) -> ClassifiedRelease:
    text = item.release.text.replace(".", f" with a new passage {HOSTILE}.", 1)
    return replace(
        item, release=replace(item.release, title=item.release.title + " (updated)", text=text)
    )


def shown(app: SummitWatchApp, widget: str) -> Text:
    content = app.screen.query_one(widget, Static).content
    assert isinstance(content, Text)
    return content


async def test_v_shows_the_words_an_edit_changed_and_steps_back_to_the_first(
    fixed_app: SummitWatchApp, fixed_store: Store
) -> None:
    first = fixed_releases()[0]
    edited_at = FIXED_NOW.replace(hour=18).isoformat(timespec="seconds")
    assert fixed_store.add([edited_copy(first)], now=edited_at).changed
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        release_list = fixed_app.screen.query_one(ReleaseList)
        rows = release_list.releases
        release_list.cursor = next(n for n, r in enumerate(rows) if r.id == first.release.id)
        other = next(n for n, r in enumerate(rows) if r.id != first.release.id)
        await settle(fixed_app, pilot)
        # The list marks the edited release, and only it.
        assert title_cell(rows[release_list.cursor]).plain.startswith(EDITED_MARK)
        assert not title_cell(rows[other]).plain.startswith(EDITED_MARK)

        await pilot.press("V")
        await settle(fixed_app, pilot)
        assert isinstance(fixed_app.screen, VersionsScreen)
        head, body = shown(fixed_app, "#versions-title"), shown(fixed_app, "#versions-text")
        assert "Version 2 of 2, first seen 2026-11-20 18:30 UTC" in head.plain
        assert "Against version 1: 1 passage changed" in head.plain
        # Escape sequences are gone, markup shows as text; added words are styled apart.
        assert "\x1b" not in body.plain and "PWNED" not in body.plain
        assert "with a new passage [bold]not markup[/bold]." in body.plain
        added = {body.plain[s.start : s.end] for s in body.spans if "underline" in str(s.style)}
        assert any("new passage" in run for run in added), added
        assert any("(updated)" in run for run in added), added

        await pilot.press("left")
        await settle(fixed_app, pilot)
        head, body = shown(fixed_app, "#versions-title"), shown(fixed_app, "#versions-text")
        assert "Version 1 of 2" in head.plain and "(as first stored)" in head.plain
        assert "new passage" not in body.plain and first.release.text in body.plain
        assert fixed_app.screen.check_action("step", (-1,)) is None  # no older version

        await pilot.press("escape")
        await settle(fixed_app, pilot)
        assert not isinstance(fixed_app.screen, VersionsScreen)
        release_list = fixed_app.screen.query_one(ReleaseList)
        release_list.cursor = other
        await settle(fixed_app, pilot)
        assert fixed_app.screen.check_action("versions", ()) is None  # never edited
