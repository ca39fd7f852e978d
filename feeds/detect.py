"""Is a release about the summit? A score from 0 to 1 and the evidence behind it.

The release is read once into a `Document`: sentences of the title and text, and every taxonomy
term found, placed in its sentence. The decision weighs where each signal stands (title, lead,
body), whether the three countries are named together, and the contexts that undo a mention:
other forums, one country's measures against another, a bilateral title, a past or coming summit.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
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
_SENTENCE_END = re.compile(r"[.!?;\n]")
_CLOSERS = frozenset(".!?;\"'”’»)")
_NOT_AN_END = re.compile(r"(?:^|[\s.])[A-Z]|(?:Mr|Mrs|Dr|Jr|Ms|St|No|Sr|Gen|Gov)")
_ENUMERATED = re.compile(r"(?:\d{1,2}|[a-z])[).]\s|[•·▪◦*-]\s")


@dataclass(frozen=True, slots=True)
class Sentence:
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
    """Split a release into sentences and find every taxonomy term in it."""
    sentences: list[Sentence] = []
    found: list[Found] = []
    tokens: list[str] = []
    for field, source in (("title", title), ("text", text)):
        name: FieldName = "title" if field == "title" else "text"
        first = len(sentences)
        starts = _sentence_starts(source)
        ends = [*starts[1:], len(source)]
        sentences.extend(Sentence(name, s, e) for s, e in zip(starts, ends, strict=True))
        folded = fold_for_scan(source)
        hits, field_tokens = index.scan(folded, source)
        tokens.extend(field_tokens)
        for hit in hits:
            start, end = folded.original_span(hit.start, hit.end)
            sentence = first + bisect.bisect_right(starts, start) - 1
            found.append(Found(terms[hit.phrase.ident], name, start, end, sentence, hit.first))
    return Document(title, text, tuple(sentences), tuple(found), tuple(tokens))


def _sentence_starts(source: str) -> list[int]:
    starts = [0]
    last = -1
    for match in _SENTENCE_END.finditer(source):
        end = match.start()
        if end < last:
            continue  # inside a run of closing marks already handled
        if source[end] != "\n":
            while end + 1 < len(source) and source[end + 1] in _CLOSERS:
                end += 1
            if end + 1 < len(source) and not source[end + 1].isspace():
                continue  # "3.5", "gob.mx"
            if _NOT_AN_END.fullmatch(source[max(match.start() - 2, 0) : match.start()]):
                continue
        last = end + 1
        starts.append(end + 1)
    return starts


def decide_summit(doc: Document, taxonomy: Taxonomy) -> tuple[float, Evidence]:
    """Score from 0 to 1 that the release is a summit or trilateral-mechanism item."""
    signals = [f for f in doc.found if f.term.kind == "signal"]
    by_sentence = _group_by_sentence(doc.found)
    positive = _name_signals(signals, by_sentence)
    positive += _trilateral_framing(doc, by_sentence)
    negative = [
        f.term.weight * POSITION[f.position] for f in signals if f.term.target in NEGATIVE_ROLES
    ]
    negative += _foreign_trilateral(signals, by_sentence)
    if _bilateral_title(doc, by_sentence):
        negative.append(BILATERAL_TITLE_PENALTY)
    z = _decayed(positive) - _decayed(negative) - BIAS
    score = round(1.0 / (1.0 + math.exp(-z)), 4)
    return score, _summit_evidence(doc, signals, score, score >= taxonomy.summit_threshold)


def _group_by_sentence(found: Iterable[Found]) -> dict[int, list[Found]]:
    groups: dict[int, list[Found]] = {}
    for item in found:
        groups.setdefault(item.sentence, []).append(item)
    return groups


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


def _trilateral_framing(doc: Document, by_sentence: dict[int, list[Found]]) -> list[float]:
    """The three countries named in one sentence, "trilateral", "our three countries"."""
    values: list[float] = []
    for items in by_sentence.values():
        factor = POSITION[items[0].position]
        parties = {f.term.target for f in items if f.term.kind == "party"}
        foreign = any(f.term.kind == "other" for f in items)
        roles = {f.term.target for f in items if f.term.kind == "signal"}
        if foreign:
            continue
        if parties.issuperset(PARTY_CODES):
            values.append(factor * (2.5 if "joint" in roles else 1.0))
        if "trilateral" in roles:
            values.append(factor)
    return values


def _foreign_trilateral(signals: list[Found], by_sentence: dict[int, list[Found]]) -> list[float]:
    """A "trilateral" that names another country is somebody else's trilateral."""
    values: list[float] = []
    for item in signals:
        if item.term.target != "trilateral":
            continue
        if any(n.term.kind == "other" for n in by_sentence.get(item.sentence, ())):
            values.append(FOREIGN_TRILATERAL_PENALTY * POSITION[item.position])
    return values


def _bilateral_title(doc: Document, by_sentence: dict[int, list[Found]]) -> bool:
    """A title naming two countries, with no summit word, makes a bilateral item.

    Unless the text itself places the meeting in the summit ("on the margins of the NALS").
    """
    title = [f for f in doc.found if f.field == "title"]
    parties = {f.term.target for f in title if f.term.kind == "party"}
    named = len(parties) + (1 if any(f.term.kind == "other" for f in title) else 0)
    roles = {f.term.target for f in title if f.term.kind == "signal"}
    if named != 2 or roles & (POSITIVE_ROLES | {"trilateral"}):
        return False
    for items in by_sentence.values():
        inner = {f.term.target for f in items if f.term.kind == "signal"}
        if "margin" in inner and inner & {"process"}:
            return False
    return True


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
