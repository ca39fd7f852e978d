"""How releases and decisions are written in the database files, and read back.

A release document (in `releases/YYYY-MM.json`) holds the whole release: its text, its
classification with the evidence, its dedupe keys (`keys`) and, for summit releases, the
features that group it into events (`f`), so that neither needs the text again. People's
decisions live apart, in `triage.json`, and are merged in when a record is built.

A decision document holds the team's decisions (`triage`, `starred`, `note`, `correction`),
who made each last (`by`), their `history` (what, who, when), and reading state per person
(`read_by`: name -> read); `read` is everyone's, from before reading was personal (and from
config rules). A document written before authors were kept has no history: its decisions
are shown with no author until the next one on that release writes the history out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feeds import Classification, Evidence, Match, Release
from state.dedupe import Keys
from state.events import features
from state.records import BY_RULE, Correction, Decided, StoredRelease, TriageState, history_of
from state.versions import versions_from

__all__ = [
    "BLANK_TRIAGE",
    "HISTORY_KEPT",
    "TRIAGE_FIELDS",
    "TriageTuple",
    "decide",
    "doc_features",
    "full_record",
    "imported_triage",
    "release_doc",
    "triage_doc",
    "triage_fields",
    "triage_tuple",
]

TRIAGE_FIELDS = ("read", "triage", "starred", "note", "correction")
# StoredRelease's read, triage, starred, note, correction and history, in that order.
TriageTuple = tuple[bool, TriageState, bool, str, Correction, tuple[Decided, ...]]
BLANK_TRIAGE: TriageTuple = (False, TriageState.NEW, False, "", Correction(), ())
_RECORD_FIELDS = (*TRIAGE_FIELDS, "history")
HISTORY_KEPT = 200  # lines of history kept a release


def triage_tuple(data: Mapping[str, Any] | None, reader: str = "") -> TriageTuple:
    """The decisions of a stored triage document (defaults when absent), with `read` as the
    person `reader` left it."""
    if not data:
        return BLANK_TRIAGE
    try:
        triage = TriageState(data.get("triage", "new"))
    except ValueError:
        triage = TriageState.NEW
    read = bool(data.get("read", False))
    read_by = data.get("read_by")
    if reader and isinstance(read_by, dict) and reader in read_by:
        read = bool(read_by[reader])
    starred, note = bool(data.get("starred", False)), str(data.get("note", ""))
    correction = Correction.from_dict(data.get("correction"))
    if "history" in data:
        history = history_of(data["history"])
    else:
        history = _unsigned(triage, starred, note, correction, str(data.get("updated", "")))
    return (read, triage, starred, note, correction, history)


def _unsigned(
    triage: TriageState, starred: bool, note: str, correction: Correction, when: str
) -> tuple[Decided, ...]:
    """The history of a document written before authors were kept: its decisions, by nobody
    known, at its last change."""
    values: dict[str, Any] = {"triage": triage.value, "starred": starred, "note": note}
    values["correction"] = correction.to_dict()
    return tuple(
        Decided(_what(name, value), "", when)
        for name, value in values.items()
        if value != _BLANK[name]
    )


def triage_fields(data: Mapping[str, Any] | None, reader: str = "") -> dict[str, Any]:
    """StoredRelease keyword arguments from a stored triage document (defaults when absent)."""
    return dict(zip(_RECORD_FIELDS, triage_tuple(data, reader), strict=True))


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


_BLANK = {"triage": "new", "starred": False, "note": "", "correction": Correction().to_dict()}


def _what(name: str, value: Any) -> str:
    """A history line's words for setting the decision `name` to (stored) `value`."""
    if name == "triage":
        state = TriageState(value)
        return "back to new" if state is TriageState.NEW else state.label
    if name == "starred":
        return "starred" if value else "unstarred"
    if name == "note":
        return "note" if value else "note removed"
    return "corrected" if value != _BLANK["correction"] else "correction removed"


def decide(
    old: Mapping[str, Any] | None,
    fields: Mapping[str, Any],
    who: str,
    when: str,
    *,
    undo: bool = False,
) -> dict[str, Any]:
    """The decision document `old` after `who` set `fields` (stored form, `triage_doc`) at
    `when`. Reading is `who`'s own (everyone's when `who` is "" or a rule). A decision the same
    as before leaves no line. An `undo` restores only what `who` decided last: a decision
    someone else made since stays."""
    out = dict(old or {})
    if "history" in out:
        history = [line.to_list() for line in history_of(out["history"])]
    else:
        history = [line.to_list() for line in triage_tuple(out)[5]]
    by = dict(out.get("by") or {})
    for name, value in fields.items():
        if name == "read":
            if who and who != BY_RULE:
                out["read_by"] = {**(out.get("read_by") or {}), who: value}
            else:
                out["read"] = value
            continue
        if undo and by.get(name, "") != who:
            continue
        if out.get(name, _BLANK[name]) == value:
            continue
        out[name], by[name] = value, who
        what = _what(name, value)
        history.append([f"undo: {what}" if undo else what, who, when])
    out["by"], out["history"], out["updated"] = by, history[-HISTORY_KEPT:], when
    return out


def imported_triage(local: Mapping[str, Any], record: StoredRelease) -> dict[str, Any] | None:
    """The decision document of a release after an import: the export's decisions fill in
    only what the local copy still has at its default, with their history lines; None when
    nothing changes."""
    ours, theirs = triage_fields(local), triage_fields(record.to_dict())
    blank = triage_fields(None)
    names = [k for k in TRIAGE_FIELDS if ours[k] == blank[k] and theirs[k] != blank[k]]
    if not names:
        return None
    out = {**local, **triage_doc({k: theirs[k] for k in names})}
    lines = [line.to_list() for line in (*ours["history"], *record.history)]
    out["history"] = lines[-HISTORY_KEPT:]
    return out


def doc_features(doc: Mapping[str, Any]) -> list[str] | None:
    """The event features of a summit release document (None for the others)."""
    if not doc.get("classification", {}).get("summit"):
        return None
    release = doc["release"]
    body = str(release.get("text") or release.get("summary") or "")
    return sorted(features(str(release.get("title", "")), body))


def release_doc(stored: StoredRelease, keys: Keys) -> dict[str, Any]:
    """The stored form of a full record (its decisions are stored apart)."""
    data: dict[str, Any] = {
        "release": stored.release.to_dict(),
        "classification": stored.classification.to_dict(),
        "first_seen": stored.first_seen,
        "sources": list(stored.sources),
        "changed_at": stored.changed_at,
        "keys": keys.to_dict(),
    }
    if stored.earlier_versions:
        data["versions"] = [v.to_dict() for v in stored.earlier_versions]
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
    earlier = versions_from(data.get("versions"))
    return light.with_changes(
        release=release, classification=classification, earlier_versions=earlier
    )
