"""How releases and decisions are written in the database files, and read back.

A release document (in `releases/YYYY-MM.json`) holds the whole release: its text, its
classification with the evidence, its dedupe keys (`keys`) and, for summit releases, the
features that group it into events (`f`), so that neither needs the text again. People's
decisions live apart, in `triage.json`, and are merged in when a record is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feeds import Classification, Evidence, Match, Release
from state.dedupe import Keys
from state.events import features
from state.records import Correction, StoredRelease, TriageState

__all__ = [
    "BLANK_TRIAGE",
    "TRIAGE_FIELDS",
    "TriageTuple",
    "doc_features",
    "full_record",
    "imported_triage",
    "release_doc",
    "triage_doc",
    "triage_fields",
    "triage_tuple",
]

TRIAGE_FIELDS = ("read", "triage", "starred", "note", "correction")
# StoredRelease's read, triage, starred, note and correction, in that order.
TriageTuple = tuple[bool, TriageState, bool, str, Correction]
BLANK_TRIAGE: TriageTuple = (False, TriageState.NEW, False, "", Correction())


def triage_tuple(data: Mapping[str, Any] | None) -> TriageTuple:
    """The decisions of a stored triage document (defaults when absent)."""
    if not data:
        return BLANK_TRIAGE
    try:
        triage = TriageState(data.get("triage", "new"))
    except ValueError:
        triage = TriageState.NEW
    return (
        bool(data.get("read", False)),
        triage,
        bool(data.get("starred", False)),
        str(data.get("note", "")),
        Correction.from_dict(data.get("correction")),
    )


def triage_fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """StoredRelease keyword arguments from a stored triage document (defaults when absent)."""
    return dict(zip(TRIAGE_FIELDS, triage_tuple(data), strict=True))


def triage_doc(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of `update()`'s changes; rejects anything else."""
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise TypeError(f"update() cannot change {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "triage":
            out[name] = TriageState(value).value
        elif name == "correction":
            fixed = value if isinstance(value, Correction) else Correction.from_dict(value)
            out[name] = fixed.to_dict()
        elif name == "note":
            out[name] = str(value)
        else:
            out[name] = bool(value)
    return out


def imported_triage(local: Mapping[str, Any], record: StoredRelease) -> dict[str, Any]:
    """An import's decisions, only where the local copy still has the default."""
    ours, theirs = triage_fields(local), triage_fields(record.to_dict())
    blank = triage_fields(None)
    wanted = {k: v for k, v in theirs.items() if ours[k] == blank[k] and v != blank[k]}
    return triage_doc(wanted)


def doc_features(doc: Mapping[str, Any]) -> list[str] | None:
    """The event features of a summit release document (None for the others)."""
    if not doc.get("classification", {}).get("summit"):
        return None
    release = doc["release"]
    body = str(release.get("text") or release.get("summary") or "")
    return sorted(features(str(release.get("title", "")), body))


def release_doc(stored: StoredRelease, keys: Keys) -> dict[str, Any]:
    """The stored form of a full record (its decisions are stored apart)."""
    data = {
        "release": stored.release.to_dict(),
        "classification": stored.classification.to_dict(),
        "first_seen": stored.first_seen,
        "sources": list(stored.sources),
        "changed_at": stored.changed_at,
        "keys": keys.to_dict(),
    }
    found = doc_features(data)
    if found is not None:
        data["f"] = found
    return data


def _evidence(data: Mapping[str, Any]) -> Evidence:
    matches = tuple(Match(m["term"], m["field"], m["start"], m["end"]) for m in data["matches"])
    against = data.get("against")
    if against:
        found = tuple(Match(m["term"], m["field"], m["start"], m["end"]) for m in against)
        return Evidence(data["score"], matches, data["sentence"], found)
    return Evidence(data["score"], matches, data["sentence"])


def _decode(data: Mapping[str, Any]) -> tuple[Release, Classification]:
    """The fast path for documents this module wrote."""
    c = data["classification"]
    evidence = {k: _evidence(v) for k, v in c["evidence"].items()}
    return Release(**data["release"]), Classification(
        c["language"],
        c["summit"],
        c["summit_score"],
        tuple(c["pillars"]),
        c["pillar_scores"],
        evidence,
    )


def full_record(light: StoredRelease, data: Mapping[str, Any]) -> StoredRelease:
    """`light` with the text and evidence of its stored document."""
    try:
        release, classification = _decode(data)
    except (KeyError, TypeError):  # written by hand or by an older version: the careful path
        release = Release.from_dict(data["release"])
        classification = Classification.from_dict(data.get("classification", {}))
    return light.with_changes(release=release, classification=classification)
