"""The JSON Lines contract of `summitwatch classify` and the evaluation report."""

import io
import json

import pytest

from feeds.judge.classify import Classifier
from feeds.judge.classify_io import classify_stream, evaluate


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def test_answers_each_line_in_order_with_the_contract_fields(classifier: Classifier) -> None:
    lines = [
        json.dumps({"id": "a", "title": "North American Leaders' Summit", "text": "Fentanyl."}),
        json.dumps({"id": 7, "title": "Tariffs on Canada", "text": "", "summary": "Tariffs."}),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert classify_stream(lines, out, err, classifier) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["id"] for a in answers] == ["a", 7]
    for key in ("summit", "summit_score", "pillars", "pillar_scores", "language", "evidence"):
        assert key in answers[0]
    assert answers[0]["summit"] is True
    assert answers[0]["evidence"]["summit"][0]["phrase"] == "North American Leaders' Summit"
    assert err.getvalue() == ""


def test_malformed_lines_are_reported_and_the_others_answered(classifier: Classifier) -> None:
    lines = [
        "{not json",
        json.dumps({"title": "Statement", "text": "Hello."}),
        json.dumps(["a list"]),
        json.dumps({"title": 3, "text": "x"}),
        "",
    ]
    out, err = io.StringIO(), io.StringIO()
    assert classify_stream(lines, out, err, classifier) == 1
    assert len(out.getvalue().splitlines()) == 1
    reported = err.getvalue()
    assert "line 1:" in reported and "line 3:" in reported and "line 4:" in reported
    assert "line 2:" not in reported


def test_given_language_is_honoured(classifier: Classifier) -> None:
    out, err = io.StringIO(), io.StringIO()
    line = json.dumps({"title": "NALS", "text": "", "language": "es"})
    classify_stream([line], out, err, classifier)
    assert json.loads(out.getvalue())["language"] == "es"


def test_evaluation_reports_scores_and_errors_with_evidence(classifier: Classifier) -> None:
    records = [
        {"id": "x1", "language": "en", "title": "North American Leaders' Summit",
         "text": "The leaders agreed to fight fentanyl trafficking.", "is_summit": True,
         "pillars": ["security"]},
        {"id": "x2", "language": "en", "title": "Statement on a hockey game",
         "text": "Congratulations to the team.", "is_summit": True, "pillars": []},
    ]  # fmt: skip
    report = evaluate(records, classifier)
    assert report.detection == (1.0, 0.5, pytest.approx(2 / 3))
    assert report.language_accuracy == {"en": (1, 2)}
    assert [e.id for e in report.errors] == ["x2"]
    text = report.render()
    assert "detection: precision 1.000  recall 0.500" in text
    assert "x2 [detection]" in text


def test_answers_keep_evidence_against_apart(classifier: Classifier) -> None:
    line = json.dumps(
        {"id": 1, "title": "Statement", "text": "The ministers reviewed energy security."}
    )
    out = io.StringIO()
    classify_stream([line], out, io.StringIO(), classifier)
    answer = json.loads(out.getvalue())
    assert set(answer["evidence"]) == {"summit", *answer["pillars"]}
    assert [p["phrase"] for p in answer["against"]["security"]] == ["energy security"]
