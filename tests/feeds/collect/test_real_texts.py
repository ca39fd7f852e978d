"""The text of every release in the real 2026 samples of the default sources (`../shared/fixtures/
real`), as the parser gives it: its first and last sentence, with the site's navigation, toppers,
bylines and feed footers gone and nothing of the body lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.collect.parsers import parse_result
from feeds.models import FetchResult, Release, Source
from tests.paths import SHARED

REAL = SHARED / "fixtures" / "real"
WHITE_HOUSE = "whitehouse_news_feed_2026-10-02_first-item.xml"
STATE = "state_press-releases_feed_2026-09-21_first5.xml"
PMO = "pmo_en_news_rss_2026-10-07.xml"
GC_NEWS = "gcnews_api_fr_all-depts_atom_2026-10-02_first15.atom"

# Per sample, in feed order: the text's first sentence and its last one.
FIRST_AND_LAST: dict[str, list[tuple[str, str]]] = {
    WHITE_HOUSE: [
        (
            "Today, President Donald J. Trump’s Council of Economic Advisers released a report"
            " revealing the severe economic cost – $49 TRILLION, over $350,000 per household – for"
            " American taxpayers over the next ten years if the Democratic Socialists of America’s"
            " top policies were adopted.",
            "Only under President Trump is this reversal possible, and there’s much more to come.",
        ),
    ],
    STATE: [
        (
            "The below is attributable to Spokesman Tommy Pigott:",
            "Additionally, the Secretary underscored the important role Kenya plays in furthering"
            " the resolution of regional conflicts.",
        ),
        (
            "The below is attributable to Spokesman Tommy Pigott:",
            "Secretary Rubio highlighted the Icebreaker Collaboration Effort (ICE) Pact among the"
            " United States, Canada, and Finland as a model for industrial cooperation and burden"
            " sharing, strengthened by President Trump’s commitment to significantly expand the"
            " U.S. icebreaker fleet.",
        ),
        (
            "Today, the Department of State is taking steps to impose visa restrictions on 32"
            " individuals responsible for or complicit in defrauding Americans through cybercrime,"
            " cyber-enabled crime, and related activity.",
            "Those complicit in devastating families and communities nationwide will be denied"
            " entry into the United States.",
        ),
        (
            "SECRETARY RUBIO: It’s great to be here with Minister Tajani.",
            "Today with the United States we are going a leap forward, a very important one."
            " Thank you.",
        ),
        (
            "The below is attributable to Spokesman Tommy Pigott:",
            "Secretary Rubio and Deputy Prime Minister Tajani also signed the Italy-U.S."
            " Memorandum of Understanding on critical minerals cooperation, launching a joint"
            " working group to advance practical cooperation on critical minerals recycling and"
            " recovery.",
        ),
    ],
    PMO: [
        ("Note: All times local", "Pooled photo opportunity"),
        (
            "“Three years ago, at dawn, the terrorist organisation Hamas perpetrated the worst"
            " attack against Jewish people since the Holocaust.",
            "Canada is your home. Your country stands with you.”",
        ),
        ("Note: All times local", "West Block\nParliament Hill"),
        (
            "In a rapidly changing world, Canada’s government is focused on what we can control:"
            " building our strength at home and diversifying our partnerships abroad to create"
            " greater certainty, security, and prosperity for Canadians.",
            "Associated link\n\nCanada-Türkiye relations",
        ),
        ("Note: All times local", "West Block\nParliament Hill"),
        ("Note: All times local", "West Block\nParliament Hill"),
        (
            "Artificial Intelligence (AI) is transforming the way Canadians live, work, and"
            " connect.",
            "AI is already being used across Canada to improve health care diagnostics and patient"
            " care, help farmers increase crop yields and reduce costs through precision"
            " agriculture, and strengthen transportation networks through smarter traffic"
            " management, logistics, and infrastructure maintenance.",
        ),
        (
            "“Today, we, the leaders of the G7, convened a virtual meeting to address the"
            " deepening challenges to our energy security.",
            "Today’s agreements mark a step toward a more secure, transparent, and resilient"
            " energy future.”",
        ),
        (
            "Today, the world faces an energy crisis across three dimensions: our cost of living,"
            " our climate, and our sovereignty increasingly depend on our nation’s ability to"
            " supply and control its own energy.",
            "Canada and Alberta strike new partnership to lower emissions, unlock our natural"
            " resources, and build a stronger, more sustainable, and more competitive economy",
        ),
        ("Note: All times local", "Media are asked to arrive no later than 8:15 a.m."),
    ],
    GC_NEWS: [
        (
            "Aujourd’hui, le ministre de la Défense nationale, l’honorable David J. McGuinty, a"
            " participé à la réunion des ministres de la Défense de la Force expéditionnaire"
            " interarmées (FEI) à Reykjavík, en Islande,",
            "la Lettonie, la Lituanie, les Pays-Bas, la Norvège, le Royaume-Uni et la Suède.",
        ),
        (
            "Le 2 octobre 2026 – Les 29 et 30 octobre 2026, le premier ministre Mark Carney"
            " accueillera le président du Conseil européen, António Costa,",
            "à l’occasion du Sommet Canada-UE, qui se tiendra à Montréal.",
        ),
        (
            "Aujourd’hui, la ministre des Anciens Combattants et ministre associée de la Défense"
            " nationale, l’honorable Jill McKnight,",
            "Depuis 70 ans et a fortiori depuis la récente modernisation, Westridge s’impose comme"
            " un symbole exemplaire de la rigueur de l’approche canadienne de la construction"
            " d’infrastructures énergétiques – une approche qui concilie la croissance économique"
            " avec la protection de l’environnement et la sécurité publique.",
        ),
        (
            "« Le 27 septembre 2025 (à 20 h HAE), six résolutions du Conseil de sécurité des"
            " Nations Unies (CSNU),",
            "L’Allemagne, la France et le Royaume-Uni ont lancé ce mécanisme en réponse au"
            " non-respect persistant et majeur par Téhéran de ses engagements nucléaires au titre"
            " du Plan d’action global commun.",
        ),
        (
            "Agriculture et Agroalimentaire Canada (AAC) confirme que, pour la saison de"
            " croissance 2027,",
            "Cette décision favorisera une transition ordonnée du programme à Saskatoon en 2028.",
        ),
        (
            "Cette semaine, l’honorable Heath MacDonald, ministre de l’Agriculture et de"
            " l’Agroalimentaire,",
            "entendre directement les agriculteurs parler des défis et des possibilités auxquels"
            " le secteur fait face.",
        ),
        (
            "Graham Carr est nommé président du conseil d’administration du Musée canadien de"
            " l’histoire",
            "pour un mandat de quatre ans, à compter du 28 septembre 2026.",
        ),
        (
            "Les ports pour petits bateaux sont d’une importance cruciale pour les collectivités"
            " côtières et les économies liées à la pêche au Canada.",
            "Dans l’Arctique, ces ports sont des infrastructures maritimes communautaires"
            " essentielles qui contribuent à renforcer la sécurité, à améliorer l’accès et à"
            " étendre la souveraineté du Canada dans l’Arctique.",
        ),
        (
            "Hier, le ministre du Commerce international, l’honorable Maninder Sidhu, a conclu sa"
            " participation à la réunion des ministres du Commerce du G20 à Milwaukee,",
            "renforcé ses relations avec des partenaires fiables et dignes de confiance.",
        ),
        (
            "Entre le 25 septembre et le 30 septembre 2026, grâce à la vigilance du personnel,",
            "ont été saisis à l'Établissement de Collins Bay, un établissement fédéral à niveaux"
            " multiples de sécurité.",
        ),
        (
            "Le ministre du Commerce international, l’honorable Maninder Sidhu, a rencontré cette"
            " semaine le ministre indien du Commerce et de l’Industrie, Piyush Goyal,",
            "en marge de la réunion des ministres du Commerce du G20 à Milwaukee, au Wisconsin.",
        ),
        (
            "Le CRTC aide la population canadienne à mieux comprendre quelles sont les zones"
            " couvertes par le réseau cellulaire",
            "et celles qui pourraient présenter des lacunes.",
        ),
        (
            "Ottawa (Ontario) — La ministre des Relations Couronne-Autochtones, l’honorable"
            " Rebecca Alty,",
            "pour célébrer l’inauguration du nouvel entrepôt de marchandises de Canadian North à"
            " l’aéroport international d’Ottawa.",
        ),
        (
            "Hier, le ministre du Commerce international, l’honorable Maninder Sidhu, a rencontré"
            " le commissaire européen au Commerce et à la Sécurité économique,",
            "alors qu’il assistait à la réunion des ministres du Commerce du G20 à Milwaukee, dans"
            " le Wisconsin.",
        ),
    ],
}
# Furniture of each sample: none of it may be left in a text or a summary.
FURNITURE = {
    WHITE_HOUSE: (
        "Search",
        "Select Category",
        "All News",
        "Briefings & Statements",
        "Nominations & Appointments",
        "appeared first on",
    ),
    STATE: (
        "Office of the Spokesman",
        "Pigott, Spokesman",
        "Marco Rubio, Secretary of State",
        "Lotte New York Palace",
        "\nReadout\n",
        "Press Statement",
        "September 21, 2026",
    ),
    PMO: (),
    GC_NEWS: (),
}
COUNTRY = {WHITE_HOUSE: "US", STATE: "US", PMO: "CA", GC_NEWS: "CA"}


def releases_of(name: str, **settings: object) -> list[Release]:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real samples not found at {REAL}")
    source = Source(
        name="sample", url="https://example.org/feed", country=COUNTRY[name], **settings
    )  # type: ignore[arg-type]
    outcome = parse_result(FetchResult(source=source, status=200, body=path.read_bytes()))
    assert outcome.error is None
    # Feed order (the parser sorts by date; each sample is newest first already).
    return outcome.releases


@pytest.mark.parametrize("name", list(FIRST_AND_LAST))
def test_every_text_runs_from_its_first_sentence_to_its_last(name: str) -> None:
    releases = releases_of(name)
    assert len(releases) == len(FIRST_AND_LAST[name])
    for release, (first, last) in zip(releases, FIRST_AND_LAST[name], strict=True):
        assert release.text.startswith(first), (release.title, release.text[:200])
        assert release.text.endswith(last), (release.title, release.text[-200:])


@pytest.mark.parametrize("name", list(FIRST_AND_LAST))
def test_no_navigation_byline_or_footer_is_left_in_a_text_or_summary(name: str) -> None:
    for release in releases_of(name):
        for furniture in FURNITURE[name]:
            assert furniture not in f"\n{release.text}\n", (release.title, furniture)
            assert furniture not in release.summary, (release.title, furniture)
        # A title repeated at the top of the body is a byline block, not the body.
        assert not release.text.startswith(release.title)
        # The summary is the same body, on one line (from the description where there is one).
        assert release.summary.startswith(" ".join(release.text.split())[:40])


def test_the_white_house_summary_is_its_teaser_without_the_feed_footer() -> None:
    (release,) = releases_of(WHITE_HOUSE)
    assert release.summary.startswith("Today, President Donald J. Trump’s Council of Economic")
    assert "The post" not in release.summary


def test_state_remarks_keep_every_speaker_after_the_byline_block() -> None:
    remarks = releases_of(STATE)[3]
    assert "DEPUTY PRIME MINISTER TAJANI:" in remarks.text
    assert remarks.text.count("SECRETARY RUBIO:") == 1


def test_pmo_releases_keep_their_quick_facts_and_quotes() -> None:
    turkiye = releases_of(PMO)[3]
    paragraphs = turkiye.text.split("\n\n")
    assert "Quick facts" in paragraphs
    # The quote's attribution is a `p class="footer"` inside its blockquote: it stays.
    assert "Quote" in paragraphs
    assert "The Rt. Hon. Mark Carney, Prime Minister of Canada" in paragraphs
    assert any(
        p.startswith("Two-way merchandise trade between Canada and Türkiye")
        for p in turkiye.text.split("\n")
    )


def test_a_source_drop_setting_leaves_the_elements_it_names_out() -> None:
    (kept,) = releases_of(WHITE_HOUSE)
    (dropped,) = releases_of(WHITE_HOUSE, drop=("ul.wp-block-list",))
    assert "Abolishing the police, including ICE" in kept.text
    assert "Abolishing the police, including ICE" not in dropped.text
    assert dropped.text.endswith(
        "Only under President Trump is this reversal possible, and there’s much more to come."
    )


def test_samples_are_the_files_the_readme_describes() -> None:
    readme = REAL / "README.md"
    if not readme.exists():
        pytest.skip(f"real samples not found at {REAL}")
    described = readme.read_text(encoding="utf-8")
    for name in FIRST_AND_LAST:
        assert name in described and (REAL / name).is_file(), Path(name)
