"""Index pages read with CSS selectors, on the real gob.mx press-archive page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from feeds.collect.page import parse_index_page, parse_page_date
from feeds.collect.parsers import parse_result
from feeds.models import FetchResult, Source
from tests.paths import SHARED

FIXTURES = SHARED / "fixtures"
GOBMX = FIXTURES / "gobmx_sep_archivo_prensa_listing_2025-11-26.html"
BASE = "https://www.gob.mx/sep/archivo/prensa?order=DESC&page=1"
SEP = Source(name="sep", url=BASE, country="MX", language="es", kind="page")


@pytest.fixture(scope="module")
def gobmx() -> bytes:
    if not GOBMX.exists():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    return GOBMX.read_bytes()


def test_default_selectors_read_every_article_of_the_real_gobmx_page(gobmx: bytes):
    outcome = parse_index_page(gobmx, SEP, BASE)
    assert outcome.error is None
    assert len(outcome.releases) == 9
    first = outcome.releases[0]
    assert first.title.startswith("Boletín 386. A través del INEA se atiende a 20 mil jóvenes")
    assert first.link == (
        "https://www.gob.mx/sep/prensa/boletin-386-a-traves-del-inea-se-atiende-a-20-mil-jovenes"
        "-adultos-indigenas-y-personas-con-discapacidad-en-rezago-educativo-secretario?idiom=es"
    )
    # 18:21 in Mexico City (UTC-6) is 00:21 UTC the next day.
    assert first.published == "2025-11-26T00:21:00+00:00"
    assert (first.source, first.country, first.language) == ("sep", "MX", "es")
    # The label is the release's type; the page gives no summary, so there is none.
    assert (first.release_type, first.summary) == ("Comunicado", "")
    assert outcome.releases[-1].title.startswith("Boletín 378. SaberesMX")


def test_page_items_are_identified_by_their_link(gobmx: bytes):
    first = parse_index_page(gobmx, SEP, BASE).releases
    renamed = Source(name="sep-en", url=BASE, country="MX", kind="page")
    again = parse_index_page(gobmx, renamed, BASE).releases
    assert [r.id for r in first] == [r.id for r in again]
    assert len({r.id for r in first}) == 9


def test_a_release_keeps_its_id_when_gobmx_changes_the_idiom_of_its_link(gobmx: bytes):
    # The 2025 listing links with `?idiom=es`; since 2026 the links carry `?idiom=es-MX`.
    before = parse_index_page(gobmx, SEP, BASE).releases
    now = parse_index_page(gobmx.replace(b"?idiom=es", b"?idiom=es-MX"), SEP, BASE).releases
    assert now[0].link.endswith("?idiom=es-MX")
    assert [r.id for r in now] == [r.id for r in before]


def test_parse_result_dispatches_page_sources(gobmx: bytes):
    result = FetchResult(source=SEP, status=200, body=gobmx, final_url=BASE)
    assert len(parse_result(result).releases) == 9


DEMO_STYLE = """<html><head><meta charset="windows-1252"></head><body>
<article><p><time datetime="2026-01-12T10:00:00-06:00">12 de enero</time>
<span class="tag-presses">Prensa</span></p><h2>Cumbre de Líderes de América del Norte</h2>
<p>Los tres países acuerdan <b>cooperación</b>.</p><a href="/presidencia/prensa/cumbre">Leer</a>
</article>
<article><h2>\x1b]0;pwned\x07Sin fecha\u202e</h2><a href="javascript:alert(1)">x</a></article>
<article><h2>Sin enlace</h2></article>
<div class="noise"><a href="/elsewhere">not an item</a></div>
</body></html>"""


def test_summary_paragraph_is_read_and_the_date_paragraph_skipped():
    outcome = parse_index_page(DEMO_STYLE.encode("utf-8"), SEP, BASE)
    first = outcome.releases[0]
    assert first.title == "Cumbre de Líderes de América del Norte"
    assert first.summary == "Los tres países acuerdan cooperación."
    assert first.text == "Los tres países acuerdan cooperación."
    assert first.published == "2026-01-12T16:00:00+00:00"
    assert first.link == "https://www.gob.mx/presidencia/prensa/cumbre"


def test_hostile_titles_and_links_on_a_page_are_neutralised():
    titles = {r.title: r.link for r in parse_index_page(DEMO_STYLE.encode(), SEP, BASE).releases}
    assert titles["Sin fecha"] == ""
    assert "Sin enlace" in titles


def test_declared_charset_is_used_when_the_page_is_not_utf8():
    body = DEMO_STYLE.replace("\u202e", "").encode("cp1252", "ignore")
    titles = [r.title for r in parse_index_page(body, SEP, BASE).releases]
    assert "Cumbre de Líderes de América del Norte" in titles


def test_custom_selectors_are_used():
    page = b"""<ul class="news"><li><a class="t" href="/n/1">Joint Statement</a>
    <span class="d">November 25, 2025</span><em>Statement</em></li></ul>"""
    source = Source(
        name="pm",
        url="https://pm.gc.ca/en/news",
        country="CA",
        kind="page",
        selectors={"item": "ul.news li", "title": "a.t", "link": "a.t", "date": ".d", "type": "em"},
    )
    [release] = parse_index_page(page, source, source.url).releases
    assert (release.title, release.link) == ("Joint Statement", "https://pm.gc.ca/n/1")
    assert release.published == "2025-11-25T05:00:00+00:00"  # midnight in Toronto
    assert (release.release_type, release.summary) == ("Statement", "")


def test_bad_selector_and_no_match_are_plain_errors():
    broken = Source(name="b", url=BASE, country="MX", kind="page", selectors={"item": "li[["})
    assert parse_index_page(b"<p>x</p>", broken, BASE).error.startswith("bad CSS selector")
    outcome = parse_index_page(b"<html><body>Challenge Validation</body></html>", SEP, BASE)
    assert outcome.releases == []
    assert outcome.error == "no items matched the selector 'article'"


UTC6 = ZoneInfo("America/Mexico_City")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-25 18:21:00", datetime(2025, 11, 25, 18, 21, tzinfo=UTC6)),
        ("25 de noviembre de 2025 Fecha de publicación", datetime(2025, 11, 25, tzinfo=UTC6)),
        ("1 de septiembre de 2025, 09:30", datetime(2025, 9, 1, 9, 30, tzinfo=UTC6)),
        ("November 25, 2025", datetime(2025, 11, 25, tzinfo=UTC6)),
        ("Nov. 3, 2025", datetime(2025, 11, 3, tzinfo=UTC6)),
        ("le 25 février 2025 à 14 h 30", datetime(2025, 2, 25, 14, 30, tzinfo=UTC6)),
        ("1er août 2025", datetime(2025, 8, 1, tzinfo=UTC6)),
        ("2025-11-25T18:21:00Z", datetime.fromisoformat("2025-11-25T18:21:00+00:00")),
    ],
)
def test_page_dates_in_three_languages(text: str, expected: datetime):
    assert parse_page_date(text, UTC6) == expected


@pytest.mark.parametrize("text", ["", "soon", "noviembre de 2025", "31 de febrero de 2025"])
def test_unreadable_page_dates_are_none(text: str):
    assert parse_page_date(text, UTC6) is None


def test_every_source_kind_has_a_parser_that_the_config_accepts(tmp_path):
    from feeds.collect.parsers import PARSERS, parser_for
    from feeds.collect.sources import ConfigError, load_config

    assert {"feed", "page"} <= set(PARSERS)
    assert all(callable(parser_for(kind)) for kind in PARSERS)
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\nname = "x"\nurl = "https://x.gov/"\ncountry = "US"\nkind = "json"\n'
    )
    with pytest.raises(ConfigError, match=r'line 5: `kind` must be "feed" or "page"'):
        load_config(config)
