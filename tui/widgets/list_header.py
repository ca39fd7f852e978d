"""The two lines above the release list: the filter in plain words, and the column titles."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from feeds import PillarSet
from state import ViewFilter
from tui.view import describe_filter
from tui.widgets.release_list import header_text


@dataclass(frozen=True, slots=True)
class Listed:
    """What the list shows: the filter, how many (None while loading), how many of them are
    unread, how many are marked."""

    view: ViewFilter
    count: int | None
    unread: int = 0
    marked: int = 0


def listed_text(listed: Listed | None, pillars: PillarSet, width: int) -> Text:
    """ "Security × Mexico · 'fentanyl'" on the left, "12 listed · 3 unread" on the right."""
    if listed is None:
        return Text()
    if listed.count is None:
        right = "loading…"
    else:
        right = f"{listed.count} listed · {listed.unread} unread"
    if listed.marked:
        right += f" · {listed.marked} marked"
    left = Text(describe_filter(listed.view, pillars), style="bold")
    left.truncate(max(1, width - len(right) - 2), overflow="ellipsis")
    gap = max(2, width - len(left) - len(right))
    line = Text.assemble(left, " " * gap, (right, "dim"))
    line.truncate(width)
    return line


class FilterBar(Static):
    """The filter in force, always in sight: what is ticked is what the list shows."""

    listed: var[Listed | None] = var(None)

    def __init__(self, pillars: PillarSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pillars = pillars

    def _redraw(self) -> None:
        self.update(listed_text(self.listed, self.pillars, max(10, self.content_size.width)))

    def watch_listed(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()


class ColumnHeader(Static):
    """The column titles, as wide as the list's lines (`line_width`, bound by the screen)."""

    line_width: var[int] = var(80)

    def __init__(self, pillars: PillarSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pillars = pillars

    def watch_line_width(self, width: int) -> None:
        self.update(header_text(width, self.pillars))
