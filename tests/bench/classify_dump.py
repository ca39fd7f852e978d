"""Dump the classifier's answers on fixed inputs, to show that a speed change changed nothing.

A tool, not a timed test: run it before and after a change and compare the two folders.

    .venv/bin/python -m tests.bench.classify_dump /tmp/before
    # ... change the classifier ...
    .venv/bin/python -m tests.bench.classify_dump /tmp/after
    diff -r /tmp/before /tmp/after && echo byte-identical

Each input becomes one `summitwatch classify` JSON Lines answer file: the labelled sets
`dev.jsonl` and `dev2.jsonl` (from ../shared/eval, when present), the releases of the bundled
demo sources (parsed as a poll parses them), and the workload of `bench_classify.py`.
"""

from __future__ import annotations

import io
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from feeds import FetchResult, demo_config, parse_result
from feeds.judge.classify import Classifier
from feeds.judge.classify_io import classify_stream
from tests.bench.bench_classify import RELEASES, _release
from tests.paths import SHARED


def demo_lines() -> Iterator[str]:
    """The demo's releases as `classify` input lines (title, text or summary, language)."""
    for source in demo_config().sources:
        path = Path(source.url.removeprefix("file://"))
        result = FetchResult(
            source=source, status=200, body=path.read_bytes(), final_url=source.url
        )
        for release in parse_result(result).releases:
            item = {"id": release.id, "title": release.title, "text": release.text}
            item.update(summary=release.summary, language=release.language)
            yield json.dumps(item, ensure_ascii=False)


def bench_lines() -> Iterator[str]:
    """The releases `bench_classify.py` times, in its order."""
    rng = random.Random(2023)
    for lang in ("en", "es", "fr"):
        for number in range(RELEASES // 3):
            title, text = _release(rng, lang)
            yield json.dumps({"id": f"{lang}{number}", "title": title, "text": text})


def inputs() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in ("dev", "dev2"):
        path = SHARED / "eval" / f"{name}.jsonl"
        if path.exists():
            found[name] = path.read_text(encoding="utf-8").splitlines()
        else:
            print(f"{path} is absent: {name} left out", file=sys.stderr)
    found["demo"] = list(demo_lines())
    found["bench"] = list(bench_lines())
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.bench.classify_dump FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    classifier = Classifier.load()
    for name, lines in inputs().items():
        out, err = io.StringIO(), io.StringIO()
        status = classify_stream(lines, out, err, classifier)
        (folder / f"{name}.jsonl").write_text(out.getvalue(), encoding="utf-8")
        print(f"{name}: {len(lines)} lines, status {status} {err.getvalue().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
