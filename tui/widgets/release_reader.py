"""The reader: one release in full, with the evidence for each decision highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from feeds import PillarSet
from state import StoredRelease
from tui.render import body_text, event_lines, reader_header


class ReleaseReader(VerticalScroll, can_focus=True):
    HELP = """
## Reader
The release in full. The header gives the source, date, link, the summit decision with the
sentence behind it, and the pillars with their scores. In the text, the terms that decided each
pillar are underlined in the pillar's colour.
"""
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="reader.down"),
        Binding("k", "scroll_up", "Up", show=False, id="reader.up"),
    ]

    def __init__(self, pillars: PillarSet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pillars = pillars

    def compose(self) -> ComposeResult:
        yield Static(id="reader-header")
        yield Static(id="reader-body")

    def show(self, stored: StoredRelease | None, also: Sequence[StoredRelease] = ()) -> None:
        """Show `stored`; `also` lists the other releases of its event."""
        header = self.query_one("#reader-header", Static)
        body = self.query_one("#reader-body", Static)
        if stored is None:
            header.update(Text("No release selected.", style="dim"))
            body.update("")
        else:
            text = reader_header(stored, self.pillars)
            if also:
                text.append_text(event_lines(also))
            header.update(text)
            body.update(body_text(stored, self.pillars))
        self.scroll_home(animate=False)
