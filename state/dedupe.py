"""Telling a release seen again from a new one.

Three keys besides the release id say "this is the same release": its GUID, its canonical URL
(tracking parameters, fragment, default port and case differences removed) and a fingerprint of
its normalised title and body. The store keeps the keys of every release (as short hashes, so
that opening a large database never recomputes them) in a `DedupeIndex`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from feeds import Release, canonical_url, strip_marks

# A body shorter than this says too little to call two releases the same by their text.
MIN_BODY_CHARS = 40
# A GUID this short is a per-feed counter ("17"), not an identity across feeds.
MIN_GUID_CHARS = 8

BodyKind = Literal["text", "summary", ""]


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# The same for ASCII text, as a translation table (several times faster than the pattern).
_ASCII_PUNCT = {c: " " for c in range(128) if _PUNCT.match(chr(c))}


def normalise_text(text: str) -> str:
    """Case-folded, accent-free, punctuation-free text with single spaces."""
    plain = text.casefold()
    if not plain.isascii():
        plain = strip_marks(plain)
    if plain.isascii():
        return " ".join(plain.translate(_ASCII_PUNCT).split())
    return " ".join(_PUNCT.sub(" ", plain).split())


def short_hash(text: str) -> str:
    """A 64-bit hex digest: collisions are negligible at the sizes a press store reaches."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Keys:
    """What identifies a release besides its id, as stored beside it."""

    guid: str = ""
    url: str = ""  # hash of the canonical URL
    title: str = ""  # hash of the normalised title
    body: str = ""  # hash of the normalised text (or summary when there is no text)
    kind: BodyKind = ""  # where `body` came from; "" when too short to compare
    digest: str = ""  # hash of the raw fields the others come from (`release_digest`)

    @property
    def fingerprint(self) -> str:
        """Same normalised title and body: the same release, whoever published it."""
        return f"{self.title}{self.body}" if self.kind else ""

    def to_dict(self) -> dict[str, str]:
        return {"u": self.url, "h": self.title, "b": self.body, "k": self.kind, "d": self.digest}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], guid: str) -> Keys:
        kind = data.get("k", "")
        return cls(
            guid=guid_key(guid),
            url=str(data.get("u", "")),
            title=str(data.get("h", "")),
            body=str(data.get("b", "")),
            kind=kind if kind in ("text", "summary") else "",
            digest=str(data.get("d", "")),
        )


def guid_key(guid: str) -> str:
    if " " in guid or not guid.isprintable():  # other whitespace is not printable
        guid = " ".join(guid.split())
    return guid if len(guid) >= MIN_GUID_CHARS else ""


def keys_for(release: Release) -> Keys:
    """Compute the keys of a release (normalises its text once)."""
    kind: BodyKind = ""
    body = ""
    if release.text.strip():
        body, kind = normalise_text(release.text), "text"
    elif release.summary.strip():
        body, kind = normalise_text(release.summary), "summary"
    if len(body) < MIN_BODY_CHARS:
        kind = ""
    url = canonical_url(release.link)
    return Keys(
        guid=guid_key(release.guid),
        url=short_hash(url) if url else "",
        title=short_hash(normalise_text(release.title)),
        body=short_hash(body) if body else "",
        kind=kind,
        digest=release_digest(release),
    )


def release_digest(release: Release) -> str:
    """A hash of every field `keys_for` reads, as they are: a release seen again unchanged
    has the same digest, and the keys stored for it can be used without normalising its text
    again (most of what storing a release costs)."""
    fields = (release.title, release.text, release.summary, release.link, release.guid)
    return short_hash("\x00".join(fields))


def is_edit(old: Keys, new: Keys) -> bool:
    """Did the release's publisher change it? Title changes count; a body counts only when
    both bodies are of the same kind, so a feed giving a summary where another gave the
    full text is not mistaken for an edit."""
    if old.title != new.title:
        return True
    return bool(new.body) and old.kind == new.kind and old.body != new.body


def is_enrichment(old: Keys, new: Keys) -> bool:
    """The incoming copy has the full text where the stored one had only a summary (or no
    body at all): take its body without calling it an edit."""
    return new.kind == "text" and old.kind != "text"


# A release's keys as the index holds them: guid, url, title, body, kind, digest (`Keys`).
KeyTuple = tuple[str, str, str, str, BodyKind, str]


class DedupeIndex:
    """Keys of every stored release, and which release holds each key.

    The maps from key to release are built at the first `find()` (the first write), not when
    a store opens: opening only records each release's keys.
    """

    def __init__(self) -> None:
        self._keys: dict[str, KeyTuple] = {}
        self._guid: dict[str, str] = {}
        self._url: dict[str, str] = {}
        self._fp: dict[str, str] = {}
        self._built = False  # the maps are built, and kept up to date since

    def __len__(self) -> int:
        return len(self._keys)

    def keys(self, release_id: str) -> Keys | None:
        found = self._keys.get(release_id)
        return None if found is None else Keys(*found)

    def add(self, release_id: str, keys: Keys) -> None:
        self.put(release_id, (keys.guid, keys.url, keys.title, keys.body, keys.kind, keys.digest))

    def put(self, release_id: str, keys: KeyTuple) -> None:
        """`add` without building `Keys`."""
        if release_id in self._keys:
            self.remove(release_id)
        self._keys[release_id] = keys
        if self._built:
            self._map(release_id, keys)

    def load(self, entries: Iterable[tuple[str, KeyTuple]]) -> None:
        """Record the keys of releases not held yet (opening a store loads them all)."""
        if not self._built:
            self._keys.update(entries)
            return
        for release_id, keys in entries:
            self.put(release_id, keys)

    def remove(self, release_id: str) -> None:
        found = self._keys.pop(release_id, None)
        if found is None or not self._built:
            return
        guid, url, title, body, kind, _ = found
        for index, value in self._values(guid, url, title + body, kind):
            if index.get(value) == release_id:
                del index[value]

    def find(self, release_id: str, keys: Keys) -> str | None:
        """The id of the stored release this one duplicates, or None if it is new."""
        if release_id in self._keys:
            return release_id
        if not self._built:
            self._build()
        for index, value in self._values(keys.guid, keys.url, keys.title + keys.body, keys.kind):
            found = index.get(value)
            if found is not None:
                return found
        return None

    def clear(self, ids: Iterable[str] | None = None) -> None:
        if ids is None:
            self._keys.clear()
            for index in (self._guid, self._url, self._fp):
                index.clear()
            return
        for release_id in list(ids):
            self.remove(release_id)

    def _build(self) -> None:
        for index in (self._guid, self._url, self._fp):
            index.clear()
        for release_id, keys in self._keys.items():  # in load order: the first one wins
            self._map(release_id, keys)
        self._built = True

    def _map(self, release_id: str, keys: KeyTuple) -> None:
        guid, url, title, body, kind, _ = keys
        if guid:
            self._guid.setdefault(guid, release_id)
        if url:
            self._url.setdefault(url, release_id)
        if kind:
            self._fp.setdefault(title + body, release_id)

    def _values(
        self, guid: str, url: str, fingerprint: str, kind: str
    ) -> list[tuple[dict[str, str], str]]:
        pairs = [(self._guid, guid), (self._url, url), (self._fp, fingerprint if kind else "")]
        return [(index, value) for index, value in pairs if value]
