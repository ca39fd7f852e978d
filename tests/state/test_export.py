from __future__ import annotations

import csv
import io

import pytest

from feeds import Pillar, PillarSet, load_taxonomy
from state.export import (
    ExportFilter,
    read_json_export,
    select,
    to_csv,
    to_json,
)
from state.records import Correction, StoredRelease, TriageState
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set


def stored(
    seed: str,
    *,
    country: str = "CA",
    pillars: tuple[str, ...] = ("climate",),
    published: str = "2023-01-10T12:00:00+00:00",
    **fields: object,
) -> StoredRelease:
    release = make_release(seed, country=country, published=published, title=f"Title {seed}")
    classification = make_classification(pillars=pillars, sentence=f"Evidence for {seed}.")
    return StoredRelease(
        release, classification, first_seen="2023-01-11T00:00:00+00:00", sources=(release.source,)
    ).with_changes(**fields)


@pytest.fixture
def releases() -> list[StoredRelease]:
    return [
        stored("ca1", note="Check with Ottawa.\nSecond line.", triage=TriageState.RELEVANT),
        stored("mx1", country="MX", pillars=("migration", "security"), starred=True),
        stored("us1", country="US", pillars=(), published="2022-12-01T00:00:00+00:00"),
        stored("us2", country="US", correction=Correction(pillars_added=("health",))),
    ]


def test_select_filters_by_date_pillar_country_and_state(releases: list[StoredRelease]) -> None:
    def ids(flt: ExportFilter) -> list[str]:
        return [r.id for r in select(releases, flt)]

    assert ids(ExportFilter(since="2023-01-01")) == [
        r.id for r in releases if r.id != releases[2].id
    ]
    assert ids(ExportFilter(pillars=("security",))) == [releases[1].id]
    assert ids(ExportFilter(pillars=("health",))) == [releases[3].id]  # a correction counts
    assert ids(ExportFilter(countries=("us",))) == [releases[2].id, releases[3].id]
    assert ids(ExportFilter(states=(TriageState.RELEVANT,))) == [releases[0].id]


def test_json_export_reads_back_to_the_same_releases(releases: list[StoredRelease]) -> None:
    assert read_json_export(to_json(releases, BUNDLED)) == releases


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ('{"releases": []}', "not a summitwatch export"),
        ('{"format": "summitwatch-export", "version": 99, "releases": []}', "newer"),
        ('[{"release": {"title": "no id"}}]', "release 1: has no id"),
        ('[{"nothing": 1}]', "release 1"),
    ],
)
def test_a_broken_import_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_json_export(text)


def test_csv_has_a_row_a_release_and_defuses_formulas(releases: list[StoredRelease]) -> None:
    hostile = stored("x", note='=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(to_csv([*releases, hostile], BUNDLED))))
    assert len(rows) == 5
    assert rows[1]["pillars"] == "migration;security"
    assert rows[0]["evidence"] == "Evidence for ca1."
    assert rows[4]["note"].startswith("'=")


OTHER = PillarSet(
    (
        Pillar("agua", "Agua y cuencas", "Agua", "AGU", "blue"),
        Pillar("especies", "Espèces migratrices", "Especies", "ESP", "green"),
    )
)


def test_exports_keep_pillars_the_taxonomy_lacks() -> None:
    releases = [
        stored("a", pillars=("especies", "agua")),
        stored("b", pillars=("security",)),  # classified with the bundled taxonomy
    ]
    rows = list(csv.DictReader(io.StringIO(to_csv(releases, OTHER))))
    assert [r["pillars"] for r in rows] == ["agua;especies", "security"]
    exported = to_json(releases, OTHER)
    assert '"name": "Espèces migratrices"' in exported
    assert read_json_export(exported) == releases
