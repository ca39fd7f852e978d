"""Filters of releases as the dashboard makes them, and the ones a person saved by name.

A filter is a set of selections of the left pane ("summit", "pillar:<id>", "country:<CC>",
"source:<name>", "state:<triage>", "starred", "unread"), one per kind, plus search words
matched, case and accents folded, in a release's title, source, summary, text and note. The
dashboard applies them to every release at once (`tui.view.ReleaseIndex`); alert rules and
feeds apply them here, one release at a time, with the same meaning.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from feeds import fold
from state.config import data_dir, db_path
from state.records import StoredRelease

__all__ = [
    "ALL",
    "OTHER",
    "SUMMIT",
    "SavedFilters",
    "ViewFilter",
    "haystack",
    "pillars_named",
    "saved_filters_for",
    "selection_keys",
    "selection_kind",
    "view_matches",
]

ALL, SUMMIT, OTHER = "all", "summit", "other"


def haystack(stored: StoredRelease) -> str:
    """What search looks in: title, source, summary, text when loaded, and the note."""
    r = stored.release
    return fold(f"{r.title}\n{r.source}\n{r.summary}\n{r.text}\n{stored.note}")


_KEYS: dict[tuple[str, str], str] = {}


def _key(kind: str, value: str) -> str:
    # One string object per key, shared by every release: 100,000 releases would otherwise
    # hold close to a million copies of "pillar:security" and the like.
    key = _KEYS.get((kind, value))
    if key is None:
        key = _KEYS.setdefault((kind, value), f"{kind}:{value}")
    return key


def selection_keys(stored: StoredRelease) -> list[str]:
    """Every left-pane selection `stored` belongs to (all but "all" itself)."""
    r = stored.release
    keys = [
        SUMMIT if stored.summit else OTHER,
        _key("country", r.country),
        _key("source", r.source),
        _key("state", stored.triage.value),
    ]
    keys += [_key("source", s) for s in stored.sources if s != r.source]
    keys += [_key("pillar", p) for p in stored.pillars]
    if stored.starred:
        keys.append("starred")
    if not stored.read:
        keys.append("unread")
    return keys


def selection_kind(selection: str) -> str:
    """Selections of one kind replace each other; different kinds combine."""
    if selection in (SUMMIT, OTHER):
        return "summit"
    return selection.partition(":")[0]


def pillars_named(selections: Iterable[str]) -> list[str]:
    """The pillar ids among `selections` ("pillar:<id>")."""
    return [s.removeprefix("pillar:") for s in selections if s.startswith("pillar:")]


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

    def to_dict(self) -> dict[str, object]:
        return {"selections": list(self.selections), "search": self.search}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ViewFilter:
        selections = data.get("selections", [])
        search = data.get("search", "")
        if not isinstance(selections, list) or not isinstance(search, str):
            raise ValueError("a saved filter has selections (a list) and search (text)")
        return cls(tuple(str(s) for s in selections), search)


def view_matches(view: ViewFilter, stored: StoredRelease) -> bool:
    """Whether `stored` passes `view`, as the dashboard's list would show it."""
    keys = set(selection_keys(stored))
    if any(s not in keys for s in view.selections if s != ALL):
        return False
    terms = fold(view.search).split()
    if not terms:
        return True
    hay = haystack(stored)
    return all(term in hay for term in terms)


class SavedFilters:
    """Filters saved by name, in one JSON file. `earlier` is read instead while `path` does
    not exist (the one global file of earlier versions); every change is written to `path`."""

    def __init__(self, path: Path, earlier: Path | None = None) -> None:
        self.path = path
        self._filters: dict[str, ViewFilter] = {}
        self.error = ""
        self._load(earlier if earlier is not None and not path.exists() else path)

    def _load(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self._filters = {str(k): ViewFilter.from_dict(v) for k, v in data.items()}
        except (OSError, ValueError, AttributeError) as exc:
            # A broken file must not stop the dashboard; it is left as it is and reported.
            self.error = f"{path}: saved filters could not be read ({exc})"
            self._filters = {}

    @property
    def names(self) -> list[str]:
        return sorted(self._filters)

    def get(self, name: str) -> ViewFilter | None:
        return self._filters.get(name)

    def save(self, name: str, view: ViewFilter) -> None:
        self._filters[name] = view
        self._write()

    def delete(self, name: str) -> None:
        if self._filters.pop(name, None) is not None:
            self._write()

    def rename(self, old: str, new: str) -> None:
        """Give the filter `old` the name `new`; ValueError if `new` is taken or `old` gone."""
        if old not in self._filters:
            raise ValueError(f"no saved filter is named “{old}”")
        if new != old and new in self._filters:
            raise ValueError(f"a saved filter is already named “{new}”")
        self._filters = {new if k == old else k: v for k, v in self._filters.items()}
        self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {name: view.to_dict() for name, view in self._filters.items()}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".filters-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


def saved_filters_for(db: Path) -> SavedFilters:
    """The saved filters of the database at `db`, in a file beside it: another database
    (`--db`, the demo) has its own. The default database reads the global file that earlier
    versions kept in the data folder until its first change."""
    default = db_path()
    earlier = data_dir() / "filters.json" if db.resolve() == default.resolve() else None
    return SavedFilters(db.with_name(db.name + ".filters.json"), earlier)
