"""The parse workers of a large poll end with it, even when it is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from feeds.poll import PARENT_CHECK_SECONDS, PROCESSES_AFTER_CHANGED

FEEDS = PROCESSES_AFTER_CHANGED + 2  # enough new feeds for the poll to fork its workers


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Release {n}-{i}</title><link>https://example.org/{n}/{i}</link>"
        f"<guid>urn:{n}:{i}</guid><description>The leaders met.</description></item>"
        for i in range(3)
    )
    channel = f"<channel><title>f</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


@pytest.fixture
def server() -> Iterator[tuple[str, threading.Event]]:
    """Feeds on 127.0.0.1; /slow answers only when the event is set (keeping the poll busy)."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                release.wait(60)
            body = _feed(len(self.path))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", release
    release.set()
    httpd.shutdown()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_when_the_poll_is_killed(
    tmp_path: Path, server: tuple[str, threading.Event]
) -> None:
    base, _ = server
    urls = [f"{base}/feed{n}" for n in range(FEEDS)] + [f"{base}/slow"]
    sources = "".join(
        f'[[sources]]\nname = "feed {n}"\ncountry = "US"\nurl = "{url}"\n'
        for n, url in enumerate(urls)
    )
    (tmp_path / "config.toml").write_text("[poll]\nfull_text = false\n" + sources)
    env = {
        **os.environ,
        "SUMMITWATCH_CONFIG": str(tmp_path / "config.toml"),
        "SUMMITWATCH_DATA_DIR": str(tmp_path / "data"),
    }
    poll = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "db"), "poll"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(poll.pid)) < 2:
            assert poll.poll() is None, "the poll ended before it forked its workers"
            assert time.monotonic() < deadline, "the poll never forked its workers"
            time.sleep(0.1)
        os.kill(poll.pid, signal.SIGKILL)
        poll.wait(timeout=10)
        deadline = time.monotonic() + 5 * PARENT_CHECK_SECONDS + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
    finally:
        poll.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert not left, f"worker processes {left} outlived the killed poll"
