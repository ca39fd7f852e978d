"""The targets of issue 3 on the development set of labelled releases."""

import json

import pytest

from feeds.judge.classify import Classifier
from feeds.judge.classify_io import EvalReport, evaluate
from tests.paths import SHARED

DEV_SET = SHARED / "eval" / "dev.jsonl"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    if not DEV_SET.exists():
        pytest.skip(f"development set not found at {DEV_SET}")
    records = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    return evaluate(records, Classifier.load())


def test_detection_f1_reaches_target(report: EvalReport) -> None:
    assert report.detection[2] >= 0.95, report.render()


def test_pillar_micro_f1_on_summit_items_reaches_target(report: EvalReport) -> None:
    assert report.pillar_micro_f1 >= 0.92, report.render()


def test_no_language_below_target_detection_accuracy(report: EvalReport) -> None:
    for correct, total in report.language_accuracy.values():
        assert correct / total >= 0.90, report.render()
