"""Is a release about the summit? A score from 0 to 1 and the evidence behind it.

The release is read once into a `Document`: sentences of the title and text, and every taxonomy
term found, placed in its sentence. The decision weighs where each signal stands (title, lead,
body), whether the three countries are named together, and the contexts that undo a mention:
other forums, one country's measures against another, a bilateral title, a past or coming summit.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby, islice, repeat
from operator import add, attrgetter, itemgetter
from typing import Literal, NamedTuple

from feeds.judge.taxonomy import PARTY_CODES, Taxonomy, Term
from feeds.judge.textfold import PhraseIndex, RawHit, fold_for_scan, fold_plain
from feeds.models import Evidence, Match

FieldName = Literal["title", "text"]

LEAD_CHARS = 700  # the first paragraph or two of a release: where its subject is stated
POSITION = {"title": 1.5, "lead": 1.0, "body": 0.35}
BIAS = 2.0
BILATERAL_TITLE_PENALTY = 4.0
FOREIGN_TRILATERAL_PENALTY = 2.5
CONCERTED = 2.5  # the three countries acting together: jointly, as ministers, as counterparts
TEMPORAL_WINDOW = 4  # tokens before a summit name where "last"/"made at" make it a mention
MAX_EVIDENCE = 20
POSITIVE_ROLES = frozenset({"process", "mechanism", "leaders"})
NEGATIVE_ROLES = frozenset({"forum", "measure", "bilateral"})

# A sentence ends after a line break, or after . ! ? ; and the run of closing marks that follows
# when a space or the end of the text comes next (so not in "3.5" or "gob.mx"), but not after an
# initial ("U.S.", "Joseph R.") or a title ("Dr."). The lookbehinds look at the two characters
# before the mark (a title is two letters before it).
# One pattern per mark, each opening with its mark: `re` finds a literal first character with a
# fast scan, where a class such as [.!?;\n] costs a test of every character (three times the
# instructions of the whole split). A text is scanned once for each mark it holds.
_NOT_AN_ABBREVIATION = r"(?<![\s.][A-Z].)(?<!^[A-Z].)(?<!(?:Mr|Dr|Jr|Ms|St|No|Sr).)"
_CLOSING_MARKS = r"[.!?;\"'”’»)]*(?=\s|\Z)"
_SENTENCE_ENDS = tuple(
    (mark, re.compile(f"({re.escape(mark)}{_NOT_AN_ABBREVIATION}{_CLOSING_MARKS})"))
    for mark in ".!?;"
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


def position_of(field: FieldName, start: int) -> str:
    """Where a find stands: in the title, the lead or the body."""
    if field == "title":
        return "title"
    return "lead" if start < LEAD_CHARS else "body"


# A find as a plain tuple in `Found`'s layout (name, field, start, end, term, sentence, token):
# how pillar terms are filed. They are half of all finds and only evidence reads them, by
# unpacking or in C; a named tuple costs a `tuple.__new__` call each (1,400 instructions).
FindRow = tuple[str, FieldName, int, int, Term, int, int]


# What `read_document` needs of a term, unpacked in one step per find: its text, the term, the
# number of its group, whether it is a cue, its pillar (None when the pillar weights are not
# summed while reading: not a pillar term, or see `Lexicon.of`), its weight, the number of the
# first term with its text (so that a sentence counts a text once, keyed by a plain int), and
# whether it counts only in a sentence about its pillar (`Term.context`), and whether it is a
# pillar term (filed as a `FindRow`).
TermRow = tuple[str, Term, int, bool, str | None, float, int, bool, bool]
SUMMIT_CUES = frozenset({"temporal", "margin"})  # they qualify a summit name nearby
PILLAR_CUES = frozenset({"agenda", "courtesy"})  # filed apart, in the group "cue"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The taxonomy terms by index, and what `read_document` files their finds under."""

    terms: tuple[Term, ...]
    names: tuple[str, ...]  # each term's text
    groups: tuple[str, ...]  # each term's kind, or "pillar:<id>" for a pillar term
    cues: tuple[bool, ...]  # "temporal" and "margin" targets: they qualify a name nearby
    group_names: tuple[str, ...]  # the distinct groups, numbered
    rows: tuple[TermRow, ...]
    sums_pillars: bool  # whether `read_document` adds up pillar weights by sentence
    against: frozenset[int]  # the terms that overrule a pillar's terms inside them
    company: frozenset[str]  # "with", looked for in the title's tokens only (see `Document`)

    @classmethod
    def of(cls, terms: tuple[Term, ...], pillars: Iterable[str] = ()) -> Lexicon:
        groups = tuple(_group_of(t) for t in terms)
        cues = tuple(t.kind == "signal" and t.target in SUMMIT_CUES for t in terms)
        group_names = tuple(dict.fromkeys(groups))
        # A sentence counts each pillar term text once, for the first pillar (in taxonomy order)
        # that has it. Summed in reading order, that holds only if a text has one pillar and
        # weight: true of the packaged taxonomy; otherwise `decide_pillars` sums by pillar.
        # So it does for a term of a pillar missing from `pillars`, which it leaves out.
        pillar_terms = {(t.text, t.target, t.weight) for t in terms if t.kind == "pillar"}
        sums = len(pillar_terms) == len({text for text, _, _ in pillar_terms})
        sums = sums and {target for _, target, _ in pillar_terms} <= set(pillars)
        first: dict[str, int] = {}
        rows = tuple(
            (
                t.text,
                t,
                group_names.index(group),
                cue,
                t.target if sums and t.kind == "pillar" else None,
                t.weight,
                first.setdefault(t.text, number),
                t.context,
                t.kind == "pillar",
            )
            for number, (t, group, cue) in enumerate(zip(terms, groups, cues, strict=True))
        )
        against = frozenset(i for i, t in enumerate(terms) if t.kind == "against")
        company = frozenset(fold_plain(t.text) for t in terms if is_title_word(t))
        names = tuple(t.text for t in terms)
        return cls(terms, names, groups, cues, group_names, rows, sums, against, company)


def is_title_word(term: Term) -> bool:
    """A word looked for in the title alone ("with"): too common to match in every text."""
    return term.kind == "signal" and term.target == "company"


def _group_of(term: Term) -> str:
    if term.kind == "signal" and term.target in PILLAR_CUES:
        return "cue"  # read by the pillar decisions only, not among the summit's signals
    if term.kind == "pillar":
        return pillar_group(term.target)
    if term.kind == "against":
        return against_group(term.target)
    return term.kind


def pillar_group(pillar: str) -> str:
    return f"pillar:{pillar}"


def against_group(pillar: str) -> str:
    """The group of the phrases in which a pillar's terms mean something else."""
    return f"against:{pillar}"


@dataclass(frozen=True, slots=True)
class Document:
    """A release read once: its sentences, its folded tokens and every term found in them.

    Each list of `groups` (by kind), of `pillar_finds` (by pillar group) and `cues` is in
    reading order (title, then text; by offset within each).
    """

    title: str
    text: str
    starts: tuple[list[int], list[int]]  # sentence starts in the title, in the text
    first_starts: dict[int, int]  # the offset of the first term found in each sentence
    tokens: Sequence[str]  # folded tokens of the title, then of the text
    groups: Mapping[str, list[Found]]
    pillar_finds: Mapping[str, list[FindRow]]  # by `pillar_group`
    cues: list[Found]
    # Per sentence, per pillar: the weight of the distinct pillar terms found (None: not summed),
    # and apart, that of the terms that count only in a sentence about their pillar.
    pillar_weights: dict[int, dict[str, float]] | None = None
    context_weights: dict[int, dict[str, float]] | None = None
    company: int = -1  # the title token of the first "with" ("con", "avec"), or -1

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(map(self.sentence, range(len(self.starts[0]) + len(self.starts[1]))))

    def sentence(self, index: int) -> Sentence:
        """Field and offsets of a sentence: those of the title come first."""
        field: FieldName = "title" if index < len(self.starts[0]) else "text"
        _, start, end = self._span(index)
        return Sentence(field, start, end)

    def _span(self, index: int) -> tuple[str, int, int]:
        """The field text holding a sentence, and its offsets: `sentence` without a named
        tuple, for the evidence and heading checks of every release."""
        title_starts, text_starts = self.starts
        if index < len(title_starts):
            starts, source = title_starts, self.title
        else:
            starts, source = text_starts, self.text
            index -= len(title_starts)
        end = starts[index + 1] if index + 1 < len(starts) else len(source)
        return source, starts[index], end

    def group(self, name: str) -> list[Found]:
        return self.groups.get(name, _NOTHING)

    def sentence_text(self, index: int) -> str:
        """The original text of a sentence, whitespace collapsed."""
        source, start, end = self._span(index)
        return " ".join(source[start:end].split())

    def ends_list_item(self, index: int) -> bool:
        """Whether a sentence of the text ends with a semicolon (or is the blank between such
        a sentence and the line after it): the list goes on after it."""
        if index < len(self.starts[0]) or index + 1 >= len(self.starts[0]) + len(self.starts[1]):
            return False
        _, start, end = self._span(index)
        piece = self.text[start:end].rstrip()
        return not piece or piece.endswith(";")

    def is_heading(self, index: int) -> bool:
        """A short line of its own without closing punctuation ("Economic Competitiveness"),
        or a short item of an enumerated agenda ("5) health;")."""
        if index < len(self.starts[0]):
            return False  # a title is not a heading
        _, start, end = self._span(index)
        piece = self.text[start:end].strip()
        if not piece or len(piece.split()) > 8:
            return False
        ends_line = self.text[end - 1 : end] == "\n" or end == len(self.text)
        return (ends_line and piece[-1] not in ".!?;:,") or _ENUMERATED.match(piece) is not None


_NOTHING: list[Found] = []


def read_document(title: str, text: str, index: PhraseIndex, lexicon: Lexicon) -> Document:
    """Split a release into sentences and find every taxonomy term in it."""
    title_starts, text_starts = _sentence_starts(title), _sentence_starts(text)
    reading = _Reading(lexicon)
    tokens = reading.read("title", title, title_starts, 0, index)
    company = -1
    if not lexicon.company.isdisjoint(tokens):
        company = next(i for i, token in enumerate(tokens) if token in lexicon.company)
    if text:
        tokens += reading.read("text", text, text_starts, len(title_starts), index)
    names = lexicon.group_names
    groups = {names[slot]: items for slot, items in enumerate(reading.groups) if items}
    pillar_finds = {names[slot]: rows for slot, rows in enumerate(reading.pillar_finds) if rows}
    weights = reading.weights if lexicon.sums_pillars else None
    context = reading.context if lexicon.sums_pillars else None
    starts = (title_starts, text_starts)
    firsts, cues = reading.first_starts, reading.cues
    return Document(
        title, text, starts, firsts, tokens, groups, pillar_finds, cues, weights, context, company
    )


_new_tuple = tuple.__new__


class _Reading:
    """What `read_document` gathers from the fields of a release, in one pass over the finds."""

    __slots__ = (
        "against",
        "context",
        "cues",
        "first_starts",
        "groups",
        "pillar_finds",
        "rows",
        "weights",
    )

    def __init__(self, lexicon: Lexicon) -> None:
        self.rows = lexicon.rows
        self.against = lexicon.against
        self.first_starts: dict[int, int] = {}  # by sentence
        self.groups: list[list[Found]] = [[] for _ in lexicon.group_names]
        self.pillar_finds: list[list[FindRow]] = [[] for _ in lexicon.group_names]
        self.cues: list[Found] = []
        self.weights: dict[int, dict[str, float]] = {}
        self.context: dict[int, dict[str, float]] = {}

    def read(
        self, field: FieldName, source: str, starts: list[int], first: int, index: PhraseIndex
    ) -> list[str]:
        """File the terms found in one field; returns the field's tokens."""
        folded = fold_for_scan(source)
        hits, tokens = index.find(folded, source)
        if hits and folded.offsets is not None:
            span = folded.original_span
            hits = [(p, a, b, *span(start, end)) for p, a, b, start, end in hits]
        if hits and not self.against.isdisjoint(map(_PHRASE, hits)):
            hits = _overruled_removed(hits, self.rows, self.against)
        self._file(hits, field, starts, first - 1)
        return tokens

    def _file(self, hits: list[RawHit], field: FieldName, starts: list[int], base: int) -> None:
        # One Python pass does what took a pass each: finds, sentences, groups, cues, weights.
        rows, groups, pillar_finds = self.rows, self.groups, self.pillar_finds
        first_starts, add_cue = self.first_starts, self.cues.append
        firm_weights, context_weights = self.weights, self.context
        # Finds come in reading order: the sentence only moves forward, no bisect needed.
        ends = [*starts[1:], sys.maxsize]  # where each sentence of the field ends
        sentence, limit = base + 1, ends[0]
        filed = -1  # the sentence of the last find filed
        counted: set[int] = set()  # the pillar term texts counted in that sentence
        for ident, token, _, start, end in hits:
            while start >= limit:
                sentence += 1
                limit = ends[sentence - base - 1]
            name, term, slot, cue, pillar, weight, text_number, context, plain = rows[ident]
            if sentence != filed:
                first_starts[sentence] = start
                filed = sentence
                counted.clear()
            row = (name, field, start, end, term, sentence, token)
            if plain:
                pillar_finds[slot].append(row)
            else:
                # Built by `tuple.__new__`: a named tuple's own constructor is a Python call.
                item = _new_tuple(Found, row)
                groups[slot].append(item)
                if cue:
                    add_cue(item)
            if pillar is None or text_number in counted:
                continue
            counted.add(text_number)
            weights = context_weights if context else firm_weights
            scores = weights.get(sentence)
            if scores is None:
                weights[sentence] = {pillar: weight}
            else:
                scores[pillar] = scores.get(pillar, 0.0) + weight


_PHRASE = itemgetter(0)  # a hit's phrase, by ident


def _overruled_removed(
    hits: list[RawHit], rows: Sequence[TermRow], against: frozenset[int]
) -> list[RawHit]:
    """The hits without the pillar terms that overlap a phrase overruling their pillar.

    "energy security" is a phrase of the security pillar's `against` list: its "security" is
    not the security pillar's. The overruling phrase itself stays, as evidence against.
    """
    spans = [(rows[h[0]][1].target, h[1], h[2]) for h in hits if h[0] in against]
    kept = []
    for hit in hits:
        term = rows[hit[0]][1]
        if term.kind == "pillar" and any(
            pillar == term.target and first <= hit[2] and hit[1] <= last
            for pillar, first, last in spans
        ):
            continue
        kept.append(hit)
    return kept


def _sentence_starts(source: str) -> list[int]:
    # A line break ends a sentence whatever comes before it: `str.split` finds them, no `re`,
    # and each line ends one character (its break) after its length, summed in C.
    lines = source.split("\n")
    ends = list(accumulate(map(add, map(len, lines[:-1]), repeat(1))))
    marks = 0
    for mark, pattern in _SENTENCE_ENDS:
        if mark in source:
            # `split` with the end as a group gives text, end, text, end, ...: the offsets where
            # the ends stop, without a `re.Match` each.
            ends += islice(accumulate(map(len, pattern.split(source))), 1, None, 2)
            marks += 1
    # The ends of two marks meet where one closes the other's sentence ("Really?!"): once.
    # (A line break never closes a sentence a mark ended: that one stops before a space.)
    return [0, *sorted(set(ends) if marks > 1 else ends)]


def decide_summit(doc: Document, taxonomy: Taxonomy) -> tuple[float, Evidence]:
    """Score from 0 to 1 that the release is a summit or trilateral-mechanism item."""
    signals = doc.group("signal")
    frames = _frames(doc)
    # Both lists are only summed by `_decayed`, which sorts them: their order does not matter.
    positive, negative = _signal_values(signals, _group_by_sentence(doc.cues), frames)
    positive += _trilateral_framing(doc, frames)
    bilateral_title = False
    if _title_meets_two(doc):
        positive.append(POSITION["title"] * CONCERTED)
    elif _bilateral_title(doc, frames):
        negative.append(BILATERAL_TITLE_PENALTY)
        bilateral_title = True
    z = _decayed(positive) - _decayed(negative) - BIAS
    score = round(1.0 / (1.0 + math.exp(-z)), 4)
    summit = score >= taxonomy.summit_threshold
    return score, _summit_evidence(doc, frames, score, summit, bilateral_title)


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
    crowded: set[int]  # sentences naming two other countries or more: a multilateral list


def _frames(doc: Document) -> _Frames:
    """One pass over each group, rather than set comprehensions for every sentence."""
    others = doc.group("other")
    foreign = set(map(_SENTENCE, others))
    crowded = set()
    if len(others) > 1:
        named: dict[int, set[str]] = {}
        for item in others:
            named.setdefault(item.sentence, set()).add(item.name)
        crowded = {sentence for sentence, names in named.items() if len(names) > 1}
    frames = _Frames({}, {}, foreign, crowded)
    for group, by_sentence in (("party", frames.parties), ("signal", frames.roles)):
        for item in doc.group(group):
            targets = by_sentence.get(item.sentence)
            if targets is None:  # `setdefault` would build a set for every item
                by_sentence[item.sentence] = {item.term.target}
            else:
                targets.add(item.term.target)
    return frames


def _signal_values(
    signals: list[Found], cues: dict[int, list[Found]], frames: _Frames
) -> tuple[list[float], list[float]]:
    """What each signal adds for and against, in one pass over them.

    For: summit and mechanism names, discounted when "last" or "next" makes them a mention,
    and the bare word "summit" in a sentence naming two of the three countries and nothing
    else ("a three-day summit with the leaders of Mexico and Canada").
    Against: other forums, measures, bilateral meetings, and a "trilateral" that names another
    country (somebody else's trilateral).
    """
    positive: list[float] = []
    negative: list[float] = []
    foreign = frames.foreign
    for item in signals:
        target = item.term.target
        if target in POSITIVE_ROLES:
            positive.append(_name_value(item, cues.get(item.sentence)))
        elif target in NEGATIVE_ROLES:
            negative.append(item.term.weight * POSITION[position_of(item.field, item.start)])
        elif target == "trilateral" and item.sentence in foreign:
            negative.append(
                FOREIGN_TRILATERAL_PENALTY * POSITION[position_of(item.field, item.start)]
            )
        elif target == "summit" and _a_north_american_summit(item.sentence, frames):
            positive.append(_name_value(item, cues.get(item.sentence)))
    return positive, negative


def _a_north_american_summit(sentence: int, frames: _Frames) -> bool:
    """A sentence naming two or three of the parties, no other country and no other forum."""
    if sentence in frames.foreign or len(frames.parties.get(sentence, ())) < 2:
        return False
    return frames.roles.get(sentence, _NO_ROLES).isdisjoint(NEGATIVE_ROLES | POSITIVE_ROLES)


def _name_value(item: Found, neighbours: list[Found] | None) -> float:
    value = item.term.weight * POSITION[position_of(item.field, item.start)]
    # Most names have no cue in their sentence: skip building two generators for them.
    if neighbours is None:
        return value
    if any(_is_temporal_cue(n, item) for n in neighbours):
        return value * 0.3
    if any(n.term.target == "margin" for n in neighbours):
        return value * 1.3
    return value


def _is_temporal_cue(cue: Found, item: Found) -> bool:
    return (
        cue.term.target == "temporal"
        and cue.field == item.field
        and 0 < item.token - cue.token <= TEMPORAL_WINDOW
    )


def _trilateral_framing(doc: Document, frames: _Frames) -> list[float]:
    """The three countries named in one sentence, "trilateral", "our three countries".

    The three named with their ministers, officials or a joint decision weigh most: that is how
    a trilateral ministerial body of any kind introduces itself ("We, the environment ministers
    of Canada, Mexico and the United States"). Two countries named as someone's counterparts
    make three ("she will meet her counterparts from Canada and the United States").
    """
    values: list[float] = []
    # Only the sentences naming all three or "trilateral" count: found without a loop on all.
    threes = {s for s, parties in frames.parties.items() if parties.issuperset(PARTY_CODES)}
    threes |= _counterparts_of_two(doc, frames)
    trilateral = {s for s, roles in frames.roles.items() if "trilateral" in roles}
    # The three named with one other country are the three acting on it ("on the situation in
    # Venezuela"); with several others, a multilateral list. "Trilateral" near another country
    # is somebody else's trilateral.
    for sentence in (threes - frames.crowded) | (trilateral - frames.foreign):
        roles = frames.roles.get(sentence, _NO_ROLES)
        three = sentence in threes and sentence not in frames.crowded
        # Placed by the first term of any kind found in the sentence.
        field: FieldName = "title" if sentence < len(doc.starts[0]) else "text"
        factor = POSITION[position_of(field, doc.first_starts[sentence])]
        if three:
            values.append(factor * (CONCERTED if roles & _CONCERTED else 1.0))
        if "trilateral" in roles and sentence not in frames.foreign:
            values.append(factor)
    return values


_CONCERTED = frozenset({"joint", "officials", "counterpart"})
COUNTERPARTS_BEFORE, COUNTERPARTS_AFTER = 4, 6  # tokens: "Mexican and US counterparts", ...


def _counterparts_of_two(doc: Document, frames: _Frames) -> set[int]:
    """Sentences naming two parties as someone's counterparts: "her counterparts from Canada
    and the United States", "ses homologues mexicain et américain". The parties must stand by
    the word: "US agencies and their Mexican counterparts" is a meeting of two."""
    found = set()
    if not any("counterpart" in roles for roles in frames.roles.values()):
        return set()
    for cue in doc.group("signal"):
        if cue.term.target != "counterpart":
            continue
        near = {
            p.term.target
            for p in doc.group("party")
            if p.field == cue.field
            and -COUNTERPARTS_BEFORE <= p.token - cue.token <= COUNTERPARTS_AFTER
        }
        if len(near) >= 2:
            found.add(cue.sentence)
    return found


_NO_ROLES: frozenset[str] = frozenset()


def _title_meets_two(doc: Document) -> bool:
    """A title where one side meets two of the parties: "Remarks with the Canadian Foreign
    Minister and the Mexican Foreign Secretary" is a meeting of three.

    The two are named after "with" ("con", "avec") and no party is named before it.
    """
    if doc.company < 0:
        return False
    parties = [f for f in doc.group("party") if f.field == "title"]
    before = {f.term.target for f in parties if f.token < doc.company}
    after = {f.term.target for f in parties if f.token > doc.company}
    return (
        not before and len(after) >= 2 and not any(f.field == "title" for f in doc.group("other"))
    )


def _bilateral_title(doc: Document, frames: _Frames) -> bool:
    """A title naming two countries, with no summit word, makes a bilateral item.

    Unless it names them as someone's counterparts (the other two of three), or the text
    itself places the meeting in the summit ("on the margins of the NALS").
    """
    # The title's sentences come first: read from the frames rather than from every find.
    title = range(len(doc.starts[0]))
    parties: set[str] = set().union(*map(frames.parties.get, title, repeat(_NO_ROLES)))
    named = len(parties) + (1 if any(map(frames.foreign.__contains__, title)) else 0)
    roles: set[str] = set().union(*map(frames.roles.get, title, repeat(_NO_ROLES)))
    if named != 2 or roles & (POSITIVE_ROLES | {"trilateral"}):
        return False
    if "counterpart" in roles and not _counterparts_of_two(doc, frames).isdisjoint(title):
        return False
    return not any(
        "margin" in roles
        and "temporal" not in roles  # "a commitment made at the last summit" is a mention
        and ("process" in roles or _a_north_american_summit(sentence, frames))
        for sentence, roles in frames.roles.items()
    )


def _decayed(values: list[float]) -> float:
    """Sum with diminishing returns: the strongest signal counts fully, repeats less."""
    return sum(v * 0.5**i for i, v in enumerate(sorted(values, reverse=True)))


_SUMMIT_EVIDENCE = POSITIVE_ROLES | {"trilateral", "joint", "margin", "counterpart"}
_WEAK_EVIDENCE = frozenset({"margin", "joint"})  # shown only when they carried it


def _summit_evidence(
    doc: Document, frames: _Frames, score: float, summit: bool, bilateral_title: bool
) -> Evidence:
    """What spoke for a summit reading, and apart, what spoke against it: other forums,
    measures, bilateral wording, somebody else's trilateral, the two parties of a bilateral
    title. The sentence is that of the strongest signal on the side that won."""
    speaking_for: list[Found] = []
    against: list[Found] = []
    for item in doc.group("signal"):
        role = item.term.target
        if role in NEGATIVE_ROLES or (role == "trilateral" and item.sentence in frames.foreign):
            against.append(item)
        elif role in _SUMMIT_EVIDENCE:
            if summit or role not in _WEAK_EVIDENCE:
                speaking_for.append(item)
        elif role == "summit" and _a_north_american_summit(item.sentence, frames):
            speaking_for.append(item)
    if bilateral_title:
        against += [item for item in doc.group("party") if item.field == "title"]
    speaking_for.sort(key=_strength)
    against.sort(key=_strength)
    deciding = speaking_for if summit or not against else against
    sentence = doc.sentence_text(deciding[0].sentence) if deciding else ""
    return _new_tuple(
        Evidence,
        (
            score,
            as_matches(speaking_for[:MAX_EVIDENCE]),
            sentence,
            as_matches(against[:MAX_EVIDENCE]),
        ),
    )


def _strength(item: Found) -> tuple[float, str, int]:
    return (
        -item.term.weight * POSITION[position_of(item.field, item.start)],
        item.field,
        item.start,
    )


def as_matches(found: Iterable[FindRow]) -> tuple[Match, ...]:
    """`Match` records of found terms, built in C (their fields open a `Found`)."""
    return tuple(map(_new_tuple, repeat(Match), map(_MATCH_FIELDS, found)))


_MATCH_FIELDS = itemgetter(slice(0, 4))
