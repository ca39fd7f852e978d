"""The release list: one line per release, drawn on demand so 100,000 rows cost nothing.

A DataTable builds every row up front; this widget renders only the lines on screen, which is
what keeps a search over a large store instant.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive, var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from feeds import PillarSet
from state import StoredRelease
from tui.columns import LEAD_WIDTH, Columns, short_date
from tui.render import first_cell, pillar_badges, pillar_marks, title_cell, triage_cell


def _cell(text: Text | str, width: int) -> Text:
    cell = text.copy() if isinstance(text, Text) else Text(text)
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


def columns(width: int, pillars: PillarSet) -> Columns:
    """The columns of a line `width` cells wide, for the taxonomy's pillars."""
    badges = sum(len(p.badge) for p in pillars) + max(0, len(pillars) - 1)
    return Columns.for_width(width, badges=badges, marks=len(pillars))


def header_text(width: int, pillars: PillarSet) -> Text:
    cols = columns(width, pillars)
    parts = [
        Text(" " * LEAD_WIDTH),
        _cell("Date", cols.date),
        Text(" "),
        _cell("CC", cols.country),
        Text(" "),
    ]
    if cols.source:
        parts += [_cell("Source", cols.source), Text(" ")]
    parts += [
        _cell("Title", cols.title),
        Text(" "),
        _cell("Pillar" if cols.compact_pillars else "Pillars", cols.pillars),
    ]
    return Text.assemble(*parts, style="bold")


def row_text(
    stored: StoredRelease,
    width: int,
    marked: bool,
    pillars: PillarSet,
    unsaved: bool = False,
    saving: bool = False,
    counterparts: bool = False,
) -> Text:
    cols = columns(width, pillars)
    r = stored.release
    first = first_cell(
        stored, marked=marked, unsaved=unsaved, saving=saving, counterparts=counterparts
    )
    parts = [
        first,
        triage_cell(stored),
        Text(" "),
        _cell(short_date(r.published, cols.date), cols.date),
        Text(" "),
        _cell(r.country, cols.country),
        Text(" "),
    ]
    if cols.source:
        parts += [_cell(Text(r.source, style="dim"), cols.source), Text(" ")]
    parts += [
        _cell(title_cell(stored), cols.title),
        Text(" "),
        _cell(
            pillar_marks(stored, pillars)
            if cols.compact_pillars
            else pillar_badges(stored, pillars),
            cols.pillars,
        ),
    ]
    line = Text.assemble(*parts, no_wrap=True, end="")
    line.truncate(width, pad=True)
    return line


class ReleaseList(ScrollView, can_focus=True):
    """Releases of the current selection; Enter opens one, space marks several.

    The screen binds `releases` and `unsaved`; the list keeps its cursor on the same release
    when they change.
    """

    HELP = """
## Release list
One line per release. First `!` when its last decision could not be saved (`…` while it is
being saved), `▌` when marked, else ✎ when it has a note, else ⇄ when other governments or
languages published the same event (v shows them side by side). Then `*` when starred,
the triage state (· new, R relevant, x not relevant, F follow-up, B briefed), ◆ for a
summit release, then date, country, source, title (bold while unread) and the pillars it
addresses. Where the title needs the room the source is left out and the pillars show as
one letter each, in the taxonomy's order and colours, taken from their badges (with the
default taxonomy: D diversity, C climate, O competitiveness, M migration, H health,
S security). Enter opens the release in the reader. Space marks several
releases, so that the next triage key applies to all of them (ctrl+a, from anywhere but the
search box, marks every listed release); Escape clears the marks.
"""
    COMPONENT_CLASSES = {"release-list--cursor"}
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("space", "toggle_mark", "Mark", show=False, id="list.mark"),
    ]

    # Never compared: two lists of 100,000 releases are not worth comparing on every keypress.
    releases: var[list[StoredRelease]] = var(list, always_update=True)
    unsaved: var[frozenset[str]] = var(frozenset())
    """Releases whose last decision could not be written."""
    saving: var[frozenset[str]] = var(frozenset())
    """Releases whose decision is shown but not on disk yet."""
    counterparts: var[frozenset[str]] = var(frozenset())
    """Releases with counterparts in other governments or languages."""
    empty_hint: var[tuple[str, ...]] = var(())
    """Why the list is empty and what to press, shown when it is."""
    marked: var[frozenset[str]] = var(frozenset())
    """Releases marked with space: the next triage key applies to all of them."""
    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class Highlighted(Message):
        release_id: str | None

    @dataclass
    class Opened(Message):
        release_id: str

    class MarksChanged(Message):
        """The set of marked releases changed (space marks several for one action)."""

    def __init__(self, pillars: PillarSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pillars = pillars

    @property
    def current(self) -> StoredRelease | None:
        if 0 <= self.cursor < len(self.releases):
            return self.releases[self.cursor]
        return None

    def watch_releases(self, old: list[StoredRelease], releases: list[StoredRelease]) -> None:
        wanted = old[self.cursor].id if 0 <= self.cursor < len(old) else None
        if self.marked:
            self.marked &= {r.id for r in releases}
        self.virtual_size = Size(0, len(releases))
        # A release that left the list (triaged out of a "New" view) leaves the cursor where it
        # was, on the release that came after it.
        index = next((i for i, r in enumerate(releases) if r.id == wanted), None)
        if index is None:
            index = self.cursor if wanted is not None else 0
        self.cursor = min(index, max(0, len(releases) - 1))
        self._announce()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if index >= len(self.releases):
            if not self.releases and 1 <= y <= len(self.empty_hint):
                hint = Text("  " + self.empty_hint[y - 1], style="dim" if y > 1 else "")
                hint.truncate(width, overflow="ellipsis", pad=True)
                hint.stylize(self.rich_style)
                return Strip(hint.render(self.app.console), width)
            return Strip.blank(width, self.rich_style)
        stored = self.releases[index]
        line = row_text(
            stored,
            width,
            stored.id in self.marked,
            self.pillars,
            stored.id in self.unsaved,
            stored.id in self.saving,
            stored.id in self.counterparts,
        )
        if index == self.cursor:
            base = self.get_component_rich_style("release-list--cursor")
        else:
            base = self.rich_style
        # Under the line's own styles, not over them: the pillars keep their colours.
        line.stylize_before(base)
        return Strip(line.render(self.app.console), width)

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region(self._line_region(new), animate=False, immediate=True)
        self.refresh()
        self._announce()

    def _line_region(self, index: int) -> Region:
        return Region(0, index, self.size.width, 1)

    def _announce(self) -> None:
        current = self.current
        self.post_message(self.Highlighted(current.id if current else None))

    def on_resize(self) -> None:
        # No width of its own: a line is cut to the pane, so no horizontal scrollbar appears.
        self.virtual_size = Size(0, len(self.releases))

    def action_cursor_up(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.cursor = min(max(0, len(self.releases) - 1), self.cursor + 1)

    def action_page_up(self) -> None:
        self.cursor = max(0, self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        step = max(1, self.size.height - 1)
        self.cursor = min(max(0, len(self.releases) - 1), self.cursor + step)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, len(self.releases) - 1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current.id))

    def action_toggle_mark(self) -> None:
        current = self.current
        if current is None:
            return
        self.marked ^= {current.id}
        self.action_cursor_down()

    def mark_all(self) -> None:
        """Mark every listed release (the screen's ctrl+a)."""
        self.marked = frozenset(r.id for r in self.releases)

    def move_to(self, release_id: str) -> None:
        """Put the cursor on `release_id` when it is listed."""
        index = next((i for i, r in enumerate(self.releases) if r.id == release_id), None)
        if index is not None:
            self.cursor = index

    def watch_marked(self) -> None:
        self.post_message(self.MarksChanged())
        self.refresh()

    def watch_unsaved(self) -> None:
        self.refresh()

    def watch_saving(self) -> None:
        self.refresh()

    def watch_counterparts(self) -> None:
        self.refresh()

    def watch_empty_hint(self) -> None:
        self.refresh()

    def clear_marks(self) -> None:
        self.marked = frozenset()

    def on_click(self, event: Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.releases):
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index
