"""The summit decision, one rule per test, on short texts written for the test."""

import pytest

from feeds.judge.classify import Classifier


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def test_summit_outcome_document_is_a_summit_item(classifier: Classifier) -> None:
    result = classifier.classify(
        "Joint Statement of the North American Leaders’ Summit",
        "The leaders of Canada, Mexico and the United States met today in Ottawa.",
    )
    assert result.summit
    assert result.evidence["summit"].matches


def test_mechanism_named_in_spanish_is_a_summit_item(classifier: Classifier) -> None:
    result = classifier.classify(
        "Séptima reunión del Diálogo de América del Norte sobre Drogas",
        "Funcionarios de México, Canadá y Estados Unidos se reunieron para revisar avances.",
    )
    assert result.summit


def test_three_countries_in_a_french_joint_statement_make_a_trilateral_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Déclaration sur la coopération en matière d'eau",
        "Déclaration commune du Canada, du Mexique et des États-Unis. Les trois pays ont convenu "
        "de créer un groupe de travail trilatéral.",
    )
    assert result.summit


def test_bilateral_readout_that_mentions_a_past_summit_is_not_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Readout of the President’s Call with Prime Minister Trudeau of Canada",
        "President Biden spoke with Prime Minister Trudeau about softwood lumber. The leaders "
        "recalled the progress made since the last North American Leaders' Summit.",
    )
    assert not result.summit


def test_bilateral_meeting_on_the_margins_of_the_summit_is_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Prime Minister Trudeau meets with President Sheinbaum of Mexico",
        "Prime Minister Trudeau met with President Sheinbaum on the margins of the North "
        "American Leaders' Summit. They discussed trade and energy.",
    )
    assert result.summit


def test_summit_of_the_americas_is_negative_context(classifier: Classifier) -> None:
    result = classifier.classify(
        "Leaders meet at the Summit of the Americas",
        "Canada, Mexico and the United States joined thirty countries at the Summit of the "
        "Americas in Lima to discuss regional trade.",
    )
    assert not result.summit


def test_trilateral_with_other_countries_is_not_a_summit_item(classifier: Classifier) -> None:
    result = classifier.classify(
        "Trilateral statement of the United States, Japan and Korea",
        "The three leaders reaffirmed their trilateral partnership in the Indo-Pacific.",
    )
    assert not result.summit


def test_one_countrys_tariffs_on_the_other_two_are_not_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "President imposes tariffs on imports from Canada and Mexico",
        "The United States will apply a 25% tariff on goods from Canada and Mexico.",
    )
    assert not result.summit


def test_summit_evidence_offsets_point_into_title_and_text(classifier: Classifier) -> None:
    title = "Cumbre de Líderes de América del Norte"
    text = "Los líderes de México, Canadá y Estados Unidos se reunieron en la CLAN."
    result = classifier.classify(title, text)
    for match in result.evidence["summit"].matches:
        source = title if match.field == "title" else text
        assert source[match.start : match.end]
    assert any(m.field == "title" for m in result.evidence["summit"].matches)
    assert result.evidence["summit"].sentence
