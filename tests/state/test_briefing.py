"""The Markdown briefing: each release once, its filter and dates said, nothing overwritten."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from feeds import Pillar, PillarSet, load_taxonomy
from state.briefing import Briefing, counted, strongest_pillar, to_markdown, write_briefing
from state.records import Correction, StoredRelease, TriageState
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set
STAMP = "2023-01-12T09:30:00+00:00"


def stored(
    seed: str,
    *,
    country: str = "CA",
    pillars: tuple[str, ...] = ("climate",),
    scores: dict[str, float] | None = None,
    published: str = "2023-01-10T12:00:00+00:00",
    summit: bool = True,
    **fields: object,
) -> StoredRelease:
    release = make_release(seed, country=country, published=published, title=f"Title {seed}")
    classification = make_classification(
        pillars=pillars, sentence=f"Evidence for {seed}.", summit=summit
    )
    if scores:
        classification = replace(classification, pillar_scores=scores)
    return StoredRelease(
        release, classification, first_seen="2023-01-11T00:00:00+00:00", sources=(release.source,)
    ).with_changes(**fields)


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#")]


def test_each_release_is_listed_once_under_its_strongest_pillar() -> None:
    releases = [
        stored("ca1", pillars=("climate", "security"), scores={"climate": 0.6, "security": 0.9}),
        stored("mx1", country="MX", pillars=("migration", "security")),  # a tie: taxonomy order
        stored("us1", country="US", pillars=(), published="2022-12-01T00:00:00+00:00"),
        stored("us2", country="US", correction=Correction(pillars_added=("health",))),
    ]
    text = to_markdown(releases, BUNDLED, exported_at=STAMP)
    assert headings(text) == [
        f"# Briefing: {BUNDLED.name}",
        "## Climate Change and Environment (1)",
        "### United States",
        "## Migration and Development (1)",
        "### Mexico",
        "## Security (1)",
        "### Canada",
        "## No pillar (1)",
        "### United States",
    ]
    for seed in ("ca1", "mx1", "us1", "us2"):
        assert text.count(f"[Title {seed}]") == 1
    assert "*Also:* Climate Change and Environment" in text  # ca1, filed under security
    assert "*Also:* Security" in text  # mx1, filed under migration
    assert "*Also:* Health" in text  # us2: a person added health, unscored


def test_the_head_says_how_many_the_filter_and_the_dates() -> None:
    releases = [
        stored("a", published="2023-01-10T12:00:00+00:00"),
        stored("b", published="2021-11-18T12:00:00+00:00"),
    ]
    text = to_markdown(releases, BUNDLED, Briefing(scope="security × Mexico"), STAMP)
    assert text.splitlines()[2] == (
        "2 releases · filter: security × Mexico · 2021-11-18 to 2023-01-10 · "
        "prepared 2023-01-12 09:30 UTC"
    )
    one = to_markdown(releases[:1], BUNDLED, exported_at=STAMP)
    assert one.splitlines()[2].startswith("1 release · all releases · 2023-01-10 · ")
    assert counted(0) == "0 releases" and counted(1, "target") == "1 target"


def test_not_relevant_releases_are_left_out_and_counted_unless_asked() -> None:
    releases = [stored("kept"), stored("dropped", triage=TriageState.NOT_RELEVANT)]
    text = to_markdown(releases, BUNDLED, exported_at=STAMP)
    assert "Title dropped" not in text
    assert "1 release marked not relevant left out." in text
    asked = to_markdown(releases, BUNDLED, Briefing(not_relevant=True), STAMP)
    assert "Title dropped" in asked and "left out" not in asked


def test_look_alikes_are_marked_as_not_summit_releases() -> None:
    text = to_markdown([stored("x", summit=False, starred=True)], BUNDLED, exported_at=STAMP)
    assert "(new, starred, not a summit release)" in text


def test_the_title_is_the_taxonomys_name_unless_given() -> None:
    other = PillarSet((Pillar("agua", "Agua y cuencas", "Agua", "AGU", "blue"),), name="CEC")
    releases = [stored("a", pillars=("agua",)), stored("b", pillars=("security",))]
    text = to_markdown(releases, other, exported_at=STAMP)
    assert headings(text)[0] == "# Briefing: CEC"
    assert "## security (not in the taxonomy) (1)" in text
    assert headings(to_markdown(releases, other, Briefing(title="Weekly")))[0] == "# Weekly"
    assert headings(to_markdown(releases, PillarSet(())))[0] == "# Briefing"


def test_feed_text_cannot_change_the_layout() -> None:
    release = stored("x").release
    hostile = stored("x").with_changes(
        release=replace(release, title="[click](javascript:x) *now*", link="javascript:alert(1)"),
        note="# not a heading\nsecond",
    )
    text = to_markdown([hostile], BUNDLED)
    assert "\\[click\\](javascript:x) \\*now\\*" in text
    assert "(javascript:alert" not in text
    assert "*Analyst's note:* \\# not a heading / second" in text


def test_a_briefing_never_replaces_another(tmp_path: Path) -> None:
    now = datetime(2026, 12, 3, 9, 30)
    folder = tmp_path / "new" / "briefings"
    first = write_briefing("one\n", folder, now)
    second = write_briefing("two\n", folder, now)
    third = write_briefing("three\n", folder, now)
    assert first.name == "briefing-2026-12-03-0930.md"
    assert second.name == "briefing-2026-12-03-0930-2.md"
    assert third.name == "briefing-2026-12-03-0930-3.md"
    assert [p.read_text() for p in (first, second, third)] == ["one\n", "two\n", "three\n"]


def test_strongest_pillar_of_a_release_without_pillars_is_none() -> None:
    assert strongest_pillar(stored("x", pillars=()), BUNDLED) is None
