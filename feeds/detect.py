"""Is a release about the summit? A score from 0 to 1 and the evidence behind it.

The release is read once into a `Document`: sentences of the title and text, and every taxonomy
term found, placed in its sentence. The decision weighs where each signal stands (title, lead,
body), whether the three countries are named together, and the contexts that undo a mention:
other forums, one country's measures against another, a bilateral title, a past or coming summit.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import groupby, repeat
from operator import add, attrgetter, methodcaller
from typing import Literal, NamedTuple

from feeds.models import Evidence, Match
from feeds.taxonomy import PARTY_CODES, Taxonomy, Term
from feeds.textfold import Folded, PhraseIndex, RawHit, fold_for_scan

FieldName = Literal["title", "text"]

LEAD_CHARS = 700  # the first paragraph or two of a release: where its subject is stated
POSITION = {"title": 1.5, "lead": 1.0, "body": 0.35}
BIAS = 2.0
BILATERAL_TITLE_PENALTY = 4.0
FOREIGN_TRILATERAL_PENALTY = 2.5
TEMPORAL_WINDOW = 3  # tokens before a summit name where "last"/"next" make it a mere mention
MAX_EVIDENCE = 20
POSITIVE_ROLES = frozenset({"process", "mechanism", "leaders"})
NEGATIVE_ROLES = frozenset({"forum", "measure", "bilateral"})

# A sentence ends at . ! ? ; before a space or at a line break, but not after an initial
# ("U.S.", "Joseph R.") or a title ("Dr."): those are filtered in `_sentence_starts`.
# A sentence ends after a line break, or after . ! ? ; and the run of closing marks that follows
# when a space or the end of the text comes next (so not in "3.5" or "gob.mx"), but not after an
# initial ("U.S.", "Joseph R.") or a title ("Dr."). All in one pattern so that the Python loop
# only sees real ends; it starts with a character class so that `re` can skip ahead fast. The
# lookbehinds look at the two characters before the mark (a title is two letters before it).
_SENTENCE_END = re.compile(
    r"[.!?;\n](?:(?<=\n)|"
    r"(?<![\s.][A-Z].)(?<!^[A-Z].)(?<!(?:Mr|Dr|Jr|Ms|St|No|Sr).)"
    r"[.!?;\"'”’»)]*(?=\s|\Z))"
)
_ENUMERATED = re.compile(r"(?:\d{1,2}|[a-z])[).]\s|[•·▪◦*-]\s")


class Sentence(NamedTuple):
    field: FieldName
    start: int
    end: int


class Found(NamedTuple):
    """A taxonomy term found in the release, with original offsets and its sentence."""

    term: Term
    field: FieldName
    start: int
    end: int
    sentence: int
    token: int

    def to_match(self) -> Match:
        return Match(self.term.text, self.field, self.start, self.end)

    @property
    def position(self) -> str:
        if self.field == "title":
            return "title"
        return "lead" if self.start < LEAD_CHARS else "body"


@dataclass(frozen=True, slots=True)
class Document:
    """A release read once: its sentences, its folded tokens and every term found in them."""

    title: str
    text: str
    sentences: tuple[Sentence, ...]
    found: tuple[Found, ...]
    tokens: tuple[str, ...] = ()  # folded tokens of the title, then of the text

    def sentence_text(self, index: int) -> str:
        """The original text of a sentence, whitespace collapsed."""
        sentence = self.sentences[index]
        source = self.title if sentence.field == "title" else self.text
        return " ".join(source[sentence.start : sentence.end].split())

    def is_heading(self, index: int) -> bool:
        """A short line of its own without closing punctuation ("Economic Competitiveness"),
        or a short item of an enumerated agenda ("5) health;")."""
        sentence = self.sentences[index]
        if sentence.field != "text":
            return False
        piece = self.text[sentence.start : sentence.end].strip()
        if not piece or len(piece.split()) > 8:
            return False
        ends_line = self.text[sentence.end - 1 : sentence.end] == "\n" or sentence.end == len(
            self.text
        )
        return (ends_line and piece[-1] not in ".!?;:,") or _ENUMERATED.match(piece) is not None


def read_document(title: str, text: str, index: PhraseIndex, terms: tuple[Term, ...]) -> Document:
    """Split a release into sentences and find every taxonomy term in it.

    `found` comes out in reading order (title, then text; by offset within each).
    """
    sentences: list[Sentence] = []
    found: list[Found] = []
    tokens: list[str] = []
    for name, source in (("title", title), ("text", text)):
        field: FieldName = "title" if name == "title" else "text"
        starts = _sentence_starts(source)
        # Built by `tuple.__new__` through `map`: in C, where named tuples cost a Python call each.
        bounds = zip(repeat(field), starts, [*starts[1:], len(source)])
        first = len(sentences)
        sentences += map(_new_tuple, repeat(Sentence), bounds)
        folded = fold_for_scan(source)
        hits, field_tokens = index.find(folded, source)
        tokens += field_tokens
        if hits:
            found += _place(hits, folded, field, starts, first, terms)
    return Document(title, text, tuple(sentences), tuple(found), tuple(tokens))


_new_tuple = tuple.__new__
_IDENT = attrgetter("ident")


def _place(
    hits: list[RawHit],
    folded: Folded,
    field: FieldName,
    starts: list[int],
    first: int,
    terms: tuple[Term, ...],
) -> Iterable[Found]:
    """The hits of one field as `Found`, with original offsets and sentence numbers."""
    phrases, firsts, _, hit_starts, hit_ends = zip(*hits, strict=True)
    if folded.offsets is not None:
        pairs = zip(hit_starts, hit_ends, strict=True)
        spans = [folded.original_span(start, end) for start, end in pairs]
        hit_starts, hit_ends = zip(*spans, strict=True)
    found_terms = map(terms.__getitem__, map(_IDENT, phrases))
    sentence = map(add, map(partial(bisect_right, starts), hit_starts), repeat(first - 1))
    rows = zip(found_terms, repeat(field), hit_starts, hit_ends, sentence, firsts)
    return map(_new_tuple, repeat(Found), rows)


def _sentence_starts(source: str) -> list[int]:
    starts = [0]
    starts += map(_END, _SENTENCE_END.finditer(source))
    return starts


_END = methodcaller("end")


def decide_summit(doc: Document, taxonomy: Taxonomy) -> tuple[float, Evidence]:
    """Score from 0 to 1 that the release is a summit or trilateral-mechanism item."""
    signals = [f for f in doc.found if f.term.kind == "signal"]
    by_sentence = _group_by_sentence(doc.found)
    frames = _frames(doc.found)
    # Both lists are only summed by `_decayed`, which sorts them: their order does not matter.
    positive = _name_signals(signals, by_sentence)
    positive += _trilateral_framing(by_sentence, frames)
    negative = [
        f.term.weight * POSITION[f.position] for f in signals if f.term.target in NEGATIVE_ROLES
    ]
    negative += _foreign_trilateral(signals, frames)
    if _bilateral_title(doc, frames):
        negative.append(BILATERAL_TITLE_PENALTY)
    z = _decayed(positive) - _decayed(negative) - BIAS
    score = round(1.0 / (1.0 + math.exp(-z)), 4)
    return score, _summit_evidence(doc, signals, score, score >= taxonomy.summit_threshold)


def _group_by_sentence(found: Iterable[Found]) -> dict[int, list[Found]]:
    groups: dict[int, list[Found]] = {}
    # `found` is in reading order, so this is one step per sentence rather than per item.
    for sentence, items in groupby(found, _SENTENCE):
        groups.setdefault(sentence, []).extend(items)
    return groups


_SENTENCE = attrgetter("sentence")


@dataclass(slots=True)
class _Frames:
    """Per sentence: the parties named, the signal roles, and whether another country is."""

    parties: dict[int, set[str]]
    roles: dict[int, set[str]]
    foreign: set[int]


def _frames(found: Iterable[Found]) -> _Frames:
    """One pass over the found terms, rather than set comprehensions for every sentence."""
    frames = _Frames({}, {}, set())
    for item in found:
        kind = item.term.kind
        if kind == "pillar":
            continue
        if kind == "party":
            frames.parties.setdefault(item.sentence, set()).add(item.term.target)
        elif kind == "signal":
            frames.roles.setdefault(item.sentence, set()).add(item.term.target)
        elif kind == "other":
            frames.foreign.add(item.sentence)
    return frames


def _name_signals(signals: list[Found], by_sentence: dict[int, list[Found]]) -> list[float]:
    """Summit and mechanism names, discounted when "last" or "next" makes them a mention."""
    values: list[float] = []
    for item in signals:
        if item.term.target not in POSITIVE_ROLES:
            continue
        value = item.term.weight * POSITION[item.position]
        neighbours = by_sentence.get(item.sentence, ())
        if any(_is_temporal_cue(n, item) for n in neighbours):
            value *= 0.3
        elif any(n.term.target == "margin" for n in neighbours):
            value *= 1.3
        values.append(value)
    return values


def _is_temporal_cue(cue: Found, item: Found) -> bool:
    return (
        cue.term.target == "temporal"
        and cue.field == item.field
        and 0 < item.token - cue.token <= TEMPORAL_WINDOW
    )


def _trilateral_framing(by_sentence: dict[int, list[Found]], frames: _Frames) -> list[float]:
    """The three countries named in one sentence, "trilateral", "our three countries"."""
    values: list[float] = []
    for sentence in (frames.parties.keys() | frames.roles.keys()) - frames.foreign:
        factor = POSITION[by_sentence[sentence][0].position]
        parties = frames.parties.get(sentence, set())
        roles = frames.roles.get(sentence, set())
        if parties.issuperset(PARTY_CODES):
            values.append(factor * (2.5 if "joint" in roles else 1.0))
        if "trilateral" in roles:
            values.append(factor)
    return values


def _foreign_trilateral(signals: list[Found], frames: _Frames) -> list[float]:
    """A "trilateral" that names another country is somebody else's trilateral."""
    values: list[float] = []
    for item in signals:
        if item.term.target != "trilateral":
            continue
        if item.sentence in frames.foreign:
            values.append(FOREIGN_TRILATERAL_PENALTY * POSITION[item.position])
    return values


def _bilateral_title(doc: Document, frames: _Frames) -> bool:
    """A title naming two countries, with no summit word, makes a bilateral item.

    Unless the text itself places the meeting in the summit ("on the margins of the NALS").
    """
    title = [f for f in doc.found if f.field == "title"]
    parties = {f.term.target for f in title if f.term.kind == "party"}
    named = len(parties) + (1 if any(f.term.kind == "other" for f in title) else 0)
    roles = {f.term.target for f in title if f.term.kind == "signal"}
    if named != 2 or roles & (POSITIVE_ROLES | {"trilateral"}):
        return False
    return not any("margin" in inner and "process" in inner for inner in frames.roles.values())


def _decayed(values: list[float]) -> float:
    """Sum with diminishing returns: the strongest signal counts fully, repeats less."""
    return sum(v * 0.5**i for i, v in enumerate(sorted(values, reverse=True)))


def _summit_evidence(doc: Document, signals: list[Found], score: float, summit: bool) -> Evidence:
    wanted = POSITIVE_ROLES | {"trilateral", "joint", "margin"} if summit else None
    chosen = [f for f in signals if wanted is None or f.term.target in wanted]
    if not summit:
        chosen = [f for f in chosen if f.term.target not in ("margin", "temporal", "joint")]
    chosen.sort(key=lambda f: (-f.term.weight * POSITION[f.position], f.field, f.start))
    best = chosen[0].sentence if chosen else -1
    matches = tuple(f.to_match() for f in chosen[:MAX_EVIDENCE])
    sentence = doc.sentence_text(best) if best >= 0 else ""
    return Evidence(score=score, matches=matches, sentence=sentence)
