"""The real `summitwatch serve` on 127.0.0.1. A read-only user, driven through real HTTP and
a real websocket, presses every deciding key: the store does not change; a user who may decide,
pressing the same first key the same way, changes it (so the keys do arrive). And in a real
headless Chromium: only the sign-in page answers until one signs in; then the dashboard loads."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from feeds.collect.browser import browser_problem, find_chromium
from state import Store, TriageState
from tui.serve.access import hash_password
from tui.serve.server import COOKIE

from .cli import free_port, start
from .fixtures import FIXED_NOW, fixed_releases

ANA, BEN = "ana's long password", "ben only looks here"
# Typed into the search last (no key of it is bound): its echo shows every key before arrived.
MARKER = "zzzz"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = tmp_path / "db"
    with Store(db) as store:
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
    config = tmp_path / "config.toml"
    config.write_text(
        # One source on a closed local port: a session that may poll asks nobody outside.
        f'[[sources]]\nname = "Local"\nurl = "http://127.0.0.1:{free_port()}/feed"\n'
        'country = "US"\n\n'
        f'[serve.users.ana]\npassword_hash = "{hash_password(ANA)}"\n\n'
        f'[serve.users.ben]\npassword_hash = "{hash_password(BEN)}"\nread_only = true\n',
        encoding="utf-8",
    )
    port = free_port()
    server = start(
        "--db",
        str(db),
        "serve",
        "--port",
        str(port),
        env_dir=tmp_path,  # its config.toml is `config`
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/signin", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, db
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
        assert b"Traceback" not in errors, errors.decode(errors="replace")


async def _session(url: str, name: str, password: str, keys: list[str]) -> str:
    """Sign in, open the dashboard, wait for its list, type `keys` then the marker search;
    returns what the dashboard drew (its terminal output, decoded)."""
    async with httpx.AsyncClient(base_url=url) as client:
        signed = await client.post("/signin", data={"name": name, "password": password})
        assert signed.status_code == 303
        token = client.cookies[COOKIE]
    seen = bytearray()

    async def until(text: str) -> None:
        deadline = time.monotonic() + 90  # the cursor blinks: something arrives every second
        while text.encode() not in seen:
            assert time.monotonic() < deadline, f"{text!r} was never drawn"
            message = await socket_.receive(timeout=10)
            if message.type == aiohttp.WSMsgType.TEXT:
                continue  # textual-serve's own messages (a download offered, say)
            assert message.type == aiohttp.WSMsgType.BINARY, message
            seen.extend(message.data)

    async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
        socket_ = await http.ws_connect(f"{url}/ws?width=160&height=48")
        await until("Drug Dialogue")  # the list is drawn: keys now reach it
        for key in [*keys, "/"]:
            await socket_.send_json(["stdin", key])
            await asyncio.sleep(0.1)
        # The search box takes the focus after its key, not with it: type once it is drawn.
        await until("search titles")
        await socket_.send_json(["stdin", MARKER])
        await until(MARKER)
        await asyncio.sleep(1.0)  # a decision would be written by now (it is queued at once)
        await socket_.close()
    return seen.decode("utf-8", errors="replace")


def _decisions(db: Path) -> dict[str, dict[str, Any]]:
    with Store(db, read_only=True) as store:
        return {
            r.id: {k: v for k, v in r.to_dict().items() if k not in ("release", "classification")}
            for r in store.iter_full()
        }


async def test_a_read_only_served_session_cannot_change_the_store(
    served: tuple[str, Path],
) -> None:
    url, db = served
    before = _decisions(db)
    drawn = await _session(url, "ben", BEN, ["r", "s", "m", "\r", "u", "e", "p", "a", "c"])
    assert "read-only" in drawn
    assert _decisions(db) == before

    drawn = await _session(url, "ana", ANA, ["r"])
    assert "read-only" not in drawn
    after = _decisions(db)
    assert [rid for rid in after if after[rid] != before[rid]] == ["r2"]  # the first listed
    assert after["r2"]["triage"] == TriageState.RELEVANT.value


# -- the sign-in page in a real browser ------------------------------------------------------

needs_browser = pytest.mark.skipif(
    browser_problem() is not None, reason=f"no browser here: {browser_problem()}"
)


def _dashboards(db: Path) -> int:
    """Dashboard processes running on `db` (`serve` starts one a session)."""
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # it ended meanwhile
        count += str(db).encode() in argv and b"run" in argv and b"serve" not in argv
    return count


@needs_browser
def test_in_a_real_browser_only_the_sign_in_answers_until_one_signs_in(
    served: tuple[str, Path],
) -> None:
    from playwright.sync_api import sync_playwright

    url, db = served
    frames: list[bytes] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=["--no-sandbox"], headless=True
        )
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.on(
            "websocket",
            lambda socket_: socket_.on(
                "framereceived",
                lambda data: frames.append(data if isinstance(data, bytes) else data.encode()),
            ),
        )
        page.goto(f"{url}/")
        assert page.url == f"{url}/signin"
        assert page.locator("input[type=password]").count() == 1
        for path in ("/", "/static/js/textual.js", "/ws", "/download/x"):
            answer = page.request.get(f"{url}{path}", max_redirects=0)
            assert answer.status in (303, 401), path
        page.fill("#name", "ana")
        page.fill("#password", "not her password")
        page.click("button[type=submit]")
        assert "Wrong name or password" in page.content()
        assert _dashboards(db) == 0  # nothing started before a sign-in
        page.fill("#name", "ana")
        page.fill("#password", ANA)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        page.wait_for_selector("body.-first-byte", timeout=60_000)
        for _ in range(600):
            if b"Drug Dialogue" in b"".join(frames):
                break
            page.wait_for_timeout(100)
        assert b"Drug Dialogue" in b"".join(frames), "the dashboard never drew its list"
        assert _dashboards(db) == 1
        browser.close()
