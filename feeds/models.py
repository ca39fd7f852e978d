"""The data that flows through the pipeline: plain frozen dataclasses, no I/O.

source -> fetch (FetchResult) -> parse (Release) -> classify (Classification) -> store.
Everything here is serialisable to JSON-ready dicts so that `state` can store it without
knowing how it was made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

# What a pillar id looks like: the taxonomy names its pillars; stored data keeps the ids.
PILLAR_ID = re.compile(r"[a-z][a-z0-9_]*")
# Terminal colour names follow the terminal's own palette, so every theme keeps them readable.
PILLAR_COLOURS: tuple[str, ...] = (
    "magenta",
    "green",
    "bright_blue",
    "yellow",
    "cyan",
    "red",
    "bright_magenta",
    "bright_green",
    "blue",
    "bright_yellow",
    "bright_cyan",
    "bright_red",
)


def pillar_ids(values: Iterable[object]) -> tuple[str, ...]:
    """The well-formed pillar ids of stored or imported data, in their order, once each.

    Whether the current taxonomy knows them is the display's business: data classified with
    another taxonomy keeps its pillars until it is reclassified.
    """
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and PILLAR_ID.fullmatch(v)))


@dataclass(frozen=True, slots=True)
class Pillar:
    """How a pillar is named and drawn: all of it comes from the taxonomy."""

    id: str
    name: str  # in full: the reader, the correction dialog, briefings
    label: str  # short: the navigator and the timeline
    badge: str  # up to three characters: the release list
    colour: str  # a terminal colour name (`PILLAR_COLOURS`; "default" for an unknown pillar)
    known: bool = True  # False: a stored id the taxonomy does not have


@dataclass(frozen=True, slots=True)
class PillarSet:
    """The pillars of the loaded taxonomy, in its order; the one place displays and exports
    learn the ids, names and colours from."""

    pillars: tuple[Pillar, ...]
    name: str = ""  # the taxonomy's name: briefings are titled with it
    _by_id: Mapping[str, Pillar] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.pillars})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.pillars)

    def __iter__(self) -> Iterator[Pillar]:
        return iter(self.pillars)

    def __len__(self) -> int:
        return len(self.pillars)

    def __contains__(self, pillar_id: object) -> bool:
        return pillar_id in self._by_id

    def get(self, pillar_id: str) -> Pillar:
        """The pillar of `pillar_id`; one the taxonomy lacks is drawn plainly under its id."""
        found = self._by_id.get(pillar_id)
        if found is None:
            return Pillar(pillar_id, pillar_id, pillar_id, pillar_id[:3].upper(), "default", False)
        return found

    def order(self, ids: Iterable[str]) -> tuple[str, ...]:
        """`ids` in taxonomy order, those it lacks after them in the order given."""
        given = dict.fromkeys(ids)
        known = [p.id for p in self.pillars if p.id in given]
        return (*known, *(i for i in given if i not in self._by_id))

    def unknown(self, ids: Iterable[str]) -> tuple[str, ...]:
        """The ids of `ids` that this taxonomy does not have, once each."""
        return tuple(dict.fromkeys(i for i in ids if i not in self._by_id))


COUNTRIES: tuple[str, ...] = ("CA", "MX", "US")
LANGUAGES: tuple[str, ...] = ("en", "es", "fr")

# A key of `feeds.collect.parsers.PARSERS`: "feed" (RSS, Atom) or "page" (an HTML index page).
SourceKind = str
# "http": our own client (conditional requests, small); "browser": a headless Chromium, for
# sites that serve content only after a script has passed their bot challenge.
FetchMode = Literal["http", "browser"]
FETCH_MODES: tuple[str, ...] = ("http", "browser")
RuleAction = Literal["ignore", "mark"]
RULE_ACTIONS: tuple[RuleAction, ...] = ("ignore", "mark")
# What a `mark` rule may set on a new release: read, starred, or a triage state.
RULE_MARKS: tuple[str, ...] = ("read", "star", "relevant", "not relevant", "follow-up", "briefed")


@dataclass(frozen=True, slots=True)
class Rule:
    """Ignore or mark the releases whose title, text or both match (every pattern given must
    match), like a feed reader's ignore and block rules. `mark` is one of `RULE_MARKS`."""

    action: RuleAction
    title: re.Pattern[str] | None = None
    text: re.Pattern[str] | None = None
    mark: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One place releases come from: a feed, or an HTML index page read with CSS selectors."""

    name: str
    url: str
    country: str
    language: str = ""
    kind: SourceKind = "feed"
    interval: int | None = None
    user_agent: str | None = None
    # For kind == "page": CSS selectors named item, title, link, date, summary, type.
    selectors: Mapping[str, str] = field(default_factory=dict, hash=False)
    enabled: bool = True
    # CSS selectors of elements to leave out of this source's release texts.
    drop: tuple[str, ...] = ()
    fetch: FetchMode = "http"
    # Its own rules, then the config's global ones.
    rules: tuple[Rule, ...] = ()


DEFAULT_USER_AGENT = "summitwatch/0.1 (+https://github.com/summitwatch/summitwatch)"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for every request. Times in seconds; `total_timeout` bounds a whole fetch,
    redirects included, so a server trickling a byte a second cannot hold it forever."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 8
    per_host: int = 2
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one attempt to fetch a source gave: a body, a 304, or an error in plain words."""

    source: Source
    status: int | None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str = ""
    content_type: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    retry_after: float | None = None
    # The host could not be reached at all (its name did not resolve, or no connection): its
    # other addresses will fail alike for a while.
    unreachable: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class Release:
    """A normalised release: control characters stripped, HTML reduced to plain text."""

    id: str
    source: str
    country: str
    language: str
    title: str
    link: str
    published: str  # ISO 8601 in UTC ("2023-01-10T00:00:00+00:00"), "" when unknown
    summary: str = ""
    text: str = ""
    guid: str = ""
    # What the publisher calls it, where a listing says ("Comunicado", "Readout"); "" if not.
    release_type: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "country": self.country,
            "language": self.language,
            "title": self.title,
            "link": self.link,
            "published": self.published,
            "summary": self.summary,
            "text": self.text,
            "guid": self.guid,
            "release_type": self.release_type,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Release:
        return cls(
            id=str(data["id"]),
            source=str(data.get("source", "")),
            country=str(data.get("country", "")),
            language=str(data.get("language", "")),
            title=str(data.get("title", "")),
            link=str(data.get("link", "")),
            published=str(data.get("published", "")),
            summary=str(data.get("summary", "")),
            text=str(data.get("text", "")),
            guid=str(data.get("guid", "")),
            release_type=str(data.get("release_type", "")),
        )


def _record_eq(record: tuple[Any, ...], other: object) -> bool:
    """Equality of a named tuple restricted to its own class, as a dataclass has it: a plain
    tuple of the same values is not equal, other objects get their say (`NotImplemented`)."""
    if other.__class__ is record.__class__:
        return tuple.__eq__(record, other)
    return False if isinstance(other, tuple) else NotImplemented


def _record_ne(record: tuple[Any, ...], other: object) -> bool:
    equal = _record_eq(record, other)
    return equal if equal is NotImplemented else not equal


class Match(NamedTuple):
    """One taxonomy term found in a release: where it stands and what it matched.

    A named tuple rather than a frozen dataclass: the classifier builds about sixty per
    release, and `tuple.__new__` builds one in C. Equality stays within the class.
    """

    term: str  # the taxonomy term (as written in the taxonomy)
    field: Literal["title", "text"]
    start: int  # offsets into Release.title or Release.text
    end: int

    def __eq__(self, other: object) -> bool:
        return _record_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return _record_ne(self, other)

    # `__hash__` stays the tuple's: `NamedTuple` adds methods after making the class.

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "field": self.field, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Match:
        fld: Literal["title", "text"] = "title" if data.get("field") == "title" else "text"
        return cls(str(data["term"]), fld, int(data["start"]), int(data["end"]))


class Evidence(NamedTuple):
    """Why a decision was taken: its score, the matched terms and the best sentence, and
    apart, what spoke against it (another forum, a bilateral title, "energy security" for the
    security pillar), kept so that a reader can tell the two apart.

    A named tuple like `Match`, for the same reason; equality stays within the class.
    """

    score: float
    matches: tuple[Match, ...] = ()
    sentence: str = ""
    against: tuple[Match, ...] = ()

    def __eq__(self, other: object) -> bool:
        return _record_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return _record_ne(self, other)

    # `__hash__` stays the tuple's: `NamedTuple` adds methods after making the class.

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "score": self.score,
            "matches": [m.to_dict() for m in self.matches],
            "sentence": self.sentence,
        }
        if self.against:  # most decisions have none: stored records stay as they were
            data["against"] = [m.to_dict() for m in self.against]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            score=float(data.get("score", 0.0)),
            matches=tuple(Match.from_dict(m) for m in data.get("matches", ())),
            sentence=str(data.get("sentence", "")),
            against=tuple(Match.from_dict(m) for m in data.get("against", ())),
        )


@dataclass(frozen=True, slots=True)
class Classification:
    """The two decisions about a release: summit or not, and which pillars."""

    language: str
    summit: bool
    summit_score: float
    pillars: tuple[str, ...]
    pillar_scores: Mapping[str, float]
    # Keyed by "summit" and by pillar id; present for every asserted decision, and for a
    # pillar not asserted when something was found against it (its `against`).
    evidence: Mapping[str, Evidence] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "summit": self.summit,
            "summit_score": self.summit_score,
            "pillars": list(self.pillars),
            "pillar_scores": dict(self.pillar_scores),
            "evidence": {k: v.to_dict() for k, v in self.evidence.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Classification:
        return cls(
            language=str(data.get("language", "")),
            summit=bool(data.get("summit", False)),
            summit_score=float(data.get("summit_score", 0.0)),
            pillars=pillar_ids(data.get("pillars", ())),
            pillar_scores={str(k): float(v) for k, v in data.get("pillar_scores", {}).items()},
            evidence={str(k): Evidence.from_dict(v) for k, v in data.get("evidence", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class ClassifiedRelease:
    release: Release
    classification: Classification


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """How a source has been answering; kept by the store, shown by `sources` and the TUI."""

    source: str
    last_attempt: str = ""  # ISO 8601 UTC
    last_success: str = ""
    status: int | None = None
    items_seen: int = 0
    consecutive_failures: int = 0
    last_error: str = ""
    etag: str | None = None
    last_modified: str | None = None
    next_poll: str = ""

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures == 0 and bool(self.last_success)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "last_attempt": self.last_attempt,
            "last_success": self.last_success,
            "status": self.status,
            "items_seen": self.items_seen,
            "consecutive_failures": self.consecutive_failures,
            "last_error": self.last_error,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "next_poll": self.next_poll,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceHealth:
        status = data.get("status")
        return cls(
            source=str(data["source"]),
            last_attempt=str(data.get("last_attempt", "")),
            last_success=str(data.get("last_success", "")),
            status=int(status) if status is not None else None,
            items_seen=int(data.get("items_seen", 0)),
            consecutive_failures=int(data.get("consecutive_failures", 0)),
            last_error=str(data.get("last_error", "")),
            etag=data.get("etag"),
            last_modified=data.get("last_modified"),
            next_poll=str(data.get("next_poll", "")),
        )


# No body yields more releases than this: a feed of a million items is an attack, not news.
MAX_ITEMS = 500


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """The releases a body held, or why it held none."""

    releases: list[Release]
    error: str | None = None
