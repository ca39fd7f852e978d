"""Language detection on titles and texts."""

import pytest

from feeds.judge.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Statement by the Prime Minister on the summit", "en"),
        ("Declaración conjunta de los líderes de América del Norte", "es"),
        ("Déclaration du premier ministre sur le sommet des leaders", "fr"),
        ("Los tres países acordaron trabajar juntos en la frontera.", "es"),
        ("Les trois pays ont convenu de travailler ensemble.", "fr"),
    ],
)
def test_detects_language_of_short_titles_and_sentences(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_mixed_transcript_follows_the_majority_language() -> None:
    text = "Muy buenas noches. Good evening, everyone, and welcome to the signing."
    assert detect_language(text) == "en"


def test_text_without_stopwords_falls_back_to_default() -> None:
    assert detect_language("NALS 2023", default="es") == "es"
