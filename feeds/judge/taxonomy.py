"""Load and validate the taxonomy TOML into frozen dataclasses.

The taxonomy is data: the summit signals, the place names and the weighted pillar terms in
English, Spanish and French. A broken file gets a `TaxonomyError` naming the file and the line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from feeds.judge.textfold import phrase_keys
from feeds.models import PILLAR_COLOURS, PILLAR_ID, Pillar, PillarSet

SIGNAL_ROLES: frozenset[str] = frozenset(
    {
        "process",
        "mechanism",
        "leaders",
        "trilateral",
        "joint",
        "forum",
        "measure",
        "bilateral",
        "margin",
        "temporal",
        "officials",
        "counterpart",
        "company",
        "summit",
        "agenda",
        "courtesy",
    }
)
TERM_LISTS: tuple[str, ...] = ("en", "es", "fr", "exact")
PARTY_CODES: tuple[str, ...] = ("CA", "MX", "US")
DEFAULT_NAME = "pillars.toml"
PILLAR_KEYS: tuple[str, ...] = ("name", "label", "badge", "colour", "terms", "against")
BADGE_LENGTH = 3  # the release list has room for six badges of three characters


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Term:
    """One phrase of the taxonomy and what it stands for."""

    text: str  # as written in the file
    keys: tuple[str, ...]  # folded, stemmed tokens
    kind: str  # "signal", "party", "other", "region", "pillar" or "against"
    target: str  # signal role, country code or pillar id
    weight: float
    exact: bool = False  # acronym: must match case-sensitively
    # A pillar term that counts only in a sentence about its pillar ("border" in a trade
    # sentence does not make it a security sentence).
    context: bool = False


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A validated taxonomy: every term, the pillars in file order, and the thresholds."""

    source: str
    name: str
    terms: tuple[Term, ...]
    pillars: tuple[str, ...]  # the ids, in file order
    pillar_set: PillarSet  # how each is named and drawn
    summit_threshold: float = 0.5
    pillar_threshold: float = 0.5


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load a taxonomy file, or the packaged default when `path` is None."""
    if path is None:
        resource = resources.files("feeds.judge").joinpath(DEFAULT_NAME)
        return parse_taxonomy(resource.read_text(encoding="utf-8"), f"feeds/judge/{DEFAULT_NAME}")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy: {exc}") from exc
    return parse_taxonomy(text, str(path))


def parse_taxonomy(text: str, source: str = "<taxonomy>") -> Taxonomy:
    """Parse and validate taxonomy TOML text; `source` names the file in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{source}: {exc}") from exc
    return _Validator(text, source).build(data)


class _Validator:
    """Walks the parsed TOML, collecting terms and raising errors with a line number."""

    def __init__(self, text: str, source: str) -> None:
        self._lines = text.splitlines()
        self._source = source

    def fail(self, path: Sequence[str | int], message: str) -> TaxonomyError:
        line = _line_of(self._lines, path)
        where = f"{self._source}, line {line}" if line else self._source
        dotted = ".".join(str(p) for p in path)
        return TaxonomyError(f"{where}: {dotted}: {message}")

    def build(self, data: Mapping[str, Any]) -> Taxonomy:
        terms: list[Term] = []
        meta = self.table(data, ["taxonomy"], required=False)
        decision = self.table(data, ["decision"], required=False)
        for role_name, group in self.table(data, ["signals"]).items():
            path = ["signals", role_name]
            group = self.table(data["signals"], path)
            role = group.get("role")
            if role not in SIGNAL_ROLES:
                expected = ", ".join(sorted(SIGNAL_ROLES))
                raise self.fail([*path, "role"], f"expected one of {expected}, got {role!r}")
            weight = self.weight(group, path)
            terms += self.terms(group, path, "signal", str(role), weight)
        parties = self.table(data, ["parties"])
        for code in PARTY_CODES:
            group = self.table(parties, ["parties", code])
            terms += self.terms(group, ["parties", code], "party", code, 1.0)
        for kind, key in (("other", "others"), ("region", "regions")):
            group = self.table(data, [key], required=False)
            terms += self.terms(group, [key], kind, key, 1.0)
        name = str(meta.get("name", ""))
        pillar_set = replace(self.pillars(data, terms), name=name)
        return Taxonomy(
            source=self._source,
            name=name,
            terms=tuple(terms),
            pillars=pillar_set.ids,
            pillar_set=pillar_set,
            summit_threshold=self.unit(decision, ["decision", "summit_threshold"], 0.5),
            pillar_threshold=self.unit(decision, ["decision", "pillar_threshold"], 0.5),
        )

    def pillars(self, data: Mapping[str, Any], terms: list[Term]) -> PillarSet:
        specs: dict[str, Mapping[str, Any]] = {}
        for pillar_id in self.table(data, ["pillars"]):
            path = ["pillars", pillar_id]
            spec = specs[pillar_id] = self.table(data["pillars"], path)
            if not PILLAR_ID.fullmatch(pillar_id):
                raise self.fail(path, "pillar ids are lower-case identifiers")
            for key in spec:
                if key not in PILLAR_KEYS:
                    raise self.fail([*path, key], f"unknown key; expected {', '.join(PILLAR_KEYS)}")
            groups = spec.get("terms")
            if not isinstance(groups, list) or not groups:
                raise self.fail([*path, "terms"], "expected one or more [[terms]] tables")
            for index, group in enumerate(groups):
                group_path: list[str | int] = [*path, "terms", index]
                if not isinstance(group, dict):
                    raise self.fail(group_path, "expected a table")
                weight = self.weight(group, group_path)
                context = group.get("context", False)
                if not isinstance(context, bool):
                    raise self.fail([*group_path, "context"], "expected true or false")
                found = self.terms(group, group_path, "pillar", pillar_id, weight)
                terms += [replace(t, context=True) for t in found] if context else found
            against = self.table(spec, [*path, "against"], required=False)
            terms += self.terms(against, [*path, "against"], "against", pillar_id, 1.0)
        if not specs:
            raise self.fail(["pillars"], "expected at least one pillar")
        return self.pillar_set(specs)

    def pillar_set(self, specs: Mapping[str, Mapping[str, Any]]) -> PillarSet:
        """Names, badges and colours: as the file gives them, else made up from the id."""
        colours = {p: self.colour(spec, ["pillars", p, "colour"]) for p, spec in specs.items()}
        spare = [c for c in PILLAR_COLOURS if c not in colours.values()] or list(PILLAR_COLOURS)
        badges: dict[str, str] = {}
        for pillar_id, spec in specs.items():
            if "badge" not in spec:
                continue
            badge = self.text(spec, ["pillars", pillar_id, "badge"], "")
            if len(badge) > BADGE_LENGTH or " " in badge:
                raise self.fail(
                    ["pillars", pillar_id, "badge"],
                    f"expected up to {BADGE_LENGTH} characters without spaces, got {badge!r}",
                )
            if badge in badges.values():
                raise self.fail(["pillars", pillar_id, "badge"], f"{badge!r} is already taken")
            badges[pillar_id] = badge
        for pillar_id in specs:
            if pillar_id not in badges:
                badges[pillar_id] = _free_badge(pillar_id, set(badges.values()))
        uncoloured = [p for p, colour in colours.items() if not colour]
        for n, pillar_id in enumerate(uncoloured):
            colours[pillar_id] = spare[n % len(spare)]
        pillars = []
        for pillar_id, spec in specs.items():
            name = self.text(spec, ["pillars", pillar_id, "name"], pillar_id)
            label = self.text(spec, ["pillars", pillar_id, "label"], name)
            pillars.append(Pillar(pillar_id, name, label, badges[pillar_id], colours[pillar_id]))
        return PillarSet(tuple(pillars))

    def text(self, spec: Mapping[str, Any], path: list[str], default: str) -> str:
        value = spec.get(path[-1], default)
        if not isinstance(value, str) or not value.strip() or not value.isprintable():
            raise self.fail(path, f"expected a line of text, got {value!r}")
        return value

    def colour(self, spec: Mapping[str, Any], path: list[str]) -> str:
        value = spec.get(path[-1], "")
        if value and value not in PILLAR_COLOURS:
            raise self.fail(
                path,
                f"expected a terminal colour name ({', '.join(PILLAR_COLOURS)}), which every "
                f"theme keeps readable; got {value!r}",
            )
        return str(value)

    def table(
        self, parent: Mapping[str, Any], path: list[str], required: bool = True
    ) -> Mapping[str, Any]:
        value = parent.get(path[-1])
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, "expected a table")
        return value

    def weight(self, group: Mapping[str, Any], path: Sequence[str | int]) -> float:
        value = group.get("weight")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail([*path, "weight"], f"expected a positive number, got {value!r}")
        return float(value)

    def unit(self, group: Mapping[str, Any], path: list[str], default: float) -> float:
        value = group.get(path[-1], default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise self.fail(path, f"expected a number between 0 and 1, got {value!r}")
        return float(value)

    def terms(
        self,
        group: Mapping[str, Any],
        path: Sequence[str | int],
        kind: str,
        target: str,
        weight: float,
    ) -> list[Term]:
        allowed = {"role", "weight", "name", "context", *TERM_LISTS}
        for key in group:
            if key not in allowed:
                raise self.fail([*path, key], f"unknown key; expected {', '.join(TERM_LISTS)}")
        found: list[Term] = []
        for lang in TERM_LISTS:
            values = group.get(lang, [])
            if not isinstance(values, list):
                raise self.fail([*path, lang], "expected a list of strings")
            for value in values:
                keys = phrase_keys(value) if isinstance(value, str) else ()
                if not keys or any(k == "*" for k in keys):
                    raise self.fail([*path, lang], f"not a usable term: {value!r}")
                found.append(Term(value, keys, kind, target, weight, lang == "exact"))
        return found


def _free_badge(pillar_id: str, taken: set[str]) -> str:
    """Three letters of the id, upper case, that no other pillar's badge has yet."""
    letters = pillar_id.replace("_", "").upper()
    candidates = [letters[:BADGE_LENGTH]]
    candidates += [
        f"{letters[0]}{second}{third}"
        for n, second in enumerate(letters[1:], start=1)
        for third in letters[n + 1 :]
    ]
    candidates += [f"{letters[0]}{n:02d}" for n in range(100)]
    return next((c for c in candidates if c not in taken), candidates[0])


def _line_of(lines: Sequence[str], path: Sequence[str | int]) -> int:
    """Best-effort 1-based line of a dotted key: its table header, then the key below it."""
    names = [p for p in path if isinstance(p, str)]
    index = next((p for p in path if isinstance(p, int)), 0)
    for cut in range(len(names), 0, -1):
        header = _header_line(lines, names[:cut], index)
        if header is None:
            continue
        if cut == len(names):
            return header + 1
        key = names[cut]
        for number in range(header + 1, len(lines)):
            stripped = lines[number].lstrip()
            if stripped.startswith("["):
                break
            if re.match(rf"{re.escape(key)}\s*=", stripped):
                return number + 1
        return header + 1
    return 0


def _header_line(lines: Sequence[str], names: Sequence[str], occurrence: int) -> int | None:
    dotted = ".".join(names)
    pattern = re.compile(rf"\s*\[\[?\s*{re.escape(dotted)}\s*\]\]?\s*(#.*)?$")
    seen = 0
    for number, line in enumerate(lines):
        if pattern.match(line):
            if seen == occurrence or not line.lstrip().startswith("[["):
                return number
            seen += 1
    return None
