"""Where sentences start: the splitter that looks for each end mark on its own finds exactly the
ends that one pattern over all the marks finds (the pattern it replaced, kept here as the oracle).
"""

import json
import re
from pathlib import Path

import pytest

from feeds import FetchResult, demo_config, parse_result
from feeds.judge.detect import _sentence_starts

# Every end mark in one pattern: simple to read, and three times the instructions to run.
ONE_PATTERN = re.compile(
    r"[.!?;\n](?:(?<=\n)|"
    r"(?<![\s.][A-Z].)(?<!^[A-Z].)(?<!(?:Mr|Dr|Jr|Ms|St|No|Sr).)"
    r"[.!?;\"'”’»)]*(?=\s|\Z))"
)


def one_pattern_starts(source: str) -> list[int]:
    return [0, *(match.end() for match in ONE_PATTERN.finditer(source))]


def demo_texts() -> list[str]:
    texts = []
    for source in demo_config().sources:
        body = Path(source.url.removeprefix("file://")).read_bytes()
        result = FetchResult(source=source, status=200, body=body, final_url=source.url)
        for release in parse_result(result).releases:
            texts += [release.title, release.text, release.summary]
    return texts


@pytest.mark.parametrize(
    "text",
    [
        "",
        "No end mark at all",
        "One sentence.",
        "Really?! Yes. Two more; and a list item;\nA line. ",
        "The U.S. and Joseph R. Biden met Dr. Smith. Mr. Jones stayed.",
        "Rates of 3.5 per cent, see gob.mx. Then «Oui.» Then (this.) And “quoted.” Next",
        "A. Initial at the start. Ends with marks?!...",
        "Line one\nLine two\n\n5) health;\n6) trade;\nEnd!",
        "Wait... what?? «¿Sí?» ‘Yes.’ No. St. Lucia. Sr. Pérez; fin.",
        ".;!?\n. ; ! ? \n",
    ],
)
def test_sentence_ends_match_the_one_pattern_splitter(text: str) -> None:
    assert _sentence_starts(text) == one_pattern_starts(text)


def test_sentence_ends_match_the_one_pattern_splitter_on_real_releases() -> None:
    texts = demo_texts()
    assert len(texts) > 30, "the demo sources hold real releases"
    for text in texts:
        assert _sentence_starts(text) == one_pattern_starts(text), json.dumps(text[:80])
