"""Pillar decisions and the classifier facade, on short texts written for the test."""

from pathlib import Path

import pytest

from feeds.judge.classify import Classifier
from feeds.judge.taxonomy import TaxonomyError


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def test_generic_value_words_do_not_assert_pillars(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement", "Our countries share a commitment to prosperity, inclusiveness and security."
    )
    assert result.pillars == ()


def test_a_full_sentence_commitment_asserts_its_pillar(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement",
        "The three countries will disrupt fentanyl trafficking and dismantle criminal networks.",
    )
    assert result.pillars == ("security",)


def test_a_heading_asserts_its_pillar(classifier: Classifier) -> None:
    text = "Preamble of the declaration.\n\nMigration and Development\n\nThe work continues."
    assert "migration" in classifier.classify("Declaration", text).pillars


def test_an_enumerated_agenda_asserts_each_item(classifier: Classifier) -> None:
    text = "The leaders set six pillars: 1) competitiveness; 2) health; 3) migration."
    pillars = classifier.classify("Declaration", text).pillars
    assert {"competitiveness", "health", "migration"} <= set(pillars)


def test_a_passing_mention_inside_another_topic_does_not_assert(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement",
        "Officials reviewed how drug traffickers and cartels exploit the commercial supply chain "
        "to move illicit drugs across the border.",
    )
    assert result.pillars == ("security",)


def test_pillar_terms_match_in_spanish_and_french(classifier: Classifier) -> None:
    es = classifier.classify("Comunicado", "Los países reducirán las emisiones de metano.")
    fr = classifier.classify("Communiqué", "Les pays protégeront les réfugiés et les migrants.")
    assert es.pillars == ("climate",)
    assert fr.pillars == ("migration",)


def test_evidence_is_given_for_every_asserted_pillar(classifier: Classifier) -> None:
    title = "Joint statement on vaccines"
    text = "The three governments will share vaccines to end the pandemic."
    result = classifier.classify(title, text)
    assert "health" in result.pillars
    evidence = result.evidence["health"]
    assert evidence.sentence.startswith("The three governments")
    assert {text[m.start : m.end] for m in evidence.matches if m.field == "text"} >= {"vaccines"}
    assert result.pillar_scores["health"] >= 0.5 > result.pillar_scores["dei"]


def test_given_language_is_kept_and_missing_language_is_detected(classifier: Classifier) -> None:
    assert classifier.classify("Title", "Texte", language="fr").language == "fr"
    assert classifier.classify("Déclaration", "Les trois pays sont d'accord.").language == "fr"


def test_load_reports_a_broken_user_taxonomy(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[pillars\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"bad\.toml"):
        Classifier.load(path)
