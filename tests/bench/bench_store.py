"""Store benchmark: 100,000 releases of about 1.5 KB, our store against TinyDB's default storage.

Run explicitly (it takes a minute or two and about 2 GB of disk and memory headroom):

    .venv/bin/python -m pytest tests/bench/bench_store.py -s

Each measurement runs in a fresh process so that open time and peak memory are honest.
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

from feeds.models import Classification, ClassifiedRelease, Evidence, Match, Release

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


def build(ours: Path, default: Path) -> None:
    from tinydb import TinyDB

    from state.records import StoredRelease
    from state.store import Store

    rng = random.Random(1)
    items = [make(i, rng) for i in range(COUNT)]
    Store(ours).add(items, now="2025-12-01T00:00:00+00:00")
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


def measure_ours(path: Path, rng: random.Random) -> dict[str, float]:
    from state.store import Store

    t = time.perf_counter()
    store = Store(path)
    loaded = len(store.all())
    opened = time.perf_counter() - t
    add50 = _timed(lambda: store.add(_batch(rng)), 5)
    ids = [r.id for r in store.all()[:1000]]
    triage = _timed(lambda: store.update([rng.choice(ids)], triage="relevant", note="n"), 10)
    refresh = _timed(store.refresh, 10)
    events = _timed(store.events, 1)
    return {
        "loaded": loaded,
        "open": opened,
        "add50": add50,
        "triage": triage,
        "refresh": refresh,
        "events": events,
    }


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
    result = (measure_ours if kind == "ours" else measure_default)(path, rng)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, kind, str(path)],
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return {k: float(v) for k, v in (pair.split("=") for pair in out.split())}


def test_store_of_100k_releases_against_tinydb_default_storage(tmp_path: Path) -> None:
    ours, default = tmp_path / "ours.db", tmp_path / "default.json"
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "build", str(ours), str(default)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    print(f"\nbuilt {COUNT} releases in both stores in {time.perf_counter() - t:.1f} s")
    rows = {
        "summitwatch store": run("ours", ours),
        "TinyDB default JSONStorage": run("default", default),
    }
    sizes = {"summitwatch store": size_mb(ours), "TinyDB default JSONStorage": size_mb(default)}
    heads = ("open+load", "add 50", "1 triage", "refresh", "events()", "size", "peak RSS")
    print(f"{'':28}" + "".join(f"{h:>10}" for h in heads))
    for name, r in rows.items():
        print(
            f"{name:28} {r['open']:>9.2f}s {r['add50'] * 1000:>8.0f}ms"
            f"{r['triage'] * 1000:>8.1f}ms"
            f"{r['refresh'] * 1000:>8.2f}ms{r['events']:>9.2f}s"
            f"{sizes[name]:>8.0f}MB{r['peak_mb']:>8.0f}MB"
        )


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        result = measure(sys.argv[1], Path(sys.argv[2]))
        print(" ".join(f"{k}={v}" for k, v in result.items()))
