"""Events: one meeting or statement, published by several governments or in several languages.

Two summit releases belong to the same event when they were published within a few days of each
other, come from different sources or are in different languages, and either

- open on the same meeting (a kind of meeting named in the title or the lead: summit, foreign
  ministers' meeting, dialogue, committee, commission... in English, Spanish or French) in the
  same place (a city, or a venue that names one, such as Mexico's National Palace); or
- share most of what a translation keeps: numbers, names (capitalised words, accents folded)
  and mechanism terms (a small trilingual lexicon: "USMCA", "T-MEC" and "ACEUM" are one
  term). Words every summit release uses ("Summit", "Mexico") carry little weight: a feature
  counts by its inverse document frequency among the candidates.

Groups are the connected components of matching pairs. This is a heuristic, not a translation
model: releases with few features and no meeting and place in their lead are left alone rather
than guessed at, and two meetings of one kind in one city within the same days would be joined.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feeds import body_of, fold
from state.records import StoredRelease

WINDOW_DAYS = 3
THRESHOLD = 0.5  # share of the smaller release's feature weight found in the other
MIN_SHARED = 3  # features in common, at least

MECHANISMS: Mapping[str, tuple[str, ...]] = {
    "usmca": ("usmca", "t-mec", "tmec", "cusma", "aceum"),
    "fentanyl": ("fentanyl", "fentanilo"),
    "semiconductors": ("semiconductor", "semiconductores", "semi-conducteurs", "semiconducteurs"),
    "electric-vehicles": ("electric vehicle", "vehiculos electricos", "vehicules electriques"),
    "critical-minerals": ("critical minerals", "minerales criticos", "mineraux critiques"),
    "supply-chains": ("supply chain", "cadenas de suministro", "chaines d'approvisionnement"),
    "methane": ("methane", "metano"),
    "irregular-migration": ("irregular migration", "migracion irregular", "migration irreguliere"),
    "los-angeles-declaration": ("los angeles declaration", "declaracion de los angeles"),
    "indigenous-women": ("indigenous women", "mujeres indigenas", "femmes autochtones"),
    "pandemic": ("pandemic", "pandemia", "pandemie"),
    "arms-trafficking": ("arms trafficking", "trafico de armas", "trafic d'armes"),
    "clean-energy": ("clean energy", "energia limpia", "energies propres", "energie propre"),
    "biodiversity": ("biodiversity", "biodiversidad", "biodiversite"),
    "covid-19": ("covid-19", "covid"),
}

# Kinds of meeting, as a title or a lead names them (folded, apostrophes dropped). A kind says
# what was held, not which process held it, so the lexicon serves any taxonomy.
MEETINGS: Mapping[str, tuple[str, ...]] = {
    "summit": ("summit", "cumbre", "sommet"),
    "ministers": (
        "ministers meeting", "ministerial", "foreign ministers", "reunion de ministros",
        "ministros de relaciones exteriores", "cancilleres", "reunion ministerial",
        "ministres des affaires etrangeres", "reunion des ministres", "reunion ministerielle",
    ),
    "dialogue": ("dialogue", "dialogo"),
    "committee": ("committee", "comite"),
    "commission": ("commission", "comision"),
    "council": ("council session", "sesion del consejo", "session du conseil"),
    "working-group": ("working group", "grupo de trabajo", "groupe de travail"),
    "forum": ("forum", "foro"),
}  # fmt: skip

# Cities where such meetings are held, and venues that name their city.
PLACES: Mapping[str, tuple[str, ...]] = {
    "mexico-city": (
        "mexico city", "ciudad de mexico", "cdmx", "ville de mexico", "palacio nacional",
        "national palace", "palais national",
    ),
    "washington": ("washington", "white house", "casa blanca", "maison blanche", "blair house"),
    "ottawa": ("ottawa", "parliament hill", "colline du parlement"),
    "toluca": ("toluca",),
    "quebec": ("quebec city", "ville de quebec", "ciudad de quebec", "quebec (quebec)"),
    "montreal": ("montreal",),
    "toronto": ("toronto",),
    "vancouver": ("vancouver",),
    "kananaskis": ("kananaskis",),
    "guadalajara": ("guadalajara",),
    "monterrey": ("monterrey",),
    "cancun": ("cancun",),
    "merida": ("merida",),
    "montebello": ("montebello",),
    "waco": ("waco",),
    "new-orleans": ("new orleans", "nueva orleans", "nouvelle-orleans"),
    "los-angeles": ("los angeles",),
    "san-francisco": ("san francisco",),
    "san-antonio": ("san antonio",),
    "new-york": ("new york", "nueva york"),
}  # fmt: skip

LEAD_CHARS = 500  # the title and this much of the text: where a release says what it is about
# In every feature set written by this lexicon (change it when MEETINGS or PLACES change); a
# stored set without it was made by another and is made again from the text.
FEATURES_VERSION = "~3"

# Capitalised words that say nothing about which statement this is, in the three languages.
_COMMON_WORDS = """
    the a an and of in on for to at by with this that today joint statement release news
    el la los las un una de del y en por para con este esta hoy comunicado conjunto declaracion
    le les une des et du au aux pour avec ce cette aujourd'hui communique conjoint
    canada canadian canadiens canadienne mexico mexican mexicano mexicanos mexique mexicain
    united states estados unidos etats-unis etats unis america american americans americas
    north norteamerica america del norte amerique nord northern summit cumbre sommet leaders
    lideres dirigeants president presidente presidenta prime minister primer ministro premier
    ministre government gobierno gouvernement secretary secretaria house casa blanca maison
    blanche white office oficina bureau january february march april may june july august
    september october november december monday tuesday wednesday thursday friday saturday sunday
"""
_COMMON = frozenset(_COMMON_WORDS.split())


def _lexicon(groups: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, str], re.Pattern[str]]:
    spellings = {spelling: concept for concept, group in groups.items() for spelling in group}
    longest_first = sorted(spellings, key=len, reverse=True)
    return spellings, re.compile(r"\b(" + "|".join(map(re.escape, longest_first)) + r")\b")


_SPELLINGS, _MECHANISM = _lexicon(MECHANISMS)
_MEETING_KINDS, _MEETING = _lexicon(MEETINGS)
_PLACE_NAMES, _PLACE = _lexicon(PLACES)
_NUMBER = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?")
_WORD = re.compile(r"\b[^\W\d_][\w'’-]+")


def features(title: str, body: str) -> frozenset[str]:
    """Numbers, names and mechanism terms of a release, and the meetings and places its lead
    names: language-neutral where possible."""
    text = f"{title}\n{body}"
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 2:
            found.add(f"#{digits}")
    for match in _WORD.finditer(text):
        if not match.group()[0].isupper():
            continue
        word = fold(match.group()).strip("'-")
        if len(word) >= 3 and word not in _COMMON and not word.isdigit():
            found.add(f"@{word}")
    found.update(f"*{_SPELLINGS[m.group(1)]}" for m in _MECHANISM.finditer(fold(text)))
    lead = fold(f"{title}\n{body[:LEAD_CHARS]}").replace("'", "")
    found.update(f"meeting:{_MEETING_KINDS[m.group(1)]}" for m in _MEETING.finditer(lead))
    found.update(f"place:{_PLACE_NAMES[m.group(1)]}" for m in _PLACE.finditer(lead))
    found.add(FEATURES_VERSION)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class _Candidate:
    id: str
    when: datetime
    source: str
    language: str
    features: frozenset[str]
    meetings: frozenset[str]  # the kinds of meeting its lead names
    places: frozenset[str]  # the places its lead names


def _when(stored: StoredRelease) -> datetime | None:
    stamp = stored.release.published or stored.first_seen
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


FeatureCache = dict[tuple[str, int, int], frozenset[str]]
FeaturesOf = Callable[[StoredRelease], frozenset[str]]


def cached_features(cache: FeatureCache) -> FeaturesOf:
    """Features from a full record's title and text, kept in `cache` between calls."""

    def features_of(stored: StoredRelease) -> frozenset[str]:
        release = stored.release
        body = body_of(release)
        key = (release.id, hash(release.title), hash(body))  # str hashes are cached: cheap
        feats = cache.get(key)
        if feats is None:
            feats = cache[key] = features(release.title, body)
        return feats

    return features_of


def _candidates(releases: Iterable[StoredRelease], features_of: FeaturesOf) -> list[_Candidate]:
    found = []
    for stored in releases:
        when = _when(stored)
        if not stored.summit or when is None:
            continue
        release = stored.release
        feats = features_of(stored) - {FEATURES_VERSION}
        meetings, places = _kinds(feats, "meeting:"), _kinds(feats, "place:")
        if len(feats) >= MIN_SHARED or (meetings and places):
            found.append(
                _Candidate(
                    stored.id, when, release.source, release.language, feats, meetings, places
                )
            )
    found.sort(key=lambda c: (c.when, c.id))
    return found


def _kinds(feats: frozenset[str], prefix: str) -> frozenset[str]:
    return frozenset(f for f in feats if f.startswith(prefix))


def _same_meeting(a: _Candidate, b: _Candidate) -> bool:
    """Both leads name a meeting of one kind in one place. A lead without a place is not
    enough: releases that only say "the summit" would chain day after day into one event."""
    return bool(a.meetings & b.meetings and a.places & b.places)


def _similar(a: _Candidate, b: _Candidate, weight: Mapping[str, float]) -> bool:
    if a.source == b.source and a.language == b.language:
        return False  # one publisher's two releases in one language are two statements
    if _same_meeting(a, b):
        return True
    shared = a.features & b.features
    if len(shared) < MIN_SHARED:
        return False
    smaller = min(sum(weight[f] for f in a.features), sum(weight[f] for f in b.features))
    return sum(weight[f] for f in shared) >= THRESHOLD * smaller


def group_events(
    releases: Iterable[StoredRelease],
    window_days: int = WINDOW_DAYS,
    cache: FeatureCache | None = None,
    features_of: FeaturesOf | None = None,
) -> list[list[str]]:
    """Groups of release ids (two or more) that are the same statement; newest group first.

    Features come from `features_of` (the store passes the ones it stored, so that light
    records do); else from each release's title and text, kept in `cache` between calls.
    """
    if features_of is None:
        features_of = cached_features({} if cache is None else cache)
    cands = _candidates(releases, features_of)
    df = Counter(f for c in cands for f in c.features)
    weight = {f: math.log(1 + len(cands) / n) for f, n in df.items()}
    parent = list(range(len(cands)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    window = timedelta(days=window_days)
    for i, a in enumerate(cands):
        for j in range(i + 1, len(cands)):
            b = cands[j]
            if b.when - a.when > window:
                break
            if _similar(a, b, weight):
                parent[root(j)] = root(i)
    groups: dict[int, list[_Candidate]] = {}
    for i, cand in enumerate(cands):
        groups.setdefault(root(i), []).append(cand)
    chosen = [members for members in groups.values() if len(members) >= 2]
    chosen.sort(key=lambda members: (members[0].when, members[0].id), reverse=True)
    return [[c.id for c in members] for members in chosen]
