"""Bulk-add benchmark: a cold poll's releases reaching an empty store in batches of 3,000.

Run explicitly (a minute, a few hundred MB of disk):

    .venv/bin/python -m pytest tests/bench/bench_store_adds.py -s

For 6,000 and then 30,000 new releases (text of about 1.7 KB, evidence on two pillars,
published over three months, as a government poll brings them), each measurement in a fresh
process so that time and peak memory are honest:

- `new`: add them to an empty store in batches of 3,000 (as `tui/services.py` flushes);
- `dups`: open that store in a new process and add the very same batches again (all
  duplicates: nothing is written).

Printed: total time, first / last / slowest batch, peak RSS and what the imports alone cost.
BENCH_ADDS=6000,30000 chooses the sizes. No assertions on time: the figures are printed.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from feeds.models import ClassifiedRelease

SIZES = [int(n) for n in os.environ.get("BENCH_ADDS", "6000,30000").split(",")]
BATCH = 3000
MONTHS = ("2025-10", "2025-11", "2025-12")


def item(i: int) -> ClassifiedRelease:
    """Release `i`, the same in every process: `make()`'s record with twice its text."""
    from tests.bench.bench_store import WORDS, make

    rng = random.Random(i)
    made = make(i, rng, MONTHS[i % len(MONTHS)])
    more = " ".join(rng.choices(WORDS, k=100))
    return replace(made, release=replace(made.release, text=f"{made.release.text} {more}"))


def batches(count: int) -> Iterator[list[ClassifiedRelease]]:
    """Built one batch at a time, as a poll hands them over, so memory holds one batch."""
    for start in range(0, count, BATCH):
        yield [item(i) for i in range(start, min(count, start + BATCH))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, path: Path, count: int) -> dict[str, float]:
    """In the child: add `count` releases to the store at `path`, batch by batch."""
    from state.store import Store

    imports_mb = peak_mb()
    t = time.perf_counter()
    store = Store(path)
    opened = time.perf_counter() - t
    spent, added = [], 0
    for batch in batches(count):
        t = time.perf_counter()
        added += len(store.add(batch, now="2025-12-20T00:00:00+00:00").new)
        spent.append(time.perf_counter() - t)
    store.close()
    return {
        "added": added,
        "open": opened,
        "total": sum(spent),
        "first": spent[0],
        "last": spent[-1],
        "worst": max(spent),
        "imports_mb": imports_mb,
        "peak_mb": peak_mb(),
    }


def run(kind: str, path: Path, count: int) -> dict[str, float]:
    from tests.bench.bench_store import run as run_fresh

    return run_fresh(kind, path, str(count), script=__file__)


def size_mb(path: Path) -> float:
    from tests.bench.bench_store import size_mb as measured

    return measured(path)


def _print(label: str, r: dict[str, float]) -> None:
    ms = 1000
    print(
        f"  {label:<18} {r['total']:6.2f} s   batch first {r['first'] * ms:5.0f} ms,"
        f" last {r['last'] * ms:5.0f} ms, worst {r['worst'] * ms:5.0f} ms"
        f"   peak RSS {r['peak_mb']:4.0f} MB (imports {r['imports_mb']:3.0f} MB)"
        f"   new {int(r['added'])}"
    )


def test_bulk_adds_to_an_empty_store_and_again_as_duplicates(tmp_path: Path) -> None:
    print()
    for count in SIZES:
        db = tmp_path / f"adds-{count}.db"
        new = run("new", db, count)
        dups = run("dups", db, count)
        print(f"{count} releases in batches of {BATCH}, {size_mb(db):.0f} MB on disk")
        _print("new, empty store", new)
        _print("all duplicates", dups)
        print(f"  {'open before dups':<18} {dups['open']:6.2f} s")


if __name__ == "__main__":
    result = measure(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
    print(" ".join(f"{k}={v}" for k, v in result.items()))
