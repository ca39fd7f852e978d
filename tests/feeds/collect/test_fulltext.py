"""The full-text stage against real servers on 127.0.0.1: its time budget, its per-host
breaker, newest releases first, and pages that fail or say no more than the feed."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feeds.collect.fetch import Fetcher
from feeds.collect.fulltext import (
    RETRY_TRIES,
    RETRY_WAIT,
    FullTextReport,
    TextRetries,
    fetch_full_texts,
)
from feeds.models import FetchPolicy, Release, Source

FAST = FetchPolicy(connect_timeout=1.0, read_timeout=5.0, total_timeout=6.0, per_host=2)
BODY = "The leaders agreed to meet again next year in Ottawa. " * 12
SOURCE = Source(name="feed", url="http://127.0.0.1/feed", country="US", language="en")


def page(text: str = BODY) -> str:
    return f"<html><body><nav>Home · News · Search</nav><main><p>{text}</p></main></body></html>"


def release(link: str, n: int, summary: str = "A short summary.") -> Release:
    return Release(
        id=f"r{n:03d}",
        source=SOURCE.name,
        country="US",
        language="en",
        title=f"Release {n}",
        link=link,
        published=f"2026-10-{1 + n % 28:02d}T12:00:00+00:00",
        summary=summary,
    )


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]  # bound, never listening


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    """A server that answers requests side by side (a slow page holds up no other)."""
    server = HTTPServer(threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


async def run(
    wanted: list[Release], budget: float = 10.0, per_host: int = 2
) -> tuple[list[Release], float, FullTextReport]:
    got: list[Release] = []

    async def on_text(item: Release) -> None:
        got.append(item)

    started = time.monotonic()
    async with Fetcher(FAST) as fetcher:
        report = await fetch_full_texts(
            fetcher, [(r, SOURCE) for r in wanted], on_text, budget=budget, per_host=per_host
        )
    return got, time.monotonic() - started, report


async def test_each_text_is_handed_on_with_its_main_text(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data(page(), content_type="text/html")
    got, _, report = await run([release(httpserver.url_for("/p"), 1)])
    [item] = got
    assert item.text.startswith("The leaders agreed") and "Search" not in item.text
    assert item.summary == "A short summary."
    assert (report.found, report.failed, report.out_of_time) == (1, 0, 0)


async def test_a_page_saying_no_more_than_the_feed_or_failing_leaves_the_summary(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/short").respond_with_data(page("Short."), content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    wanted = [release(httpserver.url_for("/short"), 1), release(httpserver.url_for("/gone"), 2)]
    got, _, report = await run(wanted)
    assert got == []
    assert (report.found, report.failed) == (0, 2)


async def test_the_stage_ends_when_its_budget_does(threaded: HTTPServer) -> None:
    release_server = threading.Event()

    def slow(_request: Request) -> Response:
        release_server.wait(4)  # longer than the budget, shorter than the read timeout
        return Response(page(), content_type="text/html")

    threaded.expect_request("/fast").respond_with_data(page(), content_type="text/html")
    threaded.expect_request("/slow").respond_with_handler(slow)
    fast = release(threaded.url_for("/fast"), 20)  # newest: fetched first
    slow_ones = [release(threaded.url_for("/slow") + f"?n={n}", n) for n in range(1, 6)]
    try:
        got, elapsed, report = await run([fast, *slow_ones], budget=1.0)
    finally:
        release_server.set()
    assert elapsed < 3.0, f"the stage ran {elapsed:.1f} s on a 1 s budget"
    assert [r.id for r in got] == [fast.id]
    assert report.out_of_time == 5


async def test_a_host_that_refuses_connections_is_skipped_for_the_rest_of_the_stage(
    httpserver: HTTPServer, closed_port: int
) -> None:
    httpserver.expect_request("/ok").respond_with_data(page(), content_type="text/html")
    dead = [release(f"http://localhost:{closed_port}/{n}", n) for n in range(1, 41)]
    alive = release(httpserver.url_for("/ok"), 50)
    got, elapsed, report = await run([*dead, alive])
    assert [r.id for r in got] == [alive.id], "the reachable host still gets its pages"
    # One attempt per concurrent slot on the dead host, then every other page is skipped.
    assert report.failed <= FAST.per_host
    assert report.unreachable == len(dead) - report.failed
    assert report.hosts_down == (f"http://localhost:{closed_port}",)
    assert elapsed < 3.0


async def test_a_server_error_does_not_trip_the_breaker(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    httpserver.expect_request("/ok").respond_with_data(page(), content_type="text/html")
    wanted = [release(httpserver.url_for("/broken"), 9), release(httpserver.url_for("/ok"), 1)]
    got, _, report = await run(wanted)
    assert [r.id for r in got] == ["r001"]
    assert report.unreachable == 0 and report.hosts_down == ()


async def test_each_host_is_read_newest_release_first(httpserver: HTTPServer) -> None:
    order: list[str] = []

    def serve(request: Request) -> Response:
        order.append(request.args["n"])
        return Response(page(), content_type="text/html")

    httpserver.expect_request("/p").respond_with_handler(serve)
    wanted = [release(httpserver.url_for("/p") + f"?n={n}", n) for n in (3, 9, 1, 7)]
    got, _, _ = await run(wanted, per_host=1)
    assert len(got) == 4
    assert order == ["9", "7", "3", "1"]


def test_a_page_not_fetched_waits_longer_after_each_try_then_is_given_up(tmp_path: Path) -> None:
    path = tmp_path / "db.fulltext.json"
    one, two = release("https://a.example/1", 1), release("https://a.example/2", 2)
    sources = {SOURCE.name: SOURCE}
    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    first = TextRetries(path)
    first.load()
    # The first try: the page of `two` answers with no more than its summary (done with),
    # the page of `one` fails.
    first.settle([(one, SOURCE), (two, SOURCE)], FullTextReport(wanted=2, settled={two.id}), now)
    first.save()
    waits = []
    while True:
        retries = TextRetries(path)  # each poll reads what the one before left
        retries.load()
        if not retries.due(datetime.max.replace(tzinfo=UTC), sources):
            break
        at = _next_try(path)
        waits.append(at - now)
        assert retries.due(at - timedelta(seconds=1), sources) == []
        assert retries.due(at, sources) == [(one, SOURCE)]
        now = at
        retries.settle([(one, SOURCE)], FullTextReport(wanted=1), now)  # failed again
        retries.save()
    assert waits == [timedelta(0), RETRY_WAIT, 4 * RETRY_WAIT]
    assert len(waits) + 1 == RETRY_TRIES


def _next_try(path: Path) -> datetime:
    [entry] = json.loads(path.read_text())
    return datetime.fromisoformat(entry["next_try"])


def test_a_damaged_retry_file_or_a_source_gone_loses_only_the_retries(tmp_path: Path) -> None:
    path = tmp_path / "db.fulltext.json"
    path.write_text("{not json")
    retries = TextRetries(path)
    retries.load()
    assert len(retries) == 0
    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    retries.settle([(release("https://a.example/1", 1), SOURCE)], FullTextReport(wanted=1), now)
    assert len(retries) == 1
    assert retries.due(now, {}) == [] and len(retries) == 0  # its source is no longer configured
