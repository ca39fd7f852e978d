"""Fetching sources politely and defensively: one shared client, limits, validators, size caps.

`Fetcher.fetch` never raises. Whatever happens (a refused connection, a redirect loop, a body of
gigabytes) comes back as a `FetchResult` whose `error` says it in plain words. Parsing is not done
here: the caller hands the body to `feeds.collect.parsers.parse_result` in a thread
(`asyncio.to_thread`), so the event loop only ever waits on sockets.
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib.util
import mimetypes
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

# httpx imports its own command-line tool, and with it rich, click and pygments, whenever
# rich is installed (it is, for the dashboard). Nothing here uses that tool; skipping it
# takes ~50 ms off every `summitwatch poll` from cron.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402

from feeds.collect.challenge import blocked_words, recognise_challenge  # noqa: E402
from feeds.collect.transport import make_client  # noqa: E402
from feeds.models import FetchPolicy, FetchResult, Source  # noqa: E402

if TYPE_CHECKING:
    from feeds.collect.browser import Browser

__all__ = ["FetchPolicy", "Fetcher"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_MAX_RETRY_AFTER = 7 * 24 * 3600.0
_MAX_304_BODY = 64 * 1024
# Refusals that may be a bot wall rather than a plain no: their page is read this far to tell.
_WALL_STATUSES = frozenset({403, 429, 503})
_MAX_WALL_BODY = 64 * 1024
# How long past the time limit a browser that stopped answering is waited for.
_BROWSER_SLACK = 10.0
# How long a plain look at a page the browser could not finish may take.
_WALL_CHECK = 5.0
_ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
}
_STATUS_WORDS = {
    401: "401 Unauthorized: the site wants a login",
    403: "403 Forbidden: the site may block unknown clients",
    410: "410 Gone: the site removed this address",
}


class FetchError(Exception):
    """A failure already put in plain words; only ever caught inside this module."""

    def __init__(
        self, message: str, status: int | None = None, *, unreachable: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.unreachable = unreachable


@dataclass
class _Answer:
    status: int
    url: str
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    error: str | None = None
    retry_after: float | None = None
    wall: str | None = None  # the bot challenge the body is, if it is one
    unreachable: bool = False


class Fetcher:
    """Fetches sources over one shared `httpx.AsyncClient` (`feeds.collect.transport`).

    Use as `async with Fetcher(policy) as fetcher: await fetcher.fetch(source, etag, lm)`.
    `file:` URLs are served only from under `file_roots` (the bundled demo feeds). Sources with
    `fetch = "browser"` are loaded in a headless Chromium (`feeds.collect.browser`), started at
    the first of them and ended by `close_browser`; its cookies are kept in `cookie_file`.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        file_roots: Sequence[Path] = (),
        cookie_file: Path | None = None,
    ) -> None:
        self.policy = policy = policy or FetchPolicy()
        self.cookie_file = cookie_file
        self._browser: Browser | None = None
        self.file_roots = tuple(Path(root).resolve() for root in file_roots)
        self.permanent_redirects: dict[str, str] = {}
        _remember_missing_sniffio()
        self._slots = asyncio.Semaphore(max(1, policy.concurrency))
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._client = make_client(
            # read/write: per socket operation; the total limit is enforced around each fetch.
            timeout=httpx.Timeout(
                policy.read_timeout, connect=policy.connect_timeout, pool=policy.total_timeout
            ),
            limits=httpx.Limits(max_connections=max(1, policy.concurrency)),
            headers={"Accept-Encoding": "gzip, deflate"},
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.close_browser()
        await self._client.aclose()

    @property
    def browser_running(self) -> bool:
        return self._browser is not None and self._browser.running

    async def close_browser(self) -> None:
        """End the browser of this poll, keeping its cookies; the next browser fetch starts
        another. A poll calls this when it ends: a browser idle between polls holds memory."""
        browser, self._browser = self._browser, None
        if browser is not None:
            await browser.close()

    async def fetch(
        self, source: Source, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one source, conditionally when validators are given. Never raises."""
        started = time.monotonic()
        url = self._current_url(source.url.strip())
        try:
            answer = await self._dispatch(source, url, etag, last_modified)
        except FetchError as exc:
            answer = _Answer(exc.status or 0, url, error=exc.message, unreachable=exc.unreachable)
        except Exception as exc:  # the promise is "never raises": the poll loop must survive
            answer = _Answer(status=0, url=url, error=f"unexpected error: {_describe(exc)}")
        return FetchResult(
            source=source,
            status=answer.status or None,
            body=answer.body if answer.error is None else None,
            etag=answer.etag,
            last_modified=answer.last_modified,
            final_url=answer.url,
            content_type=answer.content_type,
            error=answer.error,
            elapsed=round(time.monotonic() - started, 3),
            retry_after=answer.retry_after,
            unreachable=answer.unreachable,
        )

    def _current_url(self, url: str) -> str:
        """Follow the permanent redirects learnt earlier (a bounded walk: they may form a loop)."""
        for _ in range(self.policy.max_redirects):
            if url not in self.permanent_redirects:
                break
            url = self.permanent_redirects[url]
        return url

    async def _dispatch(
        self, source: Source, url: str, etag: str | None, last_modified: str | None
    ) -> _Answer:
        scheme = _scheme(url)
        if scheme == "file":
            return await asyncio.to_thread(self._read_file, url, last_modified)
        host = _origin(url)
        slot = self._host_slots.setdefault(host, asyncio.Semaphore(max(1, self.policy.per_host)))
        async with self._slots, slot:
            if source.fetch == "browser":
                return await self._in_browser(source, url)
            try:
                async with asyncio.timeout(self.policy.total_timeout):
                    return await self._follow(source, url, etag, last_modified)
            except TimeoutError:
                limit = _secs(self.policy.total_timeout)
                raise FetchError(f"timed out after {limit} (total time limit)") from None

    async def _in_browser(self, source: Source, url: str) -> _Answer:
        """Load `url` in the browser: no validators (a browser cannot send them), the whole
        load, challenge included, within the total time limit."""
        from feeds.collect.browser import Browser, BrowserError

        if self._browser is None:
            self._browser = Browser(self.cookie_file, self.policy.max_bytes)
        limit = self.policy.total_timeout
        try:
            # The browser keeps its own time; this only stops a browser that stops answering.
            async with asyncio.timeout(limit + _BROWSER_SLACK):
                loaded = await self._browser.load(
                    url,
                    limit=limit,
                    items=source.selectors.get("item") if source.kind == "page" else None,
                    user_agent=source.user_agent,
                )
        except BrowserError as exc:
            wall = await self._wall_at(source, url) if exc.unsettled else None
            if wall is not None:
                raise FetchError(blocked_words(wall, browser_seconds=limit), exc.status) from None
            raise FetchError(exc.message, exc.status) from None
        except TimeoutError:
            raise FetchError(f"the browser gave no answer within {_secs(limit)}") from None
        answer = _Answer(status=loaded.status, url=loaded.url, content_type=loaded.content_type)
        if 200 <= loaded.status < 300:
            answer.body = loaded.body
        else:
            answer.error = _status_words(loaded.status, None)
        return answer

    async def _wall_at(self, source: Source, url: str) -> str | None:
        """The bot wall a plain request of `url` meets, if any: what a page the browser could
        not finish was (a proof of work holds the page, so the browser cannot say)."""
        try:
            async with asyncio.timeout(_WALL_CHECK):
                answer = await self._follow(replace(source, fetch="http"), url, None, None)
        except (FetchError, TimeoutError):
            return None
        return answer.wall

    async def _follow(
        self, source: Source, url: str, etag: str | None, last_modified: str | None
    ) -> _Answer:
        seen = {url}
        for _ in range(self.policy.max_redirects + 1):
            answer = await self._request(source, url, etag, last_modified)
            if answer.status not in _REDIRECTS:
                return answer
            target = answer.url
            if answer.status in _PERMANENT:
                self.permanent_redirects[url] = target
            if target in seen:
                raise FetchError(f"redirect loop: {target} was already visited", answer.status)
            seen.add(target)
            url = target
        raise FetchError(
            f"too many redirects (more than {self.policy.max_redirects})", answer.status
        )

    async def _request(
        self, source: Source, url: str, etag: str | None, last_modified: str | None
    ) -> _Answer:
        headers = {
            "User-Agent": source.user_agent or self.policy.user_agent,
            "Accept": _ACCEPT.get(source.kind, _ACCEPT["feed"]),
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                return await self._answer(response, url, etag, last_modified)
        except httpx.HTTPError as exc:
            unreachable = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            raise FetchError(_transport_words(exc, self.policy), unreachable=unreachable) from None

    async def _answer(
        self, response: httpx.Response, url: str, etag: str | None, last_modified: str | None
    ) -> _Answer:
        status = response.status_code
        if status in _REDIRECTS:
            return _Answer(status=status, url=_redirect_target(response, url))
        answer = _Answer(
            status=status,
            url=url,
            etag=response.headers.get("ETag") or (etag if status == 304 else None),
            last_modified=response.headers.get("Last-Modified")
            or (last_modified if status == 304 else None),
            content_type=response.headers.get("Content-Type"),
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
        if status == 304:
            # A 304 has no body, but httpcore keeps the connection only for a response read
            # to its end: without this, every conditional request opened a new connection.
            await _read_capped(response, "identity", _MAX_304_BODY)
            return answer
        encoding = response.headers.get("Content-Encoding", "identity")
        if not 200 <= status < 300:
            answer.error = _status_words(status, answer.retry_after)
            if status in _WALL_STATUSES:
                answer.wall = await _wall_behind(response, encoding)
                answer.error = blocked_words(answer.wall) if answer.wall else answer.error
            return answer
        answer.body = await _read_capped(response, encoding, self.policy.max_bytes)
        answer.wall = recognise_challenge(answer.body, response.headers)
        if answer.wall is not None:
            # A 200 that is a challenge is no content: parsed, it would read "no items".
            answer.error = blocked_words(answer.wall)
        return answer

    def _read_file(self, url: str, last_modified: str | None) -> _Answer:
        """Serve a `file:` URL under one of the roots, with the mtime as Last-Modified."""
        path = Path(url2pathname(urlsplit(url).path))
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            raise FetchError(f"cannot read {path.name}") from None
        if not any(resolved.is_relative_to(root) for root in self.file_roots):
            raise FetchError("unsupported URL scheme 'file' for a path outside the demo folder")
        try:
            stat = resolved.stat()
            stamp = email.utils.formatdate(stat.st_mtime, usegmt=True)
            if last_modified == stamp:
                return _Answer(status=304, url=url, last_modified=stamp)
            if stat.st_size > self.policy.max_bytes:
                raise FetchError(f"body larger than the {_size(self.policy.max_bytes)} limit")
            body = resolved.read_bytes()
        except FileNotFoundError:
            raise FetchError(f"file not found: {resolved.name}", 404) from None
        except OSError as exc:
            raise FetchError(f"cannot read {resolved.name}: {exc.strerror}") from None
        kind = mimetypes.guess_type(resolved.name)[0]
        return _Answer(status=200, url=url, body=body, last_modified=stamp, content_type=kind)


def _remember_missing_sniffio() -> None:
    """httpcore runs `import sniffio` on every request and falls back to asyncio when it fails;
    a failing import searches all of sys.path again each time, about 1 ms of stat calls per
    request. Recording the absence once makes every later attempt fail at once, as it would."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


async def _wall_behind(response: httpx.Response, encoding: str) -> str | None:
    """The bot wall a refusal shows, if it is one (read from at most 64 KB of its page)."""
    if response.headers.get("cf-mitigated"):
        return recognise_challenge(b"", response.headers)
    try:
        page = await _read_capped(response, encoding, _MAX_WALL_BODY)
    except FetchError:  # longer than any wall, or broken: the status says enough
        return None
    return recognise_challenge(page, response.headers)


async def _read_capped(response: httpx.Response, encoding: str, limit: int) -> bytes:
    """Read the raw stream, decompress it ourselves in bounded steps, and stop at `limit`
    decompressed bytes: neither a huge body nor a gzip bomb is ever held whole in memory."""
    try:
        return await _inflate_capped(response, _decoder(encoding), limit)
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body ({exc})", response.status_code) from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        detail = str(exc) or type(exc).__name__
        message = f"truncated body: the connection closed early ({detail})"
        raise FetchError(message, response.status_code) from None


async def _inflate_capped(
    response: httpx.Response, decoder: zlib._Decompress | None, limit: int
) -> bytes:
    chunks: list[bytes] = []
    total = 0
    too_big = f"body larger than the {_size(limit)} limit; stopped reading"
    async for raw in response.aiter_raw():
        data = raw
        while data:
            piece = decoder.decompress(data, limit + 1 - total) if decoder else data
            data = decoder.unconsumed_tail if decoder else b""
            total += len(piece)
            if total > limit:
                raise FetchError(too_big, response.status_code)
            chunks.append(piece)
            if decoder is not None and decoder.eof:
                break
    if decoder is not None:
        if not decoder.eof:
            raise FetchError("truncated body: the compressed stream ended early", 200)
        tail = decoder.flush()
        if total + len(tail) > limit:
            raise FetchError(too_big, response.status_code)
        chunks.append(tail)
    return b"".join(chunks)


def _decoder(encoding: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        # 32 + 15: accept a gzip or zlib header alike; servers mix up "deflate" often enough.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise FetchError(f"unsupported Content-Encoding {encoding!r}")


def _redirect_target(response: httpx.Response, url: str) -> str:
    location = str(response.headers.get("Location", "")).strip()
    if not location:
        raise FetchError(
            f"{response.status_code} redirect without a Location", response.status_code
        )
    target = urljoin(url, location)
    if _scheme(target) not in ("http", "https"):
        raise FetchError(
            f"redirect to an unsupported URL scheme {_scheme(target)!r}", response.status_code
        )
    return target


def _scheme(url: str) -> str:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https", "file"):
        raise FetchError(f"unsupported URL scheme {scheme!r}" if scheme else "not a URL")
    if scheme != "file" and not urlsplit(url).hostname:
        raise FetchError("not a URL: no host name")
    return scheme


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _status_words(status: int, retry_after: float | None) -> str:
    try:
        words = _STATUS_WORDS.get(status) or f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        words = f"HTTP status {status}"
    if retry_after is not None:
        words += f" (retry after {_secs(retry_after)})"
    return words


def _transport_words(exc: httpx.HTTPError, policy: FetchPolicy) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {_secs(policy.connect_timeout)} while connecting"
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return f"timed out after {_secs(policy.read_timeout)} waiting for the server"
    if isinstance(exc, httpx.PoolTimeout):
        return f"timed out after {_secs(policy.total_timeout)} waiting for a free connection"
    text = str(exc)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(cause, ConnectionRefusedError) for cause in _causes(exc)):
            return "connection refused: nothing is listening there"
        lowered = text.lower()
        if "refused" in lowered:
            return "connection refused: nothing is listening there"
        if "name" in lowered and ("resolution" in lowered or "known" in lowered):
            return "host not found (DNS lookup failed)"
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS error: {text}"
        return f"could not connect: {text or type(exc).__name__}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the server broke off the exchange ({text or type(exc).__name__})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL scheme: {text}"
    return _describe(exc)


def _causes(exc: BaseException) -> list[BaseException]:
    """The chain of causes under an exception (httpx wraps anyio wraps the OSError)."""
    chain: list[BaseException] = []
    cause = exc.__cause__ or exc.__context__
    while cause is not None and len(chain) < 8:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


def _size(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n / 1024:g} KB"
