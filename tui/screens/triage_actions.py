"""The triage keys of a screen that lists releases: states, star, note, read, corrections,
undo, links, export; and moving on through the list while triaging (J, K, N, and the cursor
moving on after a triage key when `advance` is on).

Kept apart from the main screen's layout and event wiring so that each file reads as one job.
Every decision is shown at once and written by `Triage`'s writer thread, in the order of the
keys: the store fsyncs, and a keypress must never wait for a disk or another process's lock.
A key that cannot act (nothing listed, nothing to undo, no link) is greyed by `check_action`;
so is every key that writes the database (`WRITING`) in a read-only dashboard, whose status line
says why when one is pressed.
"""

from __future__ import annotations

import io
import webbrowser
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.actions import parse
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from feeds import PillarSet, one_line
from state import Briefing, Correction, StoredRelease, TriageState
from tui.messages import DecisionWaiting, DecisionWritten
from tui.palette import PaletteEntry
from tui.triage import Triage
from tui.widgets.release_list import ReleaseList
from tui.widgets.release_reader import ReleaseReader

# Actions that act on the marked releases or the one under the cursor.
ON_TARGETS = frozenset({"set_state", "star", "toggle_read", "note", "correct"})
ON_LINK = frozenset({"open_link", "copy_link"})
# What a read-only dashboard may not do: decide, which writes the store. (A briefing it may
# export: it goes to the person's own folder, or to their browser when served.)
DECIDING = ON_TARGETS | {"undo"}
# The App's keys that a read-only dashboard greys too: their press says why, as a screen's.
_APP_WRITING = frozenset({"poll", "demo"})


class TriageScreen(Screen[None]):
    """The triage actions; the screen that subclasses this composes a `ReleaseList`."""

    WRITING: ClassVar[frozenset[str]] = DECIDING
    """The screen's actions that write the database: greyed in a read-only dashboard."""

    TRIAGE_BINDINGS = [
        Binding("r", "set_state('relevant')", "Relevant", id="triage.relevant"),
        Binding(
            "x", "set_state('not_relevant')", "Not relevant", show=False, id="triage.not_relevant"
        ),
        Binding("f", "set_state('follow_up')", "Follow-up", id="triage.follow_up"),
        Binding("b", "set_state('briefed')", "Briefed", show=False, id="triage.briefed"),
        Binding("n", "set_state('new')", "Back to new", show=False, id="triage.new"),
        Binding("s", "star", "Star", id="triage.star"),
        Binding("a", "note", "Note", show=False, id="triage.note"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="triage.read"),
        Binding("c", "correct", "Correct labels", show=False, id="triage.correct"),
        Binding("u", "undo", "Undo", id="triage.undo"),
        Binding("o", "open_link", "Open link", show=False, id="release.open_link"),
        Binding("y", "copy_link", "Copy link", show=False, id="release.copy_link"),
        Binding("e", "export_view", "Export view", show=False, id="release.export"),
        Binding("E", "export_starred", "Export starred", show=False, id="release.export_starred"),
        Binding("V", "versions", "Versions", show=False, id="release.versions"),
    ]

    TRIAGE_PALETTE = [
        PaletteEntry(
            "Export view", "Write the listed releases as a Markdown briefing", "export_view"
        ),
        PaletteEntry(
            "Export starred", "Write every starred release as a Markdown briefing", "export_starred"
        ),
        PaletteEntry("Undo", "Take back the last triage action", "undo"),
        PaletteEntry("Mark relevant", "Triage: relevant", "set_state('relevant')"),
        PaletteEntry("Mark not relevant", "Triage: not relevant", "set_state('not_relevant')"),
        PaletteEntry("Mark follow-up", "Triage: follow-up", "set_state('follow_up')"),
        PaletteEntry("Mark briefed", "Triage: briefed", "set_state('briefed')"),
        PaletteEntry("Back to new", "Triage: new again (no decision)", "set_state('new')"),
        PaletteEntry("Mark read/unread", "Mark read, or unread again", "toggle_read"),
        PaletteEntry("Star", "Star or unstar", "star"),
        PaletteEntry("Note", "Write a note on the release", "note"),
        PaletteEntry("Correct labels", "Correct the summit decision or the pillars", "correct"),
        PaletteEntry("Copy link", "Copy the release link (OSC 52)", "copy_link"),
        PaletteEntry("Open link", "Open the release in a browser", "open_link"),
        PaletteEntry("Versions", "What the edits of this release changed", "versions"),
    ]

    unsaved: var[frozenset[str]] = var(frozenset())
    """Releases whose last decision could not be written (their rows show `!`)."""
    saving: var[frozenset[str]] = var(frozenset())
    """Releases whose decision is shown but not on disk yet (their rows show `…`)."""

    status: var[str] = var("")
    """What the status line says (the poller's progress, or the last triage key's outcome)."""

    def __init__(
        self,
        triage: Triage,
        pillars: PillarSet,
        briefings: Path | None = None,
        *,
        advance: bool = True,
    ) -> None:
        super().__init__()
        self.triage = triage
        self.pillars = pillars
        self.briefings = briefings  # the folder briefings go to (None: the data folder's)
        self.advance = advance

    def briefing_scope(self) -> Briefing:
        """The filter in force, in plain words, for the head of a briefing of the list."""
        return Briefing()

    def apply_changes(self, changed: Sequence[StoredRelease]) -> None:
        """Show releases that a triage action, a correction or an undo just wrote."""
        raise NotImplementedError

    def say(self, message: str) -> None:
        """Put `message` on the screen's status line."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITING and self.triage.read_only:
            return None  # shown greyed in the footer, left off the palette
        if not self.is_mounted:
            return True  # the footer may ask before the list exists
        release_list = self.query_one(ReleaseList)
        if action in ON_TARGETS:
            return bool(release_list.marked or release_list.current) or None
        if action in ON_LINK:
            current = release_list.current
            return bool(release_list.marked or (current and current.release.link)) or None
        if action == "undo":
            return self.triage.can_undo or None
        if action == "versions":
            return bool(release_list.current and release_list.current.edited) or None
        return True

    def on_key(self, event: events.Key) -> None:
        """A key that would write, pressed in a read-only dashboard, does nothing; say why."""
        if not self.triage.read_only:
            return
        active = self.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        if parse(active.binding.action)[1] in self.WRITING | _APP_WRITING:
            self.say(self.triage.read_only)

    def targets(self) -> list[StoredRelease]:
        """The marked releases, or else the one under the cursor."""
        release_list = self.query_one(ReleaseList)
        if release_list.marked:
            return [r for r in release_list.releases if r.id in release_list.marked]
        return [release_list.current] if release_list.current else []

    def write_triage(
        self,
        label: str,
        releases: Sequence[StoredRelease],
        *,
        undoable: bool = True,
        **changes: Any,
    ) -> None:
        """Show the decision at once and queue its write (`Triage` writes in key order)."""
        if not releases or self.triage.read_only:
            return  # opening a release in a read-only dashboard leaves it unread
        self.apply_changes(self.triage.apply(label, releases, undoable=undoable, **changes))
        self._show_saving()
        self.refresh_bindings()  # undo can run now
        if len(releases) > 1:
            self.query_one(ReleaseList).clear_marks()
            self.notify(f"{label}: {len(releases)} releases", timeout=3)

    def on_decision_written(self, event: DecisionWritten) -> None:
        """A queued decision reached the disk or failed: say so, and mark what is not saved."""
        done = event.done
        if done.error or not self.triage.pending:
            # While more decisions wait, the screen already shows their outcome.
            self.apply_changes(self.triage.shown_after(done))
        self._show_saving()
        if done.error:
            self.refresh_bindings()  # a decision that failed is no step to undo
            retry = " Your note is kept: press a to try again." if self.triage.kept_notes else ""
            self.notify(
                f"{done.decision.label} was not saved: {done.error}{retry}",
                title="Not saved",
                severity="error",
                timeout=15,
                markup=False,
            )

    def on_decision_waiting(self, event: DecisionWaiting) -> None:
        """A decision waits for another process's lock: say so now (its row shows '…'); its
        outcome is told when it comes."""
        waiting = event.waiting
        self.notify(
            f"{waiting.decision.label} is waiting to be saved: {waiting.holder}. Keys keep "
            "working; you are told if it cannot be saved.",
            title="Waiting for the database",
            severity="warning",
            timeout=8,
            markup=False,
        )

    def _show_saving(self) -> None:
        self.unsaved = frozenset(self.triage.unsaved)
        self.saving = frozenset(self.triage.saving)

    def action_set_state(self, state: str) -> None:
        chosen = TriageState(state)
        targets = self.targets()
        label = chosen.label.capitalize()
        self.write_triage(label, targets, triage=chosen)
        if len(targets) == 1 and not self.triage.store.read_only:
            self._moved_on(label, targets[0])

    def _moved_on(self, label: str, done: StoredRelease) -> None:
        """After a triage key on one release: the cursor moves on (`advance`), and the status
        line says what was done and where the cursor is."""
        release_list = self.query_one(ReleaseList)
        title = one_line(done.release.title) or "(untitled)"
        if not self.advance:
            self.status = f"{label}: {title}"
            return
        current = release_list.current
        if current is not None and current.id == done.id:
            # Still listed (a "New" view drops it, and the next one is under the cursor).
            if release_list.cursor + 1 >= len(release_list.releases):
                self.status = f"{label}: {title} · that was the last one listed"
                return
            release_list.action_cursor_down()
        if isinstance(self.focused, ReleaseReader):
            release_list.action_open()  # reading on: the next one is opened, and read
        self.status = f"{label}: {title} · moved to the next"

    def _open_at(self, index: int) -> None:
        """Move the cursor to `index` of the list and open the release there."""
        release_list = self.query_one(ReleaseList)
        if 0 <= index < len(release_list.releases):
            release_list.cursor = index
            release_list.action_open()

    def action_next_release(self) -> None:
        release_list = self.query_one(ReleaseList)
        if release_list.cursor + 1 >= len(release_list.releases):
            self.status = "no release after this one"
            return
        self._open_at(release_list.cursor + 1)

    def action_previous_release(self) -> None:
        release_list = self.query_one(ReleaseList)
        if release_list.cursor == 0:
            self.status = "no release before this one"
            return
        self._open_at(release_list.cursor - 1)

    def action_next_unread(self) -> None:
        release_list = self.query_one(ReleaseList)
        releases = release_list.releases
        start = release_list.cursor + 1
        found = next((n for n in range(start, len(releases)) if not releases[n].read), None)
        if found is None:
            self.status = "no unread release below this one"
            return
        self._open_at(found)

    def action_mark_all_read(self) -> None:
        unread = [r for r in self.query_one(ReleaseList).releases if not r.read]
        if unread:
            self.write_triage("Mark all read", unread, read=True)
            self.status = f"Mark all read: {len(unread)} releases"

    def action_star(self) -> None:
        chosen = self.targets()
        star = not all(r.starred for r in chosen)
        self.write_triage("Star" if star else "Unstar", chosen, starred=star)

    def action_toggle_read(self) -> None:
        chosen = self.targets()
        read = not all(r.read for r in chosen)
        self.write_triage("Read" if read else "Unread", chosen, read=read)

    def action_note(self) -> None:
        from tui.screens.dialogs import TextPrompt

        chosen = self.targets()
        if not chosen:
            return

        def keep(note: str | None) -> None:
            if note is not None:
                self.write_triage("Note", chosen, note=note.strip())

        if len(chosen) == 1:
            title = f"Note on “{one_line(chosen[0].release.title) or '(untitled)'}”"
        else:
            title = f"Note on {len(chosen)} releases"
        value = self.triage.kept_notes.get(chosen[0].id, chosen[0].note)
        self.app.push_screen(TextPrompt(title, value=value), keep)

    def action_correct(self) -> None:
        from tui.screens.dialogs import CorrectionDialog

        chosen = self.targets()
        if not chosen:
            return
        current = chosen[0]

        def keep(correction: Correction | None) -> None:
            if correction is not None:
                self.write_triage("Correction", [current], correction=correction)

        self.app.push_screen(CorrectionDialog(current, self.pillars), keep)

    def action_undo(self) -> None:
        undone = self.triage.undo()
        self.refresh_bindings()  # the last step may have been undone
        if undone is not None:
            label, restored = undone
            self.apply_changes(restored)
            self._show_saving()
            if len(restored) == 1:  # back to the release the cursor had moved on from
                self.query_one(ReleaseList).move_to(restored[0].id)
            self.notify(f"Undone: {label}", timeout=3)

    def action_open_link(self) -> None:
        chosen = self.targets()
        if not chosen or not chosen[0].release.link:
            return
        link = chosen[0].release.link
        if self.app.is_web:
            # Served to a browser: that browser opens it, wherever the server runs.
            self.app.open_url(link)
            self.notify("Opened in a new tab of your browser.", timeout=3)
            return
        try:
            webbrowser.get()
        except webbrowser.Error:
            # Over SSH there is usually no browser: the clipboard still reaches the user's own.
            self.app.copy_to_clipboard(link)
            self.notify("No browser here; the link was copied to your clipboard.", timeout=4)
            return
        self.app.open_url(link)

    def action_copy_link(self) -> None:
        chosen = self.targets()
        if chosen and chosen[0].release.link:
            self.app.copy_to_clipboard(chosen[0].release.link)
            self.notify("Link copied (OSC 52: works over SSH in most terminals).", timeout=3)

    def action_export_view(self) -> None:
        scope = self.briefing_scope()
        self._export([r.id for r in self.query_one(ReleaseList).releases], scope)

    def action_export_starred(self) -> None:
        starred = [r.id for r in self.triage.store.all() if r.starred]
        self._export(starred, Briefing(scope="starred", not_relevant=True))

    def _export(self, ids: list[str], about: Briefing) -> None:
        from state import briefing_folder, to_markdown

        folder = briefing_folder(self.briefings)
        served = self.app.is_web

        def write() -> None:
            # The list holds light records; the briefing quotes each release's evidence.
            order = {release_id: n for n, release_id in enumerate(ids)}
            shown = sorted(self.triage.store.iter_full(ids), key=lambda r: order[r.id])
            text = to_markdown(shown, self.pillars, about)
            count = sum(1 for r in shown if about.keeps(r))
            if served:  # the person is in a browser: the file goes there, not onto the server
                self.app.call_from_thread(self._deliver, text, count)
            else:
                self._write_file(text, folder, count)

        self.run_worker(write, thread=True, group="export", exit_on_error=False)

    def _write_file(self, text: str, folder: Path, count: int) -> None:
        """In a worker thread: the briefing to a new file of `folder`, saying where."""
        from state import counted, write_briefing

        try:
            path = write_briefing(text, folder, datetime.now())
        except OSError as exc:
            self.app.call_from_thread(
                self.notify,
                f"The briefing could not be written to {folder}: {exc.strerror or exc}",
                severity="error",
                markup=False,
            )
            return
        self.app.call_from_thread(
            self.notify,
            f"Wrote a briefing of {counted(count)} to {path}",
            markup=False,
            timeout=10,
        )

    def _deliver(self, text: str, count: int) -> None:
        """The briefing as a download of the browser the dashboard is served to."""
        from state import briefing_name, counted

        name = briefing_name(datetime.now())
        self.app.deliver_text(io.StringIO(text), save_filename=name, mime_type="text/markdown")
        self.notify(f"Sent {name} ({counted(count)}) to your browser.", markup=False, timeout=10)

    def action_versions(self) -> None:
        current = self.query_one(ReleaseList).current
        if current is None or not current.edited:
            return
        store = self.triage.store

        def load() -> None:
            full = store.get(current.id) or current
            if len(full.versions) < 2:
                self.app.call_from_thread(
                    self.notify,
                    "Its earlier text was not kept: it changed before summitwatch kept versions.",
                    timeout=5,
                )
                return
            from tui.screens.versions import VersionsScreen

            screen = VersionsScreen(full.versions, full.release.title)
            self.app.call_from_thread(self.app.push_screen, screen)

        self.run_worker(load, thread=True, group="versions", exit_on_error=False)
