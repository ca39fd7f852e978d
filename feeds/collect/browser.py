"""Pages loaded in a real headless Chromium, for sources behind a bot challenge.

Some sites (gob.mx since September 2026) answer plain HTTP clients with a script that must run
before the real page is served. `Browser` loads such sources in the system's Chromium, driven by
Playwright: the page's own script passes the challenge, the cookie it earns is kept per host in
a file (beside the database) so that the next poll does not solve it again, and the HTML is read
once the document is no longer a challenge.

One browser per poll: started at the first browser fetch, closed (cookies saved) by `close`.
Playwright is an optional extra; `browser_problem()` says, with the commands to run, what is
missing. Nothing here raises past `load`'s `BrowserError`, whose message is plain words.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import ipaddress
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feeds.collect.challenge import blocked_words, recognise_challenge

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser as _Chromium,
        BrowserContext,
        Page,
        Playwright,
        Response,
        Route,
    )

__all__ = [
    "INSTALL_CHROMIUM",
    "INSTALL_PLAYWRIGHT",
    "Browser",
    "BrowserError",
    "Loaded",
    "browser_problem",
    "find_chromium",
]

INSTALL_PLAYWRIGHT = "pip install 'summitwatch[browser]'"
INSTALL_CHROMIUM = "apt-get install chromium"
CHROMIUM_ENV = "SUMMITWATCH_CHROMIUM"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that keep Chromium from calling home (refused on closed networks, slow on open ones).
_FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Nothing of these is needed to read a page's HTML; refusing them saves time and bandwidth.
_SKIPPED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "texttrack", "manifest"})
_SETTLE_STEP = 0.1
# Each page is a renderer process of 50-100 MB; a poll's few browser sources need no more.
_PAGES_AT_ONCE = 2
# A listing whose document is no longer a challenge but shows no item yet gets this long for
# a script to draw them.
_ITEM_GRACE = 2.0
# Second-level labels under which a country's registrable names sit (gob.mx, gc.ca, gov.uk).
# Hosts of other sites that serve challenge pages their scripts or frames.
_CHALLENGE_HOSTS = frozenset({"challenges.cloudflare.com"})
_SECOND_LEVEL = frozenset({"com", "gob", "gov", "gc", "org", "net", "edu", "co", "ac"})


class BrowserError(Exception):
    """A browser fetch that failed, in plain words."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # The document answered but never finished loading within the limit.
        self.unsettled = False


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a page gave once settled: its final address, the status of its document (any:
    the caller words it), and its HTML as the browser holds it (scripts' changes included)."""

    url: str
    status: int
    body: bytes
    content_type: str


def find_chromium() -> str | None:
    """The Chromium to drive: $SUMMITWATCH_CHROMIUM, else the first one on the PATH."""
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((path for name in _CHROMIUM_NAMES if (path := shutil.which(name))), None)


def browser_problem() -> str | None:
    """Why a browser source cannot be fetched here, with the commands that would fix it; None
    when Playwright and a Chromium are both installed."""
    commands = []
    if importlib.util.find_spec("playwright") is None:
        commands.append(f"`{INSTALL_PLAYWRIGHT}`")
    if find_chromium() is None:
        commands.append(f"`{INSTALL_CHROMIUM}`")
    if not commands:
        return None
    return f"needs a browser, not installed here: run {' and '.join(commands)} (see README)"


class Browser:
    """One headless Chromium for a poll; use `await load(...)` then `await close()`.

    Each load gets a context of its own (a renderer of its own: a page whose script never ends
    cannot freeze another page of the same site), all sharing one cookie jar, read from
    `cookie_file` at the start and written back at `close`.
    """

    def __init__(self, cookie_file: Path | None = None, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.cookie_file = cookie_file
        self.max_bytes = max_bytes
        self._starting = asyncio.Lock()
        self._pages = asyncio.Semaphore(_PAGES_AT_ONCE)
        self._failed: str | None = None  # why the browser did not start, said once per poll
        self._playwright: Playwright | None = None
        self._chromium: _Chromium | None = None
        self._cookies: list[Any] = []

    @property
    def running(self) -> bool:
        return self._chromium is not None

    async def load(
        self, url: str, *, limit: float, items: str | None = None, user_agent: str | None = None
    ) -> Loaded:
        """Load `url`, wait until it is no longer a challenge (and, for a listing, until
        `items` matches), and return its HTML. Gives up after `limit` seconds."""
        deadline = time.monotonic() + limit
        chromium = await self._ensure_started(limit)
        async with self._pages:
            context = await chromium.new_context(
                user_agent=user_agent or _plain_user_agent(chromium.version),
                service_workers="block",
                storage_state={"cookies": self._cookies, "origins": []},
            )
            try:
                return await self._load(context, url, deadline, limit, items)
            finally:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(5):
                        self._keep(await context.cookies())
                        await context.close()

    def _keep(self, cookies: list[Any]) -> None:
        """Add a context's cookies to the jar; a newer cookie of the same name replaces one."""
        fresh = {(c["name"], c["domain"], c["path"]) for c in cookies}
        kept = [c for c in self._cookies if (c["name"], c["domain"], c["path"]) not in fresh]
        self._cookies = kept + list(cookies)

    async def _load(
        self, context: BrowserContext, url: str, deadline: float, limit: float, items: str | None
    ) -> Loaded:
        page = await context.new_page()
        responses: list[Response] = []
        page.on("response", lambda r: _note_document(page, r, responses))
        await page.route("**/*", _only_this_site(page, url))
        return await self._settle(page, url, deadline, limit, items, responses)

    async def _settle(
        self,
        page: Page,
        url: str,
        deadline: float,
        limit: float,
        items: str | None,
        responses: list[Response],
    ) -> Loaded:
        from playwright.async_api import Error as PlaywrightError

        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=_ms(deadline))
        except PlaywrightError as exc:
            # A proof of work holds the page's thread, so a wall not passed in time looks like
            # this too: `unsettled` lets the caller look at what the page was.
            error = BrowserError(_goto_words(exc, limit), _status(responses))
            error.unsettled = bool(responses)
            raise error from None
        wall: str | None = None
        items_missing_since: float | None = None
        while time.monotonic() < deadline:
            html = await _content(page)
            if html is not None:
                wall = recognise_challenge(html.encode("utf-8"))
                if wall is None:
                    if items is None or await _has(page, items):
                        return self._loaded(page, html, responses)
                    items_missing_since = items_missing_since or time.monotonic()
                    if time.monotonic() - items_missing_since >= _ITEM_GRACE:
                        return self._loaded(page, html, responses)
            await asyncio.sleep(_SETTLE_STEP)
        if wall is not None:
            raise BrowserError(blocked_words(wall, browser_seconds=limit), _status(responses))
        raise BrowserError(f"the page did not settle within {limit:g} s; abandoned")

    def _loaded(self, page: Page, html: str, responses: list[Response]) -> Loaded:
        body = html.encode("utf-8")
        if len(body) > self.max_bytes:
            raise BrowserError(f"page larger than the {self.max_bytes // 1048576} MB limit")
        status = _status(responses) or 200
        return Loaded(url=page.url, status=status, body=body, content_type="text/html")

    async def _ensure_started(self, limit: float) -> _Chromium:
        async with self._starting:
            if self._failed is not None:
                raise BrowserError(self._failed)
            if self._chromium is None:
                try:
                    self._chromium = await self._start(limit)
                except BrowserError as exc:
                    self._failed = exc.message
                    raise
            return self._chromium

    async def _start(self, limit: float) -> _Chromium:
        problem = browser_problem()
        if problem is not None:
            raise BrowserError(problem)
        from playwright.async_api import Error as PlaywrightError, async_playwright

        executable = find_chromium()
        # Playwright gives every launch a fresh profile of its own and removes it at close.
        flags = list(_FLAGS)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self._cookies = await asyncio.to_thread(_read_cookies, self.cookie_file)
        try:
            self._playwright = await async_playwright().start()
            return await self._playwright.chromium.launch(
                executable_path=executable, args=flags, headless=True, timeout=limit * 1000
            )
        except PlaywrightError as exc:
            await self.close()
            words = f"the browser ({executable}) did not start: {_first_line(exc)}"
            raise BrowserError(words) from None

    async def close(self) -> None:
        """Save the cookies and end the browser; safe to call when it never started."""
        chromium, playwright = self._chromium, self._playwright
        self._chromium, self._playwright = None, None
        self._failed = None
        if chromium is not None:
            await asyncio.to_thread(_write_cookies, self.cookie_file, self._cookies)
        with contextlib.suppress(Exception):
            if chromium is not None:
                await chromium.close()
        with contextlib.suppress(Exception):
            if playwright is not None:
                await playwright.stop()


def _note_document(page: Page, response: Response, seen: list[Response]) -> None:
    if response.request.is_navigation_request() and response.frame == page.main_frame:
        seen.append(response)


def _status(responses: list[Response]) -> int | None:
    return responses[-1].status if responses else None


async def _content(page: Page) -> str | None:
    from playwright.async_api import Error as PlaywrightError

    try:
        return await page.content()
    except PlaywrightError:  # the document is being replaced (the challenge reloading)
        return None


async def _has(page: Page, css: str) -> bool:
    from playwright.async_api import Error as PlaywrightError

    try:
        return await page.query_selector(css) is not None
    except PlaywrightError:
        return False


def _only_this_site(page: Page, url: str) -> Any:
    """A route handler: the page's own documents, and its site's scripts and requests, go out;
    images, fonts, styles and media never; other sites only where challenges are served from
    (a redirect of the page itself is followed wherever it leads)."""
    site = _site(urlsplit(url).hostname or "")

    async def route(route: Route) -> None:
        request = route.request
        host = urlsplit(request.url).hostname or ""
        if request.resource_type in _SKIPPED_RESOURCES:
            await route.abort()
        elif (
            _site(host) == site
            or host in _CHALLENGE_HOSTS
            or (request.is_navigation_request() and request.frame == page.main_frame)
        ):
            await route.continue_()
        else:
            await route.abort()

    return route


def _site(host: str) -> str:
    """The registrable part of a host name, near enough: www.gob.mx and cdn.gob.mx share one."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _plain_user_agent(version: str) -> str:
    """Chromium's own user agent without the "Headless" that walls look for."""
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{version} Safari/537.36"
    )


def _goto_words(exc: Exception, limit: float) -> str:
    text = _first_line(exc)
    if "Timeout" in text:
        return f"the page did not load within {limit:g} s; abandoned"
    if "ERR_CONNECTION_REFUSED" in text:
        return "connection refused: nothing is listening there"
    if "ERR_NAME_NOT_RESOLVED" in text:
        return "host not found (DNS lookup failed)"
    return f"the browser could not load the page: {text}"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _ms(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


# --- cookies kept between polls ------------------------------------------------------------------


def _read_cookies(path: Path | None) -> list[Any]:
    """Every unexpired cookie of the file (kept per host); none when it is missing or unreadable:
    a lost cookie costs one challenge, never a failed poll."""
    if path is None:
        return []
    try:
        hosts = json.loads(path.read_text(encoding="utf-8")).get("hosts", {})
    except (OSError, ValueError, AttributeError):
        return []
    now = time.time()
    cookies = []
    for kept in hosts.values() if isinstance(hosts, Mapping) else ():
        for cookie in kept if isinstance(kept, list) else ():
            if isinstance(cookie, dict) and _usable(cookie, now):
                cookies.append(cookie)
    return cookies


def _usable(cookie: Mapping[str, Any], now: float) -> bool:
    if not all(isinstance(cookie.get(k), str) for k in ("name", "value", "domain", "path")):
        return False
    expires = cookie.get("expires", -1)
    return isinstance(expires, int | float) and (expires < 0 or expires > now)


def _write_cookies(path: Path | None, cookies: list[Any]) -> None:
    """Replace the cookies of the hosts this browser holds, keep the others', atomically."""
    if path is None:
        return
    hosts: dict[str, list[Any]] = {}
    for cookie in cookies:
        hosts.setdefault(str(cookie.get("domain", "")).lstrip("."), []).append(dict(cookie))
    try:
        before = json.loads(path.read_text(encoding="utf-8")).get("hosts", {})
    except (OSError, ValueError, AttributeError):
        before = {}
    merged = {**(before if isinstance(before, dict) else {}), **hosts}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".cookies-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "hosts": merged}, out, indent=1)
        os.chmod(temp, 0o600)  # cookies are credentials of a sort
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
