"""The dashboard during a poll whose feed gives only summaries: each release is listed at once
with its summary, and shown again as its page's text made it when that arrives."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from werkzeug import Request, Response

from feeds.collect.sources import Config, PollSettings
from feeds.judge.classify import Classifier
from feeds.models import FetchPolicy, Source
from state.store import Store
from tui.widgets.release_list import ReleaseList

from .fixtures import live_app

PAGE_TEXT = (
    "The leaders of Canada, Mexico and the United States met at the North American Leaders' "
    "Summit in Mexico City and agreed to fight fentanyl trafficking together. " * 8
)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    """Side by side: the page may wait while the feed answers."""
    started = HTTPServer(threaded=True)
    started.start()
    try:
        yield started
    finally:
        started.clear()
        started.stop()


async def until(pilot: Pilot[None], ready: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        await pilot.pause()


async def test_a_summary_is_listed_at_once_and_updated_when_its_page_arrives(
    server: HTTPServer, tmp_path: Path, classifier: Classifier
) -> None:
    page_may_answer = threading.Event()

    def page(_request: Request) -> Response:
        page_may_answer.wait(20)
        return Response(f"<html><body><main><p>{PAGE_TEXT}</p></main></body></html>", 200)

    link = server.url_for("/release/1")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        f"<title>Ministers meet</title><link>{link}</link><guid>urn:x:1</guid>"
        "<description>Ministers met today.</description></item></channel></rss>"
    )
    server.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    server.expect_request("/release/1").respond_with_handler(page)
    source = Source(name="feed", url=server.url_for("/feed"), country="US", language="en")
    fetch = FetchPolicy(connect_timeout=2.0, read_timeout=25.0, total_timeout=30.0)
    config = Config(path=None, sources=(source,), poll=PollSettings(fetch=fetch, full_text=True))
    with Store(tmp_path / "db") as store:
        app = live_app(config, store, classifier)
        try:
            async with app.run_test(size=(160, 48)) as pilot:
                listed = app.screen.query_one(ReleaseList)
                await until(pilot, lambda: len(listed.releases) == 1)
                [first] = listed.releases
                assert first.release.title == "Ministers meet" and not first.summit
                assert app.polling, "listed while its page is still being fetched"
                page_may_answer.set()
                await until(pilot, lambda: app.last_report is not None)
                await until(pilot, lambda: listed.releases[0].summit)
                [after] = listed.releases
                assert after.id == first.id and after.summit
                assert "◆" in str(listed.render_line(0).text)
        finally:
            page_may_answer.set()
