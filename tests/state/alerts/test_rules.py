"""Which releases alert a target: summit ones by default, or what its rule names."""

from __future__ import annotations

import pytest

from feeds import AlertRule, AlertTarget
from state.alerts.rules import UnknownFilter, describe_rule, matches, pick
from state.filters import ViewFilter
from state.records import StoredRelease, TriageState
from tests.state.factories import make_classification, make_release


def stored(
    seed: str, *, summit: bool = True, pillars: tuple[str, ...] = ("security",), **release: str
) -> StoredRelease:
    return StoredRelease(
        release=make_release(seed, **release),
        classification=make_classification(summit=summit, pillars=pillars),
        first_seen="2026-12-01T09:00:00+00:00",
    )


SUMMIT_MX = stored("a", country="MX", title="Cumbre de Líderes: seguridad y fentanilo")
SUMMIT_CA = stored("b", country="CA", pillars=("climate",), title="Leaders agree on methane")
OTHER_US = stored("c", summit=False, country="US", title="Fentanyl seizures at the border")
ALL = [SUMMIT_MX, SUMMIT_CA, OTHER_US]
SAVED = {
    "Mexico security": ViewFilter(("country:MX", "pillar:security")),
    "fentanyl anywhere": ViewFilter((), "fentanilo"),
    "starred": ViewFilter(("starred",)),
}


def ids(rule: AlertRule) -> list[str]:
    return [r.release.title.split()[0] for r in pick(AlertTarget("json://h/x", rule), ALL, SAVED)]


def test_the_default_rule_picks_summit_releases() -> None:
    assert ids(AlertRule()) == ["Cumbre", "Leaders"]


def test_pillars_countries_and_search_narrow_and_summit_only_can_be_lifted() -> None:
    assert ids(AlertRule(pillars=("climate",))) == ["Leaders"]
    assert ids(AlertRule(countries=("MX", "US"))) == ["Cumbre"]
    assert ids(AlertRule(summit_only=False, countries=("MX", "US"))) == ["Cumbre", "Fentanyl"]
    # Search folds case and accents, as the dashboard's does.
    assert ids(AlertRule(summit_only=False, search="FENTANYL")) == ["Fentanyl"]
    assert ids(AlertRule(search="lideres")) == ["Cumbre"]


def test_a_saved_filter_is_applied_by_name_with_the_dashboards_meaning() -> None:
    assert ids(AlertRule(filter="Mexico security")) == ["Cumbre"]
    assert ids(AlertRule(summit_only=False, filter="fentanyl anywhere")) == ["Cumbre"]
    assert ids(AlertRule(filter="starred")) == []
    starred = SUMMIT_CA.with_changes(starred=True, triage=TriageState.RELEVANT)
    assert matches(AlertRule(filter="starred"), starred, SAVED)


def test_a_rule_naming_a_filter_that_is_gone_says_so() -> None:
    with pytest.raises(UnknownFilter, match="no saved filter is named 'gone'"):
        matches(AlertRule(filter="gone"), SUMMIT_MX, SAVED)


def test_a_rule_reads_in_a_few_words() -> None:
    rule = AlertRule(summit_only=False, filter="x", pillars=("security",), countries=("MX",))
    assert describe_rule(rule) == "any release, filter 'x', pillars security, countries MX"
    assert describe_rule(AlertRule()) == "summit releases"
