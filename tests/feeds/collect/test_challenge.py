"""Bot challenges named by their markers, on the real gob.mx wall and on pages of each kind, and
reported in plain words by the plain fetcher and the poll: never as "no items matched"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feeds.collect.challenge import recognise_challenge
from feeds.collect.fetch import Fetcher, FetchPolicy
from feeds.models import ClassifiedRelease, Source
from feeds.poll import Poller
from tests.paths import SHARED

REAL = SHARED / "fixtures" / "real"
WALL = REAL / "gobmx_challenge_wall_trimmed_2026-09-06.html"
LISTING = SHARED / "fixtures" / "gobmx_sep_archivo_prensa_listing_2025-11-26.html"
FAST = FetchPolicy(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0)
GOBMX_WORDS = (
    "blocked by a bot challenge (gob.mx proof-of-work); "
    'this source needs `fetch = "browser"`, see README'
)

CLOUDFLARE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<noscript>Enable JavaScript and cookies to continue</noscript></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "www.example.gov",cType: 'managed'};
}());</script></body></html>"""
AKAMAI = b"""<html><head><title>Verifying</title></head><body>
<div id="sec-if-cpt-container" class="sec-container"><p>Checking your browser...</p></div>
<script src="/_sec/cp_challenge/ak-challenge-4-3.js"></script></body></html>"""
IMPERVA = b"""<html><head><META NAME="robots" CONTENT="noindex,nofollow">
<script src="/_Incapsula_Resource?SWJIYLWA=5074a744e2e3d891814e9a2dace20bd4"></script>
</head><body><iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=22&xinfo=8-1"></iframe>
Request unsuccessful. Incapsula incident ID: 1234000340123456789-12345678901234567</body></html>"""
CAPTCHA = b"""<!doctype html><html><head><title>Security check</title></head><body>
<h1>Please confirm you are not a robot</h1><form method="post" action="/verify">
<div class="g-recaptcha" data-sitekey="6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"></div>
<button type="submit">Continue</button></form></body></html>"""
CAPTCHA_TITLE = b"<html><head><title>Are you a robot?</title></head><body>...</body></html>"
# A real page that happens to carry a CAPTCHA widget in its contact form is not a wall.
CONTACT_PAGE = (
    b"<html><head><title>Contacto</title></head><body>"
    + b"<p>Texto del comunicado de prensa.</p>" * 1500
    + b'<form><div class="g-recaptcha" data-sitekey="x"></div></form></body></html>'
)


def _real(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(f"shared fixtures not found at {path.parent}")
    return path.read_bytes()


def test_the_real_gobmx_wall_is_named() -> None:
    assert recognise_challenge(_real(WALL)) == "gob.mx proof-of-work"


@pytest.mark.parametrize(
    ("page", "name"),
    [
        (CLOUDFLARE, "Cloudflare"),
        (AKAMAI, "Akamai"),
        (IMPERVA, "Imperva"),
        (CAPTCHA, "CAPTCHA"),
        (CAPTCHA_TITLE, "CAPTCHA"),
    ],
)
def test_each_kind_of_wall_is_named(page: bytes, name: str) -> None:
    assert recognise_challenge(page) == name


def test_cloudflare_says_so_in_a_header_too() -> None:
    assert recognise_challenge(b"<html></html>", {"cf-mitigated": "challenge"}) == "Cloudflare"


def test_content_is_not_a_wall() -> None:
    assert recognise_challenge(CONTACT_PAGE) is None
    assert recognise_challenge(_real(LISTING)) is None
    for feed in sorted(REAL.glob("*.xml")) + sorted(REAL.glob("*.atom")):
        assert recognise_challenge(feed.read_bytes()) is None, feed.name


def test_a_feed_item_titled_just_a_moment_is_not_a_wall() -> None:
    rss = b'<?xml version="1.0"?><rss><channel><item><title>Just a moment</title></item></channel>'
    assert recognise_challenge(rss) is None


# --- reported by the plain fetcher and the poll ---------------------------------------------------


def _source(url: str, kind: str = "page") -> Source:
    return Source(name="Presidencia", url=url, country="MX", language="es", kind=kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["page", "feed"])
async def test_the_plain_fetcher_names_the_real_wall(httpserver: HTTPServer, kind: str) -> None:
    httpserver.expect_request("/presidencia").respond_with_data(
        _real(WALL), content_type="text/html; charset=utf-8"
    )
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(_source(httpserver.url_for("/presidencia"), kind))
    assert result.error == GOBMX_WORDS
    assert result.body is None and result.status == 200


async def test_a_403_cloudflare_wall_is_named_not_just_forbidden(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        CLOUDFLARE, status=403, content_type="text/html", headers={"cf-mitigated": "challenge"}
    )
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(_source(httpserver.url_for("/feed"), "feed"))
    assert result.error is not None
    assert result.error.startswith("blocked by a bot challenge (Cloudflare); ")
    assert result.status == 403


async def test_a_poll_of_a_walled_page_says_blocked_never_no_items(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/presidencia").respond_with_data(
        _real(WALL), content_type="text/html; charset=utf-8"
    )
    async with Fetcher(FAST) as fetcher:
        poller = Poller(fetcher, lambda: pytest.fail("nothing to classify"))
        [outcome] = await poller.poll([_source(httpserver.url_for("/presidencia"))], {})
    assert outcome.failed
    assert outcome.health.last_error == GOBMX_WORDS
    assert not outcome.releases
    assert datetime.fromisoformat(outcome.health.next_poll) > datetime.now(UTC)


async def test_a_walled_release_page_is_named_and_the_release_kept(httpserver: HTTPServer) -> None:
    from feeds.judge.classify import Classifier

    httpserver.expect_request("/sre/prensa/1").respond_with_data(
        _real(WALL), content_type="text/html; charset=utf-8"
    )
    link = httpserver.url_for("/sre/prensa/1")
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>SRE</title><item>'
        f"<title>Comunicado 1</title><link>{link}</link><description>Resumen.</description>"
        "</item></channel></rss>"
    )
    httpserver.expect_request("/feed").respond_with_data(rss, content_type="application/rss+xml")
    source = _source(httpserver.url_for("/feed"), "feed")
    texts: list[ClassifiedRelease] = []

    async def on_text(item: ClassifiedRelease) -> None:
        texts.append(item)

    async with Fetcher(FAST) as fetcher:
        poller = Poller(fetcher, Classifier.load)
        [outcome] = await poller.poll([source], {})
        wanted = [(c.release, source) for c in outcome.releases]
        report = await poller.complete_texts(wanted, on_text, budget=10.0)
    assert not outcome.failed
    assert report.blocked == {source.name: [GOBMX_WORDS]} and texts == []
    [kept] = outcome.releases
    assert (kept.release.title, kept.release.summary) == ("Comunicado 1", "Resumen.")
