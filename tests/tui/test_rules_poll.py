"""Rules in whole poll cycles: the real Prime Minister's feed served on 127.0.0.1, polled into a
real store with the default config's rules, and what `summitwatch poll` says about it."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.collect.fulltext import TextRetries
from feeds.collect.sources import Config, PollSettings, default_config
from feeds.judge.classify import Classifier
from feeds.models import Rule, Source
from state.records import TriageState
from state.store import Store
from tests.feeds.hostile_server import hostile_server
from tests.paths import SHARED
from tests.tui.fixtures import FIXED_NOW
from tui.report import print_poll
from tui.services import poll_into_store, retries_file_for
from tui.widgets.status_line import poll_summary

PMO = SHARED / "fixtures" / "real" / "pmo_en_news_rss_2026-10-07.xml"
ITINERARIES = 5


@pytest.fixture
def pmo_feed(httpserver: HTTPServer) -> str:
    if not PMO.exists():
        pytest.skip(f"real samples not found at {PMO.parent}")
    httpserver.expect_request("/en/news.rss").respond_with_data(
        PMO.read_bytes(), content_type="application/rss+xml"
    )
    return httpserver.url_for("/en/news.rss")


def pmo_source(url: str, *extra: Rule) -> Source:
    """The default config's Prime Minister source, with its rules, at `url`."""
    default = next(s for s in default_config().sources if s.name.startswith("Prime Minister"))
    return replace(default, url=url, rules=extra + default.rules)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db") as opened:
        yield opened


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchPolicy(connect_timeout=1.0, total_timeout=5.0)) as opened:
        yield opened


def config(source: Source) -> Config:
    return Config(path=None, sources=(source,), poll=PollSettings(full_text=False))


async def test_itineraries_are_counted_and_named_but_never_stored(
    pmo_feed: str, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    report = await poll_into_store(config(pmo_source(pmo_feed)), store, fetcher, classifier)
    assert len(report.new) == 10 - ITINERARIES
    assert len(report.ignored) == ITINERARIES
    assert all(re.fullmatch(r"\w+day, October \d+, 2026", r.title) for r in report.ignored)
    stored_titles = {r.release.title for r in store.all()}
    assert not stored_titles & {r.title for r in report.ignored}

    out = io.StringIO()
    print_poll(report, as_json=False, out=out)
    assert "5 new releases" in out.getvalue()
    assert "5 listed releases ignored by rules" in out.getvalue()

    out = io.StringIO()
    print_poll(report, as_json=True, out=out)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert "5 listed releases ignored by rules" in last["summary"]
    assert [i["title"] for i in last["ignored"]] == [r.title for r in report.ignored]
    assert {i["source"] for i in last["ignored"]} == {"Prime Minister of Canada — News"}
    assert last["ignored"][0]["link"].endswith("/thursday-october-8-2026")
    # The dashboard's status line after that poll.
    status = poll_summary(report, FIXED_NOW, demo=False)
    assert "5 new (" in status and "5 ignored by rules" in status


async def test_mark_rules_set_their_marks_on_new_releases_only(
    pmo_feed: str, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    star = Rule(action="mark", title=re.compile("G7"), mark="star")
    follow = Rule(action="mark", text=re.compile("(?i)pipeline"), mark="follow-up")
    source = pmo_source(pmo_feed, star, follow)
    report = await poll_into_store(config(source), store, fetcher, classifier)
    marked = {r.release.title[:30]: r for r in report.new if r.starred or r.triage != "new"}
    assert set(marked) == {
        "G7 Leaders’ statement on globa",
        "Prime Minister Carney lists th",
    }
    g7 = store.get(next(r.id for r in report.new if r.release.title.startswith("G7")))
    assert g7 is not None and g7.starred and g7.triage is TriageState.NEW
    pipeline = next(r for r in report.new if "Pipeline" in r.release.title)
    assert pipeline.triage is TriageState.FOLLOW_UP and not pipeline.starred

    # A person's decision on a stored release is never overwritten by a rule.
    store.update([pipeline.id], triage="briefed")
    second = await poll_into_store(config(source), store, fetcher, classifier)
    assert second.new == []
    again = store.get(pipeline.id)
    assert again is not None and again.triage is TriageState.BRIEFED


SUMMIT_PAGE = (
    "<html><body><main><p>The leaders of Canada, Mexico and the United States met at the North "
    "American Leaders' Summit and agreed to fight fentanyl trafficking together.</p>"
    * 6
    + "</main></body></html>"
)
ITINERARY_PAGE = (
    "<html><body><main><p>Itinerary for the day. The Prime Minister will attend private "
    "meetings in Ottawa and has no public events scheduled today.</p>" * 6 + "</main></body></html>"
)


def summary_feed(httpserver: HTTPServer, *titles: str) -> str:
    """A feed of summary-only items titled `titles`, each linking to /page/<n>."""
    items = "".join(
        f"<item><title>{title}</title><link>{httpserver.url_for(f'/page/{n}')}</link>"
        f"<guid>urn:rules:{n}</guid><description>Short summary.</description></item>"
        for n, title in enumerate(titles)
    )
    httpserver.expect_request("/feed").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    return httpserver.url_for("/feed")


def pages_asked(httpserver: HTTPServer) -> list[str]:
    return [request.path for request, _ in httpserver.log if request.path.startswith("/page/")]


async def test_text_rules_decide_on_the_page_text_before_the_release_is_stored(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    url = summary_feed(httpserver, "Leaders meet", "Day schedule", "Trade note")
    httpserver.expect_request("/page/0").respond_with_data(SUMMIT_PAGE, content_type="text/html")
    httpserver.expect_request("/page/1").respond_with_data(ITINERARY_PAGE, content_type="text/html")
    httpserver.expect_request("/page/2").respond_with_data(SUMMIT_PAGE, content_type="text/html")
    rules = (
        Rule(action="ignore", text=re.compile("(?i)itinerary for the day")),
        Rule(action="mark", title=re.compile("Trade"), text=re.compile("fentanyl"), mark="star"),
    )
    source = Source(name="PM", url=url, country="CA", language="en", rules=rules)
    cfg = Config(path=None, sources=(source,), poll=PollSettings(full_text=True))
    report = await poll_into_store(cfg, store, fetcher, classifier)
    # The summary said nothing of an itinerary; the page did: left out, counted, never stored.
    assert [r.title for r in report.ignored] == ["Day schedule"]
    stored = {r.release.title: r for r in store.iter_full()}
    assert set(stored) == {"Leaders meet", "Trade note"}
    assert all("fentanyl" in r.release.text for r in stored.values())
    assert stored["Trade note"].starred and not stored["Leaders meet"].starred
    assert sorted(r.release.title for r in report.new) == ["Leaders meet", "Trade note"]
    assert sorted(pages_asked(httpserver)) == ["/page/0", "/page/1", "/page/2"]
    # Listed again: the stored ones are known, so their pages are not fetched again.
    again = await poll_into_store(cfg, store, fetcher, classifier)
    assert again.new == [] and [r.title for r in again.ignored] == ["Day schedule"]
    assert sorted(set(pages_asked(httpserver))) == ["/page/0", "/page/1", "/page/2"]
    assert pages_asked(httpserver).count("/page/0") == 1


async def test_a_release_ignored_by_its_title_never_has_its_page_fetched(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    url = summary_feed(httpserver, "Thursday, October 8, 2026", "Leaders meet")
    httpserver.expect_request("/page/1").respond_with_data(SUMMIT_PAGE, content_type="text/html")
    # Both rules are decided on the title: the date-only title matches the first; the second
    # searches the text only of titles that say "Statement", which neither does.
    statement = Rule(action="ignore", title=re.compile("Statement"), text=re.compile("x"))
    source = pmo_source(url, statement)
    cfg = Config(path=None, sources=(source,), poll=PollSettings(full_text=True))
    report = await poll_into_store(cfg, store, fetcher, classifier)
    assert [r.title for r in report.ignored] == ["Thursday, October 8, 2026"]
    assert pages_asked(httpserver) == ["/page/1"]


async def test_a_release_its_summary_ignores_when_no_page_came_is_never_tried_again(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    items = "".join(
        f"<item><title>Note {n}</title><link>{httpserver.url_for(f'/page/{n}')}</link>"
        f"<guid>urn:rules:{n}</guid><description>{words}</description></item>"
        for n, words in enumerate(["Itinerary for the day.", "Ministers met."])
    )
    httpserver.expect_request("/feed").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/page/0").respond_with_data("busy", status=503)
    httpserver.expect_request("/page/1").respond_with_data("busy", status=503)
    rule = Rule(action="ignore", text=re.compile("(?i)itinerary for the day"))
    source = Source(name="PM", url=httpserver.url_for("/feed"), country="CA", rules=(rule,))
    cfg = Config(path=None, sources=(source,), poll=PollSettings(full_text=True))
    report = await poll_into_store(cfg, store, fetcher, classifier)
    # No page came: ruled on the summaries. The one left out is not stored, nor tried again.
    assert [r.title for r in report.ignored] == ["Note 0"]
    assert [r.release.title for r in store.all()] == ["Note 1"]
    retries = TextRetries(retries_file_for(store))
    retries.load()
    assert [r.title for r, _ in retries.due(datetime.now(UTC), {"PM": source})] == ["Note 1"]


async def test_a_poll_stopped_while_releases_wait_for_their_text_keeps_no_validators(
    httpserver: HTTPServer, store: Store, fetcher: Fetcher, classifier: Classifier
) -> None:
    with hostile_server() as hostile:
        item = (
            f"<item><title>Day schedule</title><link>{hostile.url('/silent')}</link>"
            "<guid>urn:rules:0</guid><description>Short summary.</description></item>"
        )
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'
        httpserver.expect_request("/feed").respond_with_data(
            rss, content_type="application/rss+xml", headers={"ETag": '"v1"'}
        )
        rule = Rule(action="ignore", text=re.compile("(?i)itinerary"))
        source = Source(name="PM", url=httpserver.url_for("/feed"), country="CA", rules=(rule,))
        cfg = Config(path=None, sources=(source,), poll=PollSettings(full_text=True))
        listed = asyncio.Event()
        poll = asyncio.create_task(
            poll_into_store(cfg, store, fetcher, classifier, on_stored=lambda _r: listed.set())
        )
        await asyncio.wait_for(listed.wait(), 30)
        await asyncio.sleep(0.2)  # the page is being fetched: it never answers
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll
    # The release that waited for its page was not stored, and neither was the feed's ETag:
    # the next poll reads the feed again instead of hearing "not modified" and losing it.
    assert store.all() == []
    health = store.health().get("PM")
    assert health is None or health.etag is None
