"""Context decides a pillar: a term counts only in a sentence about its pillar.

Each test names a general pattern from issue 15 and uses text written for it.
"""

import pytest

from feeds.judge.classify import Classifier


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def test_supply_chains_secured_against_drug_trafficking_are_security(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Statement",
        "The three countries will secure supply chains against drug trafficking and the "
        "diversion of precursor chemicals.",
    )
    assert result.pillars == ("security",)


def _against_terms(classifier: Classifier, pillar: str, text: str) -> list[str]:
    result = classifier.classify("Statement", text)
    evidence = result.evidence.get(pillar)
    return [text[m.start : m.end] for m in evidence.against] if evidence else []


@pytest.mark.parametrize(
    ("pillar", "term", "text"),
    [
        (
            "competitiveness",
            "supply chains",
            "The three countries will secure supply chains against drug trafficking and the "
            "diversion of precursor chemicals.",
        ),
        (
            "security",
            "border",
            "The leaders agreed to expand trade and investment and to cut waiting times for "
            "trucks at the border.",
        ),
        (
            "competitiveness",
            "cadenas de suministro",
            "Las autoridades protegerán las cadenas de suministro contra el tráfico de "
            "fentanilo y de armas.",
        ),
    ],
)
def test_a_term_in_another_pillars_context_is_kept_as_evidence_against_its_pillar(
    classifier: Classifier, pillar: str, term: str, text: str
) -> None:
    result = classifier.classify("Statement", text)
    assert pillar not in result.pillars
    assert term in _against_terms(classifier, pillar, text)
    assert not result.evidence[pillar].matches


def test_a_context_term_that_counts_is_not_evidence_against(classifier: Classifier) -> None:
    text = "Officials will map the region's supply chains."
    assert classifier.classify("Statement", text).pillars == ("competitiveness",)
    assert _against_terms(classifier, "competitiveness", text) == []


def test_supply_chains_on_their_own_are_competitiveness(classifier: Classifier) -> None:
    result = classifier.classify("Statement", "Officials will map the region's supply chains.")
    assert result.pillars == ("competitiveness",)


@pytest.mark.parametrize(
    "text",
    [
        "The ministers reviewed energy security and cleaner electricity grids.",
        "Les ministres ont examiné la sécurité énergétique et les réseaux électriques.",
        "Los ministros revisaron la seguridad energética y la confiabilidad de las redes.",
    ],
)
def test_energy_security_is_not_the_security_pillar_and_is_kept_against_it(
    classifier: Classifier, text: str
) -> None:
    result = classifier.classify("Statement", text)
    assert "security" not in result.pillars
    assert result.evidence["security"].against
    assert not result.evidence["security"].matches


def test_border_in_a_trade_sentence_is_not_security(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement",
        "The leaders agreed to expand trade and investment and to cut waiting times for "
        "trucks at the border.",
    )
    assert "competitiveness" in result.pillars
    assert "security" not in result.pillars


def test_pillars_named_in_a_thank_you_do_not_count(classifier: Classifier) -> None:
    result = classifier.classify(
        "Remarks",
        "I want to thank the Prime Minister for her leadership on trade, climate change and "
        "security.",
    )
    assert result.pillars == ()


def test_each_pillar_of_an_agenda_counts(classifier: Classifier) -> None:
    result = classifier.classify(
        "Comunicado",
        "Los temas principales de la reunión serán la competitividad, la salud y la seguridad.",
    )
    assert set(result.pillars) == {"competitiveness", "health", "security"}


def test_an_agenda_split_by_semicolons_is_one_list(classifier: Classifier) -> None:
    result = classifier.classify(
        "Programme",
        "The themes of the meeting will be the following: diversity, equity and inclusion;\n"
        "climate change;\npublic health and security.",
    )
    assert set(result.pillars) == {"dei", "climate", "health", "security"}


def test_one_value_word_after_discussed_is_not_an_agenda(classifier: Classifier) -> None:
    result = classifier.classify("Readout", "They discussed how to deliver security for all.")
    assert result.pillars == ()


@pytest.mark.parametrize(
    "title",
    [
        "Leaders discuss trade, H1N1 flu and climate change",
        "Leaders talk trade, H1N1 flu, climate change",
    ],
)
def test_a_headline_naming_pillars_asserts_them(classifier: Classifier, title: str) -> None:
    result = classifier.classify(title, "")
    assert set(result.pillars) == {"competitiveness", "health", "climate"}


def test_a_headline_naming_one_value_word_asserts_nothing(classifier: Classifier) -> None:
    result = classifier.classify("Security and Prosperity Partnership report released", "")
    assert result.pillars == ()


@pytest.mark.parametrize(
    "text",
    [
        "The three countries will prepare for pandemics by sharing disease surveillance data.",
        "Canada will expand overdose prevention services in every province.",
        "Les trois pays renforceront leur préparation aux pandémies.",
        "The ministers will work with the World Health Organization to contain the epidemic.",
    ],
)
def test_pandemic_preparedness_and_overdose_prevention_are_health(
    classifier: Classifier, text: str
) -> None:
    assert "health" in classifier.classify("Statement", text).pillars


@pytest.mark.parametrize(
    "text",
    [
        "The leaders agreed to deepen trade ties in support of economic growth.",
        "Ministers reviewed the prosperity agenda of the Security and Prosperity Partnership.",
        "Los líderes acordaron fortalecer los lazos comerciales de la región.",
        "The leaders reaffirmed their commitment to deepening North American integration.",
        "Les dirigeants veulent approfondir l'intégration nord-américaine.",
    ],
)
def test_trade_ties_and_the_prosperity_agenda_are_competitiveness(
    classifier: Classifier, text: str
) -> None:
    assert "competitiveness" in classifier.classify("Statement", text).pillars


def test_migratory_birds_are_not_migration(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement", "The ministers agreed to protect migratory birds and their wetlands."
    )
    assert "migration" not in result.pillars
    assert result.evidence["migration"].against


def test_crime_in_a_sentence_about_indigenous_women_is_not_security(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Statement",
        "The working group will address gender-based violence and crime against Indigenous "
        "women and girls.",
    )
    assert result.pillars == ("dei",)


@pytest.mark.parametrize(
    "text",
    [
        "The ministers discussed the fight against terrorism and agreed to share information.",
        "Les ministres ont discuté de la lutte contre la traite de personnes.",
    ],
)
def test_terrorism_and_trafficking_in_persons_are_security(
    classifier: Classifier, text: str
) -> None:
    assert classifier.classify("Statement", text).pillars == ("security",)


@pytest.mark.parametrize(
    "title",
    [
        "Leaders discuss migration, fentanyl and clean energy",
        "Los líderes abordan la migración, el fentanilo y las energías renovables",
        "Les dirigeants discutent de migration, de fentanyl et de transition énergétique",
    ],
)
def test_the_energy_of_clean_energy_is_not_the_energy_markets(
    classifier: Classifier, title: str
) -> None:
    """A headline agenda counts each item; "energy" inside the climate pillar's kinds of
    energy is climate's, not competitiveness's energy markets."""
    result = classifier.classify(title, "The leaders met today.")
    assert set(result.pillars) == {"climate", "migration", "security"}
    assert result.evidence["competitiveness"].against


@pytest.mark.parametrize(
    "text",
    [
        "The ministers agreed to build transmission lines that carry clean electricity "
        "across the continent.",
        "Los ministros acordaron construir líneas de transmisión para llevar electricidad "
        "limpia a todo el continente.",
        "Les ministres ont convenu de construire des lignes de transport d'électricité "
        "propre à travers le continent.",
    ],
)
def test_clean_electricity_is_climate(classifier: Classifier, text: str) -> None:
    assert classifier.classify("Statement", text).pillars == ("climate",)
