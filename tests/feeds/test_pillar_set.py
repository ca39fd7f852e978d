"""The pillars of a taxonomy as data: what stored ids mean, in which order they are shown."""

from __future__ import annotations

from feeds.models import Classification, Pillar, PillarSet, pillar_ids

PILLARS = PillarSet(
    (
        Pillar("agua", "Agua y cuencas", "Agua", "AGU", "bright_cyan"),
        Pillar("aire", "Qualité de l'air", "Air", "AIR", "green"),
    )
)


def test_stored_pillar_ids_are_kept_whatever_the_taxonomy_when_well_formed() -> None:
    assert pillar_ids(["agua", "security", "agua", "Bad Id", 3, "[red]x", ""]) == (
        "agua",
        "security",
    )
    data = {"summit": True, "pillars": ["especies", "x y"], "pillar_scores": {"especies": 0.7}}
    assert Classification.from_dict(data).pillars == ("especies",)


def test_pillars_are_ordered_by_the_taxonomy_then_as_given() -> None:
    assert PILLARS.order(["security", "aire", "agua", "dei"]) == ("agua", "aire", "security", "dei")
    assert PILLARS.unknown(["security", "aire", "security"]) == ("security",)
    assert "agua" in PILLARS and "security" not in PILLARS and len(PILLARS) == 2


def test_a_pillar_the_taxonomy_lacks_is_drawn_plainly_under_its_id() -> None:
    foreign = PILLARS.get("security")
    assert (foreign.name, foreign.badge, foreign.colour, foreign.known) == (
        "security",
        "SEC",
        "default",
        False,
    )
    assert PILLARS.get("agua").known
