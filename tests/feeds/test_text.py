"""The shared text helpers: one fold, one canonical URL, one body of a release."""

from __future__ import annotations

from feeds.text import body_of, canonical_url, fold
from tests.state.factories import make_release


def test_fold_compares_spellings_across_case_accents_and_apostrophes() -> None:
    assert fold("México") == fold("MEXICO") == "mexico"
    assert fold("l’Amérique du Nord") == "l'amerique du nord"
    assert fold("Sécurité énergétique") == "securite energetique"


def test_fold_keeps_ascii_text_as_lower_case() -> None:
    assert fold("North American Leaders' Summit") == "north american leaders' summit"


def test_canonical_url_keeps_meaningful_query_and_drops_tracking() -> None:
    url = "HTTP://www.Gob.mx/sep/prensa/x?id=7&utm_medium=rss#top"
    assert canonical_url(url) == "gob.mx/sep/prensa/x?id=7"


def test_body_is_the_text_else_the_summary() -> None:
    with_text = make_release("t", text="Full text.", summary="Teaser.")
    assert body_of(with_text) == "Full text."
    assert body_of(make_release("t", text="", summary="Teaser.")) == "Teaser."


def test_gobmx_links_are_one_release_whatever_their_idiom() -> None:
    # Detail links of gob.mx carry `?idiom=es-MX` since 2026, `?idiom=es` before.
    base = "https://www.gob.mx/presidencia/prensa/comunicado-1"
    spellings = {canonical_url(base + q) for q in ("", "?idiom=es-MX", "?idiom=es", "?IDIOM=en")}
    assert spellings == {"gob.mx/presidencia/prensa/comunicado-1"}
    paged = canonical_url(base + "?idiom=es&page=2")
    assert paged == "gob.mx/presidencia/prensa/comunicado-1?page=2"


def test_idiom_means_something_elsewhere_and_is_kept() -> None:
    assert canonical_url("https://example.org/dict?idiom=es") == "example.org/dict?idiom=es"
