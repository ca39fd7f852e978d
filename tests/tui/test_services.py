"""Whole poll cycles into a real store, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.collect.sources import Config, PollSettings
from feeds.judge.classify import Classifier
from feeds.models import Source
from state import StoredRelease
from state.store import Store
from tests.feeds.hostile_server import hostile_server
from tui.services import PollReport, poll_into_store

FAST = FetchPolicy(connect_timeout=1.0, read_timeout=0.5, total_timeout=1.5)
ITEM = """<item><title>{title}</title><link>https://example.org/{guid}</link>
<guid isPermaLink="false">urn:test:{guid}</guid><pubDate>Tue, 10 Jan 2023 12:00:00 GMT</pubDate>
<description>{text}</description></item>"""
SUMMIT_TEXT = (
    "The leaders of Canada, Mexico and the United States met at the North American Leaders' "
    "Summit in Mexico City and agreed to fight fentanyl trafficking together. " * 8
)


def rss(*items: tuple[str, str, str]) -> str:
    body = "".join(ITEM.format(guid=g, title=t, text=x) for g, t, x in items)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


def feed_source(url: str, name: str = "feed") -> Source:
    return Source(name=name, url=url, country="US", language="en")


def config(*sources: Source, full_text: bool = False) -> Config:
    return Config(path=None, sources=sources, poll=PollSettings(full_text=full_text))


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db") as opened:
        yield opened


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FAST) as opened:
        yield opened


class ConditionalFeed:
    """Serves a feed with an ETag and answers 304 when the client sends it back."""

    def __init__(self) -> None:
        self.version = 1
        self.body = rss(("a", "First release", SUMMIT_TEXT))
        self.validators_seen: list[str | None] = []

    def __call__(self, request: Request) -> Response:
        sent = request.headers.get("If-None-Match")
        self.validators_seen.append(sent)
        etag = f'"v{self.version}"'
        if sent == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(self.body, content_type="application/rss+xml", headers={"ETag": etag})


async def test_second_poll_sends_the_etag_and_costs_one_304(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    feed = ConditionalFeed()
    httpserver.expect_request("/feed").respond_with_handler(feed)
    cfg = config(feed_source(httpserver.url_for("/feed")))
    first = await poll_into_store(cfg, store, fetcher, classifier)
    second = await poll_into_store(cfg, store, fetcher, classifier)
    assert len(first.new) == 1 and first.new[0].summit
    assert second.new == [] and not second.failed
    assert feed.validators_seen == [None, '"v1"']
    assert store.health()["feed"].status == 304


async def test_changed_feed_adds_only_its_new_items(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    feed = ConditionalFeed()
    httpserver.expect_request("/feed").respond_with_handler(feed)
    cfg = config(feed_source(httpserver.url_for("/feed")))
    await poll_into_store(cfg, store, fetcher, classifier)
    feed.version = 2
    feed.body = rss(
        ("b", "Second release", "A domestic item."), ("a", "First release", SUMMIT_TEXT)
    )
    report = await poll_into_store(cfg, store, fetcher, classifier)
    assert [r.release.title for r in report.new] == ["Second release"]
    assert len(store.all()) == 2


async def test_a_failing_source_is_recorded_and_the_others_are_stored(
    httpserver: HTTPServer,
    store: Store,
    fetcher: Fetcher,
    classifier: Classifier,
) -> None:
    httpserver.expect_request("/good").respond_with_data(rss(("a", "Fine", SUMMIT_TEXT)))
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    httpserver.expect_request("/wall").respond_with_data(
        "<html><body>Checking your browser</body></html>", content_type="text/html"
    )
    cfg = config(
        feed_source(httpserver.url_for("/good"), "good"),
        feed_source(httpserver.url_for("/broken"), "broken"),
        feed_source(httpserver.url_for("/wall"), "wall"),
    )
    report = await poll_into_store(cfg, store, fetcher, classifier)
    health = store.health()
    assert len(report.new) == 1
    assert health["good"].healthy
    assert health["broken"].consecutive_failures == 1
    assert "500" in health["broken"].last_error
    assert health["wall"].last_error == "HTML page where a feed was expected"


async def test_a_silent_source_does_not_hold_back_the_others_beyond_its_timeout(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    httpserver.expect_request("/good").respond_with_data(rss(("a", "Fine", SUMMIT_TEXT)))
    with hostile_server() as hostile:
        cfg = config(
            feed_source(httpserver.url_for("/good"), "good"),
            feed_source(hostile.url("/silent"), "silent"),
        )
        progress: list[tuple[str, float]] = []
        started = time.monotonic()
        await poll_into_store(
            cfg,
            store,
            fetcher,
            classifier,
            on_progress=lambda p: progress.append((p.source, time.monotonic() - started)),
        )
    done = dict(progress)
    assert done["good"] < done["silent"]
    assert done["silent"] < FAST.total_timeout + 1.0
    assert "timed out" in store.health()["silent"].last_error


async def test_retry_after_and_backoff_schedule_the_next_attempt(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7200"}
    )
    cfg = config(feed_source(httpserver.url_for("/busy"), "busy"))
    await poll_into_store(cfg, store, fetcher, classifier)
    health = store.health()["busy"]
    wait = datetime.fromisoformat(health.next_poll) - datetime.fromisoformat(health.last_attempt)
    assert wait.total_seconds() >= 7200
    report = await poll_into_store(cfg, store, fetcher, classifier, only_due=True)
    assert report.outcomes == []  # not due yet: nothing was requested


async def test_summary_only_items_get_their_page_text_once(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    page_hits: list[str] = []

    def page(request: Request) -> Response:
        page_hits.append(request.path)
        html = (
            f"<html><body><nav>Menu</nav><main><h1>T</h1><p>{SUMMIT_TEXT}</p></main></body></html>"
        )
        return Response(html, content_type="text/html")

    link = httpserver.url_for("/release/1")
    item = (
        f"<item><title>Leaders meet</title><link>{link}</link><guid>urn:x:1</guid>"
        "<description>Short summary.</description></item>"
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{item}</channel></rss>'
    )
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    httpserver.expect_request("/release/1").respond_with_handler(page)
    cfg = config(feed_source(httpserver.url_for("/feed")), full_text=True)
    report = await poll_into_store(cfg, store, fetcher, classifier)
    await poll_into_store(cfg, store, fetcher, classifier)
    assert page_hits == ["/release/1"]
    stored = store.get(report.new[0].id)
    assert stored is not None
    assert "Menu" not in stored.release.text
    assert "fentanyl" in stored.release.text
    assert stored.summit


def summary_feed(*links: str) -> str:
    items = "".join(
        f"<item><title>Leaders meet {n}</title><link>{link}</link><guid>urn:x:{n}</guid>"
        "<description>Ministers met today.</description></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


async def test_summaries_are_stored_first_and_their_texts_update_them_in_place(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    link = httpserver.url_for("/release/1")
    httpserver.expect_request("/feed").respond_with_data(
        summary_feed(link), content_type="application/rss+xml"
    )
    httpserver.expect_request("/release/1").respond_with_data(
        f"<html><body><main><p>{SUMMIT_TEXT}</p></main></body></html>", content_type="text/html"
    )
    seen_first: list[StoredRelease] = []

    def stored(report: PollReport) -> None:
        # Before any page: the release is there with its summary, and a person triages it.
        [release] = report.new
        seen_first.append(store.get(release.id))  # type: ignore[arg-type]
        store.update([release.id], triage="relevant", note="seen early")

    enriched: list[StoredRelease] = []
    cfg = config(feed_source(httpserver.url_for("/feed")), full_text=True)
    report = await poll_into_store(
        cfg, store, fetcher, classifier, on_stored=stored, on_enriched=enriched.extend
    )
    [first] = seen_first
    assert "fentanyl" not in first.release.text and not first.summit
    [after] = [store.get(first.id)]
    assert after is not None and "fentanyl" in after.release.text and after.summit
    assert (after.triage.value, after.note) == ("relevant", "seen early")
    assert after.changed_at == "" and report.changed == []
    assert [r.id for r in enriched] == [first.id] and enriched[0].summit
    assert report.new[0].summit, "the report shows the release as its text made it"
    assert report.full_text is not None and report.full_text.found == report.enriched == 1
    # Seen again in its feed, as the summary: known, not changed, its text kept.
    again = await poll_into_store(cfg, store, fetcher, classifier)
    assert again.new == again.changed == [] and again.full_text is None
    assert store.get(first.id).release.text == after.release.text  # type: ignore[union-attr]


async def test_unreachable_item_links_cost_one_failure_per_host(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        dead = [f"http://127.0.0.1:{closed.getsockname()[1]}/{n}" for n in range(30)]
        httpserver.expect_request("/feed").respond_with_data(
            summary_feed(*dead), content_type="application/rss+xml"
        )
        cfg = config(feed_source(httpserver.url_for("/feed")), full_text=True)
        report = await poll_into_store(cfg, store, fetcher, classifier)
    assert len(report.new) == 30 and report.full_text is not None
    assert report.full_text.failed <= FAST.per_host
    assert report.full_text.unreachable == 30 - report.full_text.failed
    assert all(r.release.text == "Ministers met today." for r in store.iter_full())


async def test_page_source_finds_new_links(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    def article(slug: str, title: str) -> str:
        return (
            f'<article><p><time datetime="2026-11-0{len(slug)} 10:00:00">x</time></p>'
            f'<span class="tag-presses">Comunicado</span><h2>{title}</h2>'
            f'<a class="small-link" href="/sre/prensa/{slug}">Ver</a></article>'
        )

    pages = ["<html><body>" + article("a", "Primera reunión") + "</body></html>"]
    httpserver.expect_request("/archivo").respond_with_handler(
        lambda _r: Response(pages[-1], content_type="text/html")
    )
    source = Source(
        name="SRE", url=httpserver.url_for("/archivo"), country="MX", language="es", kind="page"
    )
    cfg = config(source)
    first = await poll_into_store(cfg, store, fetcher, classifier)
    pages.append(
        "<html><body>"
        + article("bb", "Segunda reunión")
        + article("a", "Primera reunión")
        + "</body></html>"
    )
    second = await poll_into_store(cfg, store, fetcher, classifier)
    assert [r.release.title for r in first.new] == ["Primera reunión"]
    assert [r.release.title for r in second.new] == ["Segunda reunión"]
    assert second.new[0].release.link.endswith("/sre/prensa/bb")


async def test_a_page_that_failed_is_tried_again_at_later_polls(
    httpserver: HTTPServer, tmp_path: Path, fetcher: Fetcher, classifier: Classifier
) -> None:
    link = httpserver.url_for("/release/1")
    httpserver.expect_request("/feed").respond_with_data(
        summary_feed(link), content_type="application/rss+xml"
    )
    page = {"status": 503}
    asked: list[str] = []

    def release_page(request: Request) -> Response:
        asked.append(request.path)
        body = f"<html><body><main><p>{SUMMIT_TEXT}</p></main></body></html>"
        return Response(body, status=page["status"], content_type="text/html")

    httpserver.expect_request("/release/1").respond_with_handler(release_page)
    cfg = config(feed_source(httpserver.url_for("/feed")), full_text=True)
    with Store(tmp_path / "db") as store:
        first = await poll_into_store(cfg, store, fetcher, classifier)
    assert len(first.new) == 1 and first.full_text is not None and first.full_text.found == 0
    assert asked == ["/release/1"]
    # The next poll, by a process that loads no release (as `summitwatch poll` does), tries the
    # page again: it answers now, and the release stored by the first poll gets its text.
    page["status"] = 200
    with Store(tmp_path / "db", load="none") as store:
        second = await poll_into_store(cfg, store, fetcher, classifier)
    assert second.new == [] and second.full_text is not None
    assert (second.full_text.wanted, second.full_text.found, second.enriched) == (1, 1, 1)
    with Store(tmp_path / "db") as store:
        [stored] = store.iter_full()
        assert "fentanyl" in stored.release.text and stored.summit
        # Done with: never asked again.
        third = await poll_into_store(cfg, store, fetcher, classifier)
    assert third.full_text is None and asked == ["/release/1"] * 2


async def test_a_page_that_keeps_failing_is_tried_less_often(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    link = httpserver.url_for("/release/1")
    httpserver.expect_request("/feed").respond_with_data(
        summary_feed(link), content_type="application/rss+xml"
    )
    httpserver.expect_request("/release/1").respond_with_data("busy", status=503)
    cfg = config(feed_source(httpserver.url_for("/feed")), full_text=True)
    for _ in range(3):
        await poll_into_store(cfg, store, fetcher, classifier)
    # Tried at the first poll and again at the next; the third try waits an hour.
    assert [r.path for r, _ in httpserver.log].count("/release/1") == 2
