"""Browser fetch benchmark (issue 13): one `summitwatch poll` of a walled source, cold and warm,
next to a plain feed poll.

Run explicitly:

    .venv/bin/python -m pytest tests/bench/bench_browser.py -s

Serves the proof-of-work wall of `tests/feeds/challenge_server.py` (16 leading zero bits, about
65,000 SHA-256 in the page's script) on 127.0.0.1 and times `summitwatch poll --all`, each run a
process of its own: *cold* is a new database folder (browser start, challenge solved, cookie
saved), *warm* the same folder again (browser start, cookie reused, no challenge), *plain* one
RSS feed through the HTTP client. Memory is the peak of the poll's whole process tree (Python,
Playwright's driver, Chromium's processes) as the sum of their proportional set sizes, sampled
every 20 ms; beside it the peak of the Python process alone. `BENCH_BROWSER_REPS` sets the
rounds (default 3); medians are printed. Only the bench's own correctness is asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from feeds.collect.browser import browser_problem
from tests.feeds.challenge_server import LISTING_PATH, TITLES, ChallengeServer, challenge_server

REPS = int(os.environ.get("BENCH_BROWSER_REPS", "3"))
BITS = 16

pytestmark = pytest.mark.skipif(
    browser_problem() is not None, reason=f"no browser here: {browser_problem()}"
)


def _config(site: ChallengeServer, browser: bool) -> str:
    head = "[poll]\nfull_text = false\n\n"
    if browser:
        return head + (
            f'[[sources]]\nname = "Presidencia"\nurl = "{site.url(LISTING_PATH)}"\n'
            'country = "MX"\nlanguage = "es"\nkind = "page"\nfetch = "browser"\n'
            '[sources.selectors]\nitem = "article"\n'
        )
    feed = site.url("/plain/feed.xml")
    return head + f'[[sources]]\nname = "plain"\nurl = "{feed}"\ncountry = "US"\n'


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _run(config: Path, db: Path) -> tuple[float, float, float, str]:
    """Seconds, peak MB of the process tree, peak MB of the Python process, and the output."""
    command = [str(Path(sys.executable).parent / "summitwatch"), "poll", "--all"]
    command += ["--config", str(config), "--db", str(db)]
    peaks = {"tree": 0, "python": 0}
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def sample() -> None:
        while proc.poll() is None:
            tree = _tree(proc.pid)
            peaks["tree"] = max(peaks["tree"], sum(map(_pss_kb, tree)))
            peaks["python"] = max(peaks["python"], _pss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate(timeout=120)
    elapsed = time.monotonic() - started
    sampler.join()
    assert proc.returncode == 0, out
    return elapsed, peaks["tree"] / 1024, peaks["python"] / 1024, out


def test_browser_poll_cold_and_warm_against_a_plain_poll(tmp_path: Path) -> None:
    figures: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": [], "plain": []}
    with challenge_server(bits=BITS) as site:
        browser_config = tmp_path / "browser.toml"
        browser_config.write_text(_config(site, browser=True), encoding="utf-8")
        plain_config = tmp_path / "plain.toml"
        plain_config.write_text(_config(site, browser=False), encoding="utf-8")
        for round_ in range(REPS):
            db = tmp_path / f"round{round_}" / "db"
            walls = site.walls_served
            *cold, out = _run(browser_config, db)
            assert site.walls_served == walls + 1, out
            assert f"{len(TITLES)} new" in out, out
            *warm, out = _run(browser_config, db)
            assert site.walls_served == walls + 1, "the warm poll solved the challenge again"
            *plain, out = _run(plain_config, tmp_path / f"round{round_}" / "plain-db")
            figures["cold"].append(tuple(cold))  # type: ignore[arg-type]
            figures["warm"].append(tuple(warm))  # type: ignore[arg-type]
            figures["plain"].append(tuple(plain))  # type: ignore[arg-type]
    print(f"\n`summitwatch poll --all`, one source, medians of {REPS} ({BITS}-bit wall)")
    print(f"{'run':<34} {'time':>8} {'peak, tree':>12} {'peak, python':>13}")
    names = {
        "cold": "browser, cold (start + challenge)",
        "warm": "browser, warm (cookie kept)",
        "plain": "plain feed (HTTP client)",
    }
    for key, runs in figures.items():
        seconds, tree, python = (statistics.median(column) for column in zip(*runs, strict=True))
        print(f"{names[key]:<34} {seconds:>7.2f}s {tree:>9.0f} MB {python:>10.0f} MB")
