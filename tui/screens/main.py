"""The triage screen: navigator, release list, reader. It owns what is shown; widgets report.

The screen holds the state (its reactives), binds it into the widgets, and decides in
`check_action` what can run; its actions live by job beside it: the filter and search in
`filter_actions`, the list and the reader in `list_actions`, the triage keys in
`triage_actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.signal import Signal
from textual.timer import Timer
from textual.widgets import Footer, Input

from feeds import PillarSet, Source, SourceHealth
from state import ALL, Briefing, SavedFilters, Store, StoredRelease
from tui.messages import (
    PollFinished,
    PollProgressed,
    PollStarted,
    ReleasesChanged,
    ReleasesEnriched,
)
from tui.palette import PaletteEntry, palette_commands
from tui.screens.filter_actions import FilterActions
from tui.screens.list_actions import ListActions
from tui.screens.triage_actions import DECIDING, TriageScreen
from tui.triage import Triage
from tui.view import ReleaseIndex, describe_filter, empty_hint
from tui.widgets.list_header import ColumnHeader, FilterBar, Listed
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList
from tui.widgets.release_reader import ReleaseReader
from tui.widgets.status_line import StatusLine, idle_status, poll_summary

NARROW_BELOW = 130
# Saved filters belong to the database (a file beside it): a read-only dashboard uses them
# but saves, renames and deletes none. Nor does it mark all read (`A`): that writes too.
WRITES_TOO = frozenset({"save_filter", "rename_filter", "delete_filter", "mark_all_read"})


class MainScreen(FilterActions, ListActions):
    WRITING = DECIDING | WRITES_TOO
    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="main.back"),
        Binding("backspace", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding("J", "next_release", "Next release", show=False, id="main.next"),
        Binding("K", "previous_release", "Previous release", show=False, id="main.previous"),
        Binding("N", "next_unread", "Next unread", show=False, id="main.next_unread"),
        Binding("A", "mark_all_read", "Mark all read", show=False, id="main.mark_all_read"),
        # The screen's, so that it works wherever focus is (the reader, the navigator); a text
        # box keeps it (start of the line). Its id is the one it had on the list: remaps hold.
        Binding("ctrl+a", "mark_all", "Mark all listed", show=False, id="list.mark_all"),
        Binding("slash", "search", "Search", id="main.search"),
        Binding("ctrl+s", "save_filter", "Save filter", show=False, id="main.save_filter"),
        Binding(
            "ctrl+r", "rename_filter", "Rename saved filter", show=False, id="main.rename_filter"
        ),
        Binding(
            "ctrl+d", "delete_filter", "Delete saved filter", show=False, id="main.delete_filter"
        ),
        Binding("v", "compare", "Side by side", show=False, id="main.compare"),
        *TriageScreen.TRIAGE_BINDINGS,
    ]
    PALETTE = [
        PaletteEntry("Search", "Search titles and text", "search"),
        PaletteEntry("Save filter", "Save the current filter by name", "save_filter"),
        PaletteEntry("Rename saved filter", "The saved filter highlighted", "rename_filter"),
        PaletteEntry("Delete saved filter", "The saved filter highlighted", "delete_filter"),
        PaletteEntry("Side by side", "The same event from other governments", "compare"),
        PaletteEntry("Clear filter", "List all releases again", "clear_filter"),
        PaletteEntry("Next release", "Open the next release in the reader", "next_release"),
        PaletteEntry(
            "Previous release", "Open the previous release in the reader", "previous_release"
        ),
        PaletteEntry("Next unread", "Open the next unread release", "next_unread"),
        PaletteEntry("Mark all read", "Mark every listed release read", "mark_all_read"),
        PaletteEntry("Mark all listed", "So that the next triage key applies to all", "mark_all"),
        *TriageScreen.TRIAGE_PALETTE,
    ]

    # What the screen shows, bound into its widgets in `compose`.
    releases: var[list[StoredRelease]] = var(list, always_update=True)
    """The releases listed, in order (never compared: they can be 100,000)."""
    pinned: var[tuple[str, ...]] = var(tuple)
    """Choices kept with space; they combine with the one highlighted in the navigator."""
    choice: var[str] = var(ALL)
    """The choice highlighted in the navigator."""
    search: var[str] = var("")
    counts: var[Mapping[str, int]] = var(dict)
    """Unread releases per navigator choice."""
    totals: var[Mapping[str, int]] = var(dict)
    """Releases per navigator choice, read or not."""
    health: var[Mapping[str, SourceHealth]] = var(dict)
    saved_names: var[tuple[str, ...]] = var(tuple)
    stale_pillars: var[tuple[str, ...]] = var(tuple)
    """Pillars the releases carry that the taxonomy lacks: the navigator lists them too."""
    listed: var[Listed | None] = var(None, bindings=True)
    """The filter in force and what it lists (the list's heading)."""
    line_width: var[int] = var(80)
    """How wide a line of the list is, for its column titles."""
    counterparts: var[frozenset[str]] = var(frozenset())
    """Releases that other governments or languages published too."""
    empty: var[tuple[str, ...]] = var(())
    """Why the list is empty and what to press."""
    reading: var[StoredRelease | None] = var(None)
    """The release in the reader."""
    reading_also: var[tuple[StoredRelease, ...]] = var(())
    """The other releases of its event."""

    def __init__(
        self,
        store: Store,
        sources: Sequence[Source],
        pillars: PillarSet,
        saved: SavedFilters | None = None,
        *,
        triage: Triage,
        events: Signal[Message],
        clock: Callable[[], datetime],
        demo: bool = False,
        briefings: Path | None = None,
        advance: bool = True,
    ) -> None:
        super().__init__(triage, pillars, briefings, advance=advance)
        self.store = store
        self.sources = list(sources)
        self.index = ReleaseIndex()
        # Until the first index arrives from its worker (a second at 100,000 releases) the
        # list shows everything, newest first, and no filter applies yet.
        self.indexed = False
        self._unindexed: dict[str, StoredRelease] = {}
        self._unindexed_changes: list[StoredRelease] = []
        # Changes shown since the last reload took its snapshot: the index it is building
        # gets them too, so that one arriving meanwhile is not lost when it replaces this one.
        self._since_reload: list[StoredRelease] = []
        self.saved = saved
        self._events = events
        self._clock = clock
        self._demo = demo
        # release id -> the other members of its event
        self.event_members: dict[str, tuple[str, ...]] = {}
        self._reader_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield Navigator(self.sources, self.pillars, id="nav").data_bind(
                MainScreen.choice,
                MainScreen.pinned,
                MainScreen.counts,
                MainScreen.totals,
                MainScreen.health,
                MainScreen.saved_names,
                MainScreen.stale_pillars,
            )
            with Vertical(id="list-pane"):
                yield Input(
                    placeholder="search titles and text (Enter: back to the list)", id="search"
                )
                yield FilterBar(self.pillars, id="filter-bar").data_bind(MainScreen.listed)
                yield ColumnHeader(self.pillars, id="list-header").data_bind(MainScreen.line_width)
                yield ReleaseList(self.pillars, id="releases").data_bind(
                    MainScreen.releases,
                    MainScreen.unsaved,
                    MainScreen.saving,
                    MainScreen.counterparts,
                    empty_hint=MainScreen.empty,
                )
            yield ReleaseReader(self.pillars, id="reader").data_bind(
                release=MainScreen.reading, also=MainScreen.reading_also
            )
        yield StatusLine(id="status").data_bind(message=MainScreen.status)
        yield Footer()

    def on_mount(self) -> None:
        self._events.subscribe(self, self.post_message, immediate=True)
        if self.saved is not None:
            self.saved_names = tuple(self.saved.names)
            if self.saved.error:
                self.notify(self.saved.error, severity="warning", markup=False)
            for name in self.saved.names:
                self._warn_unknown_pillars(name)
        self.reload()
        self.query_one(ReleaseList).focus()
        self.status = self.triage.read_only or idle_status(self.store.health(), self._clock())

    def say(self, message: str) -> None:
        self.status = message

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)  # greys what writes, when read-only
        if not allowed:
            return allowed
        if action == "save_filter":
            return self.saved is not None or None
        if action in ("rename_filter", "delete_filter"):
            return bool(self.saved is not None and self._saved_choice()) or None
        if action == "compare":
            current = self.query_one(ReleaseList).current if self.is_mounted else None
            return bool(current and self.event_members.get(current.id)) or None
        if action == "clear_filter":
            return bool(self.pinned or self.choice != ALL or self.search) or None
        if action in ("next_release", "previous_release", "next_unread", "mark_all"):
            return bool(self.releases) or None
        if action == "mark_all_read":
            return bool(self.listed and self.listed.unread) or None
        return allowed

    def briefing_scope(self) -> Briefing:
        """The list's filter; releases marked not relevant only when it asks for them."""
        view = self.view
        asked = "state:not_relevant" in view.selections
        scope = describe_filter(view, self.pillars) if view.selections or view.search else ""
        return Briefing(scope=scope, not_relevant=asked)

    def palette_commands(self) -> Iterator[SystemCommand]:
        """The screen's entries on the command palette, those that can run now."""
        return palette_commands(self, self.PALETTE)

    # -- what is shown ---------------------------------------------------------------------

    def reload(self) -> None:
        """Take everything from the store again (it keeps it all in memory).

        The newest releases are listed at once; the index that filters, counts and searches
        them is built in a worker, so that a large store shows its first screen quickly.
        """
        releases = self.store.all()
        self._since_reload = []
        if not self.indexed:
            self._unindexed = {r.id: r for r in releases}
        if not self.view.selections and not self.view.search:
            self.releases = releases
            self._update_listed()
        # After the next paint: a worker thread holding the GIL would delay the first screen.
        self.call_after_refresh(self._build_index, releases if self.store.complete else None)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False, description="index")
    def _build_index(self, releases: list[StoredRelease] | None) -> None:
        if releases is None:  # the store opened with only its newest months
            self.store.load_deferred()
            releases = self.store.all()
        index = ReleaseIndex()
        index.replace(releases)
        self.app.call_from_thread(self._index_ready, index)
        index.prepare_search()

    def _index_ready(self, index: ReleaseIndex) -> None:
        if not self.indexed:
            index.update(self._unindexed_changes)
            self.indexed = True
            self._unindexed, self._unindexed_changes = {}, []
            stale = sorted(self.pillars.unknown(index.pillars_carried()))
            self.stale_pillars = tuple(stale)
            if stale:
                self.notify(
                    f"Some releases carry pillars this taxonomy does not have ({', '.join(stale)}):"
                    " `summitwatch reclassify` classifies them again.",
                    severity="warning",
                    markup=False,
                )
        index.update(self._since_reload)
        self.index = index
        self.refresh_list()
        self._refresh_counts()
        self._load_events()

    def refresh_list(self) -> None:
        if not self.indexed:
            if self.view.selections or self.view.search:
                self.status = "indexing releases… the filter applies in a moment"
            return  # `_index_ready` shows the list again
        self.releases = self.index.select(self.view)
        self._update_listed()

    def watch_releases(self, old: list[StoredRelease], new: list[StoredRelease]) -> None:
        if bool(old) != bool(new):
            self.refresh_bindings()  # the triage keys act on a listed release

    def watch_pinned(self) -> None:
        self.refresh_list()

    def watch_choice(self) -> None:
        self.refresh_list()

    def watch_search(self, search: str) -> None:
        box = self.query_one("#search", Input)
        if box.value != search:  # taken back with Escape, or recalled from a saved filter
            box.value = search
        self.set_class(bool(search) or box.has_focus, "-searching")
        self.refresh_list()

    def _refresh_counts(self) -> None:
        if not self.indexed:
            return  # no counts to show yet: `_index_ready` comes back here
        self.counts = self.index.unread_counts()
        self.totals = self.index.total_counts()
        self.health = self.store.health()

    def _update_listed(self) -> None:
        """The heading of the list: the filter, how many it lists, and why none."""
        release_list = self.query_one(ReleaseList)
        self.line_width = release_list.scrollable_content_region.width or 80
        releases = self.releases
        count = len(releases) if self.indexed else None
        unread = sum(1 for r in releases if not r.read)
        self.listed = Listed(self.view, count, unread, len(release_list.marked))
        if releases or not self.indexed:
            self.empty = ()
        else:
            polled = any(h.last_attempt for h in self.store.health().values())
            stored = len(self.index.releases)
            self.empty = empty_hint(self.view, self.pillars, stored, polled=polled)

    def release(self, release_id: str | None) -> StoredRelease | None:
        if not release_id:
            return None
        return self.index.get(release_id) if self.indexed else self._unindexed.get(release_id)

    def apply_changes(self, changed: Sequence[StoredRelease]) -> None:
        """Show releases that a triage action, a correction or an undo just wrote."""
        current = self.query_one(ReleaseList).current
        self._since_reload += changed
        if self.indexed:
            self.index.update(changed)
            self.refresh_list()
        else:
            self._unindexed_changes += changed
            self._unindexed.update((r.id, r) for r in changed)
            fresh = {r.id: r for r in changed}
            self.releases = [fresh.get(r.id, r) for r in self.releases]
        self._refresh_counts()
        self.show_in_reader(current.id if current else None)

    # -- events from the widgets -----------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")
        if not self.has_class("-narrow"):
            self.remove_class("-reading")
        self.call_after_refresh(self._update_listed)  # once the list has its new width

    # -- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back out one step: the reader, the search box, the marks, else the filter's last
        part (the search words, the highlighted choice, then the kept ones)."""
        release_list = self.query_one(ReleaseList)
        search = self.query_one("#search", Input)
        if self.has_class("-reading"):
            self.remove_class("-reading")
            release_list.focus()
        elif search.has_focus and not self.search:
            self.remove_class("-searching")
            release_list.focus()
        elif release_list.marked:
            release_list.clear_marks()
        else:
            self._take_back_filter(search.has_focus)

    # -- app-wide events -------------------------------------------------------------------

    def on_poll_started(self, event: PollStarted) -> None:
        self.status = f"polling 0/{event.total} sources…"

    def on_poll_progressed(self, event: PollProgressed) -> None:
        p = event.progress
        self.status = f"polling {p.done}/{p.total} sources… ({p.source})"

    def on_poll_finished(self, event: PollFinished) -> None:
        # What the poll stored was shown when it was stored (`ReleasesChanged`, then
        # `ReleasesEnriched`): only the source health dots, and why an empty list is empty.
        self._refresh_counts()
        self._update_listed()
        self.status = poll_summary(
            event.report, self._clock(), demo=self._demo, next_try=event.next_poll_in
        )

    def on_releases_enriched(self, event: ReleasesEnriched) -> None:
        self.apply_changes(event.releases)

    def on_releases_changed(self, event: ReleasesChanged) -> None:
        self.reload()
