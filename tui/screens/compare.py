"""One event, side by side: one meeting or statement from several governments or languages."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from feeds import PillarSet
from state import StoredRelease
from tui.widgets.release_reader import ReleaseReader


class CompareScreen(Screen[None]):
    HELP = """
## Side by side
The releases summitwatch grouped as one event: the same meeting (its kind named in the
title or lead, the same city, the same days) or the same statement, published by several
governments or in several languages. Tab moves between them; Escape goes back.
"""
    BINDINGS = [Binding("escape,q,v", "dismiss", "Back", id="compare.close")]

    def __init__(self, members: Sequence[StoredRelease], pillars: PillarSet) -> None:
        super().__init__()
        self.members = list(members)
        self.pillars = pillars

    def compose(self) -> ComposeResult:
        title = Text(f"One event, {len(self.members)} releases   (Tab: next, Escape: back)")
        yield Static(title, id="compare-title")
        with Horizontal(id="compare-panes"):
            for _ in self.members:
                yield ReleaseReader(self.pillars, classes="compare-member")
        yield Footer()

    def on_mount(self) -> None:
        for reader, stored in zip(self.query(ReleaseReader), self.members, strict=True):
            reader.release = stored
        self.query(ReleaseReader).first().focus()
