"""The browser fetcher, with the real Chromium, against a proof-of-work wall on 127.0.0.1.

The tests that drive a browser need Playwright and a Chromium (`make test` installs Playwright,
CI installs Debian's chromium); where either is missing they skip and say which.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feeds.collect.browser import Browser, browser_problem
from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.judge.classify import Classifier
from feeds.models import ClassifiedRelease, Source
from feeds.poll import Poller, SourceOutcome
from tests.feeds.challenge_server import LISTING_PATH, TITLES, ChallengeServer, challenge_server

needs_browser = pytest.mark.skipif(
    browser_problem() is not None, reason=f"no browser here: {browser_problem()}"
)
POLICY = FetchPolicy(connect_timeout=2.0, read_timeout=5.0, total_timeout=30.0)
GOBMX_WORDS = (
    "blocked by a bot challenge (gob.mx proof-of-work); "
    'this source needs `fetch = "browser"`, see README'
)


@pytest.fixture
def site() -> Iterator[ChallengeServer]:
    with challenge_server(bits=12) as server:
        yield server


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def presidencia(url: str, name: str = "Presidencia — Prensa", **kw: object) -> Source:
    return Source(  # type: ignore[arg-type]
        name=name,
        url=url,
        country="MX",
        language="es",
        kind="page",
        fetch="browser",
        selectors={"item": "article"},
        **kw,
    )


async def poll(
    sources: list[Source],
    cookies: Path,
    classifier: Classifier,
    *,
    policy: FetchPolicy = POLICY,
    texts: list[ClassifiedRelease] | None = None,
) -> dict[str, SourceOutcome]:
    """One poll cycle of `sources`; with `texts`, its full-text stage, whose texts go there."""

    async def on_text(item: ClassifiedRelease) -> None:
        assert texts is not None
        texts.append(item)

    async with Fetcher(policy, cookie_file=cookies) as fetcher:
        async with Poller(fetcher, classifier) as poller:
            outcomes = await poller.poll(sources, {})
            if texts is not None:
                wanted = [(c.release, o.source) for o in outcomes for c in o.releases]
                await poller.complete_texts(wanted, on_text, budget=60.0)
        assert not fetcher.browser_running, "the browser outlived its poll cycle"
    return {o.source.name: o for o in outcomes}


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every start of a (real) browser in the test, by its time limit."""
    started: list[float] = []
    real_start = Browser._start

    async def start(self: Browser, limit: float) -> Any:
        started.append(limit)
        return await real_start(self, limit)

    monkeypatch.setattr(Browser, "_start", start)
    return started


async def test_the_plain_fetcher_reports_the_wall(site: ChallengeServer, tmp_path: Path) -> None:
    plain = Source(name="plain", url=site.url(LISTING_PATH), country="MX", kind="page")
    async with Fetcher(POLICY, cookie_file=tmp_path / "cookies.json") as fetcher:
        result = await fetcher.fetch(plain)
    assert result.error == GOBMX_WORDS
    assert site.walls_served == 1 and site.passes == 0


@needs_browser
async def test_the_browser_passes_the_wall_and_reads_every_listed_item(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier
) -> None:
    outcomes = await poll([presidencia(site.url(LISTING_PATH))], tmp_path / "c.json", classifier)
    [outcome] = outcomes.values()
    assert not outcome.failed, outcome.health.last_error
    releases = [c.release for c in outcome.releases]
    assert sorted(r.title for r in releases) == sorted(TITLES)
    assert {r.release_type for r in releases} == {"Comunicado"}
    assert all(r.link.startswith(site.url("/presidencia/prensa/")) for r in releases)
    assert releases[0].published == "2026-11-20T00:21:00+00:00"  # 18:21 in Mexico City
    assert outcome.health.etag is None and outcome.health.last_modified is None
    assert (site.walls_served, site.passes) == (1, 1)
    # The page's own script was fetched; its styles and images were not asked for.
    assert "/cms/assets/application.js" in site.requests
    assert not [p for p in site.requests if p.endswith((".css", ".jpeg"))]


@needs_browser
async def test_a_second_poll_passes_without_solving_again(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier
) -> None:
    cookies = tmp_path / "db.cookies.json"
    source = presidencia(site.url(LISTING_PATH))
    first = await poll([source], cookies, classifier)
    assert len(first[source.name].releases) == len(TITLES)
    assert site.walls_served == 1
    assert stat.S_IMODE(cookies.stat().st_mode) == 0o600
    # A new poll is a new browser: only the cookie file carries the passed challenge over.
    second = await poll([source], cookies, classifier)
    assert len(second[source.name].releases) == len(TITLES)
    assert (site.walls_served, site.passes) == (1, 2)


@needs_browser
async def test_a_page_that_never_settles_is_abandoned_and_holds_no_other_source(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier
) -> None:
    limit = 10.0
    sources = [
        presidencia(site.url("/stuck/archivo/prensa"), name="stuck"),
        presidencia(site.url(LISTING_PATH)),
        Source(name="plain feed", url=site.url("/plain/feed.xml"), country="US"),
    ]
    policy = FetchPolicy(connect_timeout=2.0, read_timeout=2.0, total_timeout=limit)
    started = time.monotonic()
    outcomes = await poll(sources, tmp_path / "c.json", classifier, policy=policy)
    elapsed = time.monotonic() - started
    stuck = outcomes["stuck"]
    assert stuck.failed
    assert stuck.health.last_error == f"the page did not load within {limit:g} s; abandoned"
    assert len(outcomes["Presidencia — Prensa"].releases) == len(TITLES)
    assert [c.release.title for c in outcomes["plain feed"].releases] == ["Plain item"]
    # The limit, plus the browser's start and close on a shared machine; never the 30 s default.
    assert elapsed < limit + 10, elapsed


@needs_browser
async def test_a_wall_the_browser_cannot_pass_in_time_is_named(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier
) -> None:
    policy = FetchPolicy(connect_timeout=2.0, read_timeout=2.0, total_timeout=8.0)
    source = presidencia(site.url("/hard/archivo/prensa"))
    outcomes = await poll([source], tmp_path / "c.json", classifier, policy=policy)
    assert outcomes[source.name].health.last_error == (
        "blocked by a bot challenge (gob.mx proof-of-work) that the browser did not pass within 8 s"
    )


@needs_browser
async def test_full_text_of_walled_releases_comes_through_the_browser(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier
) -> None:
    source = presidencia(site.url(LISTING_PATH))
    arrived: list[ClassifiedRelease] = []
    outcomes = await poll([source], tmp_path / "c.json", classifier, texts=arrived)
    assert outcomes[source.name].health.last_error == ""
    texts = [c.release.text for c in arrived]
    assert len(texts) == len(TITLES)
    assert all("Cumbre de Líderes" in text for text in texts)
    assert site.walls_served == 1  # the listing's cookie opened the release pages too


@needs_browser
async def test_one_browser_serves_the_listing_and_the_release_pages_of_a_cycle(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier, launches: list[float]
) -> None:
    arrived: list[ClassifiedRelease] = []
    await poll(
        [presidencia(site.url(LISTING_PATH))], tmp_path / "c.json", classifier, texts=arrived
    )
    assert len(arrived) == len(TITLES)
    assert len(launches) == 1


async def test_without_a_browser_the_source_is_unhealthy_and_says_what_to_install(
    site: ChallengeServer, tmp_path: Path, classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMITWATCH_CHROMIUM", str(tmp_path / "no-chromium-here"))
    sources = [
        presidencia(site.url(LISTING_PATH)),
        Source(name="plain feed", url=site.url("/plain/feed.xml"), country="US"),
    ]
    outcomes = await poll(sources, tmp_path / "c.json", classifier)
    blocked = outcomes["Presidencia — Prensa"]
    assert blocked.failed and not blocked.health.healthy
    assert "`apt-get install chromium`" in blocked.health.last_error
    assert blocked.health.last_error.startswith("needs a browser, not installed here: run ")
    assert not outcomes["plain feed"].failed
    assert site.walls_served == 0
