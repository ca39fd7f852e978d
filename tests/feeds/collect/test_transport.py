"""TLS waits for the first https request, and verifies certificates when it comes: a real
https server on 127.0.0.1 with a certificate from a throwaway authority (trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer

from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.collect.transport import TlsOnFirstUse
from feeds.models import Source

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
FAST = FetchPolicy(connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0)


def source(url: str) -> Source:
    return Source(name="tls", url=url, country="US", language="en")


def tls_transports(fetcher: Fetcher) -> list[TlsOnFirstUse]:
    # httpx keeps a client's transports by URL pattern in `_mounts`; no public accessor.
    client: httpx.AsyncClient = fetcher._client
    return [t for t in client._mounts.values() if isinstance(t, TlsOnFirstUse)]


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def https_server(authority: trustme.CA) -> Iterator[HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/feed").respond_with_data(RSS, content_type="application/rss+xml")
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


async def test_plain_http_polls_never_set_up_tls(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS, content_type="application/rss+xml")
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(source(httpserver.url_for("/feed")))
        assert result.status == 200 and result.body
        (tls,) = tls_transports(fetcher)
        assert not tls.built


async def test_https_is_verified_against_the_trusted_authorities(
    https_server: HTTPServer,
    authority: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = https_server.url_for("/feed")
    assert url.startswith("https://")

    # The default authorities do not include our throwaway one: the fetch must refuse.
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    async with Fetcher(FAST) as fetcher:
        refused = await fetcher.fetch(source(url))
        assert refused.body is None
        assert refused.error is not None and refused.error.startswith("TLS error")
        assert "certificate verify failed" in refused.error
        (tls,) = tls_transports(fetcher)
        assert tls.built

    # Trusted the way a user trusts a private authority (SSL_CERT_FILE): the same URL answers.
    with authority.cert_pem.tempfile() as ca_file:
        monkeypatch.setenv("SSL_CERT_FILE", ca_file)
        async with Fetcher(FAST) as fetcher:
            answered = await fetcher.fetch(source(url))
    assert answered.error is None
    assert answered.status == 200 and answered.body is not None and b"<rss" in answered.body


async def test_an_environment_proxy_keeps_the_stock_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx routes each scheme to the proxy through its own mounts; ours must not replace them.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with Fetcher(FAST) as fetcher:
        assert tls_transports(fetcher) == []
        result = await fetcher.fetch(source("https://feeds.example.invalid/feed"))
    assert result.error is not None  # the refused proxy, not a DNS lookup of the site
    assert "refused" in result.error
