"""What a poll costs as the store grows: ~60 new releases into 100,000 stored, against the same
poll into an empty store.

Run explicitly (a few minutes, about 300 MB of disk):

    .venv/bin/python -m pytest tests/bench/bench_store_poll.py -s

On the loopback feed server of `../shared/bench` (4 feeds of 25-35 items): a store of
BENCH_STORE_POLL_RELEASES (100,000) releases is built once (`bench_store.build`) and polled
once from two of the feeds: that first poll builds the on-disk key index (`keys.sqlite`), as
the first poll after an upgrade does, and is printed apart. Then, in each of
BENCH_STORE_POLL_REPS rounds, a fresh copy of that store and a fresh empty store are polled
from the two other feeds (every release new: ~60), then polled again (every feed unchanged:
304s), each `summitwatch poll --all` a fresh process under /usr/bin/time. Medians printed, with
the CPU seconds (user and system) beside the wall clock: on a shared machine the wall clock
follows the load, CPU time much less. Last, the store's own part of such a poll without the
network, the parsing and the imports (`bench_store.measure_poll_share`: open, add 60, record
health, close, in a fresh process), into a fresh copy of the large store and an empty one.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bench.bench_store import run
from tests.bench.loopback import config_text, feed_server, feed_urls, missing, poll_command, timed

RELEASES = int(os.environ.get("BENCH_STORE_POLL_RELEASES", "100000"))
REPS = int(os.environ.get("BENCH_STORE_POLL_REPS", "3"))
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


def _build(db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_RELEASES": str(RELEASES)}
    script = ROOT / "tests" / "bench" / "bench_store.py"
    subprocess.run([sys.executable, str(script), "build", str(db), ""], env=env, check=True)


def _line(label: str, figures: list[tuple[float, float, float]]) -> str:
    wall = statistics.median(w for w, _, _ in figures)
    cpu = statistics.median(c for _, _, c in figures)
    peak = statistics.median(p for _, p, _ in figures)
    return f"  {label:<34} wall {wall:5.2f} s   CPU {cpu:5.2f} s   peak RSS {peak:5.1f} MB"


def _timed(command: list[str]) -> tuple[float, float, float]:
    cpu: list[float] = []
    wall, peak = timed(command, cpu=cpu)
    return wall, peak, cpu[0]


def test_a_poll_costs_what_it_brings_not_what_is_stored(tmp_path: Path) -> None:
    with feed_server(4, tmp_path) as server:
        urls = feed_urls(server, 4)
        warm_up, measured = tmp_path / "warm-up.toml", tmp_path / "measured.toml"
        warm_up.write_text(config_text(urls[:2]))
        measured.write_text(config_text(urls[2:]))
        big = tmp_path / "big"
        started = time.perf_counter()
        _build(big)
        print(f"\nbuilt {RELEASES} releases in {time.perf_counter() - started:.0f} s")
        first = _timed(poll_command(warm_up, big))
        runs: dict[str, list[tuple[float, float, float]]] = {}
        shares: dict[str, list[dict[str, float]]] = {}
        for rep in range(REPS):
            copy = tmp_path / f"big-{rep}"
            shutil.copytree(big, copy)
            for name, db in (
                ("empty store", tmp_path / f"empty-{rep}"),
                (f"{RELEASES} stored", copy),
            ):
                runs.setdefault(f"new releases, {name}", []).append(
                    _timed(poll_command(measured, db))
                )
                runs.setdefault(f"unchanged, {name}", []).append(_timed(poll_command(measured, db)))
            shutil.rmtree(copy)
            shutil.copytree(big, copy)
            for name, db in (
                ("empty store", tmp_path / f"share-{rep}"),
                (f"{RELEASES} stored", copy),
            ):
                shares.setdefault(name, []).append(run("poll_share", db))
            shutil.rmtree(copy)
    print(_line(f"first poll at {RELEASES} (builds index)", [first]))
    for label, figures in runs.items():
        print(_line(label, figures))
    print("the store's part alone (open, add 60, health, close; ms, medians):")
    for name, results in shares.items():
        figures = {k: statistics.median(r[k] for r in results) * 1000 for k in results[0]}
        print(
            f"  {name:<34} wall {figures['wall']:5.0f}   CPU {figures['cpu']:5.0f}"
            f"   (open: wall {figures['open']:4.0f}, CPU {figures['open_cpu']:4.0f})"
        )
