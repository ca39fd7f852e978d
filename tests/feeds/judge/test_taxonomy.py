"""Loading and validating the taxonomy file."""

from pathlib import Path

import pytest

from feeds.judge.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy
from feeds.models import PILLAR_COLOURS

MINIMAL = """\
[signals.process]
role = "process"
weight = 3.0
en = ["Leaders' Summit"]

[parties.CA]
en = ["Canada"]

[parties.MX]
en = ["Mexico"]

[parties.US]
en = ["United States"]

[pillars.security]
name = "Security"

[[pillars.security.terms]]
weight = 1.0
en = ["fentanyl"]
"""


SIX = ("dei", "climate", "competitiveness", "migration", "health", "security")


def test_packaged_taxonomy_covers_the_six_pillars_in_three_languages() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.pillars == SIX
    for pillar in SIX:
        assert any(t.target == pillar for t in taxonomy.terms)


def test_user_taxonomy_is_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.pillars == ("security",)
    assert taxonomy.source == str(path)


def test_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace("weight = 1.0", "weight = = 1.0"), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"broken\.toml.*line 19"):
        load_taxonomy(path)


def test_bad_weight_names_the_file_and_the_line_of_the_key(tmp_path: Path) -> None:
    path = tmp_path / "weights.toml"
    path.write_text(MINIMAL.replace("weight = 1.0", 'weight = "heavy"'), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"weights\.toml, line 19: pillars\.security"):
        load_taxonomy(path)


def test_unknown_role_names_the_line_of_the_role(tmp_path: Path) -> None:
    path = tmp_path / "role.toml"
    path.write_text(MINIMAL.replace('role = "process"', 'role = "plenary"'), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"role\.toml, line 2: signals\.process\.role"):
        load_taxonomy(path)


def test_missing_file_is_a_taxonomy_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"missing\.toml"):
        load_taxonomy(tmp_path / "missing.toml")


def test_context_terms_and_phrases_against_a_pillar_are_read(tmp_path: Path) -> None:
    path = tmp_path / "context.toml"
    text = MINIMAL.replace('en = ["fentanyl"]', 'context = true\nen = ["border"]')
    text += '\n[pillars.security.against]\nen = ["border trade"]\n'
    path.write_text(text, encoding="utf-8")
    terms = load_taxonomy(path).terms
    assert [(t.text, t.kind, t.context) for t in terms if t.target == "security"] == [
        ("border", "pillar", True),
        ("border trade", "against", False),
    ]


def test_a_context_flag_that_is_not_true_or_false_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "flag.toml"
    path.write_text(MINIMAL.replace("weight = 1.0", 'weight = 1.0\ncontext = "yes"'), "utf-8")
    with pytest.raises(TaxonomyError, match=r"flag\.toml, line 20: .*context"):
        load_taxonomy(path)


def _pillar(pillar_id: str, extra: str = "") -> str:
    terms = f'[[pillars.{pillar_id}.terms]]\nweight = 1.0\nen = ["{pillar_id}"]\n'
    return f"\n[pillars.{pillar_id}]\n{extra}\n{terms}"


def test_pillars_are_named_and_drawn_as_the_file_says_in_its_order() -> None:
    text = MINIMAL + _pillar(
        "agua", 'name = "Agua y cuencas"\nlabel = "Agua"\nbadge = "H2O"\ncolour = "blue"'
    )
    pillars = parse_taxonomy(text).pillar_set
    assert pillars.ids == ("security", "agua")
    agua = pillars.get("agua")
    assert (agua.name, agua.label, agua.badge, agua.colour) == (
        "Agua y cuencas",
        "Agua",
        "H2O",
        "blue",
    )


def test_pillars_without_badge_or_colour_get_distinct_ones() -> None:
    text = MINIMAL.replace('name = "Security"', 'name = "Security"\ncolour = "magenta"')
    text += _pillar("health") + _pillar("heat") + _pillar("health_care")
    pillars = parse_taxonomy(text).pillar_set
    assert [p.badge for p in pillars] == ["SEC", "HEA", "HET", "HEL"]
    colours = [p.colour for p in pillars]
    assert colours[0] == "magenta" and len(set(colours)) == 4
    assert set(colours) <= set(PILLAR_COLOURS)
    assert pillars.get("health").label == "health"  # the id stands in for a missing name


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "#ff0000"', r"line 24: pillars\.agua\.colour: expected a terminal colour"),
        ('badge = "AGUA"', r"pillars\.agua\.badge: expected up to 3 characters"),
        ('badge = "SEC"', r"pillars\.agua\.badge: 'SEC' is already taken"),
        ('name = ""', r"pillars\.agua\.name: expected a line of text"),
        ('label = "a\\u001b[31m"', r"pillars\.agua\.label: expected a line of text"),
        ('color = "red"', r"pillars\.agua\.color: unknown key; expected name, label, badge"),
    ],
)
def test_a_bad_pillar_setting_names_the_line_and_what_was_expected(
    extra: str, message: str
) -> None:
    text = MINIMAL.replace('name = "Security"', 'name = "Security"\nbadge = "SEC"')
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(text + _pillar("agua", extra), "mine.toml")
