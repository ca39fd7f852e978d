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
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/work/shared/bench"))
FEEDS = int(os.environ.get("BENCH_FLOOR_FEEDS", "200"))
REPS = int(os.environ.get("BENCH_FLOOR_REPS", "5"))
SUMMITWATCH = Path(sys.executable).parent / "summitwatch"

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

pytestmark = [
    pytest.mark.skipif(
        not (BENCH_DIR / "feedserver.py").exists(), reason=f"{BENCH_DIR}/feedserver.py not found"
    ),
    pytest.mark.skipif(
        not Path("/usr/bin/time").exists(), reason="/usr/bin/time missing (apt-get install time)"
    ),
]


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("floor")
    port_file = folder / "port"
    serve = [sys.executable, str(BENCH_DIR / "feedserver.py"), "--feeds", str(FEEDS)]
    server = subprocess.Popen(
        [*serve, "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "the feed server did not start"
            assert server.poll() is None, "the feed server exited"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port_file.read_text().strip()}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process, by /usr/bin/time: a child of
    this (large) process would count its copy of us, made before exec, in its peak."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    wall, peak_kb = done.stderr.split()[-2:]
    return float(wall), int(peak_kb) / 1024


def test_unchanged_poll_against_the_bare_httpx_floor(feed_server: str, tmp_path: Path) -> None:
    urls = httpx.get(f"{feed_server}/__urls?n={FEEDS}").text.split()
    assert len(urls) == FEEDS
    validators = {url: httpx.get(url).headers["ETag"] for url in urls}
    (tmp_path / "validators.json").write_text(json.dumps(validators))
    (tmp_path / "bare.py").write_text(BARE_POLL)
    config = tmp_path / "config.toml"
    config.write_text(
        "[poll]\nfull_text = false\n\n"
        + "".join(f'[[sources]]\nname = "{u}"\nurl = "{u}"\ncountry = "US"\n\n' for u in urls)
    )
    ours = [
        str(SUMMITWATCH),
        "poll",
        "--all",
        "--config",
        str(config),
        "--db",
        str(tmp_path / "db"),
    ]
    subprocess.run(ours, capture_output=True, check=False)  # cold: stores every validator
    bare = [sys.executable, str(tmp_path / "bare.py"), str(tmp_path / "validators.json")]

    runs: dict[str, list[tuple[float, float]]] = {"summitwatch poll --all": [], "bare httpx": []}
    for _ in range(REPS):
        runs["summitwatch poll --all"].append(_timed(ours))
        runs["bare httpx"].append(_timed(bare))

    print(f"\n{FEEDS} feeds, all unchanged (304), medians of {REPS} fresh processes:")
    for name, figures in runs.items():
        wall = statistics.median(w for w, _ in figures)
        peak = statistics.median(p for _, p in figures)
        print(f"  {name:<24} wall {wall:5.2f} s   peak RSS {peak:5.1f} MB")
