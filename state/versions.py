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


# Between their shared start and end, texts of up to this many words are compared word for
# word (at most about 0.15 s, changes all through). Longer ones let difflib pass over words
# frequent enough to be noise ("autojunk"): 0.02 s at 5,000 words where word for word takes
# 3.4 s, but two nearby changes may then run into one.
EXACT_DIFF_WORDS = 1500


def word_diff(old: str, new: str) -> list[Piece]:
    """`new` against `old`, word by word: shared runs, and runs only one of them has (a
    replaced passage is its removed run, then its added run). Whitespace alone never differs."""
    a, b = _words(old), _words(new)
    keys_a, keys_b = [w.strip() for w in a], [w.strip() for w in b]
    # An edit usually changes a few passages of a long text: the shared start and end are
    # set aside first, so that only what lies between them is compared.
    shortest = min(len(a), len(b))
    head = 0
    while head < shortest and keys_a[head] == keys_b[head]:
        head += 1
    tail = 0
    while tail < shortest - head and keys_a[-1 - tail] == keys_b[-1 - tail]:
        tail += 1
    middle_a, middle_b = keys_a[head : len(a) - tail], keys_b[head : len(b) - tail]
    noisy = max(len(middle_a), len(middle_b)) > EXACT_DIFF_WORDS
    matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=noisy)
    pieces = [Piece("same", "".join(b[:head]))]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            pieces.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    pieces.append(Piece("same", "".join(b[len(b) - tail :])))
    return [p for p in pieces if p.text]


def changes(pieces: Iterable[Piece]) -> list[Change]:
    """The changed passages of a diff, each as what was removed and what was added there.
    Two changes one word apart are one passage ("21 to 23" became "22 to 24"): quoted
    apart, neither would read."""
    found: list[Change] = []
    removed = added = ""
    bridge = ""  # one shared word after a change, kept until the next piece says what it is
    for piece in pieces:
        if piece.op == "same":
            if (removed or added) and not bridge and len(piece.text.split()) == 1:
                bridge = piece.text
                continue
            if removed or added:
                found.append(Change(removed.strip(), added.strip()))
            removed = added = bridge = ""
            continue
        if bridge:
            removed, added, bridge = removed + bridge, added + bridge, ""
        if piece.op == "removed":
            removed += piece.text
        else:
            added += piece.text
    if removed or added:
        found.append(Change(removed.strip(), added.strip()))
    return found
