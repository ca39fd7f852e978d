"""What the dashboard shows for a selection and a search: plain Python, no Textual.

The left pane offers selections ("all", "summit", "other", "pillar:<id>", "country:<CC>",
"source:<name>"); the search box narrows further. Search folds case and accents, so that
"mexico" finds "México", and it is matched against a precomputed haystack per release so a
keypress over 100,000 releases stays a plain substring scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from feeds import PillarSet, fold
from state import (
    ALL,
    OTHER,
    SUMMIT,
    StoredRelease,
    TriageState,
    ViewFilter,
    haystack,
    pillars_named,
    selection_keys,
)


class ReleaseIndex:
    """All releases in display order, with a set of positions per selection.

    A filter is an intersection of sets and a search a scan of precomputed folded text, so
    a keypress over 100,000 releases costs milliseconds, not a pass of Python per release.
    """

    def __init__(self) -> None:
        self.releases: list[StoredRelease] = []
        self._position: dict[str, int] = {}
        self._sets: dict[str, set[int]] = {}
        self._haystacks: list[str] | None = None
        self._folded: dict[str, str] = {}
        self._edits = 0

    def replace(self, releases: Sequence[StoredRelease]) -> None:
        # Keep the folded text of releases seen before: refolding on every poll is waste.
        if self._haystacks is not None:
            self._folded = {r.id: h for r, h in zip(self.releases, self._haystacks, strict=True)}
        self.releases = list(releases)
        self._position = {r.id: n for n, r in enumerate(self.releases)}
        sets: dict[str, set[int]] = {}
        for n, stored in enumerate(self.releases):
            for key in selection_keys(stored):
                members = sets.get(key)
                if members is None:
                    members = sets[key] = set()
                members.add(n)
        self._sets = sets
        self._haystacks = None

    def prepare_search(self) -> None:
        """Fold every release's text once; safe to call from a worker thread."""
        if self._haystacks is not None:
            return
        edits, folded = self._edits, self._folded
        haystacks = [folded.get(r.id) or haystack(r) for r in self.releases]
        # An update() while this ran (in a worker) may have changed a note: fold again later.
        if edits == self._edits:
            self._haystacks = haystacks
            self._folded = {}

    def update(self, changed: Iterable[StoredRelease]) -> None:
        """Take in releases a triage action or an undo just wrote (new ones go last)."""
        self._edits += 1
        for stored in changed:
            n = self._position.get(stored.id)
            if n is None:
                n = len(self.releases)
                self.releases.append(stored)
                self._position[stored.id] = n
                if self._haystacks is not None:
                    self._haystacks.append("")
            else:
                for key in selection_keys(self.releases[n]):
                    self._sets[key].discard(n)
            self.releases[n] = stored
            for key in selection_keys(stored):
                self._sets.setdefault(key, set()).add(n)
            if self._haystacks is not None:
                self._haystacks[n] = haystack(stored)

    def select(self, view: ViewFilter) -> list[StoredRelease]:
        chosen: set[int] | None = None
        for selection in view.selections:
            if selection == ALL:
                continue
            members = self._sets.get(selection, set())
            chosen = set(members) if chosen is None else chosen & members
        positions: Iterable[int] = range(len(self.releases)) if chosen is None else sorted(chosen)
        terms = fold(view.search).split()
        if terms:
            self.prepare_search()
            hay = self._haystacks
            assert hay is not None
            for term in terms:
                positions = [n for n in positions if term in hay[n]]
        releases = self.releases
        return [releases[n] for n in positions]

    def pillars_carried(self) -> list[str]:
        """Every pillar id some release carries."""
        return pillars_named(key for key, members in self._sets.items() if members)

    def get(self, release_id: str) -> StoredRelease | None:
        n = self._position.get(release_id)
        return None if n is None else self.releases[n]

    def total_counts(self) -> dict[str, int]:
        """Releases per left-pane selection, read or not."""
        counts = {key: len(members) for key, members in self._sets.items()}
        counts[ALL] = len(self.releases)
        return counts

    def unread_counts(self) -> dict[str, int]:
        """Unread releases per left-pane selection."""
        unread = self._sets.get("unread", set())
        counts = {ALL: len(unread)}
        for key, members in self._sets.items():
            counts[key] = len(members & unread) if key != "unread" else len(unread)
        return counts


TRIAGE_KEYS: dict[TriageState, str] = {
    TriageState.NEW: "·",
    TriageState.RELEVANT: "R",
    TriageState.NOT_RELEVANT: "x",
    TriageState.FOLLOW_UP: "F",
    TriageState.BRIEFED: "B",
}


def daily_counts(
    releases: Iterable[StoredRelease], today: date, pillars: Sequence[str], days: int = 90
) -> dict[str, list[int]]:
    """Releases per day for the last `days` days: for all, summit, and each of `pillars`."""
    first = today - timedelta(days=days - 1)
    keys = [ALL, SUMMIT, *pillars]
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
            if pillar in counts:  # not one of another taxonomy's
                counts[pillar][offset] += 1
    return counts


COUNTRY_NAMES = {"CA": "Canada", "MX": "Mexico", "US": "United States"}
STATE_LABELS = {
    TriageState.NEW: "New",
    TriageState.RELEVANT: "Relevant",
    TriageState.FOLLOW_UP: "Follow-up",
    TriageState.BRIEFED: "Briefed",
    TriageState.NOT_RELEVANT: "Not relevant",
}
_PLAIN_LABELS = {ALL: "All", SUMMIT: "Summit", OTHER: "Other", "starred": "Starred"}
_PLAIN_LABELS |= {"unread": "Unread"}


def selection_label(selection: str, pillars: PillarSet) -> str:
    """What a left-pane selection is called in plain words ("country:MX" is "Mexico")."""
    if selection in _PLAIN_LABELS:
        return _PLAIN_LABELS[selection]
    kind, _, value = selection.partition(":")
    if kind == "pillar":
        return pillars.get(value).label
    if kind == "country":
        return COUNTRY_NAMES.get(value, value)
    if kind == "state":
        try:
            return STATE_LABELS[TriageState(value)]
        except ValueError:
            return value
    return value or selection


def describe_filter(view: ViewFilter, pillars: PillarSet) -> str:
    """The filter in plain words, as the list heads it: "Security × Mexico · 'fentanyl'"."""
    words = " × ".join(selection_label(s, pillars) for s in view.selections if s != ALL)
    search = view.search.strip()
    if search:
        words = f"{words} · '{search}'" if words else f"'{search}'"
    return words or "All releases"


def take_back(
    kept: Sequence[str], highlighted: str, search: str
) -> tuple[tuple[str, ...], str, str]:
    """The parts of a filter with the last one taken away, in the order they read.

    The search words read last, then the highlighted choice (if it is not kept), then the
    kept choices from the last kept: `combine` puts them in that order.
    """
    if search.strip():
        return tuple(kept), highlighted, ""
    if highlighted != ALL and highlighted not in kept:
        return tuple(kept), ALL, ""
    return tuple(kept)[:-1], highlighted if highlighted in kept[:-1] else ALL, ""


def combine(kept: Sequence[str], highlighted: str, search: str) -> ViewFilter:
    """The kept choices, all of them, narrowed by the highlighted one and the search.

    A kept choice always applies while it is ticked, even beside a highlighted choice of the
    same kind (Security kept, Health highlighted: releases on both).
    """
    selections = tuple(s for s in kept if s != ALL)
    if highlighted != ALL and highlighted not in selections:
        selections += (highlighted,)
    return ViewFilter(selections, search)


def empty_hint(
    view: ViewFilter, pillars: PillarSet, stored: int, *, polled: bool
) -> tuple[str, str]:
    """Why the list is empty and what to press, in two lines that fit 60 columns.

    `stored` is how many releases the store holds; `polled` whether a poll was ever tried.
    """
    if stored == 0 and not polled:
        return ("No releases yet: nothing has been polled.", "p polls the sources now · d: demo")
    if stored == 0:
        return ("No releases yet: no source gave any.", "h: source health · p polls · d: demo")
    words = describe_filter(view, pillars)
    return (f"No release matches {words}.", "Esc takes back its last part · ⌫ clears it")
