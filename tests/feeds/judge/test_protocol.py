"""The classifier seam: the pipeline's commands take any `ReleaseClassifier`."""

import io
import json

from feeds.judge.classify import Classifier
from feeds.judge.classify_io import classify_stream, evaluate
from feeds.judge.protocol import ReleaseClassifier
from feeds.judge.taxonomy import Taxonomy, load_taxonomy
from feeds.models import Classification, Evidence, Release


class LinkClassifier:
    """Another implementation: a release is a summit release when its link says so."""

    def __init__(self) -> None:
        self.taxonomy: Taxonomy = load_taxonomy()
        self.seen: list[Release] = []

    def classify_release(self, release: Release) -> Classification:
        self.seen.append(release)
        summit = "/nals/" in release.link
        evidence = {"summit": Evidence(1.0 if summit else 0.0, (), release.title)}
        return Classification("en", summit, 1.0 if summit else 0.0, (), {}, evidence)


def test_the_rules_classify_a_release_by_its_title_and_body() -> None:
    rules: ReleaseClassifier = Classifier.load()
    release = Release(
        id="1",
        source="s",
        country="MX",
        language="es",
        title="Comunicado",
        link="https://example.gob.mx/1",
        published="",
        summary="Se reunió el Diálogo de América del Norte sobre Drogas.",
    )
    result = rules.classify_release(release)
    assert result.summit  # read from the summary: the release has no text
    assert result.language == "es"


def test_classify_hands_every_field_of_a_line_to_the_classifier() -> None:
    other = LinkClassifier()
    lines = [
        json.dumps({"id": 7, "title": "A", "text": "x", "url": "https://ex.org/nals/1"}),
        json.dumps({"id": "b", "title": "B", "summary": "y", "url": "https://ex.org/2"}),
    ]
    out = io.StringIO()
    assert classify_stream(lines, out, io.StringIO(), other) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(a["id"], a["summit"]) for a in answers] == [(7, True), ("b", False)]
    assert [(r.id, r.text, r.summary) for r in other.seen] == [("7", "x", ""), ("b", "", "y")]


def test_evaluate_scores_any_classifier() -> None:
    records = [
        {
            "title": "A",
            "text": "x",
            "url": "https://ex.org/nals/1",
            "is_summit": True,
            "pillars": [],
            "language": "en",
        },
        {
            "title": "B",
            "text": "y",
            "url": "https://ex.org/2",
            "is_summit": True,
            "pillars": [],
            "language": "en",
        },
    ]
    report = evaluate(records, LinkClassifier())
    assert report.detection == (1.0, 0.5, 2 / 3)
