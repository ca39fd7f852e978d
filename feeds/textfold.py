"""Text folding, tokenising and phrase matching for the classifier.

Folding lowers case, strips accents and unifies apostrophe, quote and dash variants, so that
"Leaders’", "LEADERS'" and "leaders" compare equal and "migración" meets "migracion". Most
characters fold to exactly one character, which keeps the folded string aligned with the
original; only the rare exceptions (combining marks, ligatures) pay for an offset map.

Matching works on folded tokens reduced by a light EN/ES/FR stemmer, through a dictionary keyed
by a phrase's first token: one pass over the tokens, whatever the number of phrases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

_QUOTES = "’‘‛ʼ´`′ʹ"
_DOUBLE_QUOTES = "“”„‟«»″"
_DASHES = "‐‑‒–—―−"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003"
_EXPANSIONS = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl"}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base and base != char:
            table[code] = base.lower()
    for chars, target in ((_QUOTES, "'"), (_DOUBLE_QUOTES, '"'), (_DASHES, "-"), (_SPACES, " ")):
        table.update((ord(c), target) for c in chars)
    table.update((ord(c), target) for c, target in _EXPANSIONS.items())
    table[0x0130] = "i"  # "İ".lower() is two characters; fold it to one
    # Combining marks (text in NFD form) disappear: this is what makes the slow path necessary.
    table.update((code, "") for code in range(0x0300, 0x0370))
    return table


_TABLE = _build_table()
_CHAR_TABLE = {chr(code): value for code, value in _TABLE.items()}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(match: re.Match[str]) -> str:
    char = match.group()
    return _CHAR_TABLE.get(char, char)


TOKEN_RE = re.compile(r"[^\W_]+")
_SPLIT_RE = re.compile(r"([^\W_]+)")
_NON_WORD = re.compile(r"\W")


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded string and, when folding changed its length, the map back to the original."""

    text: str
    offsets: tuple[int, ...] | None = None  # folded index -> original index, plus a sentinel

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text back to the original string."""
        if self.offsets is None:
            return start, end
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def fold(text: str) -> Folded:
    """Fold case, accents and typographic variants, keeping offsets to the original."""
    if text.isascii():
        return Folded(text.lower())
    folded = _NON_ASCII.sub(_fold_char, text.lower())
    if len(folded) == len(text):
        return Folded(folded)
    parts: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = char.translate(_TABLE).lower()
        parts.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return Folded("".join(parts), tuple(offsets))


def fold_for_scan(text: str) -> Folded:
    """Lower-case only, when that keeps offsets: `PhraseIndex` folds accents token by token.

    This skips a whole pass over the text for Spanish and French releases; texts whose case
    folding changes their length, or in decomposed form, go through `fold`.
    """
    lowered = text.lower()
    if text.isascii() or (len(lowered) == len(text) and unicodedata.is_normalized("NFC", text)):
        return Folded(lowered)
    return fold(text)


def fold_plain(text: str) -> str:
    """Fold a string when no offsets are needed (taxonomy terms, stopwords)."""
    return text.translate(_TABLE).lower()


_PLURAL_ENDINGS = (("eaux", "eau"), ("aux", "al"), ("ies", "y"))


def stem(token: str) -> str:
    """Reduce a folded token to a key shared by its plural, feminine and most variant forms.

    Deliberately light: it only has to make "migrants" meet "migrant" and "migraciones" meet
    "migracion"; both the taxonomy and the text go through it, so over-stemming is harmless
    as long as it is consistent.
    """
    if len(token) <= 3 or token.isdigit():
        return token
    for ending, replacement in _PLURAL_ENDINGS:
        if token.endswith(ending) and len(token) > len(ending) + 2:
            token = token[: -len(ending)] + replacement
            break
    else:
        if token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
    # Feminine and gendered endings: américaine/américain, mexicana/mexicano, vaccine/vaccin.
    if len(token) > 4 and token[-1] in "eao":
        token = token[:-1]
    return token


@dataclass(frozen=True, slots=True)
class Phrase:
    """A taxonomy phrase ready for matching: token keys, and whether case must match."""

    ident: int
    keys: tuple[str, ...]
    category: str
    exact: str = ""  # for acronyms: the spelling, without punctuation, that must match exactly


class Hit(NamedTuple):
    """One phrase found in a folded string: token span and character span (folded)."""

    phrase: Phrase
    first: int  # token index
    last: int  # token index, inclusive
    start: int
    end: int


def phrase_keys(term: str) -> tuple[str, ...]:
    """Token keys of a taxonomy term; a trailing "*" on a word makes it a prefix."""
    words = re.findall(r"[^\W_]+\*?", fold_plain(term))
    return tuple(w if w.endswith("*") else stem(w) for w in words)


class PhraseIndex:
    """All phrases of a taxonomy, indexed by first key, matched in one pass over tokens.

    Speed matters (thousands of releases a second): tokens come from one `re.split`, their
    offsets from running sums, and only tokens that can open a phrase are looked at in Python.
    """

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        # Single-token phrases by their key; longer ones by their first two keys, so that the
        # dozens of phrases opening with "north american" are not all tried at every "North".
        self._single: dict[str, list[Phrase]] = {}
        self._double: dict[tuple[str, str], list[Phrase]] = {}
        self._opening: set[str] = set()
        prefixes: set[str] = set()
        for phrase in phrases:
            if len(phrase.keys) == 1:
                self._single.setdefault(phrase.keys[0], []).append(phrase)
            else:
                self._double.setdefault((phrase.keys[0], phrase.keys[1]), []).append(phrase)
            self._opening.add(phrase.keys[0])
            prefixes.update(k for k in phrase.keys if k.endswith("*"))
        for bucket in self._double.values():
            bucket.sort(key=lambda p: -len(p.keys))  # longest first wins its category
        self._prefixes = tuple(sorted(prefixes))
        self._keys: dict[str, tuple[str, ...]] = {}  # raw token -> keys, grows with use
        self._openers: set[str] = set()  # raw tokens whose keys can open a phrase
        self._pairs: dict[tuple[str, str], list[Phrase]] = {}  # candidates by token pair

    def token_keys(self, token: str) -> tuple[str, ...]:
        """The keys a token answers to: its stem and every prefix it starts with."""
        keys = self._keys.get(token)
        if keys is None:
            plain = fold_plain(token) if not token.isascii() else token
            if not plain.isalnum():
                plain = _NON_WORD.sub("", plain)  # a letter-like apostrophe ("ʼ") folded to "'"
            stemmed = stem(plain)
            extra = tuple(p for p in self._prefixes if plain.startswith(p[:-1]))
            keys = (stemmed, *extra) if extra else (stemmed,)
            if len(self._keys) > 200_000:  # bound the memory of a long-running poller
                self._keys.clear()
                self._openers.clear()
                self._pairs.clear()
            self._keys[token] = keys
            if any(k in self._opening for k in keys):
                self._openers.add(token)
        return keys

    def scan(self, folded: Folded, original: str) -> tuple[list[Hit], list[str]]:
        """Find phrases in a folded string; returns the hits and the tokens.

        Within one category the longest phrase wins and phrases do not overlap; phrases of
        different categories may overlap (a mechanism name is also a pillar term).
        """
        parts = _SPLIT_RE.split(folded.text)
        tokens = parts[1::2]
        for token in set(tokens).difference(self._keys):
            self.token_keys(token)
        openers = self._openers
        ends = list(accumulate(map(len, parts)))
        hits: list[Hit] = []
        covered: dict[str, int] = {}
        for index in [i for i, t in enumerate(tokens) if t in openers]:
            for phrase in self._candidates(tokens, index):
                if covered.get(phrase.category, -1) >= index:
                    continue
                size = len(phrase.keys)
                last = index + size - 1
                # One- and two-token phrases are already matched by the candidate lookup.
                if size > 2 and not self._matches_rest(phrase, index, tokens):
                    continue
                start, end = ends[2 * index], ends[2 * last + 1]
                if phrase.exact and not _same_acronym(phrase.exact, folded, original, start, end):
                    continue
                covered[phrase.category] = last
                hits.append(Hit(phrase, index, last, start, end))
        return hits, tokens

    def _candidates(self, tokens: Sequence[str], index: int) -> list[Phrase]:
        """Phrases that may start at a token, longer ones first (cached by token pair)."""
        pair = (tokens[index], tokens[index + 1] if index + 1 < len(tokens) else "")
        found = self._pairs.get(pair)
        if found is None:
            found = self._pairs[pair] = self._find_candidates(*pair)
        return found

    def _find_candidates(self, token: str, next_token: str) -> list[Phrase]:
        keys = self._keys[token]
        following = self._keys[next_token] if next_token else ()
        found: list[Phrase] = []
        for key in keys:
            for second in following:
                found.extend(self._double.get((key, second), ()))
        if len(found) > 1:
            found.sort(key=lambda p: -len(p.keys))
        for key in keys:
            found.extend(self._single.get(key, ()))
        return found

    def _matches_rest(self, phrase: Phrase, index: int, tokens: Sequence[str]) -> bool:
        if index + len(phrase.keys) > len(tokens):
            return False
        keys = self._keys
        for offset in range(2, len(phrase.keys)):
            if phrase.keys[offset] not in keys[tokens[index + offset]]:
                return False
        return True


def _same_acronym(exact: str, folded: Folded, original: str, start: int, end: int) -> bool:
    """Acronyms that are also words ("US", "CLAN") must keep their capitals in the original."""
    first, last = folded.original_span(start, end)
    return _NON_WORD.sub("", original[first:last]) == exact
