"""The reader: one release in full, with the evidence for each decision highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from feeds import PillarSet
from state import StoredRelease
from tui.render import body_text, event_lines, reader_header


class ReleaseReader(VerticalScroll, can_focus=True):
    """Shows `release` (and `also`, the other releases of its event), both bound by the screen."""

    HELP = """
## Reader
The release in full. The header gives the source, date, link (clickable where the terminal
knows hyperlinks; o opens it, y copies it), your triage state, star and note, the summit
decision with the sentence behind it, and the pillars with their scores. In the text, the
terms that decided each pillar are underlined in the pillar's colour.
J and K go to the next and previous release, N to the next unread one, without leaving the
reader; each release opened this way is marked read.
"""
    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="reader.down"),
        Binding("k", "scroll_up", "Up", show=False, id="reader.up"),
    ]

    release: var[StoredRelease | None] = var(None)
    also: var[tuple[StoredRelease, ...]] = var(())

    def __init__(self, pillars: PillarSet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pillars = pillars

    def compose(self) -> ComposeResult:
        yield Static(id="reader-header")
        yield Static(id="reader-body")

    def on_mount(self) -> None:
        self._redraw()

    def watch_release(self, old: StoredRelease | None, new: StoredRelease | None) -> None:
        self._redraw()
        if old is None or new is None or old.id != new.id:
            self.scroll_home(animate=False)

    def watch_also(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        header = self.query_one("#reader-header", Static)
        body = self.query_one("#reader-body", Static)
        stored = self.release
        if stored is None:
            header.update(Text("No release selected.", style="dim"))
            body.update("")
            return
        text = reader_header(stored, self.pillars)
        if self.also:
            text.append_text(event_lines(self.also))
        header.update(text)
        body.update(body_text(stored, self.pillars))
