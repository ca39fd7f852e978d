"""Is a release about the summit? A score from 0 to 1 and the evidence behind it.

The release is read once into a `Document`: sentences of the title and text, and every taxonomy
term found, placed in its sentence. The decision weighs where each signal stands (title, lead,
body), whether the three countries are named together, and the contexts that undo a mention:
other forums, one country's measures against another, a bilateral title, a past or coming summit.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, groupby, islice, repeat
from operator import add, attrgetter, itemgetter
from typing import Literal, NamedTuple

from feeds.models import Evidence, Match
from feeds.taxonomy import PARTY_CODES, Taxonomy, Term
from feeds.textfold import PhraseIndex, fold_for_scan

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
    """A taxonomy term found in the release, with original offsets and its sentence.

    The first four fields are those of a `Match`, so that evidence slices them in C.
    """

    name: str  # the term as written in the taxonomy
    field: FieldName
    start: int
    end: int
    term: Term
    sentence: int
    token: int

    def to_match(self) -> Match:
        return _new_tuple(Match, self[:4])

    @property
    def position(self) -> str:
        if self.field == "title":
            return "title"
        return "lead" if self.start < LEAD_CHARS else "body"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The taxonomy terms by index, and what `read_document` files their finds under."""

    terms: tuple[Term, ...]
    names: tuple[str, ...]  # each term's text
    groups: tuple[str, ...]  # each term's kind, or "pillar:<id>" for a pillar term
    cues: tuple[bool, ...]  # "temporal" and "margin" targets: they qualify a name nearby

    @classmethod
    def of(cls, terms: tuple[Term, ...]) -> Lexicon:
        groups = tuple(pillar_group(t.target) if t.kind == "pillar" else t.kind for t in terms)
        cues = tuple(t.target in ("temporal", "margin") for t in terms)
        return cls(terms, tuple(t.text for t in terms), groups, cues)


def pillar_group(pillar: str) -> str:
    return f"pillar:{pillar}"


@dataclass(frozen=True, slots=True)
class Document:
    """A release read once: its sentences, its folded tokens and every term found in them.

    `found` is in reading order (title, then text; by offset within each), and so is each list
    of `groups` (by kind, pillar terms by pillar) and `cues`.
    """

    title: str
    text: str
    starts: tuple[list[int], list[int]]  # sentence starts in the title, in the text
    found: list[Found]
    tokens: Sequence[str]  # folded tokens of the title, then of the text
    groups: Mapping[str, list[Found]]
    cues: list[Found]
    found_sentences: list[int]  # the sentence of each of `found`

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(map(self.sentence, range(len(self.starts[0]) + len(self.starts[1]))))

    def sentence(self, index: int) -> Sentence:
        """Field and offsets of a sentence: those of the title come first."""
        title_starts, text_starts = self.starts
        if index < len(title_starts):
            field: FieldName = "title"
            starts, source = title_starts, self.title
        else:
            field, starts, source = "text", text_starts, self.text
            index -= len(title_starts)
        end = starts[index + 1] if index + 1 < len(starts) else len(source)
        return Sentence(field, starts[index], end)

    def group(self, name: str) -> list[Found]:
        return self.groups.get(name, _NOTHING)

    def sentence_text(self, index: int) -> str:
        """The original text of a sentence, whitespace collapsed."""
        sentence = self.sentence(index)
        source = self.title if sentence.field == "title" else self.text
        return " ".join(source[sentence.start : sentence.end].split())

    def is_heading(self, index: int) -> bool:
        """A short line of its own without closing punctuation ("Economic Competitiveness"),
        or a short item of an enumerated agenda ("5) health;")."""
        sentence = self.sentence(index)
        if sentence.field != "text":
            return False
        piece = self.text[sentence.start : sentence.end].strip()
        if not piece or len(piece.split()) > 8:
            return False
        ends_line = self.text[sentence.end - 1 : sentence.end] == "\n" or sentence.end == len(
            self.text
        )
        return (ends_line and piece[-1] not in ".!?;:,") or _ENUMERATED.match(piece) is not None


_NOTHING: list[Found] = []


def read_document(title: str, text: str, index: PhraseIndex, lexicon: Lexicon) -> Document:
    """Split a release into sentences and find every taxonomy term in it."""
    title_starts, text_starts = _sentence_starts(title), _sentence_starts(text)
    found, idents, sentences, tokens = _read_field("title", title, title_starts, 0, index, lexicon)
    if text:
        more = _read_field("text", text, text_starts, len(title_starts), index, lexicon)
        found += more[0]
        idents += more[1]
        sentences += more[2]
        tokens += more[3]
    groups: dict[str, list[Found]] = {}
    for item, group in zip(found, map(lexicon.groups.__getitem__, idents), strict=True):
        members = groups.get(group)
        if members is None:
            groups[group] = [item]
        else:
            members.append(item)
    cues = list(compress(found, map(lexicon.cues.__getitem__, idents)))
    starts = (title_starts, text_starts)
    return Document(title, text, starts, found, tokens, groups, cues, sentences)


_new_tuple = tuple.__new__
_IDENT = attrgetter("ident")


def _read_field(
    field: FieldName,
    source: str,
    starts: list[int],
    first: int,
    index: PhraseIndex,
    lexicon: Lexicon,
) -> tuple[list[Found], list[int], list[int], list[str]]:
    """The terms found in one field, their term numbers and sentences; the field's tokens."""
    folded = fold_for_scan(source)
    hits, tokens = index.find(folded, source)
    if not hits:
        return [], [], [], tokens
    phrases, firsts, _, hit_starts, hit_ends = zip(*hits, strict=True)
    if folded.offsets is not None:
        pairs = zip(hit_starts, hit_ends, strict=True)
        spans = [folded.original_span(start, end) for start, end in pairs]
        hit_starts, hit_ends = zip(*spans, strict=True)
    idents = list(map(_IDENT, phrases))
    numbers = map(bisect_right, repeat(starts), hit_starts)
    sentences = list(map(add, numbers, repeat(first - 1))) if first else list(map(_DOWN, numbers))
    names = map(lexicon.names.__getitem__, idents)
    terms = map(lexicon.terms.__getitem__, idents)
    rows = zip(names, repeat(field), hit_starts, hit_ends, terms, sentences, firsts)
    # Built by `tuple.__new__` through `map`: in C, where named tuples cost a Python call each.
    return list(map(_new_tuple, repeat(Found), rows)), idents, sentences, tokens


_DOWN = (-1).__add__


def _sentence_starts(source: str) -> list[int]:
    # `split` with the end as a group: text, end, text, end, ... without a `re.Match` each.
    return [0, *islice(accumulate(map(len, _SENTENCE_SPLIT.split(source))), 1, None, 2)]


_SENTENCE_SPLIT = re.compile(f"({_SENTENCE_END.pattern})")


def decide_summit(doc: Document, taxonomy: Taxonomy) -> tuple[float, Evidence]:
    """Score from 0 to 1 that the release is a summit or trilateral-mechanism item."""
    signals = doc.group("signal")
    frames = _frames(doc)
    # Both lists are only summed by `_decayed`, which sorts them: their order does not matter.
    positive = _name_signals(signals, _group_by_sentence(doc.cues))
    positive += _trilateral_framing(doc, frames)
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


def _frames(doc: Document) -> _Frames:
    """One pass over each group, rather than set comprehensions for every sentence."""
    frames = _Frames({}, {}, set(map(_SENTENCE, doc.group("other"))))
    for item in doc.group("party"):
        frames.parties.setdefault(item.sentence, set()).add(item.term.target)
    for item in doc.group("signal"):
        frames.roles.setdefault(item.sentence, set()).add(item.term.target)
    return frames


def _name_signals(signals: list[Found], cues: dict[int, list[Found]]) -> list[float]:
    """Summit and mechanism names, discounted when "last" or "next" makes them a mention."""
    values: list[float] = []
    for item in signals:
        if item.term.target not in POSITIVE_ROLES:
            continue
        value = item.term.weight * POSITION[item.position]
        neighbours = cues.get(item.sentence, ())
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


def _trilateral_framing(doc: Document, frames: _Frames) -> list[float]:
    """The three countries named in one sentence, "trilateral", "our three countries"."""
    values: list[float] = []
    for sentence in (frames.parties.keys() | frames.roles.keys()) - frames.foreign:
        roles = frames.roles.get(sentence, _NO_ROLES)
        three = frames.parties.get(sentence, _NO_ROLES).issuperset(PARTY_CODES)
        if not three and "trilateral" not in roles:
            continue
        # Placed by the first term of any kind found in the sentence.
        factor = POSITION[doc.found[bisect_left(doc.found_sentences, sentence)].position]
        if three:
            values.append(factor * (2.5 if "joint" in roles else 1.0))
        if "trilateral" in roles:
            values.append(factor)
    return values


_NO_ROLES: frozenset[str] = frozenset()


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
    parties = {f.term.target for f in doc.group("party") if f.field == "title"}
    named = len(parties) + (1 if any(f.field == "title" for f in doc.group("other")) else 0)
    roles = {f.term.target for f in doc.group("signal") if f.field == "title"}
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
    sentence = doc.sentence_text(best) if best >= 0 else ""
    return _new_tuple(Evidence, (score, as_matches(chosen[:MAX_EVIDENCE]), sentence))


def as_matches(found: Iterable[Found]) -> tuple[Match, ...]:
    """`Match` records of found terms, built in C (their fields open a `Found`)."""
    return tuple(map(_new_tuple, repeat(Match), map(_MATCH_FIELDS, found)))


_MATCH_FIELDS = itemgetter(slice(0, 4))
