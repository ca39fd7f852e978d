"""What `serve` spends answering a saved filter's Atom feed as the store grows.

Run explicitly (a minute or two, about 200 MB of disk):

    .venv/bin/python -m pytest tests/bench/bench_serve_feed.py -s

A store of BENCH_RELEASES (100,000) releases is built once (`bench_store.build`), with a saved
filter picking a third of them (one country). Timed in CPU seconds, since feed readers ask
while the dashboards run: the first request (the database opened and the feed built), the
same request again with nothing changed, and the request after another process stored 50
releases. The peer, in the same run, is what a request cost before `ServedFeeds` kept the
database open: open the store and build the feed each time. No assertions: figures are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from feeds.collect.sources import Config
from state import Store, ViewFilter, saved_filters_for
from tests.bench.bench_store import COUNT, build, make
from tui.alert_commands import ServedFeeds, filter_feed
from tui.commands import open_store, pillars_of

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _cpu(action: Callable[..., object], *args: object) -> float:
    began = time.process_time()
    action(*args)
    return time.process_time() - began


def test_a_served_feed_costs_what_changed_not_what_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "db"
    build(db, "")
    view = ViewFilter(("country:MX",))
    saved_filters_for(db).save("Mexico", view)
    args = argparse.Namespace(db=db, demo=False)
    config = Config(path=None, sources=())
    pillars = pillars_of(config)

    def uncached() -> str:
        with open_store(args, reading=True) as store:
            return filter_feed(store, "Mexico", view, pillars)[0]

    rng = random.Random(5)
    first, unchanged, after_write, peer = [], [], [], []
    for round_ in range(ROUNDS):
        feeds = ServedFeeds(args, config)
        try:
            first.append(_cpu(feeds, "Mexico"))
            unchanged.append(_cpu(feeds, "Mexico"))
            with Store(db) as poll:
                poll.add([make(10**9 + round_ * 50 + i, rng, "2026-12") for i in range(50)])
            after_write.append(_cpu(feeds, "Mexico"))
        finally:
            feeds.close()
        peer.append(_cpu(uncached))
    med = statistics.median
    print(
        f"\n{COUNT:,} releases, a filter of one country (newest 200 in the feed); "
        f"CPU seconds, medians of {ROUNDS}"
        f"\n  first request (open, build)        {med(first):7.3f} s"
        f"\n  again, nothing changed             {med(unchanged):7.4f} s"
        f"\n  after another process added 50     {med(after_write):7.3f} s"
        f"\n  peer: open and build every request {med(peer):7.3f} s"
        f"\n  ratio unchanged / peer             {med(unchanged) / med(peer):7.4f}"
        f"\n  ratio after a write / peer         {med(after_write) / med(peer):7.3f}"
    )
