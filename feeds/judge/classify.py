"""Which pillars does a release address, and the `Classifier` facade over both decisions.

A pillar is asserted from sentences, not from word counts: a sentence whose pillar terms reach
weight 1.0 (and which is not mostly about another pillar), or a heading line naming the pillar.
Value words ("security, prosperity and inclusiveness") stay below that bar on their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from itertools import compress, islice
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from feeds.judge.detect import (
    Document,
    FindRow,
    Found,
    Lexicon,
    against_group,
    as_matches,
    decide_summit,
    is_title_word,
    pillar_group,
    read_document,
)
from feeds.judge.language import language_of_tokens
from feeds.judge.taxonomy import Taxonomy, load_taxonomy
from feeds.judge.textfold import Phrase, PhraseIndex
from feeds.models import Classification, Evidence, Match, Release
from feeds.text import body_of

SENTENCE_BAR = 1.0  # pillar weight a sentence needs to assert the pillar
HEADING_BAR = 0.4  # a heading needs only one term of some weight
DOMINANCE = 0.75  # outside an agenda, a pillar must hold its own against the strongest one
STRONG_SENTENCE = 1.5  # enough weight to assert a pillar whatever else the sentence is about
AGENDA_PILLARS = 3  # a sentence reaching the bar for this many pillars lists an agenda
AGENDA_BAR = 0.4  # in an agenda ("the themes will be trade, health and security"), one term
CONTEXT_BAR = 0.6  # a term of substance, not a value word: it decides what a sentence is about
COURTESY_FACTOR = 0.5  # a thank-you or a congratulation names pillars in passing
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
    weights, context = doc.pillar_weights, doc.context_weights
    if weights is None or context is None:
        groups = {p: doc.pillar_finds.get(pillar_group(p), []) for p in taxonomy.pillars}
        weights, context = _sentence_weights(groups, False), _sentence_weights(groups, True)
    cues = _cue_sentences(doc)
    agendas = _agendas(doc, cues)
    listed = {sentence for unit in agendas for sentence in unit}
    weights, overruled = _in_context(weights, context, cues.get("courtesy", _NONE), listed)
    asserting, partial = _asserting(doc, weights, taxonomy.pillars)
    for pillar, value, sentence in _on_agendas(weights, agendas):
        if pillar in asserting and (value, sentence) not in asserting[pillar]:
            asserting[pillar].append((value, sentence))
    decisions = []
    for pillar in taxonomy.pillars:
        mine = asserting[pillar]
        score = _pillar_score(mine, partial[pillar])
        against = _against(doc, pillar, overruled.get(pillar), mine)
        if score >= taxonomy.pillar_threshold:
            evidence = _pillar_evidence(doc, pillar, mine, score, against)
            decisions.append(_new_tuple(PillarDecision, (pillar, score, True, evidence)))
        else:
            evidence = _new_tuple(Evidence, (score, (), "", against))
            decisions.append(_new_tuple(PillarDecision, (pillar, score, False, evidence)))
    return decisions


_new_tuple = tuple.__new__  # builds a named tuple in C, without its Python `__new__`


def _cue_sentences(doc: Document) -> dict[str, set[int]]:
    """The sentences holding each kind of pillar cue ("agenda", "courtesy")."""
    found: dict[str, set[int]] = {}
    for cue in doc.group("cue"):
        found.setdefault(cue.term.target, set()).add(cue.sentence)
    return found


_NONE: set[int] = set()


def _agendas(doc: Document, cues: Mapping[str, set[int]]) -> list[list[int]]:
    """The lists of what a meeting is about: each sentence with an agenda cue ("the themes",
    "discussed"), with the items after it that a semicolon split off, and the title (a
    headline naming pillars names the release's topics: "Leaders talk trade, flu, climate")."""
    agendas = []
    title = range(len(doc.starts[0]))
    for sentence in sorted(cues.get("agenda", _NONE) | _lists_of_pillars(doc) | set(title)):
        unit = [sentence]
        while doc.ends_list_item(unit[-1]):
            unit.append(unit[-1] + 1)
        agendas.append(unit)
    return agendas


def _lists_of_pillars(doc: Document) -> set[int]:
    """Sentences where three pillars or more reach the bar ("cooperation on energy security,
    climate change, economic competitiveness and citizen security"): agendas without a cue."""
    weights = doc.pillar_weights or {}
    return {
        sentence
        for sentence, scores in weights.items()
        if len(scores) >= AGENDA_PILLARS
        and sum(1 for value in scores.values() if value >= SENTENCE_BAR) >= AGENDA_PILLARS
    }


def _on_agendas(
    weights: dict[int, dict[str, float]], agendas: list[list[int]]
) -> list[tuple[str, float, int]]:
    """Pillars named in a list of two or more: (pillar, weight, sentence) for each.

    One pillar on its own after "discussed" is not an agenda; value words stay below the bar.
    """
    found = []
    for unit in agendas:
        best: dict[str, tuple[float, int]] = {}
        for sentence in unit:
            for pillar, value in weights.get(sentence, {}).items():
                if value >= AGENDA_BAR and value > best.get(pillar, (0.0, 0))[0]:
                    best[pillar] = (value, sentence)
        if len(best) >= 2:
            found += [(pillar, value, sentence) for pillar, (value, sentence) in best.items()]
    return found


def _in_context(
    weights: dict[int, dict[str, float]],
    context: dict[int, dict[str, float]],
    courtesy: set[int],
    listed: set[int],
) -> tuple[dict[int, dict[str, float]], dict[str, set[int]]]:
    """The weights each sentence gives each pillar, once context has spoken, and per pillar
    the sentences where its context terms did not count (evidence against it).

    A context term ("border", "supply chains") counts for its pillar unless the sentence is
    about another one: another pillar's own terms reach `CONTEXT_BAR` and outweigh this
    pillar's ("border" in a sentence on trade is not security). In an agenda every item is a
    topic of its own, so there they count. A thank-you sentence counts half.
    """
    overruled: dict[str, set[int]] = {}
    if not context and not courtesy:
        return weights, overruled
    merged = dict(weights)
    for sentence, scores in context.items():
        firm = weights.get(sentence)
        if not firm or sentence in listed:  # nothing else in the sentence: they all count
            merged[sentence] = _added(firm or {}, scores)
            continue
        # Only the pillars reaching `CONTEXT_BAR` can overrule: most sentences have none, and
        # then every context term counts, as above.
        rivals = [(key, other) for key, other in firm.items() if other >= CONTEXT_BAR]
        if not rivals:
            merged[sentence] = _added(firm, scores)
            continue
        mine = dict(firm)
        for pillar, value in scores.items():
            own = firm.get(pillar, 0.0)
            if not any(other > own for key, other in rivals if key != pillar):
                mine[pillar] = own + value
            else:
                overruled.setdefault(pillar, set()).add(sentence)
        merged[sentence] = mine
    for sentence in courtesy:
        if sentence in merged:
            merged[sentence] = {p: v * COURTESY_FACTOR for p, v in merged[sentence].items()}
    return merged, overruled


def _added(firm: Mapping[str, float], scores: Mapping[str, float]) -> dict[str, float]:
    mine = dict(firm)
    for pillar, value in scores.items():
        mine[pillar] = mine.get(pillar, 0.0) + value
    return mine


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


def _sentence_weights(
    found: Mapping[str, list[FindRow]], context: bool
) -> dict[int, dict[str, float]]:
    """Per sentence, per pillar: the sum of the weights of the distinct terms found, of the
    context terms (`context`) or of the others."""
    seen: set[tuple[int, str]] = set()
    weights: dict[int, dict[str, float]] = {}
    for pillar, items in found.items():
        for name, _, _, _, term, sentence, _ in items:
            if term.context != context:
                continue
            key = (sentence, name)
            if key in seen:
                continue
            seen.add(key)
            scores = weights.get(sentence)
            if scores is None:
                scores = weights[sentence] = {}
            # Terms are grouped by pillar: their target is `pillar`.
            scores[pillar] = scores.get(pillar, 0.0) + term.weight
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
    doc: Document,
    pillar: str,
    asserting: list[tuple[float, int]],
    score: float,
    against: tuple[Match, ...],
) -> Evidence:
    found = doc.pillar_finds.get(pillar_group(pillar), [])
    sentences = set(map(_SECOND, asserting))
    best = max(asserting)[1] if asserting else -1
    # The first matches in the asserting sentences, without filtering all of them first.
    chosen = compress(found, map(sentences.__contains__, map(_SENTENCE_OF, found)))
    matches = as_matches(islice(chosen, MAX_EVIDENCE))
    sentence = doc.sentence_text(best) if best >= 0 else ""
    return _new_tuple(Evidence, (score, matches, sentence, against))


def _against(
    doc: Document,
    pillar: str,
    overruled: set[int] | None,
    asserting: list[tuple[float, int]],
) -> tuple[Match, ...]:
    """What was found against a pillar: the phrases in which its terms meant something else
    ("energy security"), and its context terms in sentences about another pillar ("supply
    chains" secured against drug trafficking), unless such a sentence asserts it anyway."""
    found: Sequence[FindRow] | None = doc.groups.get(against_group(pillar))
    if overruled:
        overruled = overruled.difference(map(_SECOND, asserting))
    if overruled:
        rows = doc.pillar_finds.get(pillar_group(pillar), ())
        context = [row for row in rows if _TERM_OF(row).context and _SENTENCE_OF(row) in overruled]
        found = sorted([*(found or ()), *context], key=_READING_ORDER)
    return as_matches(islice(found, MAX_EVIDENCE)) if found else ()


# A find's fields by position, for a `Found` and a `FindRow` alike.
_START, _TERM, _SENTENCE = map(Found._fields.index, ("start", "term", "sentence"))
_READING_ORDER = itemgetter(_SENTENCE, _START)  # the title's sentences come first
_SENTENCE_OF, _TERM_OF = itemgetter(_SENTENCE), itemgetter(_TERM)
_SECOND = itemgetter(1)


class Classifier:
    """Both decisions about a release, from a taxonomy compiled once at load: the rules, one
    implementation of `feeds.judge.protocol.ReleaseClassifier`."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        phrases = (
            Phrase(
                i, t.keys, _category(t.kind, t.target), re.sub(r"\W", "", t.text) if t.exact else ""
            )
            for i, t in enumerate(taxonomy.terms)
            if not is_title_word(t)
        )
        self._index = PhraseIndex(phrases)
        self._lexicon = Lexicon.of(taxonomy.terms, taxonomy.pillars)

    def classify_release(self, release: Release) -> Classification:
        """`classify` on a release's title and body (its text, else its summary): the entry of
        the `ReleaseClassifier` protocol, which the pipeline uses."""
        return self.classify(release.title, body_of(release), release.language or None)

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
        evidence.update({d.pillar: d.evidence for d in pillars if d.asserted or d.evidence.against})
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
    return f"{kind}:{target}"  # a pillar's terms, or the phrases against it
