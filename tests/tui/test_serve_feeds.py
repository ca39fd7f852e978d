"""`serve` answers the Atom feed of a saved filter at /feed/NAME.atom, behind the same door
as the dashboard: a real `GuardedServer` on 127.0.0.1, a real store and saved filters under
tmp_path, wired as `summitwatch serve` wires them, asked by a real HTTP client."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

import feedparser
import httpx

from feeds.collect.sources import Config
from state import Store, ViewFilter, saved_filters_for
from tests.state.factories import make_item
from tui.alert_commands import ServedFeeds

from .test_serve import ANA, Served, Start, _settings, serve  # noqa: F401  (the fixture)

FEED = "/feed/Mexico%20security.atom"


def basic(name: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def stored(tmp_path: Path) -> argparse.Namespace:
    """A database with a Mexican security release and a Canadian one, a filter that picks
    the first, and the command-line arguments `serve` would have."""
    db = tmp_path / "db"
    with Store(db) as store:
        store.add(
            [
                make_item("mx", title="México y EE. UU. acuerdan seguridad", country="MX"),
                make_item("ca", title="Canada climate statement", country="CA"),
            ]
        )
    view = ViewFilter(("country:MX",))
    saved_filters_for(db).save("Mexico security", view)
    return argparse.Namespace(db=db, demo=False)


async def test_a_saved_filter_feed_is_served_behind_the_sign_in(
    serve: Start,  # noqa: F811
    tmp_path: Path,
) -> None:
    feeds = ServedFeeds(stored(tmp_path), Config(path=None, sources=()))
    served: Served = await serve(_settings(), feeds=feeds)
    async with httpx.AsyncClient(base_url=served.url) as client:
        refused = await client.get(FEED)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith('Basic realm="summitwatch"')
        assert "<feed" not in refused.text
        wrong = await client.get(FEED, headers=basic("ana", "not her password"))
        assert wrong.status_code == 401 and "<feed" not in wrong.text
        assert served.server.throttle.failures("127.0.0.1") == 1

        # A feed reader sends the name and password with each request.
        answer = await client.get(FEED, headers=basic("ana", ANA))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(answer.content)
        assert not feed.bozo and feed.feed.title == "summitwatch: Mexico security"
        assert [e.title for e in feed.entries] == ["México y EE. UU. acuerdan seguridad"]

        missing = await client.get("/feed/Canada.atom", headers=basic("ana", ANA))
        assert missing.status_code == 404
        assert (await client.get("/feed/x.rss", headers=basic("ana", ANA))).status_code == 404

    # A browser signed in through the page gets it with its session cookie.
    async with httpx.AsyncClient(base_url=served.url) as browser:
        signed = await browser.post("/signin", data={"name": "ana", "password": ANA})
        assert signed.status_code == 303
        again = await browser.get(FEED)
        assert again.status_code == 200 and "acuerdan seguridad" in again.text
    assert served.processes() == []  # a feed starts no dashboard


async def test_without_users_a_loopback_serve_answers_feeds_to_whoever_asks(
    serve: Start,  # noqa: F811
    tmp_path: Path,
) -> None:
    feeds = ServedFeeds(stored(tmp_path), Config(path=None, sources=()))
    served: Served = await serve(_settings(users=()), feeds=feeds)
    async with httpx.AsyncClient(base_url=served.url) as client:
        answer = await client.get(FEED)
        assert answer.status_code == 200 and "acuerdan seguridad" in answer.text


async def test_a_database_that_cannot_be_read_is_a_clear_503(
    serve: Start,  # noqa: F811
    tmp_path: Path,
) -> None:
    args = stored(tmp_path)
    args.db = tmp_path / "not-a-database"
    args.db.write_text("a file where the database folder should be", encoding="utf-8")
    saved_filters_for(args.db).save("Mexico security", ViewFilter(("country:MX",)))
    feeds = ServedFeeds(args, Config(path=None, sources=()))
    served: Served = await serve(_settings(users=()), feeds=feeds)
    async with httpx.AsyncClient(base_url=served.url) as client:
        answer = await client.get(FEED)
        assert answer.status_code == 503
        assert answer.text == "The database could not be read."


async def test_a_feed_is_built_again_only_when_the_database_or_its_filter_changed(
    serve: Start,  # noqa: F811
    tmp_path: Path,
) -> None:
    args = stored(tmp_path)
    feeds = ServedFeeds(args, Config(path=None, sources=()))
    served: Served = await serve(_settings(users=()), feeds=feeds)
    try:
        async with httpx.AsyncClient(base_url=served.url) as client:
            first = await client.get(FEED)
            etag = first.headers["etag"]
            unchanged = await client.get(FEED, headers={"If-None-Match": etag})
            assert unchanged.status_code == 304 and unchanged.content == b""
            assert feeds.builds == 1

            # Another process (a poll) stores a new Mexican release: the feed has it.
            with Store(args.db) as poll:
                title = "México y Canadá fortalecen cadenas de suministro"
                poll.add([make_item("mx2", title=title, country="MX")])
            changed = await client.get(FEED, headers={"If-None-Match": etag})
            assert changed.status_code == 200 and title in changed.text
            assert changed.headers["etag"] != etag and feeds.builds == 2

            # The filter saved again under the same name with another meaning.
            saved_filters_for(args.db).save("Mexico security", ViewFilter(("country:CA",)))
            redefined = await client.get(FEED)
            assert "Canada climate statement" in redefined.text and title not in redefined.text
            assert feeds.builds == 3
    finally:
        feeds.close()
