"""Which pillars does a release address, and the `Classifier` facade over both decisions.

A pillar is asserted from sentences, not from word counts: a sentence whose pillar terms reach
weight 1.0 (and which is not mostly about another pillar), or a heading line naming the pillar.
Value words ("security, prosperity and inclusiveness") stay below that bar on their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from itertools import compress, islice
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from feeds.judge.detect import (
    Document,
    Found,
    Lexicon,
    as_matches,
    decide_summit,
    pillar_group,
    read_document,
)
from feeds.judge.language import language_of_tokens
from feeds.judge.taxonomy import Taxonomy, load_taxonomy
from feeds.judge.textfold import Phrase, PhraseIndex
from feeds.models import Classification, Evidence

SENTENCE_BAR = 1.0  # pillar weight a sentence needs to assert the pillar
HEADING_BAR = 0.4  # a heading needs only one term of some weight
DOMINANCE = 0.75  # outside an agenda, a pillar must hold its own against the strongest one
STRONG_SENTENCE = 1.5  # enough weight to assert a pillar whatever else the sentence is about
AGENDA_PILLARS = 3  # a sentence reaching the bar for this many pillars lists an agenda
MAX_EVIDENCE = 12
LANGUAGE_SAMPLE = 200  # tokens: plenty to tell the three languages apart


class PillarDecision(NamedTuple):
    """One pillar's decision (a named tuple: built six times a release)."""

    pillar: str
    score: float
    asserted: bool
    evidence: Evidence


def decide_pillars(doc: Document, taxonomy: Taxonomy) -> list[PillarDecision]:
    """Score every pillar of the taxonomy on a document read by `read_document`."""
    weights = doc.pillar_weights
    if weights is None:
        weights = _sentence_weights({p: doc.group(pillar_group(p)) for p in taxonomy.pillars})
    asserting, partial = _asserting(doc, weights, taxonomy.pillars)
    decisions = []
    for pillar in taxonomy.pillars:
        mine = asserting[pillar]
        score = _pillar_score(mine, partial[pillar])
        if score >= taxonomy.pillar_threshold:
            evidence = _pillar_evidence(doc, doc.group(pillar_group(pillar)), mine, score)
            decisions.append(_new_tuple(PillarDecision, (pillar, score, True, evidence)))
        else:
            evidence = _new_tuple(Evidence, (score, (), ""))
            decisions.append(_new_tuple(PillarDecision, (pillar, score, False, evidence)))
    return decisions


_new_tuple = tuple.__new__  # builds a named tuple in C, without its Python `__new__`


def _asserting(
    doc: Document, weights: dict[int, dict[str, float]], pillars: tuple[str, ...]
) -> tuple[dict[str, list[tuple[float, int]]], dict[str, float]]:
    """Per pillar: the sentences asserting it (with their weight) and its best weight."""
    asserting: dict[str, list[tuple[float, int]]] = {p: [] for p in pillars}
    partial = dict.fromkeys(pillars, 0.0)
    for sentence, scores in weights.items():
        # Once per sentence rather than once per pillar in it; a pillar alone in its sentence
        # dominates it whatever `top`, so most sentences skip the `max`.
        top = max(scores.values()) if len(scores) > 1 else 0.0
        for pillar, value in scores.items():
            if value > partial[pillar]:
                partial[pillar] = value
            # A strong or dominant sentence asserts without a call to `_asserts`; every other
            # way needs `HEADING_BAR`, where most sentences stop.
            dominant = value >= SENTENCE_BAR and value >= DOMINANCE * top
            if dominant or (value >= HEADING_BAR and _asserts(doc, sentence, value, scores, top)):
                asserting[pillar].append((value, sentence))
    return asserting, partial


def _sentence_weights(found: Mapping[str, list[Found]]) -> dict[int, dict[str, float]]:
    """Per sentence, per pillar: the sum of the weights of the distinct terms found."""
    seen: set[tuple[int, str]] = set()
    weights: dict[int, dict[str, float]] = {}
    for pillar, items in found.items():
        for item in items:
            key = (item.sentence, item.name)
            if key in seen:
                continue
            seen.add(key)
            scores = weights.get(item.sentence)
            if scores is None:
                scores = weights[item.sentence] = {}
            # Terms are grouped by pillar: their target is `pillar`.
            scores[pillar] = scores.get(pillar, 0.0) + item.term.weight
    return weights


def _asserts(
    doc: Document, sentence: int, value: float, scores: Mapping[str, float], top: float
) -> bool:
    if value >= STRONG_SENTENCE:
        return True
    if value >= SENTENCE_BAR:
        if sum(1 for v in scores.values() if v >= SENTENCE_BAR) >= AGENDA_PILLARS:
            return True  # "a focus on competitiveness, citizen security and climate change"
        if value >= DOMINANCE * top:
            return True
    return value >= HEADING_BAR and doc.is_heading(sentence)


def _pillar_score(asserting: list[tuple[float, int]], partial: float) -> float:
    """Map the sentence evidence to 0..1: 0.5 and above exactly when a sentence asserts."""
    if not asserting:
        return round(0.49 * min(partial / SENTENCE_BAR, 1.0), 4)
    best = max(asserting)[0]  # the tuples compare by value first
    extra = max(best - SENTENCE_BAR, 0.0) + 0.5 * (len(asserting) - 1)
    return round(0.5 + 0.5 * (1.0 - math.exp(-extra)), 4)


def _pillar_evidence(
    doc: Document, found: list[Found], asserting: list[tuple[float, int]], score: float
) -> Evidence:
    sentences = set(map(_SECOND, asserting))
    best = max(asserting)[1] if asserting else -1
    # The first matches in the asserting sentences, without filtering all of them first.
    chosen = compress(found, map(sentences.__contains__, map(_SENTENCE, found)))
    matches = as_matches(islice(chosen, MAX_EVIDENCE))
    return _new_tuple(Evidence, (score, matches, doc.sentence_text(best) if best >= 0 else ""))


_SENTENCE = attrgetter("sentence")
_SECOND = itemgetter(1)


class Classifier:
    """Both decisions about a release, from a taxonomy compiled once at load."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        phrases = (
            Phrase(
                i, t.keys, _category(t.kind, t.target), re.sub(r"\W", "", t.text) if t.exact else ""
            )
            for i, t in enumerate(taxonomy.terms)
        )
        self._index = PhraseIndex(phrases)
        self._lexicon = Lexicon.of(taxonomy.terms, taxonomy.pillars)

    @classmethod
    def load(cls, taxonomy_path: Path | None = None) -> Classifier:
        """Build a classifier from a taxonomy file, or from the packaged default."""
        return cls(load_taxonomy(taxonomy_path))

    def read(self, title: str, text: str) -> Document:
        """Read a release into sentences and found terms (what both decisions work on)."""
        return read_document(title, text, self._index, self._lexicon)

    def classify(self, title: str, text: str, language: str | None = None) -> Classification:
        """Decide summit or not and which pillars, with the evidence for each decision."""
        doc = self.read(title, text)
        lang = language if language in ("en", "es", "fr") else None
        lang = lang or language_of_tokens(islice(doc.tokens, LANGUAGE_SAMPLE))
        summit_score, summit_evidence = decide_summit(doc, self.taxonomy)
        pillars = decide_pillars(doc, self.taxonomy)
        evidence = {"summit": summit_evidence}
        evidence.update({d.pillar: d.evidence for d in pillars if d.asserted})
        return Classification(
            language=lang,
            summit=summit_score >= self.taxonomy.summit_threshold,
            summit_score=summit_score,
            pillars=tuple(d.pillar for d in pillars if d.asserted),
            pillar_scores={d.pillar: d.score for d in pillars},
            evidence=evidence,
        )


def _category(kind: str, target: str) -> str:
    """Terms compete for the longest match only within a category.

    All places share one category, so "North American" is never also read as "American", and
    "Estados Unidos Mexicanos" never as "Estados Unidos".
    """
    if kind in ("party", "other", "region"):
        return "place"
    if kind == "signal":
        # Summit, mechanism and leaders' names nest ("North American Leaders' Summit").
        return (
            "signal:name" if target in ("process", "mechanism", "leaders") else f"signal:{target}"
        )
    return f"pillar:{target}"
