"""Triage decisions with undo: plain Python over the store, so it is testable without Textual."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from state import Store, StoredRelease

# The fields a person decides; undo restores exactly these.
DECIDED_FIELDS = ("read", "triage", "starred", "note", "correction")
UNDO_DEPTH = 100


@dataclass(frozen=True, slots=True)
class TriageAction:
    label: str
    before: tuple[StoredRelease, ...]


class Triage:
    """Applies a change to several releases at once and remembers how to take it back."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._done: list[TriageAction] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    def apply(
        self, label: str, releases: Sequence[StoredRelease], **changes: Any
    ) -> list[StoredRelease]:
        """Write `changes` to every release in `releases`; one undo step takes them all back."""
        if not releases:
            return []
        updated = self.store.update([r.id for r in releases], **changes)
        self._done.append(TriageAction(label, tuple(releases)))
        del self._done[:-UNDO_DEPTH]
        return updated

    def apply_each(
        self, label: str, releases: Sequence[StoredRelease], changes: Sequence[dict[str, Any]]
    ) -> list[StoredRelease]:
        """Like `apply`, with a change of its own for each release (toggles, corrections)."""
        if not releases:
            return []
        updated: list[StoredRelease] = []
        for stored, change in zip(releases, changes, strict=True):
            updated += self.store.update([stored.id], **change)
        self._done.append(TriageAction(label, tuple(releases)))
        del self._done[:-UNDO_DEPTH]
        return updated

    def undo(self) -> tuple[str, list[StoredRelease]] | None:
        """Restore what the last action changed; None when there is nothing to undo."""
        if not self._done:
            return None
        action = self._done.pop()
        restored: list[StoredRelease] = []
        for before in action.before:
            fields = {name: getattr(before, name) for name in DECIDED_FIELDS}
            restored += self.store.update([before.id], **fields)
        return action.label, restored
