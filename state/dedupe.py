"""Telling a release seen again from a new one.

Three keys besides the release id say "this is the same release": its GUID, its canonical URL
(tracking parameters, fragment, default port and case differences removed) and a fingerprint of
its normalised title and body. The store keeps the keys of every release (as short hashes, so
that opening a large database never recomputes them) in a `DedupeIndex`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.models import Release

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "cmpid",
        "ocid",
        "s_cid",
        "wt.mc_id",
        "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
# A body shorter than this says too little to call two releases the same by their text.
MIN_BODY_CHARS = 40
# A GUID this short is a per-feed counter ("17"), not an identity across feeds.
MIN_GUID_CHARS = 8

BodyKind = Literal["text", "summary", ""]


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


# A plain http(s) URL with no port, user, query or fragment: most links, canonical at once.
_PLAIN_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?", re.I)


def canonical_url(url: str) -> str:
    """The URL in one spelling: no scheme, lower-case host without "www.", no default port,
    fragment, trailing slash or tracking parameters; the remaining parameters sorted.

    The scheme is dropped because government sites answer the same page over http and https.
    """
    url = url.strip()
    if not url:
        return ""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and plain.group(1):
        host = plain.group(1).lower().removeprefix("www.")
        return f"{host}{(plain.group(2) or '').rstrip('/') or '/'}"
    return parsed_canonical_url(url)


def parsed_canonical_url(url: str) -> str:
    """`canonical_url` the long way, for any URL (`url` already stripped)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    pairs = sorted((k, v) for k, v in parse_qsl(parts.query, True) if not _is_tracking(k))
    return urlunsplit(("", host, path, urlencode(pairs), "")).removeprefix("//")


_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# The same for ASCII text, as a translation table (several times faster than the pattern).
_ASCII_PUNCT = {c: " " for c in range(128) if _PUNCT.match(chr(c))}


# Accents of Latin letters after NFKD; any other combining mark is found among the few
# non-ASCII characters left. A per-character loop over every text was most of the cost of
# storing a release.
# U+034F, the grapheme joiner, is in that block but is not a combining mark.
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _drop_mark(match: re.Match[str]) -> str:
    char = match.group()
    return "" if unicodedata.combining(char) else char


# The accents of Spanish and French text after NFKD: removed with str.replace, far faster
# than a pattern over the whole text; any other mark goes the long way.
_COMMON_MARKS = ("\u0301", "\u0300", "\u0302", "\u0303", "\u0308", "\u0327")


def strip_marks(text: str) -> str:
    """`text` decomposed (NFKD) without its combining marks (accents)."""
    plain = unicodedata.normalize("NFKD", text)
    if plain.isascii():
        return plain
    for mark in _COMMON_MARKS:
        plain = plain.replace(mark, "")
    if not plain.isascii():
        plain = _LATIN_MARKS.sub("", plain)
        if not plain.isascii():
            plain = _NON_ASCII.sub(_drop_mark, plain)
    return plain


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
