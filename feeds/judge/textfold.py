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
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import add, itemgetter, not_
from types import MappingProxyType
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
_NON_WORD = re.compile(r"\W")

# Tokenising with `TOKEN_RE` costs ~40 ns a character in `re`; mapping every ASCII separator to a
# space in the UTF-8 bytes and splitting on " " does the same work in C at a tenth of the cost.
# UTF-8 lead and continuation bytes are kept, so non-ASCII letters stay inside their tokens.
_BYTE_SEPARATORS = bytes(c if c >= 0x80 or chr(c).isalnum() else 0x20 for c in range(256))


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """The `TOKEN_RE` tokens of a text and their start offsets, without a regex pass.

    Fastest on a folded text, where the most frequent non-ASCII separators (typographic quotes
    and dash) are ASCII already: any other is caught by `_split_mixed`.
    """
    data = text.encode("utf-8", "surrogatepass").translate(_BYTE_SEPARATORS)
    ascii_only = text.isascii()
    decoded = data.decode("utf-8", "surrogatepass")
    parts = decoded.split(" ")
    tokens = list(filter(None, parts))
    # Part k starts after the k parts before it, each with the space that ends it. Adding the
    # space to each length (a small, cached int) rather than k to each sum allocates one int a
    # part instead of two.
    starts = list(compress(accumulate(map(add, map(len, parts), repeat(1)), initial=0), parts))
    if not ascii_only and not _only_words_and_spaces(decoded):
        mixed = list(compress(count(), map(not_, map(str.isalnum, tokens))))
        return _split_mixed(tokens, starts, mixed)
    return tokens, starts


# Latin-1 bytes that are a letter, a digit or the space: what a tokenised text holds between its
# tokens' separators, unless one is a non-ASCII separator ("«", a no-break space).
_WORD_OR_SPACE_LATIN1 = bytes(c for c in range(256) if chr(c).isalnum() or c == 0x20)


def _only_words_and_spaces(decoded: str) -> bool:
    """Whether a text with its separators blanked holds nothing but letters, digits and spaces.

    Text within Latin-1 (most Spanish and French, once the common quotes are blanked) is checked
    in its one-byte encoding, a table lookup a byte: a quarter of the instructions `str.isalnum`
    takes, asking the Unicode database about each character.
    """
    try:
        latin = decoded.encode("latin-1")
    except UnicodeEncodeError:
        return decoded.replace(" ", "").isalnum()
    return not latin.translate(None, _WORD_OR_SPACE_LATIN1)


def _split_mixed(
    tokens: list[str], starts: list[int], mixed: list[int]
) -> tuple[list[str], list[int]]:
    """Split the parts that still hold a separator (a rare quote, a combining mark) by regex."""
    new_tokens: list[str] = []
    new_starts: list[int] = []
    done = 0
    for index in mixed:
        new_tokens += tokens[done:index]
        new_starts += starts[done:index]
        base = starts[index]
        for match in TOKEN_RE.finditer(tokens[index]):
            new_tokens.append(match.group())
            new_starts.append(base + match.start())
        done = index + 1
    new_tokens += tokens[done:]
    new_starts += starts[done:]
    return new_tokens, new_starts


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
    folding changes their length, or in decomposed form, go through `fold`. The common quotes
    and dash are unified as `fold` unifies them (tokens are split at either form).
    """
    if text.isascii():
        return Folded(text.lower())
    for mark, plain in _COMMON_MARKS:
        text = text.replace(mark, plain)
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        lowered = text.lower()
        if len(lowered) == len(text) and unicodedata.is_normalized("NFC", text):
            return Folded(lowered)
        return fold(text)
    # Within Latin-1 (most Spanish and French releases, once the marks above are unified) a
    # text is in NFC, and it lower-cases a character for a character within Latin-1: a byte
    # table does it, where `str.lower` and the NFC check ask the Unicode database about each
    # character (a tenth of the instructions).
    return Folded(latin.translate(_LOWER_LATIN1).decode("latin-1"))


# The typographic apostrophe, quotes and dash most frequent in releases, with what `fold` makes
# of them: with these unified, most Spanish and French text is within Latin-1.
_COMMON_MARKS = tuple((mark, _CHAR_TABLE[mark]) for mark in "’“”–")
_LOWER_LATIN1 = bytes(ord(chr(code).lower()) for code in range(256))


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


# A phrase that may start at a token: the phrase's `ident`, its category number, its length in
# tokens - 1, the keys after its first three (checked token by token) and, for acronyms, the
# exact spellings that may stand there with the ident of each (empty for other phrases).
Candidate = tuple[int, int, int, tuple[str, ...], Mapping[str, int]]
# A `Hit` as a plain tuple, for the hot path, naming its phrase by `ident`: what the classifier
# looks its term up by, with no attribute to read a hit.
RawHit = tuple[int, int, int, int, int]
_MAX_TOKENS = 200_000  # distinct tokens cached before the caches are cleared
_MAX_PAIRS = 500_000  # and candidate lists cached by pair or triple of tokens


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


# The spellings of a candidate that is not an acronym: none to check (read-only, shared).
_ANY_SPELLING: Mapping[str, int] = MappingProxyType({})
# Marks a token whose candidates depend on the tokens after it (an identity check, never read).
_BY_PAIR: list[Candidate] = [(-1, -1, 0, (), _ANY_SPELLING)]


_NO_CANDIDATES: list[Candidate] = []


class PhraseIndex:
    """All phrases of a taxonomy, indexed by first key, matched in one pass over tokens.

    Speed matters (thousands of releases a second): tokens and their offsets come from
    `tokenize`, and only tokens that can open a phrase are looked at in Python.
    """

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        # Single-token phrases by their key; longer ones by their first two keys, so that the
        # dozens of phrases opening with "north american" are not all tried at every "North".
        self._single: dict[str, list[Phrase]] = {}
        self._double: dict[tuple[str, str], list[Phrase]] = {}
        self._opening: set[str] = set()
        self._opening_long: set[str] = set()  # first keys of phrases of two tokens or more
        self._categories: dict[str, int] = {}  # numbered, for a list of covered tokens by category
        self._phrases: dict[int, Phrase] = {}  # by ident, for `scan`
        prefixes: set[str] = set()
        for phrase in phrases:
            self._phrases[phrase.ident] = phrase
            self._categories.setdefault(phrase.category, len(self._categories))
            if len(phrase.keys) == 1:
                self._single.setdefault(phrase.keys[0], []).append(phrase)
            else:
                self._double.setdefault((phrase.keys[0], phrase.keys[1]), []).append(phrase)
            self._opening.add(phrase.keys[0])
            if len(phrase.keys) > 1:
                self._opening_long.add(phrase.keys[0])
            prefixes.update(k for k in phrase.keys if k.endswith("*"))
        for bucket in self._double.values():
            bucket.sort(key=lambda p: -len(p.keys))  # longest first wins its category
        self._prefixes = tuple(sorted(prefixes))
        self._keys: dict[str, tuple[str, ...]] = {}  # raw token -> keys, grows with use
        # Raw token -> its candidates, or `_BY_PAIR` when these depend on the next token
        # (looked up for every token of a text in one `map`); grows with `_keys`.
        self._by_token: dict[str, list[Candidate]] = {}
        # Candidates by token, then by the token after it, for the tokens marked `_BY_PAIR`:
        # two lookups by string cost less than building and hashing a pair of them.
        self._pairs: dict[str, dict[str, list[Candidate]]] = {}
        self._pair_count = 0  # candidate lists in `_pairs`
        self._triples: dict[tuple[str, str, str], list[Candidate]] = {}  # ... for long phrases
        self._reading = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_reading"]  # a lock cannot be pickled; the copy gets its own
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._reading = threading.Lock()

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
            self._keys[token] = keys
            if any(k in self._opening_long for k in keys):
                self._by_token[token] = _BY_PAIR
                self._pairs[token] = {}
            elif any(k in self._opening for k in keys):
                single = self._find_candidates(token, "")
                self._by_token[token] = _prune(single, self._categories)
            else:
                self._by_token[token] = _NO_CANDIDATES
        return keys

    def scan(self, folded: Folded, original: str) -> tuple[list[Hit], list[str]]:
        """Find phrases in a folded string; returns the hits and the tokens.

        Within one category the longest phrase wins and phrases do not overlap; phrases of
        different categories may overlap (a mechanism name is also a pillar term).
        """
        found, tokens = self.find(folded, original)
        phrases = self._phrases
        return [Hit(phrases[ident], *rest) for ident, *rest in found], tokens

    def find(self, folded: Folded, original: str) -> tuple[list[RawHit], list[str]]:
        """`scan` with plain tuples for hits (named tuples cost a Python call each)."""
        tokens, starts = tokenize(folded.text)
        # One text at a time: the caches fill (and are cleared) as texts are read, and a
        # thread must not meet a word another has half learnt. Matching is pure Python, so
        # threads would not have run it side by side anyway.
        with self._reading:
            return self._match(tokens, starts, folded, original), tokens

    def _learn(self, tokens: list[str]) -> None:
        """Compute the keys of the tokens never seen, so that all of a text's are cached."""
        missing = set(tokens).difference(self._keys)
        if len(self._keys) + len(missing) > _MAX_TOKENS:
            # Bound the memory of a long-running poller; cleared here, before any lookup, so
            # that every token of this text is in the caches while it is matched.
            for cache in (self._keys, self._by_token, self._pairs, self._triples):
                cache.clear()
            self._pair_count = 0
            missing = set(tokens)
        for token in missing:
            self.token_keys(token)

    def _match(
        self, tokens: list[str], starts: list[int], folded: Folded, text: str
    ) -> list[RawHit]:
        """The phrases starting at each token: the hot loop, kept flat."""
        hits: list[RawHit] = []
        covered = [-1] * len(self._categories)  # by category: the last token of its last hit
        pairs, triples, by_pair = self._pairs, self._triples, _BY_PAIR
        padded = [*tokens, "", ""]  # so that the last tokens have (blank) successors
        # One lookup per token, in C; only tokens with candidates are looked at in Python.
        # A token never seen raises: cheaper than scanning all the lookups for a None.
        # `itemgetter` of many keys looks them all up in one call (a third cheaper than `map`
        # of `__getitem__`), and gives a tuple; of one key, the value alone.
        lookup = itemgetter(*tokens) if len(tokens) > 1 else _one_lookup(tokens)
        try:
            known_tokens = lookup(self._by_token)
        except KeyError:
            self._learn(tokens)
            known_tokens = lookup(self._by_token)
        append = hits.append
        # The original text of the span an exact phrase was last checked on: the plural-only
        # terms ("ministers", "ministros", "Ministres", ...) share their stem, and so each of
        # them is checked on the same word; it is cut from the original once, not once each.
        checked, piece = (-1, -1), ""
        for index in compress(count(), known_tokens):
            candidates = known_tokens[index]
            if candidates is by_pair:
                token, after = padded[index], padded[index + 1]
                known = pairs[token].get(after)
                if known is None:  # a pair opening longer phrases: cached by triple
                    known = triples.get((token, after, padded[index + 2]))
                candidates = self._candidates(padded, index) if known is None else known
            for ident, category, span, rest, spellings in candidates:
                if covered[category] >= index:
                    continue
                # Up to three tokens, a phrase is already matched by the candidate lookup.
                if rest and not self._matches_rest(rest, index + 3, tokens):
                    continue
                last = index + span
                end = starts[last] + len(tokens[last])
                if spellings:
                    if checked != (index, last):
                        checked = (index, last)
                        piece = _acronym_piece(folded, text, starts[index], end)
                    ident = spellings.get(piece, -1)
                    if ident < 0:
                        continue
                covered[category] = last
                append((ident, index, last, starts[index], end))
        return hits

    def _candidates(self, padded: list[str], index: int) -> list[Candidate]:
        """Phrases that may start at a token, cached by its pair of tokens, or by its three
        tokens when the pair opens longer phrases (the 18 "north american ..." ones)."""
        pair = (padded[index], padded[index + 1])
        triple = (*pair, padded[index + 2])
        found = self._triples.get(triple)
        if found is not None:
            return found
        if self._pair_count + len(self._triples) >= _MAX_PAIRS:
            for following in self._pairs.values():
                following.clear()  # mere caches: the lists a text already holds stay valid
            self._pair_count = 0
            self._triples.clear()
        phrases = self._find_candidates(*pair)
        if all(len(p.keys) <= 2 for p in phrases):
            found = self._pairs[pair[0]][pair[1]] = _prune(phrases, self._categories)
            self._pair_count += 1
            return found
        third = self._keys[triple[2]] if triple[2] else ()
        phrases = [p for p in phrases if len(p.keys) <= 2 or p.keys[2] in third]
        found = self._triples[triple] = _prune(phrases, self._categories)
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

    def _matches_rest(self, rest: tuple[str, ...], at: int, tokens: Sequence[str]) -> bool:
        if at + len(rest) > len(tokens):
            return False
        keys = self._keys
        return all(key in keys[tokens[offset]] for offset, key in enumerate(rest, at))


def _one_lookup(tokens: list[str]) -> Callable[[dict[str, list[Candidate]]], list[list[Candidate]]]:
    """For a text of one token or none: the lookups as a list."""
    return lambda by_token: [by_token[token] for token in tokens]


def _prune(phrases: Iterable[Phrase], categories: dict[str, int]) -> list[Candidate]:
    """Candidates for `PhraseIndex._match`, in the order given, without the dead ones.

    A phrase of up to three tokens that got here matches for sure (unless it is an acronym),
    and once a phrase of a category matches at a token the later ones of that category are
    skipped: they are dropped here rather than tried at every occurrence of the token.
    Acronyms in a row that differ only by spelling ("ministros", "Ministros", "ministres", ...)
    are one candidate: the first whose spelling stands there wins, as it did one by one.
    """
    settled: set[str] = set()
    found: list[Candidate] = []
    spellings: dict[str, int] | None = None  # those of the last candidate, if an acronym
    last_place: tuple[int, int, tuple[str, ...]] | None = None  # and its category, span, rest
    for p in phrases:
        if p.category in settled:
            continue
        place = (categories[p.category], len(p.keys) - 1, p.keys[3:])
        if p.exact and spellings is not None and place == last_place:
            spellings.setdefault(p.exact, p.ident)
            continue
        spellings = {p.exact: p.ident} if p.exact else None
        last_place = place
        found.append((p.ident, *place, spellings or _ANY_SPELLING))
        if len(p.keys) <= 3 and not p.exact:
            settled.add(p.category)
    return found


def _acronym_piece(folded: Folded, original: str, start: int, end: int) -> str:
    """The original text of a span, as an exact phrase compares with it: acronyms that are also
    words ("US", "CLAN") must keep their capitals in the original."""
    first, last = folded.original_span(start, end)
    piece = original[first:last]
    if piece.isalnum():  # one plain word, the usual case: no punctuation to drop
        return piece
    return _NON_WORD.sub("", piece)
