"""The dashboard's polls while the store cannot be written: backed off, and said once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytest_httpserver import HTTPServer

from feeds import Classifier, Config, Source
from state import Store
from tests.damage import DISK_FULL, fill, small_disk
from tui.app import SummitWatchApp
from tui.services import STORE_RETRY_FIRST, make_fetcher

from .fixtures import FIXED_NOW

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Leaders meet in Mexico City</title><link>https://example.gov/{n}</link>
<guid>https://example.gov/{n}</guid><pubDate>Tue, 10 Jan 2023 12:00:00 GMT</pubDate>
<description>The leaders of Canada, Mexico and the United States met.</description></item>
</channel></rss>"""
SOURCES = 4
WATCHED_SECONDS = 8.0


async def test_a_store_that_cannot_be_written_is_not_polled_every_few_seconds(
    tmp_path: Path, httpserver: HTTPServer, classifier: Classifier
) -> None:
    for n in range(SOURCES):
        httpserver.expect_request(f"/feed{n}").respond_with_data(
            RSS.format(n=n), content_type="application/rss+xml"
        )
    sources = tuple(
        Source(name=f"s{n}", url=httpserver.url_for(f"/feed{n}"), country="US", language="en")
        for n in range(SOURCES)
    )
    with small_disk(tmp_path) as disk:
        store = Store(disk / "db")
        fill(disk)
        app = SummitWatchApp(
            config=Config(path=None, sources=sources),
            store=store,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
            clock=lambda: FIXED_NOW,
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await asyncio.sleep(WATCHED_SECONDS)
            await pilot.pause()
            errors = [n.message for n in app._notifications if DISK_FULL.search(n.message)]
            next_poll = getattr(app, "next_poll_in", 0.0)
        store.close()
    polls = len(httpserver.log) / SOURCES
    assert polls == 1, f"{polls:.0f} polls in {WATCHED_SECONDS:.0f} s of a full disk"
    assert len(errors) == 1
    assert next_poll >= STORE_RETRY_FIRST
