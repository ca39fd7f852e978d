"""Triage decisions with undo, written in the order they were made: plain Python over the store.

A key press must never wait for a disk or for another process's lock, and two keys pressed
within a millisecond must reach the store in the order they were pressed. So a decision is
shown at once (`apply` and `undo` return the records to show) and queued; one writer thread
writes the queue in order, and reports each write as saved or failed through `on_done`
(called from that thread), and, through `on_waiting`, a write that waits for another
process's lock as soon as it starts waiting. A failed decision is taken off the screen again
(the caller shows `before`), its rows are remembered as not saved, and a note's text is kept
for the retry.
`wait()` lets a quitting app finish what is queued.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from state import Store, StoredRelease, StoreError

# Why a dashboard decides nothing, as its status line says it: a database whose files the
# user may not write (`summitwatch` opens it read-only), or a session started read-only
# (`run --read-only`, `serve --read-only`, a read-only user of `serve`).
READ_ONLY_DATABASE = (
    "read-only: this database's files are not writable for you · look, filter and search; "
    "nothing is polled or saved"
)
READ_ONLY_SESSION = (
    "read-only session · look, filter, search and export; triage, star, notes, corrections, "
    "undo, saving filters and polling are off"
)
# The fields a person decides; undo restores those its action changed.
DECIDED_FIELDS = ("read", "triage", "starred", "note", "correction")
UNDO_DEPTH = 100


@dataclass(frozen=True, slots=True)
class TriageAction:
    label: str
    before: tuple[StoredRelease, ...]
    fields: tuple[str, ...] = DECIDED_FIELDS  # what it changed: undo restores only these


@dataclass(frozen=True, slots=True)
class Decision:
    """One queued write: `changes` to apply to the releases as they were shown (`before`)."""

    label: str
    before: tuple[StoredRelease, ...]
    changes: tuple[dict[str, Any], ...]
    undo: bool = False  # restores only what this person decided last (see `Store.update`)


@dataclass(frozen=True, slots=True)
class WriteDone:
    """What became of a decision: the stored records, or the error that kept it off disk."""

    decision: Decision
    saved: list[StoredRelease] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True, slots=True)
class WriteWaiting:
    """A decision whose write waits for another process's database lock (`holder` says
    who); its `WriteDone` follows, saved or failed."""

    decision: Decision
    holder: str


DoneHandler = Callable[[WriteDone], None]
WaitingHandler = Callable[[WriteWaiting], None]


class Triage:
    """Applies a change to several releases at once and remembers how to take it back."""

    def __init__(
        self,
        store: Store,
        on_done: DoneHandler | None = None,
        on_waiting: WaitingHandler | None = None,
        *,
        read_only: str = "",
    ) -> None:
        self.store = store
        # Why nothing may be decided here ("" when decisions are allowed). The screens disable
        # every deciding key with `check_action`; `apply` refuses anything that gets past them.
        self.read_only = read_only
        self.on_done = on_done
        self.on_waiting = on_waiting
        self._done: list[TriageAction] = []
        self._queue: queue.Queue[Decision | None] = queue.Queue()
        self._idle = threading.Condition()
        self._waiting = 0  # decisions queued or being written
        self._saving: Counter[str] = Counter()  # release id -> its decisions not written yet
        self._writer: threading.Thread | None = None
        self.unsaved: dict[str, str] = {}  # release id -> why its last decision was not saved
        self.kept_notes: dict[str, str] = {}  # release id -> a note whose write failed
        self.failures = 0  # decisions that could not be written, ever

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def pending(self) -> int:
        """Decisions queued or being written."""
        with self._idle:
            return self._waiting

    def apply(
        self,
        label: str,
        releases: Sequence[StoredRelease],
        *,
        undoable: bool = True,
        **changes: Any,
    ) -> list[StoredRelease]:
        """Queue `changes` for every release in `releases` (one undo step takes them all
        back); returns the records to show now. A read-only session writes nothing."""
        if not releases or self.read_only:
            return []
        if undoable:
            with self._idle:
                self._done.append(TriageAction(label, tuple(releases), tuple(changes)))
                del self._done[:-UNDO_DEPTH]
        return self._queue_write(label, releases, [changes] * len(releases))

    def undo(self) -> tuple[str, list[StoredRelease]] | None:
        """Queue the restoring of what the last action changed and return the records to
        show now; None when there is nothing to undo."""
        with self._idle:
            if not self._done or self.read_only:
                return None
            action = self._done.pop()
        fields = [{name: getattr(r, name) for name in action.fields} for r in action.before]
        label = f"Undo {action.label}"
        return action.label, self._queue_write(label, action.before, fields, undo=True)

    @property
    def saving(self) -> set[str]:
        """The releases with a decision queued or being written (shown, not yet on disk)."""
        with self._idle:
            return set(self._saving)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued decision is written or failed; False on `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._waiting == 0, timeout)

    def _queue_write(
        self,
        label: str,
        releases: Sequence[StoredRelease],
        changes: Sequence[dict[str, Any]],
        *,
        undo: bool = False,
    ) -> list[StoredRelease]:
        decision = Decision(label, tuple(releases), tuple(changes), undo)
        with self._idle:
            self._waiting += 1
            self._saving.update(r.id for r in releases)
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_all, name="triage-writer", daemon=True
                )
                self._writer.start()
        self._queue.put(decision)
        return [r.with_changes(**c) for r, c in zip(releases, changes, strict=True)]

    def _write_all(self) -> None:
        while True:
            decision = self._queue.get()
            if decision is None:
                return
            done = self._write(decision)
            with self._idle:
                self._saving.subtract(r.id for r in decision.before)
                self._saving = +self._saving  # drops the ids at zero
            if self.on_done is not None:
                self.on_done(done)
            with self._idle:
                self._waiting -= 1
                self._idle.notify_all()

    def _write(self, decision: Decision) -> WriteDone:
        saved: list[StoredRelease] = []
        pairs = list(zip(decision.before, decision.changes, strict=True))
        told: list[str] = []  # once a decision, though each release's write may wait

        def waiting(holder: str) -> None:
            if not told and self.on_waiting is not None:
                told.append(holder)
                self.on_waiting(WriteWaiting(decision, holder))

        try:
            with self.store.telling_waits(waiting):
                for stored, change in pairs:
                    saved += self.store.update([stored.id], undo=decision.undo, **change)
        except (StoreError, OSError) as exc:
            message = str(exc) if isinstance(exc, StoreError) else str(exc.strerror or exc)
            written = {r.id for r in saved}
            with self._idle:
                self.failures += 1
                for stored, change in pairs:
                    if stored.id not in written:
                        self.unsaved[stored.id] = message
                        if change.get("note"):
                            self.kept_notes[stored.id] = str(change["note"])
                # A decision that never reached the disk is no step to undo.
                self._done = [a for a in self._done if a.before != decision.before]
            return WriteDone(decision, saved, message)
        with self._idle:
            for stored, change in pairs:
                self.unsaved.pop(stored.id, None)
                if "note" in change:
                    self.kept_notes.pop(stored.id, None)
        return WriteDone(decision, saved)

    def shown_after(self, done: WriteDone) -> list[StoredRelease]:
        """The records to show once `done` is known: what was saved, and for a failed
        decision what the releases were before it."""
        if not done.error:
            return done.saved
        written = {r.id for r in done.saved}
        return done.saved + [r for r in done.decision.before if r.id not in written]
