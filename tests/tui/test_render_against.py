"""Evidence against a decision is stored, and the reader shows it apart from evidence for it."""

from pathlib import Path

from rich.text import Text

from feeds import ClassifiedRelease, Classifier, load_taxonomy
from state import Store
from tests.state.factories import make_release
from tui.render import AGAINST_STYLE, body_text, reader_header

TITLE = "Prime Minister meets President of Mexico at the G7"
TEXT = "The two leaders met on the margins of the G7 summit and reviewed energy security."


def classified() -> ClassifiedRelease:
    release = make_release("g7", title=TITLE, text=TEXT)
    return ClassifiedRelease(release, Classifier.load().classify_release(release))


def styles_at(text: str, phrase: str, rendered: Text) -> set[str]:
    start = text.index(phrase)
    return {str(s.style) for s in rendered.spans if s.start <= start < s.end}


def test_against_evidence_survives_the_store_and_is_struck_through(tmp_path: Path) -> None:
    item = classified()
    with Store(tmp_path / "db") as store:
        store.add([item], now="2026-12-03T12:00:00+00:00")
    with Store(tmp_path / "db") as store:
        stored = store.get(item.release.id)
    assert stored is not None
    assert stored.classification.evidence["summit"].against
    assert stored.classification.evidence["security"].against

    body = body_text(stored, load_taxonomy().pillar_set)
    for phrase in ("G7", "two leaders", "energy security"):
        styles = styles_at(TEXT, phrase, body)
        assert AGAINST_STYLE in styles, phrase
        assert not any("underline" in s for s in styles), phrase
    header = reader_header(stored, load_taxonomy().pillar_set).plain
    assert "Against: " in header and "G7" in header.split("Against: ")[1]


def test_a_term_read_in_another_pillars_context_is_shown_against_that_pillar(
    tmp_path: Path,
) -> None:
    text = (
        "The three countries will secure supply chains against drug trafficking and the "
        "diversion of precursor chemicals."
    )
    release = make_release("chains", title="Statement", text=text)
    item = ClassifiedRelease(release, Classifier.load().classify_release(release))
    with Store(tmp_path / "db") as store:
        store.add([item], now="2026-12-03T12:00:00+00:00")
        stored = store.get(release.id)
    assert stored is not None and stored.pillars == ("security",)
    pillars = load_taxonomy().pillar_set

    body = body_text(stored, pillars)
    chains = styles_at(text, "supply chains", body)
    assert AGAINST_STYLE in chains
    assert not any("underline" in s for s in chains)
    assert any("underline" in s for s in styles_at(text, "drug trafficking", body))
    header = reader_header(stored, pillars).plain
    assert "Against: Competitiveness: supply chains" in header
