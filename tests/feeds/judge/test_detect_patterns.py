"""The summit decision on the kinds of release that issue 15 found missed or over-read.

Each test names a general pattern and uses text written for it (not taken from any set).
"""

import pytest

from feeds.judge.classify import Classifier


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Defence ministers meet in Ottawa",
            "The defence ministers of Canada, Mexico and the United States met today to review "
            "continental threats and search-and-rescue cooperation.",
        ),
        (
            "Déclaration ministérielle du Conseil",
            "Nous, ministres de l'Environnement du Canada, du Mexique et des États-Unis, nous "
            "sommes réunis à Halifax pour notre session annuelle.",
        ),
        (
            "Reunión de ministros de salud",
            "Los ministros de salud de México, Canadá y Estados Unidos se reunieron en Monterrey "
            "para revisar la vigilancia epidemiológica regional.",
        ),
        (
            "Energy ministers set a work plan",
            "Energy ministers from Canada, Mexico and the United States agreed on a work plan "
            "for grid reliability.",
        ),
    ],
)
def test_a_trilateral_ministerial_body_of_any_kind_is_a_summit_item(
    classifier: Classifier, title: str, text: str
) -> None:
    assert classifier.classify(title, text).summit


def test_the_environmental_cooperation_commission_is_a_mechanism(classifier: Classifier) -> None:
    result = classifier.classify(
        "La Comisión para la Cooperación Ambiental presenta su plan",
        "El Consejo aprobó un plan operativo de dos años.",
    )
    assert result.summit


def test_meeting_counterparts_from_the_two_other_countries_is_trilateral(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Foreign Secretary to travel to Ottawa",
        "The Foreign Secretary will meet her counterparts from Canada and the United States "
        "to review regional cooperation.",
    )
    assert result.summit


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Minister of Fisheries meets counterparts from Mexico and the United States",
            "The Minister of Fisheries met today with her counterparts from Mexico and the "
            "United States in Halifax to discuss shared fish stocks.",
        ),
        (
            "La ministre rencontre ses homologues du Mexique et des États-Unis",
            "La ministre des Pêches a rencontré aujourd'hui ses homologues du Mexique et des "
            "États-Unis à Halifax pour discuter des stocks de poissons partagés.",
        ),
        (
            "La secretaria se reúne con sus homólogos de Canadá y Estados Unidos",
            "La secretaria de Agricultura se reunió hoy con sus homólogos de Canadá y Estados "
            "Unidos en Guadalajara para hablar de sanidad vegetal.",
        ),
    ],
)
def test_a_title_naming_two_countries_as_counterparts_is_not_a_bilateral_title(
    classifier: Classifier, title: str, text: str
) -> None:
    """Two countries in a title usually make a bilateral item; named as someone's
    counterparts, they are the other two of three."""
    assert classifier.classify(title, text).summit


def test_one_country_and_its_counterparts_from_the_other_is_bilateral(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Security working group meets in El Paso",
        "Officials from four United States agencies and their Mexican counterparts met in "
        "El Paso to coordinate inspections.",
    )
    assert not result.summit


def test_a_title_meeting_two_of_the_countries_is_a_meeting_of_three(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Press Availability With the Canadian Foreign Minister and the Mexican Foreign Secretary",
        "Good afternoon. We had a productive morning.",
    )
    assert result.summit


def test_a_title_where_one_leader_speaks_with_another_is_bilateral(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Prime Minister Carney speaks with President Sheinbaum of Mexico",
        "The leaders spoke about the steel sector and the coming hockey season.",
    )
    assert not result.summit


def test_a_summit_with_the_leaders_of_the_two_others_places_a_bilateral_meeting(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Remarks by President Bush and President Fox of Mexico",
        "The meeting is part of a three-day summit with the leaders of Mexico and Canada.",
    )
    assert result.summit


def test_the_bare_word_summit_without_the_countries_is_nothing(classifier: Classifier) -> None:
    result = classifier.classify(
        "Itinéraire du premier ministre",
        "Le premier ministre prononcera une allocution au Sommet mondial de la jeunesse.",
    )
    assert not result.summit


def test_a_domestic_public_consultation_on_the_trade_agreement_is_not_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Government launches public consultations on the CUSMA joint review",
        "Canadians are invited to share their views on the USMCA Joint Review through written "
        "submissions.",
    )
    assert not result.summit
    assert any(m.term == "public consultation" for m in result.evidence["summit"].against)


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        (
            "The Government is seeking the views of businesses and workers on the CUSMA joint "
            "review before it opens in July.",
            "seeking the views",
        ),
        (
            "La Secretaría de Economía invita a las empresas a enviar comentarios del público "
            "sobre la revisión conjunta del T-MEC antes de julio.",
            "comentarios del público",
        ),
        (
            "Le gouvernement sollicite les points de vue des Canadiens sur l'examen conjoint de "
            "l'ACEUM avant juillet.",
            "points de vue des Canadiens",
        ),
    ],
)
def test_a_government_asking_its_public_for_views_on_the_review_is_domestic(
    classifier: Classifier, text: str, wording: str
) -> None:
    """Asking one's own public for views, in any of the usual wordings, is a domestic
    measure, even on the trilateral agreement's review."""
    result = classifier.classify("Consultation", text)
    assert not result.summit
    assert wording in {m.term for m in result.evidence["summit"].against}


def test_a_round_of_trade_agreement_negotiations_is_trilateral(classifier: Classifier) -> None:
    result = classifier.classify(
        "Statement at the close of the fourth round",
        "Negotiators closed the fourth round of NAFTA negotiations in Washington today.",
    )
    assert result.summit


def test_a_section_of_a_summit_document_with_only_its_heading_is_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Economic Competitiveness",
        "Canada, Mexico and the United States have agreed to map the supply chains of the "
        "region and to meet again next year.",
    )
    assert result.summit


def test_evidence_against_a_summit_reading_is_kept_apart(classifier: Classifier) -> None:
    result = classifier.classify(
        "Prime Minister meets President of Mexico at the G7",
        "The two leaders met on the margins of the G7 summit in Kananaskis.",
    )
    evidence = result.evidence["summit"]
    assert not result.summit
    assert {"G7", "two leaders"} <= {m.term for m in evidence.against}
    assert not {m.term for m in evidence.matches} & {"G7", "two leaders"}


def test_one_leaders_title_is_not_a_ministerial_body(classifier: Classifier) -> None:
    result = classifier.classify(
        "Prime Minister Carney speaks with President Trump",
        "Prime Minister Carney told President Trump of Canada's talks with Mexico on steel.",
    )
    assert not result.summit


def test_the_three_acting_together_on_a_third_country_is_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Joint Statement by Canada, Mexico and the United States on Venezuela",
        "Canada, Mexico and the United States call for free and fair elections in Venezuela.",
    )
    assert result.summit


def test_the_three_in_a_list_of_many_countries_are_a_multilateral_forum(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Fact Sheet: ministerial meeting on the regional migration declaration",
        "Canada, Mexico, the United States, Guatemala and Honduras announced new pathways with "
        "the other signatory countries.",
    )
    assert not result.summit


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Le Canada et le Mexique renforcent leur coopération",
            "Cette initiative donne suite à un engagement pris lors du Sommet des leaders "
            "nord-américains de 2023.",
        ),
        (
            "Canada and Mexico launch a working group on labour mobility",
            "It delivers on a commitment made at the 2023 North American Leaders' Summit.",
        ),
    ],
)
def test_a_bilateral_step_implementing_a_summit_commitment_is_not_a_summit_item(
    classifier: Classifier, title: str, text: str
) -> None:
    assert not classifier.classify(title, text).summit


def test_two_leaders_holding_a_summit_of_their_own_is_not_a_summit_item(
    classifier: Classifier,
) -> None:
    result = classifier.classify(
        "Statement on the visit",
        "President Biden and President López Obrador held a summit in Washington on migration.",
    )
    assert not result.summit
