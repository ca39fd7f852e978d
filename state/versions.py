"""Every version of a release: what its publisher changed after it was first stored.

A stored release document holds its current text as the release itself, and the versions it
replaced, oldest first, under `versions` (title, text, summary, when each was first seen).
A document written before versions were kept has none: it is a release of one version,
whose `changed_at` may still say that its text once changed.

The word diff between two versions is computed here, plain Python: the reader, alerts and
exports each show it their own way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from feeds import Release

__all__ = [
    "MAX_VERSIONS",
    "Change",
    "Piece",
    "Version",
    "changes",
    "versions_after_edit",
    "versions_from",
    "word_diff",
]

# Versions kept of one release, the current one included: the first (what was published)
# and the latest ones. A page that flips between two texts at every poll would otherwise
# grow without end.
MAX_VERSIONS = 30


@dataclass(frozen=True, slots=True)
class Version:
    """One state of a release as its publisher gave it."""

    title: str
    text: str  # "" when the feed gave only a summary (or pruning dropped it)
    summary: str
    seen: str  # ISO 8601 UTC: when this version was first seen

    @property
    def body(self) -> str:
        """What the reader shows and the diff compares: the text, else the summary."""
        return self.text or self.summary

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "text": self.text, "summary": self.summary, "seen": self.seen}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Version:
        return cls(
            title=str(data.get("title", "")),
            text=str(data.get("text", "")),
            summary=str(data.get("summary", "")),
            seen=str(data.get("seen", "")),
        )

    @classmethod
    def of_release(cls, release: Release, seen: str) -> Version:
        return cls(release.title, release.text, release.summary, seen)


def versions_from(data: object) -> tuple[Version, ...]:
    """The earlier versions stored under a document's `versions` (none when absent or not a
    list: a document of before versions, or edited by hand)."""
    if not isinstance(data, list):
        return ()
    return tuple(Version.from_dict(v) for v in data if isinstance(v, Mapping))


def _bounded(earlier: Sequence[Version]) -> tuple[Version, ...]:
    """At most MAX_VERSIONS - 1 earlier versions: the first and the latest."""
    keep = MAX_VERSIONS - 1
    if len(earlier) <= keep:
        return tuple(earlier)
    return (earlier[0], *earlier[len(earlier) - keep + 1 :])


def versions_after_edit(doc: Mapping[str, Any]) -> tuple[Version, ...]:
    """The earlier versions of a stored release about to be replaced by an edit: those it
    had, then the release as the document holds it now, seen when it last changed (or first,
    if it never did)."""
    release = doc["release"]
    current = Version(
        title=str(release.get("title", "")),
        text=str(release.get("text", "")),
        summary=str(release.get("summary", "")),
        seen=str(doc.get("changed_at") or doc.get("first_seen", "")),
    )
    return _bounded((*versions_from(doc.get("versions")), current))


# -- the word diff ----------------------------------------------------------------------

Op = Literal["same", "removed", "added"]
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of words (with the spaces after them) that both versions share, or that one of
    them alone has."""

    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One passage changed: what the older version said there, and what the newer says."""

    removed: str
    added: str


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """`new` against `old`, word by word: shared runs, and runs only one of them has (a
    replaced passage is its removed run, then its added run). Whitespace alone never differs."""
    a, b = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in a], [w.strip() for w in b])
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return [p for p in pieces if p.text]


def changes(pieces: Iterable[Piece]) -> list[Change]:
    """The changed passages of a diff, each as what was removed and what was added there."""
    found: list[Change] = []
    removed = added = ""
    for piece in pieces:
        if piece.op == "same":
            if removed or added:
                found.append(Change(removed.strip(), added.strip()))
            removed = added = ""
        elif piece.op == "removed":
            removed += piece.text
        else:
            added += piece.text
    if removed or added:
        found.append(Change(removed.strip(), added.strip()))
    return found
