"""The HTTP client of a process, whose TLS set-up waits for the first https request.

Loading the certificate authorities costs about 25 ms and a megabyte at every start. A poll of
plain-http sources (a local mirror, the loopback benchmark) never needs them, and a poll from
cron that finds every source unchanged is short enough for that to be a tenth of it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
from collections.abc import Callable
from functools import partial
from urllib.request import getproxies

import httpx

__all__ = ["make_client"]


class TlsOnFirstUse(httpx.AsyncBaseTransport):
    """A transport built (in a thread: it reads files) when the first request comes."""

    def __init__(self, build: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._build = build
        self._transport: httpx.AsyncBaseTransport | None = None
        self._building = asyncio.Lock()

    @property
    def built(self) -> bool:
        return self._transport is not None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._transport is None:
            async with self._building:
                if self._transport is None:
                    self._transport = await asyncio.to_thread(self._build)
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()


def make_client(
    *, timeout: httpx.Timeout, limits: httpx.Limits, headers: dict[str, str]
) -> httpx.AsyncClient:
    """One client for every request of a process; HTTP/2 over TLS when `h2` is installed.

    Redirects are the caller's to follow (it remembers the permanent ones)."""
    http2 = importlib.util.find_spec("h2") is not None
    client = partial(httpx.AsyncClient, follow_redirects=False, timeout=timeout, headers=headers)
    if getproxies():
        # Proxies from the environment: httpx mounts a transport per scheme for them, which
        # our own mounts would replace. Correctness first; these users pay the 25 ms.
        return client(http2=http2, limits=limits)
    # The plain transport is given a context that trusts no authority, so that an https URL
    # reaching it by mistake fails verification rather than skipping it.
    nothing_trusted = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    plain = httpx.AsyncHTTPTransport(verify=nothing_trusted, limits=limits)
    tls = TlsOnFirstUse(partial(httpx.AsyncHTTPTransport, http2=http2, limits=limits))
    return client(transport=plain, mounts={"https://": tls})
