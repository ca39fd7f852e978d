"""The theme: kept across restarts, and pillar colours readable on every built-in theme."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rich.color import Color as RichColor
from textual.color import Color

from feeds import PILLAR_COLOURS
from feeds.judge.classify import Classifier
from state import Preferences
from state.store import Store
from tui.app import SummitWatchApp
from tui.render import mark_letters
from tui.services import make_fetcher
from tui.themes import READABLE, contrast
from tui.widgets.release_list import ReleaseList

from .fixtures import fixed_config
from .waiting import workers_done


def app_with(store: Store, classifier: Classifier, prefs: Path) -> SummitWatchApp:
    return SummitWatchApp(
        config=fixed_config(),
        store=store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        preferences=Preferences(prefs),
    )


async def test_the_chosen_theme_is_there_after_a_restart(
    fixed_store: Store, classifier: Classifier, tmp_path: Path
) -> None:
    prefs = tmp_path / "data" / "preferences.json"
    first = app_with(fixed_store, classifier, prefs)
    async with first.run_test(size=(120, 40)) as pilot:
        assert first.theme != "catppuccin-latte"
        first.theme = "catppuccin-latte"
        await pilot.pause()
    again = app_with(fixed_store, classifier, prefs)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "catppuccin-latte"


async def test_a_broken_preferences_file_is_named_and_the_dashboard_starts(
    fixed_store: Store, classifier: Classifier, tmp_path: Path
) -> None:
    prefs = tmp_path / "preferences.json"
    prefs.write_text("{not json", encoding="utf-8")
    app = app_with(fixed_store, classifier, prefs)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any(str(prefs) in str(n.message) for n in app._notifications)
        app.theme = "nord"
        await pilot.pause()
    assert Preferences(prefs).theme == "nord"


async def test_every_pillar_colour_reads_on_every_built_in_theme(
    fixed_store: Store, classifier: Classifier, tmp_path: Path
) -> None:
    app = app_with(fixed_store, classifier, tmp_path / "preferences.json")
    pillar_colours = [p.colour for p in app.pillars]
    async with app.run_test(size=(120, 40)) as pilot:
        checked = []
        for name, theme in app.available_themes.items():
            if theme.ansi:
                continue  # the terminal's own colours
            app.theme = name
            await pilot.pause()
            background = Color.parse(app.theme_variables["background"])
            drawn = {}
            for colour in PILLAR_COLOURS:
                triplet = RichColor.parse(colour).get_truecolor(app.ansi_theme)
                drawn[colour] = Color(*triplet)
                assert contrast(drawn[colour], background) >= READABLE, (name, colour)
            # The taxonomy's six pillars stay six colours.
            assert len({drawn[c].hex for c in pillar_colours}) == len(pillar_colours), name
            checked.append(name)
        assert "textual-light" in checked and "solarized-light" in checked


def _drawn(svg: str) -> dict[str, set[str]]:
    """Each run of text on a screenshot, stripped, with the colours it is drawn in."""
    fills = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]{6})", svg))
    drawn: dict[str, set[str]] = {}
    for cls, text in re.findall(r'<text class="(terminal-\d+-r\d+)"[^>]*>([^<]*)</text>', svg):
        words = html.unescape(text).replace("\xa0", " ").strip()
        drawn.setdefault(words, set()).add(fills.get(cls, "(default)"))
    return drawn


async def test_a_pillar_has_one_colour_in_the_navigator_the_list_and_the_reader(
    fixed_store: Store, classifier: Classifier, tmp_path: Path
) -> None:
    app = app_with(fixed_store, classifier, tmp_path / "preferences.json")
    letters = dict(zip((p.id for p in app.pillars), mark_letters(app.pillars), strict=True))
    # r1 is about security and climate: its evidence terms are underlined in their colours.
    evidence = {"security": "fentanyl", "climate": "clean energy"}
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await workers_done(app)
        app.screen.query_one(ReleaseList).move_to("r1")
        await pilot.press("enter")
        await workers_done(app)
        for theme in ("textual-dark", "catppuccin-latte", "nord"):
            app.theme = theme
            await pilot.pause()
            drawn = _drawn(app.export_screenshot())
            for pillar_id, term in evidence.items():
                pillar = app.pillars.get(pillar_id)
                # The navigator's label, the list's letter, the reader's name and evidence.
                places = (pillar.label, letters[pillar_id], pillar.name, term)
                colours = {place: drawn[place] for place in places}
                assert len(set().union(*colours.values())) == 1, (theme, colours)
