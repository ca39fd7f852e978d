"""What the store keeps about a release beyond the pipeline's output: triage and reading state,
and who decided what."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from feeds import Classification, Release, pillar_ids
from state.versions import Version, versions_from


class TriageState(StrEnum):
    NEW = "new"
    RELEVANT = "relevant"
    NOT_RELEVANT = "not_relevant"
    FOLLOW_UP = "follow_up"
    BRIEFED = "briefed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# What each mark of a config rule (`feeds.models.RULE_MARKS`) sets on a new release.
_MARK_CHANGES: Mapping[str, tuple[str, Any]] = {
    "read": ("read", True),
    "star": ("starred", True),
    "relevant": ("triage", TriageState.RELEVANT.value),
    "not relevant": ("triage", TriageState.NOT_RELEVANT.value),
    "follow-up": ("triage", TriageState.FOLLOW_UP.value),
    "briefed": ("triage", TriageState.BRIEFED.value),
}


# The author of what a config rule sets on a new release: its "read" is everyone's.
BY_RULE = "(rule)"


def current_user() -> str:
    """The Unix user running this process: who decides, when nobody else is named."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (a container's bare uid), or no pwd
        try:
            return getpass.getuser()
        except OSError:
            return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass(frozen=True, slots=True)
class Decided:
    """One line of a release's history: what was decided ("briefed", "starred", "note"...),
    by whom (a user name; "" for a decision made before summitwatch kept authors), and when
    (ISO 8601 UTC)."""

    what: str
    who: str
    when: str

    def to_list(self) -> list[str]:
        return [self.what, self.who, self.when]

    def describe(self) -> str:
        """One line for people: "briefed · ana · 3 Dec 10:02" (local time)."""
        try:
            at = datetime.fromisoformat(self.when).astimezone()
            when = f"{at.day} {at:%b %H:%M}"
        except ValueError:
            when = "time not recorded"
        return f"{self.what} · {self.who or 'author not recorded'} · {when}"

    @classmethod
    def from_list(cls, data: Any) -> Decided | None:
        """One stored line, or None when it is not one (a damaged or hand-edited file)."""
        if not isinstance(data, list | tuple) or len(data) != 3:
            return None
        return cls(*(str(part) for part in data))


def history_of(data: Any) -> tuple[Decided, ...]:
    """The stored lines of a history, those that read as lines."""
    lines = (Decided.from_list(item) for item in data) if isinstance(data, list) else ()
    return tuple(line for line in lines if line is not None)


def changes_for_marks(marks: Iterable[str]) -> dict[str, Any]:
    """The changes (for `Store.update`) that a release's rule marks ask for; of two triage
    states, the last one named wins."""
    return dict(_MARK_CHANGES[mark] for mark in marks if mark in _MARK_CHANGES)


@dataclass(frozen=True, slots=True)
class Correction:
    """A person's override of the classifier; it wins over every reclassification."""

    summit: bool | None = None
    pillars_added: tuple[str, ...] = ()
    pillars_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.summit is None and not self.pillars_added and not self.pillars_removed

    def to_dict(self) -> dict[str, Any]:
        return {
            "summit": self.summit,
            "pillars_added": list(self.pillars_added),
            "pillars_removed": list(self.pillars_removed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Correction:
        if not data:
            return cls()
        summit = data.get("summit")
        return cls(
            summit=bool(summit) if summit is not None else None,
            pillars_added=pillar_ids(data.get("pillars_added", ())),
            pillars_removed=pillar_ids(data.get("pillars_removed", ())),
        )


@dataclass(frozen=True, slots=True)
class StoredRelease:
    """A release as the store holds it: pipeline output plus what people decided about it."""

    release: Release
    classification: Classification
    first_seen: str  # ISO 8601 UTC
    read: bool = False
    triage: TriageState = TriageState.NEW
    starred: bool = False
    note: str = ""
    correction: Correction = field(default_factory=Correction)
    sources: tuple[str, ...] = ()  # every source this release was seen in
    changed_at: str = ""  # when the text last changed after first being stored
    history: tuple[Decided, ...] = ()  # who decided what, oldest first (read is personal)
    # The versions an edit replaced, oldest first (`state.versions`); full records only.
    earlier_versions: tuple[Version, ...] = ()

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def summit(self) -> bool:
        """The summit decision, a person's correction first."""
        if self.correction.summit is not None:
            return self.correction.summit
        return self.classification.summit

    @property
    def pillars(self) -> tuple[str, ...]:
        """Asserted pillars, a person's corrections applied: the classifier's (in the order of
        its taxonomy), then those a person added (`PillarSet.order` puts them in place)."""
        correction = self.correction
        if not correction.pillars_added and not correction.pillars_removed:
            return self.classification.pillars
        removed = set(correction.pillars_removed)
        chosen = dict.fromkeys((*self.classification.pillars, *correction.pillars_added))
        return tuple(p for p in chosen if p not in removed)

    @property
    def edited(self) -> bool:
        """Changed by its publisher after it was first stored (its earlier text may predate
        the keeping of versions: then `earlier_versions` is empty)."""
        return bool(self.changed_at)

    @property
    def versions(self) -> tuple[Version, ...]:
        """Every version kept, oldest first, the current one last (full records only)."""
        current = Version.of_release(self.release, self.changed_at or self.first_seen)
        return (*self.earlier_versions, current)

    def light(self) -> StoredRelease:
        """This record without its text and evidence: what lists and reports need to keep."""
        if not self.release.text and not self.classification.evidence and not self.earlier_versions:
            return self
        return replace(
            self,
            release=replace(self.release, text=""),
            classification=replace(self.classification, evidence={}),
            earlier_versions=(),
        )

    def with_changes(self, **changes: Any) -> StoredRelease:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "release": self.release.to_dict(),
            "classification": self.classification.to_dict(),
            "first_seen": self.first_seen,
            "read": self.read,
            "triage": self.triage.value,
            "starred": self.starred,
            "note": self.note,
            "correction": self.correction.to_dict(),
            "sources": list(self.sources),
            "changed_at": self.changed_at,
            "history": [line.to_list() for line in self.history],
        }
        if self.earlier_versions:
            data["versions"] = [v.to_dict() for v in self.earlier_versions]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredRelease:
        try:
            triage = TriageState(data.get("triage", "new"))
        except ValueError:
            triage = TriageState.NEW
        return cls(
            release=Release.from_dict(data["release"]),
            classification=Classification.from_dict(data.get("classification", {})),
            first_seen=str(data.get("first_seen", "")),
            read=bool(data.get("read", False)),
            triage=triage,
            starred=bool(data.get("starred", False)),
            note=str(data.get("note", "")),
            correction=Correction.from_dict(data.get("correction")),
            sources=tuple(str(s) for s in data.get("sources", ())),
            changed_at=str(data.get("changed_at", "")),
            history=history_of(data.get("history")),
            earlier_versions=versions_from(data.get("versions")),
        )
