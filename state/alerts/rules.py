"""Which releases alert which target: the target's rule, matched one release at a time.

The default rule is "summit releases"; a rule may name a saved filter of the dashboard,
pillars, countries and a search phrase, and every part given must match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from feeds import AlertRule, AlertTarget, PillarSet, fold
from state.filters import ViewFilter, haystack, view_matches
from state.records import StoredRelease

__all__ = ["FilterLookup", "UnknownFilter", "describe_rule", "matches", "pick"]


class FilterLookup(Protocol):
    """Saved filters by name: `SavedFilters`, or a plain dict."""

    def get(self, name: str, /) -> ViewFilter | None: ...


class UnknownFilter(LookupError):
    """A rule names a saved filter that does not exist (any more)."""


def describe_rule(rule: AlertRule, pillars: PillarSet | None = None) -> str:
    """The rule in a few words, for listings; with the taxonomy's `pillars`, a pillar it does
    not have is marked (no release classified with it carries that pillar)."""
    parts = ["summit releases" if rule.summit_only else "any release"]
    if rule.filter:
        parts.append(f"filter {rule.filter!r}")
    if rule.pillars:
        unknown = set(pillars.unknown(rule.pillars)) if pillars is not None else set()
        named = [f"{p} (not in the taxonomy)" if p in unknown else p for p in rule.pillars]
        parts.append("pillars " + ",".join(named))
    if rule.countries:
        parts.append("countries " + ",".join(rule.countries))
    if rule.search:
        parts.append(f"search {rule.search!r}")
    return ", ".join(parts)


def matches(rule: AlertRule, stored: StoredRelease, saved: FilterLookup) -> bool:
    """Whether `stored` passes every part of `rule`; UnknownFilter if its filter is gone."""
    if rule.summit_only and not stored.summit:
        return False
    if rule.pillars and not set(rule.pillars) & set(stored.pillars):
        return False
    if rule.countries and stored.release.country.upper() not in rule.countries:
        return False
    if rule.filter:
        view = saved.get(rule.filter)
        if view is None:
            raise UnknownFilter(f"no saved filter is named {rule.filter!r}")
        if not view_matches(view, stored):
            return False
    terms = fold(rule.search).split()
    if terms:
        hay = haystack(stored)
        return all(term in hay for term in terms)
    return True


def pick(
    target: AlertTarget, releases: Sequence[StoredRelease], saved: FilterLookup
) -> list[StoredRelease]:
    """The releases of `releases` that `target` wants, in their order."""
    return [r for r in releases if matches(target.rule, r, saved)]
