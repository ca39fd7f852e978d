"""Dashboard benchmark at 100,000 stored releases: first screen, keypress to list, memory.

Run explicitly (builds a 100,000-release store once under $BENCH_DIR, default /tmp):

    .venv/bin/python -m pytest tests/bench/bench_tui.py -s

- start-up: the installed `summitwatch` in a real pseudo-terminal, from spawn until the newest
  release's title has been drawn (target under 1.5 s), and until every release is loaded and
  indexed (the status line counts them all; keys work meanwhile); peak RSS of that process
  (VmHWM, target under 400 MB);
- keypress: in-process with Textual's Pilot, from a key in the search box or the navigator
  to the list updated (target under 50 ms median), and to the screen redrawn and idle again
  (Pilot's own waits included, so an upper bound).
No assertions on time: the figures are printed.
"""

from __future__ import annotations

import math
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.bench.bench_store import COUNT, make

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path(sys.executable).parent / "summitwatch"
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp")) / f"summitwatch-bench-tui-{COUNT}"


def build_store() -> Path:
    import random

    from state.store import Store

    db = BENCH_DIR / "db"
    done = BENCH_DIR / "complete"
    if done.exists():
        return db
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    with Store(db) as store:
        batch = []
        for i in range(COUNT):
            batch.append(make(i, rng))
            if len(batch) == 5000:
                store.add(batch)
                batch = []
        if batch:
            store.add(batch)
    done.write_text("ok")
    return db


def newest_title(db: Path) -> str:
    from state.store import Store

    with Store(db) as store:
        return store.all()[0].release.title


def _controlling_terminal() -> None:
    # The dashboard quits when its terminal hangs up; give it one as a login shell would.
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def first_screen(db: Path, title: str, config: Path) -> tuple[float, float, int]:
    """Seconds from spawn to the newest title on screen, to every release loaded and
    indexed (the status line counts them all), and the peak RSS in KB."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", SUMMITWATCH_DATA_DIR=str(BENCH_DIR / "data"))
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(COMMAND), "--config", str(config), "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=_controlling_terminal,
    )
    os.close(slave)
    seen = bytearray()
    # The title is drawn in pieces between escape codes; its first word is enough to know
    # that the list has been painted.
    marker = title.split()[0].encode()
    whole_marker = f"all releases: {COUNT}".encode()
    first = whole = float("nan")
    while time.monotonic() - started < 60:
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            seen += os.read(master, 1 << 16)
            now = time.monotonic() - started
            if math.isnan(first) and marker in seen and b"poll" in seen:
                first = now
            if whole_marker in seen:
                whole = now
                break
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # keep reading: a full pty would stall the app
        if select.select([master], [], [], 0.05)[0]:
            os.read(master, 1 << 16)
    peak = _peak_rss_kb(proc.pid)
    os.write(master, b"q")
    quit_by = time.monotonic() + 15
    while proc.poll() is None and time.monotonic() < quit_by:
        try:
            if select.select([master], [], [], 0.1)[0]:
                os.read(master, 1 << 16)
        except OSError:  # the terminal closed with the app
            break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    os.close(master)
    return first, whole, peak


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


@pytest.mark.skipif(not COMMAND.exists(), reason="summitwatch is not installed in this venv")
def test_first_screen_and_memory_at_100k(tmp_path: Path) -> None:
    db = build_store()
    title = newest_title(db)
    config = tmp_path / "config.toml"
    config.write_text("[poll]\ninterval = 3600\n", encoding="utf-8")
    runs = [first_screen(db, title, config) for _ in range(5)]
    firsts = sorted(r[0] for r in runs)
    wholes = sorted(r[1] for r in runs)
    peaks = sorted(r[2] for r in runs)
    print(
        f"\n[bench_tui] {COUNT} releases: first screen median {statistics.median(firsts):.2f} s"
        f" (min {firsts[0]:.2f}, max {firsts[-1]:.2f}); every release listed and filterable"
        f" median {statistics.median(wholes):.2f} s (max {wholes[-1]:.2f}); peak RSS median"
        f" {statistics.median(peaks) / 1024:.0f} MB (max {peaks[-1] / 1024:.0f} MB)"
    )


async def test_keypress_to_updated_list_at_100k(monkeypatch: pytest.MonkeyPatch) -> None:
    from feeds.collect.sources import Config
    from feeds.judge.classify import Classifier
    from feeds.judge.taxonomy import load_taxonomy
    from state.store import Store
    from tui.app import SummitWatchApp
    from tui.screens.main import MainScreen
    from tui.services import make_fetcher
    from tui.widgets.navigator import Navigator

    updated: list[float] = []
    refresh = MainScreen.refresh_list

    def timed(self: MainScreen) -> None:
        refresh(self)
        updated.append(time.perf_counter())

    monkeypatch.setattr(MainScreen, "refresh_list", timed)
    db = build_store()
    with Store(db) as store:
        app = SummitWatchApp(
            config=Config(path=None, sources=()),
            store=store,
            classifier=Classifier.load(),
            pillars=load_taxonomy().pillar_set,
            fetcher_factory=make_fetcher,
            poll_on_start=False,
        )
        async with app.run_test(size=(160, 48)) as pilot:
            from tests.tui.waiting import workers_done

            await workers_done(app)
            await pilot.pause()
            await pilot.press("slash")
            typing = [await _timed_key(pilot, key, updated) for key in "fentanyl"]
            await pilot.press("escape")
            app.screen.query_one(Navigator).focus()
            moving = [await _timed_key(pilot, "down", updated) for _ in range(12)]
    for name, runs in (("search keypress", typing), ("filter change", moving)):
        to_list = [r[0] * 1000 for r in runs if r[0] is not None]
        idle = [r[1] * 1000 for r in runs]
        print(
            f"\n[bench_tui] {COUNT} releases, {name}: to updated list median"
            f" {statistics.median(to_list):.1f} ms (max {max(to_list):.1f});"
            f" to screen idle median {statistics.median(idle):.1f} ms (max {max(idle):.1f})"
        )


async def _timed_key(pilot: Any, key: str, updated: list[float]) -> tuple[float | None, float]:
    updated.clear()
    started = time.perf_counter()
    await pilot.press(key)
    idle = time.perf_counter() - started
    return (updated[-1] - started if updated else None), idle
