"""Rules that ignore or mark releases: matching, the config that declares them and its errors,
and the default config's rule on the Prime Minister's real feed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feeds.collect.parsers import parse_result
from feeds.collect.rules import apply_rules, waits_for_text
from feeds.collect.sources import ConfigError, default_config, load_config
from feeds.models import FetchResult, Release, Rule, Source
from tests.paths import SHARED

PMO = SHARED / "fixtures" / "real" / "pmo_en_news_rss_2026-10-07.xml"


def release(title: str, text: str = "", n: int = 0) -> Release:
    return Release(
        id=f"r{n}", source="s", country="CA", language="en", title=title, link="", published="",
        text=text,
    )  # fmt: skip


def test_an_ignore_rule_leaves_out_what_it_matches_and_names_it() -> None:
    rule = Rule(action="ignore", title=re.compile(r"^Itinerary"))
    sorted_ = apply_rules([rule], [release("Itinerary", n=1), release("Summit statement", n=2)])
    assert [r.title for r in sorted_.kept] == ["Summit statement"]
    assert [r.title for r in sorted_.ignored] == ["Itinerary"]


def test_a_rule_with_title_and_text_wants_both() -> None:
    rule = Rule(action="ignore", title=re.compile("Summit"), text=re.compile("(?i)fentanyl"))
    both = release("Summit", "Fentanyl trafficking", 1)
    title_only = release("Summit", "Trade", 2)
    assert apply_rules([rule], [both, title_only]).ignored == (both,)


def test_a_text_rule_reads_the_summary_when_there_is_no_text() -> None:
    rule = Rule(action="mark", text=re.compile("USMCA"), mark="star")
    summary_only = Release("r1", "s", "US", "en", "Trade", "", "", summary="On USMCA review")
    assert apply_rules([rule], [summary_only]).marks == {"r1": ("star",)}


def test_only_a_text_rule_whose_title_part_matches_waits_for_the_text() -> None:
    by_title = Rule(action="ignore", title=re.compile("^Itinerary"))
    by_text = Rule(action="ignore", text=re.compile("schedule"))
    both = Rule(action="mark", title=re.compile("Summit"), text=re.compile("fentanyl"), mark="star")
    assert not waits_for_text([by_title], release("Itinerary"))
    assert waits_for_text([by_title, by_text], release("Anything"))
    assert waits_for_text([both], release("Summit statement"))
    assert not waits_for_text([both], release("Trade statement"))  # decided: the title says no


def test_mark_rules_add_every_mark_that_matches_once() -> None:
    rules = [
        Rule(action="mark", title=re.compile("Summit"), mark="star"),
        Rule(action="mark", text=re.compile("fentanyl"), mark="follow-up"),
        Rule(action="mark", title=re.compile("Leaders"), mark="star"),
    ]
    sorted_ = apply_rules(rules, [release("Leaders' Summit", "on fentanyl", 1), release("x", n=2)])
    assert sorted_.marks == {"r1": ("star", "follow-up")}
    assert len(sorted_.kept) == 2


def test_no_rules_keep_everything() -> None:
    releases = [release("a", n=1), release("b", n=2)]
    assert apply_rules([], releases).kept == tuple(releases)


def test_the_default_rule_ignores_exactly_the_pmo_itineraries() -> None:
    if not PMO.exists():
        pytest.skip(f"real samples not found at {PMO.parent}")
    source = next(s for s in default_config().sources if s.name.startswith("Prime Minister"))
    parsed = parse_result(FetchResult(source=source, status=200, body=PMO.read_bytes()))
    sorted_ = apply_rules(source.rules, parsed.releases)
    assert [r.title for r in sorted_.ignored] == [
        "Thursday, October 8, 2026",
        "Wednesday, October 7, 2026",
        "Tuesday, October 6, 2026",
        "Monday, October 5, 2026",
        "Thursday, October 1, 2026",
    ]
    assert len(sorted_.kept) == 5
    assert all(r.link.startswith("https://www.pm.gc.ca/en/news/") for r in sorted_.kept)


@pytest.mark.parametrize(
    ("title", "ignored"),
    [
        ("Jeudi 8 octobre 2026", True),
        ("Mardi, le 1er décembre 2026", True),
        ("jueves 8 de octubre de 2026", True),
        ("October 8, 2026", True),
        ("Statement by the Prime Minister on October 7, 2026", False),
        ("Thursday, October 8, 2026: the Prime Minister's itinerary in Ottawa", False),
        ("Le premier ministre se rendra à Ottawa le 8 octobre 2026", False),
    ],
)
def test_the_default_rule_knows_a_date_title_in_three_languages(title: str, ignored: bool) -> None:
    rules = default_config().sources[0].rules
    assert bool(apply_rules(rules, [release(title)]).ignored) is ignored


# Line 1 is empty, the source's table starts on line 2 and its rule on line 6.
SOURCE = """
[[sources]]
name = "PMO"
url = "https://pm.gc.ca/en/news.rss"
country = "CA"
"""


def _load(tmp_path: Path, text: str) -> list[Source]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return list(load_config(path).sources)


def test_global_rules_follow_each_source_own_rules(tmp_path: Path) -> None:
    text = (
        '[[rules]]\naction = "ignore"\ntitle = "^Itinerary"\n'
        + SOURCE
        + '[[sources.rules]]\naction = "mark"\nmark = "star"\ntext = "(?i)summit"\n'
        + SOURCE.replace('"PMO"', '"PMO 2"')
    )
    first, second = _load(tmp_path, text)
    assert [(r.action, r.mark) for r in first.rules] == [("mark", "star"), ("ignore", "")]
    assert [r.action for r in second.rules] == ["ignore"]


@pytest.mark.parametrize(
    ("rule", "line", "message"),
    [
        ('action = "hide"\ntitle = "x"', 7, 'a rule\'s `action` must be "ignore" or "mark"'),
        ('title = "x"', 6, 'a rule\'s `action` must be "ignore" or "mark"'),
        ('action = "ignore"', 6, "a rule needs `title` or `text`"),
        ('action = "ignore"\ntitle = "(unclosed"', 8, "`title` is not a regular expression"),
        ('action = "ignore"\ntext = 3', 8, "`text` must be a regular expression in a string"),
        ('action = "mark"\ntitle = "x"\nmark = "pin"', 9, '`mark` must be one of "read", "star"'),
        ('action = "mark"\ntitle = "x"', 6, "a mark rule's `mark` must be one of"),
        ('action = "ignore"\ntitle = "x"\nmark = "star"', 9, '`mark` goes with action = "mark"'),
        ('action = "ignore"\ntitle = "x"\ncolour = "red"', 9, "unknown setting 'colour' in a rule"),
    ],
)
def test_a_bad_source_rule_names_the_file_its_line_and_what_is_allowed(
    tmp_path: Path, rule: str, line: int, message: str
) -> None:
    text = SOURCE + "[[sources.rules]]\n" + rule + "\n"
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        _load(tmp_path, text)
    assert err.value.line == line
    assert str(tmp_path / "config.toml") in str(err.value)
    assert "[[sources.rules]]" in str(err.value)


def test_a_bad_rule_of_a_later_source_points_at_that_source_rule(tmp_path: Path) -> None:
    good = '[[sources.rules]]\naction = "ignore"\ntitle = "a"\n'
    bad = '[[sources.rules]]\naction = "ignore"\ntitle = "["\n'
    text = SOURCE + good + SOURCE.replace('"PMO"', '"B"') + good + bad
    with pytest.raises(ConfigError, match="not a regular expression") as err:
        _load(tmp_path, text)
    assert err.value.line == text.splitlines().index('title = "["') + 1


def test_a_bad_global_rule_names_its_line(tmp_path: Path) -> None:
    text = '[[rules]]\naction = "ignore"\ntitle = "ok"\n\n[[rules]]\naction = "drop"\ntitle = "x"\n'
    with pytest.raises(ConfigError, match=r"\[\[rules\]\]: a rule's `action`") as err:
        _load(tmp_path, text + SOURCE)
    assert err.value.line == 6


def test_rules_that_are_not_tables_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rules must be"):
        _load(tmp_path, 'rules = "ignore everything"\n' + SOURCE)
