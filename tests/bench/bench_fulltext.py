"""Full text never stalls a poll: a cold poll of 1,000 feeds whose item links do not resolve,
with the defaults (full text on) against the same poll with `full_text = false`.

Run explicitly (a few minutes):

    .venv/bin/python -m pytest tests/bench/bench_fulltext.py -s

On the loopback feed server of `../shared/bench`, BENCH_FULLTEXT_FEEDS (1,000) feeds, about 70 %
of them giving a summary only; their items link to `*.gov.example` sites, which do not resolve
(the child processes answer those lookups offline, as a resolver answers for a name that does
not exist: nothing leaves 127.0.0.1). Each of BENCH_FULLTEXT_REPS rounds polls a fresh database
once with `full_text = false` and once with the defaults, each `summitwatch poll --all` a
fresh process under /usr/bin/time. Printed: medians, their ratio (the target is at most 1.5)
and what the full-text stage did.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pytest

from tests.bench.loopback import config_text, feed_server, feed_urls, missing, poll_command, timed

FEEDS = int(os.environ.get("BENCH_FULLTEXT_FEEDS", "1000"))
REPS = int(os.environ.get("BENCH_FULLTEXT_REPS", "3"))
TARGET = 1.5

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


def test_a_cold_poll_with_unreachable_item_links_against_full_text_off(tmp_path: Path) -> None:
    with feed_server(FEEDS, tmp_path) as server:
        urls = feed_urls(server, FEEDS)
        configs = {
            "full_text = false": tmp_path / "off.toml",
            "defaults (full text on)": tmp_path / "on.toml",
        }
        configs["full_text = false"].write_text(config_text(urls))
        configs["defaults (full text on)"].write_text(config_text(urls, poll=""))
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
        summaries: list[str] = []
        for rep in range(REPS):
            for n, (name, config) in enumerate(configs.items()):
                out: list[str] = []
                runs[name].append(timed(poll_command(config, tmp_path / f"db-{rep}-{n}"), out))
                summaries.append(out[0].strip().splitlines()[-1])
    walls = {name: statistics.median(w for w, _ in figures) for name, figures in runs.items()}
    print(f"\n{FEEDS} feeds, cold, item links unresolvable; medians of {REPS} fresh processes:")
    for name, figures in runs.items():
        peak = statistics.median(p for _, p in figures)
        print(f"  {name:<26} wall {walls[name]:6.2f} s   peak RSS {peak:6.1f} MB")
    ratio = walls["defaults (full text on)"] / walls["full_text = false"]
    print(f"  ratio {ratio:.2f} (target at most {TARGET})")
    print(f"  last summary with full text on: {summaries[-1]}")
    assert "full text of" in summaries[-1], "the full-text stage did not run"
