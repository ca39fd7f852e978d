"""The poll hands each source's outcome to its caller as that source is done, and stores
nothing itself: the caller (the command line, the dashboard) decides what to keep."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import aclosing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.judge.classify import Classifier
from feeds.models import Release, Rule, Source
from feeds.poll import Poller

ITEMS = ("Leaders meet in Mexico City", "Thursday, October 8, 2026", "Energy ministers agree")


def _feed() -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link>"
        f"<guid>urn:test:{n}</guid><description>What was said.</description></item>"
        for n, title in enumerate(ITEMS)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


@pytest.fixture
def server() -> Iterator[tuple[str, threading.Event]]:
    """/fast answers at once; /slow only once the event is set."""
    answer = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                answer.wait(30)
            body = _feed()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", answer
    finally:
        answer.set()
        httpd.shutdown()
        httpd.server_close()


def title_words(release: Release) -> int:
    """A caller's `prepare`: anything it wants made of each release beside classification."""
    return len(release.title.split())


async def test_each_outcome_reaches_the_caller_as_its_source_is_done(
    server: tuple[str, threading.Event],
) -> None:
    base, answer = server
    itineraries = Rule(action="ignore", title=re.compile(r"^\w+day, "))
    fast = Source(name="fast", url=f"{base}/fast", country="US", rules=(itineraries,))
    slow = Source(name="slow", url=f"{base}/slow", country="US")
    policy = FetchPolicy(connect_timeout=2.0, read_timeout=20.0, total_timeout=30.0)
    seen: list[str] = []
    async with Fetcher(policy) as fetcher:
        poller = Poller(fetcher, Classifier.load, prepare=title_words)
        async with aclosing(poller.outcomes([slow, fast], {})) as outcomes:
            async for outcome in outcomes:
                seen.append(outcome.source.name)
                if outcome.source.name == "fast":
                    # The slow source is still waiting for its answer: nothing held this back.
                    assert not answer.is_set()
                    titles = [c.release.title for c in outcome.releases]
                    assert titles == [ITEMS[0], ITEMS[2]]
                    assert [i.title for i in outcome.ignored] == [ITEMS[1]]
                    # What `prepare` made, one per kept release and in their order.
                    assert outcome.prepared == (5, 3)
                    answer.set()
                else:
                    assert len(outcome.releases) == 3 and outcome.prepared == (5, 4, 3)
    assert seen == ["fast", "slow"]
