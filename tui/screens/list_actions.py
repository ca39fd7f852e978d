"""The list and the reader of the main screen: the release under the cursor shown in the
reader (its full text and evidence loaded in a worker), opening one, marks, and the same event
from other governments side by side.

Kept apart from the screen's layout so that each file reads as one job; the screen
(`MainScreen`) owns the state these change (its reactives) and decides in its `check_action`
which actions can run.
"""

from __future__ import annotations

from textual import work
from textual.reactive import var
from textual.timer import Timer

from state import Store, StoredRelease
from tui.screens.triage_actions import TriageScreen
from tui.triage import DECIDED_FIELDS
from tui.view import ReleaseIndex
from tui.widgets.release_list import ReleaseList
from tui.widgets.release_reader import ReleaseReader

READER_SETTLE_SECONDS = 0.08


class ListActions(TriageScreen):
    """The cursor's release in the reader, opening, marks and side by side."""

    # The screen's state, owned (and made reactive) by `MainScreen`.
    reading: var[StoredRelease | None]
    reading_also: var[tuple[StoredRelease, ...]]
    counterparts: var[frozenset[str]]
    store: Store
    index: ReleaseIndex
    event_members: dict[str, tuple[str, ...]]
    _reader_timer: Timer | None

    def release(self, release_id: str | None) -> StoredRelease | None:
        """The listed record of `release_id` (the screen knows where it is kept)."""
        raise NotImplementedError

    def _update_listed(self) -> None:
        """Head the list again (its counts and marks)."""
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="events", exit_on_error=False, description="events")
    def _load_events(self) -> None:
        """Group translations and copies; slow on a large store, so never on a keypress."""
        members: dict[str, tuple[str, ...]] = {}
        for group in self.store.events():
            for release_id in group:
                members[release_id] = tuple(i for i in group if i != release_id)
        self.app.call_from_thread(self._set_events, members)

    def _set_events(self, members: dict[str, tuple[str, ...]]) -> None:
        self.event_members = members
        self.counterparts = frozenset(members)
        current = self.query_one(ReleaseList).current
        if current is not None and current.id in members:
            self.show_in_reader(current.id)

    def others_in_event(self, release_id: str) -> list[StoredRelease]:
        others = (self.index.get(i) for i in self.event_members.get(release_id, ()))
        return [r for r in others if r is not None]

    def show_in_reader(self, release_id: str | None) -> None:
        """Show what the list knows at once, then the full text and evidence from the store."""
        shown = self.release(release_id)
        if self.reading is not None and shown is not None and self.reading.id == shown.id:
            # The full record is shown already: keep its text, take the person's decisions.
            decided = {name: getattr(shown, name) for name in DECIDED_FIELDS}
            shown = self.reading.with_changes(**decided)
        self.reading = shown
        self.reading_also = tuple(self.others_in_event(release_id)) if release_id else ()
        if release_id is not None:
            self._load_full(release_id)

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False, description="reader")
    def _load_full(self, release_id: str) -> None:
        full = self.store.get(release_id)
        if full is not None:
            self.app.call_from_thread(self._show_full, full)

    def _show_full(self, full: StoredRelease) -> None:
        current = self.query_one(ReleaseList).current
        if current is not None and current.id == full.id:
            self.reading = full
            self.reading_also = tuple(self.others_in_event(full.id))

    def on_release_list_highlighted(self, event: ReleaseList.Highlighted) -> None:
        # Typing a search or holding j moves the cursor many times a second: the reader
        # follows once the cursor rests, so a keypress never waits for a page of text to wrap.
        if self._reader_timer is not None:
            self._reader_timer.stop()
        if not self.query_one(ReleaseReader).display:
            return
        release_id = event.release_id
        self._reader_timer = self.set_timer(
            READER_SETTLE_SECONDS, lambda: self.show_in_reader(release_id)
        )

    def on_release_list_opened(self, event: ReleaseList.Opened) -> None:
        stored = self.release(event.release_id)
        if stored is None:
            return
        self.show_in_reader(stored.id)
        if self.has_class("-narrow"):
            self.add_class("-reading")
            self.query_one(ReleaseReader).focus()
        if not stored.read:
            self.write_triage("read", [stored], read=True, undoable=False)

    def on_release_list_marks_changed(self, event: ReleaseList.MarksChanged) -> None:
        self._update_listed()
        self.refresh_bindings()

    def action_mark_all(self) -> None:
        self.query_one(ReleaseList).mark_all()

    def action_compare(self) -> None:
        current = self.query_one(ReleaseList).current
        if current is None:
            return
        ids = [current.id, *self.event_members.get(current.id, ())]

        def load() -> None:
            full = {r.id: r for r in self.store.iter_full(ids)}
            members = [full[i] for i in ids if i in full]
            from tui.screens.compare import CompareScreen

            self.app.call_from_thread(self.app.push_screen, CompareScreen(members, self.pillars))

        self.run_worker(load, thread=True, group="compare", exit_on_error=False)
