"""Fetcher behaviour against real servers on 127.0.0.1: pytest-httpserver for well-formed HTTP,
`hostile_server` for silence, trickling, truncation and oversized bodies."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.collect.parsers import parse_result
from feeds.models import FetchResult, Source
from tests.feeds.hostile_server import RSS, HostileServer, hostile_server, unused_port

FAST = FetchPolicy(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=1024 * 1024)


def source(url: str, **kw: object) -> Source:
    return Source(name="test", url=url, country="US", language="en", **kw)  # type: ignore[arg-type]


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FAST) as f:
        yield f


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


# --- the ordinary path ---------------------------------------------------------------------------


async def test_plain_fetch_returns_body_and_validators(httpserver: HTTPServer, fetcher: Fetcher):
    httpserver.expect_request("/feed").respond_with_data(
        RSS,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT"},
    )
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.ok and result.status == 200
    assert result.body == RSS
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert result.content_type == "application/rss+xml"
    assert result.final_url == httpserver.url_for("/feed")


async def test_second_poll_sends_validators_and_gets_304_without_body(
    httpserver: HTTPServer, fetcher: Fetcher
):
    lm = "Wed, 21 Oct 2026 07:28:00 GMT"
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": lm}
    ).respond_with_data("", status=304)
    result = await fetcher.fetch(source(httpserver.url_for("/feed")), '"v1"', lm)
    assert result.status == 304 and result.not_modified
    assert result.body is None and result.error is None
    assert result.etag == '"v1"' and result.last_modified == lm
    assert parse_result(result).releases == [] and parse_result(result).error is None


async def test_identifying_user_agent_is_sent_unless_the_source_sets_one(
    httpserver: HTTPServer, fetcher: Fetcher
):
    seen: list[str] = []

    def record(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(RSS, content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(record)
    await fetcher.fetch(source(httpserver.url_for("/feed")))
    await fetcher.fetch(source(httpserver.url_for("/feed"), user_agent="Mozilla/5.0 test"))
    assert seen[0].startswith("summitwatch/") and "+https://" in seen[0]
    assert seen[1] == "Mozilla/5.0 test"


async def test_gzip_body_is_decompressed(httpserver: HTTPServer, fetcher: Fetcher):
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(RSS), headers={"Content-Encoding": "gzip"}
    )
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.ok and result.body == RSS


async def test_wrong_content_type_still_fetches_and_parses(
    httpserver: HTTPServer, fetcher: Fetcher
):
    httpserver.expect_request("/feed").respond_with_data(RSS, content_type="image/png")
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.ok
    assert [r.title for r in parse_result(result).releases] == ["One"]


async def test_html_page_with_status_200_is_not_a_feed(httpserver: HTTPServer, fetcher: Fetcher):
    page = "<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>"
    httpserver.expect_request("/feed").respond_with_data(page, content_type="text/html")
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.ok
    outcome = parse_result(result)
    assert outcome.releases == []
    assert outcome.error == "HTML page where a feed was expected"


@pytest.mark.parametrize(("concurrency", "per_host", "expected_peak"), [(8, 2, 2), (3, 8, 3)])
async def test_concurrent_fetches_respect_the_global_and_per_host_limits(
    concurrency: int, per_host: int, expected_peak: int
):
    in_flight = peak = 0
    lock = threading.Lock()

    def slow(request: Request) -> Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.1)
        with lock:
            in_flight -= 1
        return Response(RSS)

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        server.expect_request("/feed").respond_with_handler(slow)
        policy = FetchPolicy(concurrency=concurrency, per_host=per_host, total_timeout=5)
        async with Fetcher(policy) as fetcher:
            results = await asyncio.gather(
                *(fetcher.fetch(source(server.url_for("/feed"))) for _ in range(6))
            )
    finally:
        server.stop()
    assert all(r.ok for r in results)
    assert peak == expected_peak


# --- status codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (403, "403 Forbidden: the site may block unknown clients"),
        (404, "404 Not Found"),
        (410, "410 Gone: the site removed this address"),
        (500, "500 Internal Server Error"),
    ],
)
async def test_error_status_is_reported_in_plain_words(
    httpserver: HTTPServer, fetcher: Fetcher, status: int, words: str
):
    httpserver.expect_request("/feed").respond_with_data("nope", status=status)
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.status == status and result.error == words and result.body is None


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds_is_passed_on(
    httpserver: HTTPServer, fetcher: Fetcher, status: int
):
    httpserver.expect_request("/feed").respond_with_data(
        "slow down", status=status, headers={"Retry-After": "120"}
    )
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.status == status and result.retry_after == 120.0
    assert result.error is not None and "retry after 120 s" in result.error


async def test_retry_after_http_date_becomes_seconds(httpserver: HTTPServer, fetcher: Fetcher):
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    httpserver.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": when}
    )
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.retry_after is not None and 590 <= result.retry_after <= 601


# --- redirects ------------------------------------------------------------------------------------


async def test_permanent_redirect_is_followed_and_remembered(
    httpserver: HTTPServer, fetcher: Fetcher
):
    old, new = httpserver.url_for("/old"), httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_data("", 301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(RSS)
    first = await fetcher.fetch(source(old))
    assert first.ok and first.body == RSS and first.final_url == new
    assert fetcher.permanent_redirects == {old: new}
    httpserver.clear_log()
    second = await fetcher.fetch(source(old))
    assert second.ok
    assert [req.path for req, _ in httpserver.log] == ["/new"]


async def test_temporary_redirect_is_followed_but_not_remembered(
    httpserver: HTTPServer, fetcher: Fetcher
):
    httpserver.expect_request("/old").respond_with_data("", 302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(RSS)
    result = await fetcher.fetch(source(httpserver.url_for("/old")))
    assert result.ok and result.body == RSS
    assert fetcher.permanent_redirects == {}


async def test_redirect_loop_is_stopped(httpserver: HTTPServer, fetcher: Fetcher):
    httpserver.expect_request("/a").respond_with_data("", 302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", 302, headers={"Location": "/a"})
    result = await fetcher.fetch(source(httpserver.url_for("/a")))
    assert result.error is not None and result.error.startswith("redirect loop")


async def test_too_many_redirects_are_refused(httpserver: HTTPServer, fetcher: Fetcher):
    for i in range(10):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", 307, headers={"Location": f"/r{i + 1}"}
        )
    result = await fetcher.fetch(source(httpserver.url_for("/r0")))
    assert result.error == "too many redirects (more than 5)"


async def test_redirect_to_another_host_is_followed(httpserver: HTTPServer, fetcher: Fetcher):
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/feed").respond_with_data(RSS)
        target = other.url_for("/feed")
        httpserver.expect_request("/feed").respond_with_data("", 302, headers={"Location": target})
        result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    finally:
        other.stop()
    assert result.ok and result.body == RSS and result.final_url == target


async def test_redirect_to_a_file_url_is_refused(httpserver: HTTPServer, fetcher: Fetcher):
    httpserver.expect_request("/feed").respond_with_data(
        "", 302, headers={"Location": "file:///etc/passwd"}
    )
    result = await fetcher.fetch(source(httpserver.url_for("/feed")))
    assert result.error == "redirect to an unsupported URL scheme 'file'"
    assert result.body is None


# --- hostile servers ------------------------------------------------------------------------------


async def test_connection_refused_is_reported(fetcher: Fetcher):
    result = await fetcher.fetch(source(f"http://127.0.0.1:{unused_port()}/feed"))
    assert result.status is None and result.body is None
    assert result.error == "connection refused: nothing is listening there"


async def test_server_that_never_answers_times_out_on_read(
    hostile: HostileServer, fetcher: Fetcher
):
    started = time.monotonic()
    result = await fetcher.fetch(source(hostile.url("/silent")))
    assert result.error == "timed out after 0.5 s waiting for the server"
    assert time.monotonic() - started < 1.5


async def test_trickling_server_hits_the_total_time_limit(hostile: HostileServer, fetcher: Fetcher):
    started = time.monotonic()
    result = await fetcher.fetch(source(hostile.url("/trickle")))
    assert result.error == "timed out after 2 s (total time limit)"
    assert result.body is None
    assert time.monotonic() - started < 3


async def test_truncated_body_is_an_error_not_a_short_feed(
    hostile: HostileServer, fetcher: Fetcher
):
    result = await fetcher.fetch(source(hostile.url("/truncated")))
    assert result.body is None
    assert result.error is not None and result.error.startswith("truncated body")


async def test_server_hanging_up_without_answer_is_reported(
    hostile: HostileServer, fetcher: Fetcher
):
    result = await fetcher.fetch(source(hostile.url("/hang-up")))
    assert result.body is None
    assert result.error is not None and "broke off" in result.error


async def test_huge_body_is_capped_while_streaming(hostile: HostileServer, fetcher: Fetcher):
    started = time.monotonic()
    result = await fetcher.fetch(source(hostile.url("/huge")))
    assert result.body is None
    assert result.error == "body larger than the 1 MB limit; stopped reading"
    assert time.monotonic() - started < 2


async def test_gzip_bomb_is_capped_after_decompression(hostile: HostileServer, fetcher: Fetcher):
    result = await fetcher.fetch(source(hostile.url("/gzip-bomb")))
    assert result.body is None
    assert result.error == "body larger than the 1 MB limit; stopped reading"


# --- URL schemes and the offline demo ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
        ("ftp://example.org/feed", "unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file' for a path outside the demo folder"),
        ("feed.xml", "not a URL"),
        ("http:///feed", "not a URL: no host name"),
    ],
)
async def test_unsupported_urls_are_refused_in_plain_words(fetcher: Fetcher, url: str, words: str):
    result = await fetcher.fetch(source(url))
    assert result.error == words and result.body is None


async def test_file_url_under_a_root_is_served_with_mtime_as_last_modified(tmp_path: Path):
    demo = tmp_path / "demo"
    demo.mkdir()
    feed = demo / "feed.xml"
    feed.write_bytes(RSS)
    os.utime(feed, (1_700_000_000, 1_700_000_000))
    async with Fetcher(FAST, file_roots=[demo]) as fetcher:
        first = await fetcher.fetch(source(feed.as_uri()))
        second = await fetcher.fetch(source(feed.as_uri()), None, first.last_modified)
    assert first.ok and first.status == 200 and first.body == RSS
    assert first.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert second.status == 304 and second.body is None and second.error is None


async def test_file_url_escaping_the_root_is_refused(tmp_path: Path):
    demo = tmp_path / "demo"
    demo.mkdir()
    (tmp_path / "secret.xml").write_bytes(RSS)
    async with Fetcher(FAST, file_roots=[demo]) as fetcher:
        result = await fetcher.fetch(source(f"file://{demo}/../secret.xml"))
    assert result.body is None
    assert result.error == "unsupported URL scheme 'file' for a path outside the demo folder"


def test_fetch_result_of_a_failure_is_parse_passthrough() -> None:
    failed = FetchResult(source=source("http://x"), status=None, error="connection refused")
    assert parse_result(failed).error == "connection refused"


async def test_dns_failure_is_reported_in_plain_words(
    fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real failing lookup would send a query off this machine, so the resolver is the one
    # part replaced: it answers as a resolver does for a name that does not exist.
    import socket

    real = socket.getaddrinfo

    def resolver(host: object, *args: object, **kwargs: object) -> object:
        if host == "no-such-host.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    result = await fetcher.fetch(source("http://no-such-host.test/feed"))
    assert result.status is None
    assert result.error == "host not found (DNS lookup failed)"
