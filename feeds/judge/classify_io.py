"""The `summitwatch classify` JSON Lines contract and the evaluation behind `summitwatch eval`.

Input lines carry `title` and `text` (and optionally `id`, `language`, `summary`, `url`); each
answer line carries the decisions, the scores and the evidence. A malformed line is reported on
the error stream with its line number; the others are still answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from feeds.judge.protocol import ReleaseClassifier
from feeds.models import Classification, Match, Release
from feeds.text import body_of

LANGUAGES = ("en", "es", "fr")


def classify_stream(
    lines: Iterable[str], out: TextIO, err: TextIO, classifier: ReleaseClassifier
) -> int:
    """Answer every JSON line of `lines` on `out`; return 1 if any line was malformed, else 0."""
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _parse_line(line)
        except ValueError as exc:
            err.write(f"line {number}: {exc}\n")
            status = 1
            continue
        release = release_of(item, _language(item) or "")
        result = classifier.classify_release(release)
        text = body_of(release)
        out.write(
            json.dumps(answer(item.get("id"), item["title"], text, result), ensure_ascii=False)
        )
        out.write("\n")
    return status


def _parse_line(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object")
    for key in ("title", "text"):
        if key in item and not isinstance(item[key], str):
            raise ValueError(f"{key!r} must be a string")
    if not isinstance(item.get("title"), str) or (
        not isinstance(item.get("text"), str) and not isinstance(item.get("summary"), str)
    ):
        raise ValueError("expected string fields 'title' and 'text'")
    item.setdefault("text", "")
    return item


def release_of(item: Mapping[str, Any], language: str = "") -> Release:
    """A release made of a JSON object with `title` and `text` or `summary` (and optionally
    `id` and `url`), for the classifier."""

    def string(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    item_id = item.get("id")
    return Release(
        id="" if item_id is None else str(item_id),
        source="",
        country="",
        language=language,
        title=string("title"),
        link=string("url"),
        published="",
        summary=string("summary"),
        text=string("text"),
    )


def _language(item: Mapping[str, Any]) -> str | None:
    value = item.get("language")
    return value if value in LANGUAGES else None


def answer(item_id: Any, title: str, text: str, result: Classification) -> dict[str, Any]:
    """The output object of the contract for one release: evidence for the summit decision and
    each asserted pillar, and apart, what was found against any decision."""
    decided = {k: v for k, v in result.evidence.items() if k == "summit" or k in result.pillars}
    return {
        "id": item_id,
        "summit": result.summit,
        "summit_score": result.summit_score,
        "pillars": list(result.pillars),
        "pillar_scores": dict(result.pillar_scores),
        "language": result.language,
        "evidence": {k: _phrases(v.matches, title, text) for k, v in decided.items()},
        "against": {
            k: _phrases(v.against, title, text) for k, v in result.evidence.items() if v.against
        },
        "sentences": {k: v.sentence for k, v in decided.items()},
    }


def _phrases(matches: Iterable[Match], title: str, text: str) -> list[dict[str, Any]]:
    found = []
    for match in matches:
        source = title if match.field == "title" else text
        found.append({**match.to_dict(), "phrase": source[match.start : match.end]})
    return found


@dataclass(frozen=True, slots=True)
class EvalError:
    """One release the classifier got wrong, with what it saw."""

    id: str
    title: str
    kind: str  # "detection" or "pillars"
    expected: str
    got: str
    sentence: str
    terms: tuple[str, ...]
    against: tuple[str, ...] = ()  # what the classifier found against the decisions in error


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Detection and pillar scores over a labelled set, and every error."""

    total: int
    detection: tuple[float, float, float]  # precision, recall, F1
    pillar_micro_f1: float
    pillar_macro_f1: float
    per_pillar_f1: Mapping[str, float]
    language_accuracy: Mapping[str, tuple[int, int]]  # language -> (correct, total)
    errors: tuple[EvalError, ...] = field(default=())
    # Pillars the labels name that the taxonomy does not have: they can only be missed.
    unknown_pillars: tuple[str, ...] = ()

    def render(self) -> str:
        """Plain text for the terminal."""
        p, r, f = self.detection
        lines = [
            f"releases: {self.total}",
            f"detection: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}",
            f"pillars (summit items): micro-F1 {self.pillar_micro_f1:.3f}"
            f"  macro-F1 {self.pillar_macro_f1:.3f}",
            "  " + "  ".join(f"{k} {v:.2f}" for k, v in self.per_pillar_f1.items()),
        ]
        if self.unknown_pillars:
            lines.append(
                f"  labelled pillars the taxonomy does not have: {', '.join(self.unknown_pillars)}"
            )
        lines += ["detection accuracy by language:"]
        for lang, (correct, total) in sorted(self.language_accuracy.items()):
            lines.append(f"  {lang}: {correct}/{total} = {correct / total:.3f}")
        lines.append(f"errors: {len(self.errors)}")
        for error in self.errors:
            lines.append(f"- {error.id} [{error.kind}] {error.title[:90]}")
            lines.append(f"    expected {error.expected}; got {error.got}")
            if error.terms:
                lines.append(f"    terms: {', '.join(error.terms)}")
            if error.against:
                lines.append(f"    against: {', '.join(error.against)}")
            if error.sentence:
                lines.append(f"    sentence: {error.sentence[:200]}")
        return "\n".join(lines)


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """Read a labelled JSON Lines set; a bad line raises ValueError naming its number."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not JSON ({exc.msg})") from exc
        missing = [k for k in ("title", "text", "is_summit", "pillars") if k not in record]
        if not isinstance(record, dict) or missing:
            raise ValueError(f"line {number}: a labelled release needs {', '.join(missing)}")
        records.append(record)
    return records


def evaluate(records: Iterable[Mapping[str, Any]], classifier: ReleaseClassifier) -> EvalReport:
    """Score the classifier against labelled records (the fields of the eval README).

    The label's language is not given to the classifier: it scores detection by language."""
    counts = _Counts()
    errors: list[EvalError] = []
    for record in records:
        result = classifier.classify_release(release_of(record))
        errors.extend(counts.add(record, result))
    return counts.report(tuple(errors), classifier.taxonomy.pillars)


class _Counts:
    def __init__(self) -> None:
        self.total = 0
        self.tp = self.fp = self.fn = 0
        self.pillar: dict[str, list[int]] = {}  # pillar -> [tp, fp, fn]
        self.languages: dict[str, list[int]] = {}

    def add(self, record: Mapping[str, Any], result: Classification) -> list[EvalError]:
        self.total += 1
        gold = bool(record.get("is_summit"))
        self.tp += gold and result.summit
        self.fp += result.summit and not gold
        self.fn += gold and not result.summit
        lang = str(record.get("language") or result.language)
        tally = self.languages.setdefault(lang, [0, 0])
        tally[0] += gold == result.summit
        tally[1] += 1
        errors = []
        if gold != result.summit:
            errors.append(_error(record, result, "detection", str(gold), str(result.summit)))
        if gold:
            expected = set(record.get("pillars", ()))
            got = set(result.pillars)
            for pillar in expected | got | set(result.pillar_scores):
                cell = self.pillar.setdefault(pillar, [0, 0, 0])
                cell[0] += pillar in expected and pillar in got
                cell[1] += pillar in got and pillar not in expected
                cell[2] += pillar in expected and pillar not in got
            if expected != got:
                errors.append(
                    _error(record, result, "pillars", _names(expected), _names(got), got ^ expected)
                )
        return errors

    def report(self, errors: tuple[EvalError, ...], pillars: Sequence[str]) -> EvalReport:
        """The scores; per pillar in the order of `pillars` (the taxonomy's), then the others."""
        order = [*pillars, *sorted(set(self.pillar) - set(pillars))]
        cells = {p: self.pillar[p] for p in order if p in self.pillar}
        per_pillar = {p: _f1(*cell)[2] for p, cell in cells.items() if sum(cell)}
        micro = _f1(*(sum(c[i] for c in self.pillar.values()) for i in range(3)))[2]
        macro = sum(per_pillar.values()) / len(per_pillar) if per_pillar else 0.0
        return EvalReport(
            total=self.total,
            detection=_f1(self.tp, self.fp, self.fn),
            pillar_micro_f1=micro,
            pillar_macro_f1=macro,
            per_pillar_f1=per_pillar,
            language_accuracy={k: (v[0], v[1]) for k, v in self.languages.items()},
            errors=errors,
            unknown_pillars=tuple(p for p in per_pillar if p not in pillars),
        )


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _names(pillars: set[str]) -> str:
    return "[" + ", ".join(sorted(pillars)) + "]"


def _error(
    record: Mapping[str, Any],
    result: Classification,
    kind: str,
    expected: str,
    got: str,
    pillars: set[str] | None = None,
) -> EvalError:
    keys = sorted(pillars & set(result.evidence)) if pillars else ["summit"]
    evidence = [result.evidence[k] for k in keys if k in result.evidence]
    terms = tuple(dict.fromkeys(m.term for e in evidence for m in e.matches))[:12]
    against = tuple(dict.fromkeys(m.term for e in evidence for m in e.against))[:12]
    sentence = next((e.sentence for e in evidence if e.sentence), "")
    return EvalError(
        str(record.get("id", "")),
        str(record.get("title", "")),
        kind,
        expected,
        got,
        sentence,
        terms,
        against,
    )
