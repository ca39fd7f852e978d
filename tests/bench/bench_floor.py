"""What an unchanged poll costs us against the least any Python poll with httpx can cost.

Run explicitly (about a minute; needs the shared feed server):

    .venv/bin/python -m pytest tests/bench/bench_floor.py -s

On the loopback feed server of `../shared/bench`, with every feed's ETag already stored, each
of `BENCH_FLOOR_REPS` rounds times two fresh processes: `summitwatch poll --all` (an all-304
poll that also reads the config and the store and records each source's health), and a bare
script that only imports asyncio and httpx and sends the same conditional requests, two at a
time as our per-host limit does. It prints the peak RSS and wall time of both: the second is
the floor under the first for any poll written on this stack, the figure to set against
newsboat's.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bench.loopback import config_text, feed_server, feed_urls, missing, poll_command, timed

FEEDS = int(os.environ.get("BENCH_FLOOR_FEEDS", "200"))
REPS = int(os.environ.get("BENCH_FLOOR_REPS", "5"))

# Everything the floor does: no config, no store, no health, no parsing.
BARE_POLL = """
import asyncio, json, ssl, sys
sys.modules.setdefault("httpx._main", None)  # as feeds.collect.fetch does: no rich, click, pygments
import httpx

async def main(validators):
    slots = asyncio.Semaphore(2)
    plain = httpx.AsyncHTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    async with httpx.AsyncClient(transport=plain) as client:
        async def one(url, etag):
            async with slots, client.stream("GET", url, headers={"If-None-Match": etag}) as r:
                await r.aread()
                assert r.status_code == 304, r.status_code
        await asyncio.gather(*(one(url, etag) for url, etag in validators.items()))

asyncio.run(main(json.load(open(sys.argv[1]))))
"""

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with feed_server(FEEDS, tmp_path_factory.mktemp("floor")) as url:
        yield url


def test_unchanged_poll_against_the_bare_httpx_floor(server: str, tmp_path: Path) -> None:
    urls = feed_urls(server, FEEDS)
    validators = {url: httpx.get(url).headers["ETag"] for url in urls}
    (tmp_path / "validators.json").write_text(json.dumps(validators))
    (tmp_path / "bare.py").write_text(BARE_POLL)
    config = tmp_path / "config.toml"
    config.write_text(config_text(urls))
    ours = poll_command(config, tmp_path / "db")
    timed(ours)  # cold: stores every validator
    bare = [sys.executable, str(tmp_path / "bare.py"), str(tmp_path / "validators.json")]

    runs: dict[str, list[tuple[float, float]]] = {"summitwatch poll --all": [], "bare httpx": []}
    for _ in range(REPS):
        runs["summitwatch poll --all"].append(timed(ours))
        runs["bare httpx"].append(timed(bare))

    print(f"\n{FEEDS} feeds, all unchanged (304), medians of {REPS} fresh processes:")
    for name, figures in runs.items():
        wall = statistics.median(w for w, _ in figures)
        peak = statistics.median(p for _, p in figures)
        print(f"  {name:<24} wall {wall:5.2f} s   peak RSS {peak:5.1f} MB")
