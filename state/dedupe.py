"""Telling a release seen again from a new one.

Three keys besides the release id say "this is the same release": its GUID, its canonical URL
(tracking parameters, fragment, default port and case differences removed) when its title or
its body agrees as well (a link alone is no proof: a feed may point every item at one page),
and a fingerprint of its normalised title and body. The store keeps the keys of every release
(as short hashes, so that they are never computed twice) in each release's document and, to
look them up, in the on-disk index of `state.engine.keyindex`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
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
