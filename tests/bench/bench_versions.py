"""What keeping every version of edited releases costs: disk, edit writes, reading, diffing.

Run explicitly (a minute or so):

    .venv/bin/python -m pytest tests/bench/bench_versions.py -s

A store of 2,000 releases of about 3,000 characters (BENCH_RELEASES=N for another count);
then 100 of them are edited until each holds the most versions kept (`MAX_VERSIONS`), one
sentence changed per edit, 50 edits a write as a poll would store them. Printed: the size of
the database folder before and after, the time of one write of 50 edits at the start and at
the end, a full read (`get`) of a release with every version, and the word diff of two
versions (what the reader and an edit alert compute). No assertions: the figures are printed.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from feeds.models import ClassifiedRelease
from state import MAX_VERSIONS, Store, changes, word_diff
from tests.bench.bench_store import WORDS, make

COUNT = int(os.environ.get("BENCH_RELEASES", "2000"))
EDITED = 100
BATCH = 50


def long_release(i: int, rng: random.Random) -> ClassifiedRelease:
    item = make(i, rng)
    sentences = [" ".join(rng.choices(WORDS, k=14)) + "." for _ in range(30)]
    return replace(item, release=replace(item.release, text=" ".join(sentences)))


def edited(item: ClassifiedRelease, n: int) -> ClassifiedRelease:
    words = item.release.text.split(". ")
    words[n % len(words)] = f"Revised on edit {n}, the ministers said"
    return replace(item, release=replace(item.release, text=". ".join(words)))


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_the_cost_of_keeping_versions(tmp_path: Path) -> None:
    rng = random.Random(7)
    items = [long_release(i, rng) for i in range(COUNT)]
    db = tmp_path / "db"
    with Store(db) as store:
        for start in range(0, COUNT, 1000):
            store.add(items[start : start + 1000], now="2026-12-01T00:00:00+00:00")
    before = folder_size(db)
    chosen = items[:EDITED]
    writes: list[float] = []
    with Store(db) as store:
        for n in range(1, MAX_VERSIONS):
            for start in range(0, EDITED, BATCH):
                batch = [edited(item, n) for item in chosen[start : start + BATCH]]
                began = time.perf_counter()
                store.add(batch, now=f"2026-12-{1 + n % 28:02d}T00:00:{n:02d}+00:00", light=True)
                writes.append(time.perf_counter() - began)
    after = folder_size(db)
    with Store(db) as store:
        began = time.perf_counter()
        record = store.get(chosen[0].release.id)
        read = time.perf_counter() - began
    assert record is not None
    versions = record.versions
    diffs = []
    for older, newer in itertools.pairwise(versions):
        began = time.perf_counter()
        changes(word_diff(older.body, newer.body))
        diffs.append(time.perf_counter() - began)
    per_release = (after - before) / EDITED
    print(
        f"\n{COUNT} releases, {EDITED} edited to {len(versions)} versions each"
        f"\ndatabase folder: {before / 1e6:.1f} MB before, {after / 1e6:.1f} MB after"
        f" ({per_release / 1e3:.0f} KB more a release with {len(versions)} versions,"
        f" text {len(record.release.text)} characters)"
        f"\none write of {BATCH} edits: first {writes[0] * 1e3:.0f} ms, last"
        f" {writes[-1] * 1e3:.0f} ms, median {statistics.median(writes) * 1e3:.0f} ms"
        f"\nget() of a release with every version: {read * 1e3:.1f} ms"
        f"\nword diff of two versions: median {statistics.median(diffs) * 1e3:.2f} ms"
    )
