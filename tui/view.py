"""What the dashboard shows for a selection and a search: plain Python, no Textual.

The left pane offers selections ("all", "summit", "other", "pillar:<id>", "country:<CC>",
"source:<name>"); the search box narrows further. Search folds case and accents, so that
"mexico" finds "México", and it is matched against a precomputed haystack per release so a
keypress over 100,000 releases stays a plain substring scan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from feeds.models import PILLAR_IDS
from state.records import StoredRelease, TriageState

ALL, SUMMIT, OTHER = "all", "summit", "other"


def fold(text: str) -> str:
    """Lower case without accents: the form both search terms and haystacks are kept in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def haystack(stored: StoredRelease) -> str:
    r = stored.release
    return fold(f"{r.title}\n{r.source}\n{r.summary}\n{r.text}\n{stored.note}")


def selection_matches(selection: str, stored: StoredRelease) -> bool:
    """Does `stored` belong to one left-pane selection ("pillar:security", "country:MX"...)?"""
    if selection == ALL:
        return True
    if selection == SUMMIT:
        return stored.summit
    if selection == OTHER:
        return not stored.summit
    kind, _, value = selection.partition(":")
    if kind == "pillar":
        return value in stored.pillars
    if kind == "country":
        return stored.release.country == value
    if kind == "source":
        return stored.release.source == value or value in stored.sources
    if kind == "state":
        return stored.triage.value == value
    if kind == "starred":
        return stored.starred
    if kind == "unread":
        return not stored.read
    return False


def selection_kind(selection: str) -> str:
    """Selections of one kind replace each other; different kinds combine."""
    if selection in (SUMMIT, OTHER):
        return "summit"
    return selection.partition(":")[0]


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """The combined filter of the list: one selection per kind, plus the search words."""

    selections: tuple[str, ...] = ()
    search: str = ""

    def choose(self, selection: str) -> ViewFilter:
        """Add `selection`, replacing one of the same kind; "all" clears every selection."""
        if selection == ALL:
            return ViewFilter((), self.search)
        kind = selection_kind(selection)
        kept = tuple(s for s in self.selections if selection_kind(s) != kind)
        return ViewFilter((*kept, selection), self.search)

    def with_search(self, search: str) -> ViewFilter:
        return ViewFilter(self.selections, search)

    def matches(self, stored: StoredRelease) -> bool:
        return all(selection_matches(s, stored) for s in self.selections)

    def to_dict(self) -> dict[str, object]:
        return {"selections": list(self.selections), "search": self.search}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ViewFilter:
        selections = data.get("selections", [])
        search = data.get("search", "")
        if not isinstance(selections, list) or not isinstance(search, str):
            raise ValueError("a saved filter has selections (a list) and search (text)")
        return cls(tuple(str(s) for s in selections), search)


@dataclass(slots=True)
class ReleaseIndex:
    """All releases in display order, with folded text kept for instant search."""

    releases: list[StoredRelease] = field(default_factory=list)
    _haystacks: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, StoredRelease] = field(default_factory=dict)

    def replace(self, releases: Sequence[StoredRelease]) -> None:
        old = self._haystacks
        self.releases = list(releases)
        self._haystacks = {}
        for stored in self.releases:
            # Reuse the folded text when the release did not change: refolding 100,000
            # bodies on every poll would cost seconds.
            cached = old.get(stored.id)
            self._haystacks[stored.id] = cached if cached is not None else haystack(stored)
        self._by_id = {s.id: s for s in self.releases}

    def update(self, changed: Iterable[StoredRelease]) -> None:
        changed = list(changed)
        by_id = {s.id: s for s in changed}
        self.releases = [by_id.pop(s.id, s) for s in self.releases]
        for stored in by_id.values():
            self.releases.append(stored)
        for stored in changed:
            self._haystacks[stored.id] = haystack(stored)
            self._by_id[stored.id] = stored

    def select(self, view: ViewFilter) -> list[StoredRelease]:
        terms = fold(view.search).split()
        chosen = []
        for stored in self.releases:
            if not view.matches(stored):
                continue
            if terms:
                text = self._haystacks.get(stored.id, "")
                if not all(term in text for term in terms):
                    continue
            chosen.append(stored)
        return chosen

    def get(self, release_id: str) -> StoredRelease | None:
        return self._by_id.get(release_id)

    def unread_counts(self) -> dict[str, int]:
        """Unread releases per left-pane selection."""
        counts = dict.fromkeys((ALL, SUMMIT, OTHER), 0)
        counts.update({f"pillar:{p}": 0 for p in PILLAR_IDS})
        for stored in self.releases:
            if stored.read:
                continue
            counts[ALL] += 1
            counts[SUMMIT if stored.summit else OTHER] += 1
            for pillar in stored.pillars:
                counts[f"pillar:{pillar}"] += 1
            for key in (
                f"country:{stored.release.country}",
                f"source:{stored.release.source}",
                f"state:{stored.triage.value}",
            ):
                counts[key] = counts.get(key, 0) + 1
            if stored.starred:
                counts["starred"] = counts.get("starred", 0) + 1
        return counts


TRIAGE_KEYS: dict[TriageState, str] = {
    TriageState.NEW: "·",
    TriageState.RELEVANT: "R",
    TriageState.NOT_RELEVANT: "x",
    TriageState.FOLLOW_UP: "F",
    TriageState.BRIEFED: "B",
}


def daily_counts(
    releases: Iterable[StoredRelease], today: date, days: int = 90
) -> dict[str, list[int]]:
    """Releases per day for the last `days` days: for all, summit, and each pillar."""
    first = today - timedelta(days=days - 1)
    keys = [ALL, SUMMIT, *PILLAR_IDS]
    counts = {key: [0] * days for key in keys}
    for stored in releases:
        try:
            day = date.fromisoformat(stored.release.published[:10])
        except ValueError:
            continue
        offset = (day - first).days
        if not 0 <= offset < days:
            continue
        counts[ALL][offset] += 1
        if stored.summit:
            counts[SUMMIT][offset] += 1
        for pillar in stored.pillars:
            counts[pillar][offset] += 1
    return counts
