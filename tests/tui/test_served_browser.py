"""The dashboard served to a real headless Chromium: `o` opens the link in that browser and
`e` sends the briefing there as a download (the test reads it as the browser fetches it),
writing nothing on the server.

Needs Playwright and a Chromium (as the browser fetcher's tests do); skips, saying which, when
either is missing. The browser may reach only 127.0.0.1: every other request it makes (the
release page `o` opens) is recorded and refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds.collect.browser import browser_problem, find_chromium
from state.store import Store

from .cli import serving_demo

pytestmark = pytest.mark.skipif(
    browser_problem() is not None, reason=f"no browser here: {browser_problem()}"
)
DEMO_RELEASES = 37


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving_demo(tmp_path) as url:
        yield url


def wait_for_the_demo(db: Path, seconds: float = 90) -> Store:
    """Until the served dashboard has polled the demo into its database."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if db.exists():
            with Store(db) as store:
                if len(store.all()) >= DEMO_RELEASES:
                    return store
        time.sleep(0.5)
    raise AssertionError("the served dashboard did not poll the demo in time")


def test_o_opens_the_link_in_the_browser_and_e_downloads_the_briefing(
    served: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    delivered: list[tuple[str, str]] = []  # (Content-Disposition, body) of each download

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if url.startswith(f"{served}download/"):
            answer = route.fetch()
            delivered.append((answer.headers.get("content-disposition", ""), answer.text()))
            route.fulfill(response=answer)
        elif url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=["--no-sandbox"], headless=True
        )
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1600, "height": 900}
        )
        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(served)
        page.wait_for_selector("body.-first-byte", timeout=60_000)
        store = wait_for_the_demo(tmp_path / "data" / "demo.db")
        links = {r.release.link for r in store.all()}
        page.wait_for_timeout(3000)  # the list is drawn again from the store
        page.click("#terminal")

        outside.clear()  # the page's web fonts
        with context.expect_page(timeout=30_000) as opened:
            page.keyboard.press("o")
        opened.value.wait_for_load_state()
        assert outside and outside[0] in links  # that browser was asked for the release

        page.keyboard.press("e")
        for _ in range(300):
            if delivered:
                break
            page.wait_for_timeout(100)
        assert delivered, "the briefing never reached the browser"
        ((disposition, text),) = delivered
        assert re.fullmatch(r'attachment; filename="?briefing-[-0-9]+\.md"?', disposition)
        assert text.startswith("# Briefing: North American Leaders' Summit")
        assert text.splitlines()[2].startswith(f"{DEMO_RELEASES} releases · all releases · ")
        browser.close()
    assert not (tmp_path / "data" / "briefings").exists()  # nothing written on the server
