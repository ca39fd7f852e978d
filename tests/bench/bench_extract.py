"""Cost of finding a release's body, per item, on the real 2026 feed samples.

Run explicitly: `.venv/bin/python -m pytest tests/bench/bench_extract.py -s`. It prints the time
per item of `extract_main_text` (the body: what a poll now stores) next to `html_to_text` (plain
text of the same HTML, no furniture test: what a poll stored before) and asserts nothing:
timings belong to the machine, not to the code.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from lxml import etree

from feeds.collect.extract import extract_main_text
from feeds.collect.normalize import html_to_text
from tests.paths import SHARED

REAL = SHARED / "fixtures" / "real"
ROUNDS = 7
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_ATOM = "{http://www.w3.org/2005/Atom}"


def _items() -> list[tuple[str, str]]:
    """(title, HTML) of every item of the real samples: content:encoded, description, summary."""
    items: list[tuple[str, str]] = []
    for path in sorted(REAL.glob("*.xml")):
        for item in etree.parse(str(path)).getroot().iter("item"):
            title = item.findtext("title") or ""
            items += [(title, item.findtext(tag) or "") for tag in (_CONTENT, "description")]
    for path in sorted(REAL.glob("*.atom")):
        for entry in etree.parse(str(path)).getroot().iter(f"{_ATOM}entry"):
            items.append(
                (entry.findtext(f"{_ATOM}title") or "", entry.findtext(f"{_ATOM}summary") or "")
            )
    return [(title, html) for title, html in items if html.strip()]


def _per_item_ms(work: Callable[[str, str], str], items: list[tuple[str, str]]) -> float:
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for title, html in items:
            work(title, html)
        rounds.append((time.perf_counter() - start) / len(items) * 1000)
    return statistics.median(rounds)


def test_body_extraction_per_item() -> None:
    if not REAL.exists():
        pytest.skip(f"real samples not found at {REAL}")
    items = _items()
    plain = _per_item_ms(lambda _title, html: html_to_text(html), items)
    body = _per_item_ms(lambda title, html: extract_main_text(html, title=title), items)
    chars = sum(len(html) for _, html in items) // len(items)
    print(
        f"\n{len(items)} items of the real samples (mean {chars:,} characters of HTML), "
        f"median of {ROUNDS} rounds: html_to_text {plain:.3f} ms/item, "
        f"extract_main_text {body:.3f} ms/item ({body / plain:.1f}x)"
    )
