"""Store benchmark: 100,000 releases of about 1.5 KB (BENCH_RELEASES=N for fewer).

Run explicitly (a minute or two, about 1 GB of disk and memory headroom):

    .venv/bin/python -m pytest tests/bench/bench_store.py -s

Each measurement runs in a fresh process so that open time and peak memory are honest: open
then `all()`, `get()` cold (a month not read yet) and warm, add 50, one triage decision,
refresh, events; and, in a process of its own, `iter_full()` over everything.
BENCH_DEFAULT=1 adds TinyDB's default JSONStorage for comparison (slow: minutes).
No assertions on time: the figures are printed.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.models import Classification, ClassifiedRelease, Evidence, Match, Release

if TYPE_CHECKING:
    from state.store import Store

ROOT = Path(__file__).resolve().parents[2]
COUNT = int(os.environ.get("BENCH_RELEASES", "100000"))
_WORD_TEXT = (
    "summit leaders trilateral cooperation climate methane migration health security border "
    "supply chains semiconductors fentanyl investment energy women indigenous competitiveness "
    "north american canada mexico united states agreement commitment program million dollars "
    "cumbre líderes cooperación migración salud seguridad frontera inversión energía mujeres "
    "sommet dirigeants coopération santé sécurité frontière investissement énergie femmes"
)
WORDS = _WORD_TEXT.split()


def make(i: int, rng: random.Random, month: str | None = None) -> ClassifiedRelease:
    year, mon = 2016 + (i % 120) // 12, 1 + i % 12
    published = f"{month or f'{year}-{mon:02d}'}-{1 + i % 28:02d}T12:00:00+00:00"
    text = " ".join(rng.choices(WORDS, k=95))
    pillars = tuple(rng.sample(["climate", "migration", "health", "security"], k=2))
    matches = (Match("methane", "text", 10, 17), Match("border", "text", 40, 46))
    evidence = {p: Evidence(0.7, matches, text[:120]) for p in pillars}
    release = Release(
        id=f"{i:016x}",
        source=f"source-{i % 40}",
        country=("CA", "MX", "US")[i % 3],
        language=("en", "es", "fr")[i % 3],
        title=" ".join(rng.choices(WORDS, k=10)),
        link=f"https://gov.example/{i % 40}/news/{i}",
        published=published,
        text=text,
        guid=f"https://gov.example/guid/{i}",
    )
    summit = i % 10 == 0
    classification = Classification(
        release.language,
        summit,
        0.9 if summit else 0.1,
        pillars,
        {p: 0.7 for p in pillars},
        evidence,
    )
    return ClassifiedRelease(release, classification)


def build(ours: Path, default: str) -> None:
    from tinydb import TinyDB

    from state.records import StoredRelease
    from state.store import Store

    rng = random.Random(1)
    items = [make(i, rng) for i in range(COUNT)]
    Store(ours).add(items, now="2025-12-01T00:00:00+00:00")
    if not default:
        return
    docs = [
        StoredRelease(it.release, it.classification, "2025-12-01T00:00:00+00:00").to_dict()
        for it in items
    ]
    TinyDB(default).table("releases").insert_multiple(docs)


def _batch(rng: random.Random) -> list[ClassifiedRelease]:
    return [make(rng.randrange(10**12), rng, "2025-12") for _ in range(50)]


def _timed(action: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        t = time.perf_counter()
        action()
        spent.append(time.perf_counter() - t)
    return statistics.median(spent)


def _cold_and_warm_get(store: Store, rng: random.Random) -> tuple[float, float]:
    """Median time of a first get() in a month not read yet, and of a get() repeated."""
    by_month: dict[str, str] = {}
    for stored in store.all():
        by_month.setdefault(stored.release.published[:7], stored.id)
    cold_ids = rng.sample(sorted(by_month.values()), min(7, len(by_month)))
    cold = []
    for release_id in cold_ids:
        store._bodies.clear()  # the months kept from earlier reads: a cold read each time
        t = time.perf_counter()
        store.get(release_id)
        cold.append(time.perf_counter() - t)
    warm = _timed(lambda: store.get(cold_ids[-1]), 100)
    return statistics.median(cold), warm


def measure_ours(path: Path, rng: random.Random) -> dict[str, float]:
    import resource

    from state.store import Store

    t = time.perf_counter()
    store = Store(path)
    loaded = len(store.all())
    opened = time.perf_counter() - t
    open_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    get_cold, get_warm = _cold_and_warm_get(store, rng)
    first_add = _timed(lambda: store.add(_batch(rng)), 1)  # builds the dedupe maps
    add50 = _timed(lambda: store.add(_batch(rng)), 5)
    ids = [r.id for r in store.all()[:1000]]
    triage = _timed(lambda: store.update([rng.choice(ids)], triage="relevant", note="n"), 10)
    refresh = _timed(store.refresh, 10)
    events = _timed(store.events, 1)
    return {
        "loaded": loaded,
        "open": opened,
        "open_peak_mb": open_peak,
        "get_cold": get_cold,
        "get_warm": get_warm,
        "first_add": first_add,
        "add50": add50,
        "triage": triage,
        "refresh": refresh,
        "events": events,
    }


def measure_poll_share(path: Path) -> dict[str, float]:
    """The store's part of a poll that brings 60 new releases, as `summitwatch poll` does it:
    open loading nothing, add them with their keys computed already, record the health of two
    sources, close. Wall and CPU seconds of the whole, and of the open alone."""
    from feeds.models import SourceHealth
    from state.dedupe import keys_for
    from state.store import Store

    rng = random.Random(time.time_ns())
    items = [make(10**9 + rng.randrange(10**9), rng, "2026-11") for _ in range(60)]
    keys = [keys_for(item.release) for item in items]
    wall, cpu = time.perf_counter(), time.process_time()
    store = Store(path, load="none")
    opened, opened_cpu = time.perf_counter() - wall, time.process_time() - cpu
    added = store.add(items, light=True, keys=keys).new
    store.record_health([SourceHealth(source=f"source-{n}") for n in range(2)])
    store.close()
    assert len(added) == 60
    return {
        "open": opened,
        "open_cpu": opened_cpu,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
    }


def measure_iter_full(path: Path) -> dict[str, float]:
    from state.store import Store

    store = Store(path)
    t = time.perf_counter()
    count = sum(len(r.release.text) > 0 for r in store.iter_full())
    return {"loaded": count, "iter_full": time.perf_counter() - t}


def measure_default(path: Path, rng: random.Random) -> dict[str, float]:
    from tinydb import TinyDB
    from tinydb.table import Document

    t = time.perf_counter()
    table = TinyDB(path).table("releases")
    loaded = len(table.all())
    opened = time.perf_counter() - t

    def add() -> None:
        base = len(table)
        docs = [
            {"release": b.release.to_dict(), "classification": b.classification.to_dict()}
            for b in _batch(rng)
        ]
        table.insert_multiple(Document(d, doc_id=base + k + 1) for k, d in enumerate(docs))

    add50 = _timed(add, 3)
    triage = _timed(
        lambda: table.update({"triage": "relevant"}, doc_ids=[rng.randrange(1, COUNT)]), 3
    )
    nan = float("nan")
    return {
        "loaded": loaded,
        "open": opened,
        "add50": add50,
        "triage": triage,
        "refresh": nan,
        "events": nan,
    }


def measure(kind: str, path: Path) -> dict[str, float]:
    import resource

    rng = random.Random(time.time_ns())
    if kind == "iter_full":
        result = measure_iter_full(path)
    elif kind == "poll_share":
        result = measure_poll_share(path)
    else:
        result = (measure_ours if kind == "ours" else measure_default)(path, rng)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def run(kind: str, path: Path, *extra: str, script: str = __file__) -> dict[str, float]:
    """Run one measurement of `script` in a fresh process, so open time and peak RSS are honest."""
    out = subprocess.run(
        [sys.executable, script, kind, str(path), *extra],
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return {k: float(v) for k, v in (pair.split("=") for pair in out.split())}


def _print_ours(r: dict[str, float], it: dict[str, float], size: float) -> None:
    ms = 1000
    print(f"summitwatch store, {int(r['loaded'])} releases, {size:.0f} MB on disk")
    print(f"  open -> all() returned   {r['open']:8.2f} s   peak RSS {r['open_peak_mb']:6.0f} MB")
    print(f"  get() cold / warm        {r['get_cold'] * ms:8.1f} ms / {r['get_warm'] * ms:.3f} ms")
    print(f"  first add 50 after open  {r['first_add'] * ms:8.0f} ms")
    print(f"  add 50 / 1 triage        {r['add50'] * ms:8.0f} ms / {r['triage'] * ms:.1f} ms")
    print(f"  refresh / events()       {r['refresh'] * ms:8.2f} ms / {r['events']:.2f} s")
    print(f"  peak RSS after all that  {r['peak_mb']:8.0f} MB")
    print(f"  iter_full() over all     {it['iter_full']:8.2f} s   peak RSS {it['peak_mb']:6.0f} MB")


def test_store_of_100k_releases_against_tinydb_default_storage(tmp_path: Path) -> None:
    """Set BENCH_DEFAULT=1 to compare with TinyDB's default storage (slow: minutes)."""
    ours, default = tmp_path / "ours.db", tmp_path / "default.json"
    with_default = os.environ.get("BENCH_DEFAULT") == "1"
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "build", str(ours), str(default) if with_default else ""],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    print(f"\nbuilt {COUNT} releases in {time.perf_counter() - t:.1f} s")
    _print_ours(run("ours", ours), run("iter_full", ours), size_mb(ours))
    if with_default:
        r = run("default", default)
        print(
            f"TinyDB default JSONStorage: open {r['open']:.2f} s, add 50 {r['add50'] * 1000:.0f}"
            f" ms, 1 triage {r['triage'] * 1000:.1f} ms, {size_mb(default):.0f} MB on disk,"
            f" peak RSS {r['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]), sys.argv[3])
    else:
        result = measure(sys.argv[1], Path(sys.argv[2]))
        print(" ".join(f"{k}={v}" for k, v in result.items()))
