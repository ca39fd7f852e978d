from __future__ import annotations

from state.events import features, group_events
from state.records import StoredRelease
from tests.state.factories import make_classification, make_release

EN = (
    "Joint Statement: the leaders commit to cut methane emissions from oil and gas by 75% "
    "by 2030, to invest 1,500 million dollars in electric vehicle supply chains under the "
    "USMCA, and to hold the Trilateral Fentanyl Committee in Ottawa on March 15. President "
    "Biden, Prime Minister Trudeau and President López Obrador met in Mexico City."
)
ES = (
    "Declaración conjunta: los líderes se comprometen a reducir las emisiones de metano del "
    "petróleo y gas en 75% para 2030, a invertir 1.500 millones de dólares en cadenas de "
    "suministro de vehículos eléctricos en el marco del T-MEC y a reunir el Comité Trilateral "
    "sobre Fentanilo en Ottawa el 15 de marzo. El presidente Biden, el primer ministro Trudeau "
    "y el presidente López Obrador se reunieron en la Ciudad de México."
)
FR = (
    "Déclaration commune : les dirigeants s'engagent à réduire de 75 % les émissions de "
    "méthane du pétrole et du gaz d'ici 2030, à investir 1 500 millions de dollars dans les "
    "chaînes d'approvisionnement des véhicules électriques dans le cadre de l'ACEUM et à réunir "
    "le comité trilatéral sur le fentanyl à Ottawa le 15 mars. Le président Biden, le premier "
    "ministre Trudeau et le président López Obrador se sont réunis à Mexico."
)
OTHER = (
    "Fact sheet: the three countries launch a North American Semiconductor Forum in Monterrey "
    "with 40 companies, a 12-week program for 2,000 engineers, and the Los Angeles "
    "Declaration follow-up on refugees with Guatemala and Honduras."
)


def stored(
    seed: str,
    text: str,
    *,
    source: str,
    language: str,
    day: int = 10,
    summit: bool = True,
    title: str = "",
) -> StoredRelease:
    release = make_release(
        seed,
        text=text,
        title=title or seed,
        source=source,
        language=language,
        published=f"2023-01-{day:02d}T15:00:00+00:00",
    )
    return StoredRelease(release, make_classification(summit=summit), first_seen="2023-01-10")


def test_translations_of_one_statement_form_one_event() -> None:
    group = [
        stored("en", EN, source="whitehouse.gov", language="en"),
        stored("es", ES, source="gob.mx", language="es", day=11),
        stored("fr", FR, source="pm.gc.ca", language="fr"),
        stored("other", OTHER, source="whitehouse.gov", language="en"),
    ]
    assert [sorted(g) for g in group_events(group)] == [sorted(r.id for r in group[:3])]


def test_statements_far_apart_in_time_are_separate_events() -> None:
    group = [
        stored("en", EN, source="whitehouse.gov", language="en", day=1),
        stored("es", ES, source="gob.mx", language="es", day=20),
    ]
    assert group_events(group) == []


def test_non_summit_releases_are_never_grouped() -> None:
    group = [
        stored("en", EN, source="whitehouse.gov", language="en", summit=False),
        stored("es", ES, source="gob.mx", language="es", summit=False),
    ]
    assert group_events(group) == []


def test_two_releases_of_one_publisher_in_one_language_stay_apart() -> None:
    group = [
        stored("a", EN, source="whitehouse.gov", language="en"),
        stored("b", EN + " Fact sheet.", source="whitehouse.gov", language="en"),
    ]
    assert group_events(group) == []


def test_features_unify_numbers_and_mechanism_spellings_across_languages() -> None:
    en, es, fr = features("", EN), features("", ES), features("", FR)
    for feature in ("#1500", "#2030", "#75", "*usmca", "*fentanyl", "@ottawa", "@trudeau"):
        assert feature in en and feature in es and feature in fr, feature
    assert "@mexico" not in en  # every summit release names the three countries


def test_a_statement_with_too_few_features_is_left_alone() -> None:
    group = [
        stored("a", "Statement.", source="whitehouse.gov", language="en"),
        stored("b", "Comunicado.", source="gob.mx", language="es"),
    ]
    assert group_events(group) == []


# One meeting told by three governments in their own words: few names or numbers in common,
# but the same kind of meeting, in the same city, on the same days.
SUMMIT_CA = (
    "Mexico City, Mexico – Global Affairs Canada. Today the Minister of Foreign Affairs signed "
    "a declaration on racial justice as the tenth North American Leaders’ Summit opened."
)
SUMMIT_MX = (
    "En Palacio Nacional, el presidente dio la bienvenida a sus homólogos a la X Cumbre de "
    "Líderes de América del Norte y propuso producir en la región lo que hoy se importa."
)
SUMMIT_US = (
    "The President arrived in Mexico City for the North American Leaders' Summit, where the "
    "leaders will discuss supply chains and the flow of migrants."
)
# Other meetings in the same days.
COMMITTEE_MX = (
    "Se reunió en la Ciudad de México el Comité Trilateral sobre Fentanilo, con delegaciones "
    "de salud y de seguridad de los tres países."
)
MINISTERS_US = (
    "The Secretary hosted the North American Foreign Ministers’ Meeting in Washington to "
    "prepare the leaders' next summit agenda."
)
SUMMIT_ELSEWHERE = (
    "Les dirigeants se sont réunis à Ottawa pour le Sommet des leaders nord-américains et ont "
    "adopté un plan commun."
)


def ids(*releases: StoredRelease) -> list[str]:
    return sorted(r.id for r in releases)


def test_one_meeting_told_differently_by_three_governments_is_one_event() -> None:
    ca = stored("ca", SUMMIT_CA, source="canada.ca", language="en", title="Minister signs")
    mx = stored("mx", SUMMIT_MX, source="gob.mx", language="es", title="Inaugura", day=11)
    us = stored("us", SUMMIT_US, source="whitehouse.gov", language="en", title="Readout")
    assert [sorted(g) for g in group_events([ca, mx, us])] == [ids(ca, mx, us)]


def test_another_kind_of_meeting_in_the_same_city_and_days_is_another_event() -> None:
    us = stored("us", SUMMIT_US, source="whitehouse.gov", language="en", title="Readout")
    committee = stored("c", COMMITTEE_MX, source="gob.mx", language="es", title="Comité")
    assert group_events([us, committee]) == []


def test_the_same_kind_of_meeting_in_another_city_is_another_event() -> None:
    us = stored("us", SUMMIT_US, source="whitehouse.gov", language="en", title="Readout")
    ottawa = stored("ot", SUMMIT_ELSEWHERE, source="pm.gc.ca", language="fr", title="Sommet")
    ministers = stored("fm", MINISTERS_US, source="state.gov", language="en", title="FMM")
    assert group_events([us, ottawa, ministers]) == []


def test_one_meeting_weeks_apart_is_not_one_event() -> None:
    ca = stored("ca", SUMMIT_CA, source="canada.ca", language="en", title="Signs", day=1)
    mx = stored("mx", SUMMIT_MX, source="gob.mx", language="es", title="Inaugura", day=20)
    assert group_events([ca, mx]) == []


def test_meetings_and_places_are_read_from_the_title_and_the_lead_only() -> None:
    late = "Background. " * 60 + "The leaders met at the summit in Ottawa."
    found = features("Trilateral committee meets in Toluca", late)
    assert {"meeting:committee", "place:toluca"} <= found
    assert "meeting:summit" not in found and "place:ottawa" not in found
    venue = features("", SUMMIT_MX)
    assert {"meeting:summit", "place:mexico-city"} <= venue  # the National Palace is in it


def test_a_summit_named_without_a_place_does_not_join_releases_by_itself() -> None:
    # Releases that only say "the summit" would otherwise chain day after day into one event.
    days = [
        stored(f"d{n}", "The leaders spoke about the summit.", source=f"s{n}", language="en",
               title="Summit", day=10 + n)
        for n in range(4)
    ]  # fmt: skip
    assert group_events(days) == []
