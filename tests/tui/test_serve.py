"""`summitwatch serve` behind its door, driven over real HTTP on 127.0.0.1.

The served instance is the real `GuardedServer` (textual-serve's aiohttp app with our sign-in,
session limit and idle timeout). Each dashboard it starts is a real process: a small script
that writes its pid and its read-only flag to a file, so that the tests can count the
processes started and see what each was told. A full dashboard per session would cost a core
each for nothing this file checks; test_cli.py serves the real one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import pytest
from aiohttp import web

from feeds import ServeSettings, ServeUser
from tui.serve.access import Throttle, hash_password
from tui.serve.server import COOKIE, TRY_AGAIN_LATER, GuardedServer

# Speaks just enough of textual-serve's protocol: the ready line, then it waits for the
# "quit" message textual-serve sends when a session ends.
FAKE_DASHBOARD = """
import os, sys
with open(sys.argv[1], "a") as out:
    out.write(f"{os.getpid()} {sys.argv[2]}\\n")
sys.stdout.write("__GANGLION__\\n")
sys.stdout.flush()
while True:
    chunk = os.read(0, 65536)
    if not chunk or b'"quit"' in chunk:
        break
"""

ANA, BEN = "correct horse battery", "staple of the read-only"
HASHES = {ANA: hash_password(ANA), BEN: hash_password(BEN)}


@dataclass
class Served:
    url: str
    server: GuardedServer
    started: Path  # one line per dashboard process: "pid rw" or "pid ro"

    def processes(self) -> list[tuple[int, str]]:
        if not self.started.exists():
            return []
        lines = self.started.read_text(encoding="utf-8").split()
        return [(int(pid), mode) for pid, mode in zip(lines[::2], lines[1::2], strict=True)]


Start = Callable[..., Awaitable[Served]]


def _settings(**changes: object) -> ServeSettings:
    users = (
        ServeUser("ana", HASHES[ANA]),
        ServeUser("ben", HASHES[BEN], read_only=True),
    )
    values: dict[str, object] = {"users": users, "max_sessions": 4}
    values.update(changes)
    return ServeSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Start]:
    runners: list[web.AppRunner] = []

    async def start(settings: ServeSettings, **options: object) -> Served:
        script = tmp_path / "fake_dashboard.py"
        script.write_text(FAKE_DASHBOARD, encoding="utf-8")
        started = tmp_path / f"started-{len(runners)}.txt"

        def command(read_only: bool, user: str | None) -> str:
            mode = "ro" if read_only else "rw"
            return f"{sys.executable} {script} {started} {mode}:{user}"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = GuardedServer(
            command,
            settings,
            host="127.0.0.1",
            port=port,
            throttle=Throttle(base=0.05),
            **options,  # type: ignore[arg-type]
        )
        runner = web.AppRunner(await server._make_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return Served(f"http://127.0.0.1:{port}", server, started)

    yield start
    for runner in runners:
        await runner.cleanup()


async def _sign_in(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    return await client.post("/signin", data={"name": name, "password": password})


async def _wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    for _ in range(int(seconds * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("waited in vain")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: asyncio reaps it.
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split()[2] != "Z"


async def test_without_signing_in_only_the_sign_in_page_answers(
    serve: Start,
) -> None:
    served: Served = await serve(_settings())
    async with httpx.AsyncClient(base_url=served.url) as client:
        index = await client.get("/")
        assert index.status_code == 303 and index.headers["location"] == "/signin"
        for path in ("/static/js/textual.js", "/download/x", "/ws"):
            assert (await client.get(path)).status_code == 401, path
        page = await client.get("/signin")
        assert page.status_code == 200
        assert "type=password" in page.text and "name=name" in page.text
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{served.url}/ws")
        assert refused.value.status == 401
    await asyncio.sleep(0.3)
    assert served.processes() == []
    assert served.server.live == 0


async def test_a_wrong_password_is_refused_logged_without_it_and_slows_the_client(
    serve: Start, caplog: pytest.LogCaptureFixture
) -> None:
    served: Served = await serve(_settings())
    caplog.set_level(logging.INFO, logger="summitwatch.serve")
    async with httpx.AsyncClient(base_url=served.url) as client:
        for attempt in (1, 2, 3):
            answer = await _sign_in(client, "ana", f"guess number {attempt}")
            assert answer.status_code == 401
            assert "Wrong name or password" in answer.text
            assert COOKIE not in answer.cookies
        unknown = await _sign_in(client, "nobody", "whatever")
        assert unknown.status_code == 401
        assert (await client.get("/")).status_code == 303
    throttle = served.server.throttle
    assert throttle.failures("127.0.0.1") == 4
    assert throttle.delay("127.0.0.1") == pytest.approx(0.05 * 2**3)
    failures = [r.getMessage() for r in caplog.records if "failed sign-in" in r.getMessage()]
    assert len(failures) == 4
    assert "'ana'" in failures[0] and "127.0.0.1" in failures[0]
    assert not any("guess number" in r.getMessage() for r in caplog.records)
    assert served.processes() == []


async def test_signed_in_the_dashboard_loads_and_one_process_starts_per_session(
    serve: Start,
) -> None:
    served: Served = await serve(_settings())
    async with httpx.AsyncClient(base_url=served.url) as client:
        answer = await _sign_in(client, "ana", ANA)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        set_cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        page = await client.get("/")
        assert page.status_code == 200
        assert f"ws://127.0.0.1:{served.url.rsplit(':', 1)[1]}/ws" in page.text
        assert served.processes() == []  # the page alone starts nothing
        token = client.cookies[COOKIE]
        assert served.server.throttle.failures("127.0.0.1") == 0
    async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
        socket_ = await http.ws_connect(f"{served.url}/ws?width=100&height=30")
        await _wait_for(lambda: len(served.processes()) == 1)
        [(pid, mode)] = served.processes()
        assert mode == "rw:ana"  # may decide, as the signed-in user
        assert served.server.live == 1
        await socket_.close()
        await _wait_for(lambda: not _alive(pid))
        await _wait_for(lambda: served.server.live == 0)


async def test_beyond_the_session_limit_a_visitor_is_told_and_nothing_starts(
    serve: Start,
) -> None:
    served: Served = await serve(_settings(max_sessions=1))
    async with httpx.AsyncClient(base_url=served.url) as client:
        await _sign_in(client, "ana", ANA)
        token = client.cookies[COOKIE]
        async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
            first = await http.ws_connect(f"{served.url}/ws")
            await _wait_for(lambda: len(served.processes()) == 1)
            full = await client.get("/")
            assert full.status_code == 503
            assert "All 1 sessions are in use" in full.text
            second = await http.ws_connect(f"{served.url}/ws")
            closing = await second.receive(timeout=10)
            assert closing.type == aiohttp.WSMsgType.CLOSE
            assert closing.data == TRY_AGAIN_LATER
            assert "sessions are in use" in closing.extra
            await asyncio.sleep(0.3)
            assert len(served.processes()) == 1
            await first.close()
            await _wait_for(lambda: served.server.live == 0)
            assert (await client.get("/")).status_code == 200


async def test_an_idle_session_is_closed_and_its_process_ends(
    serve: Start,
) -> None:
    served: Served = await serve(_settings(max_sessions=1), idle_seconds=1.5)
    async with httpx.AsyncClient(base_url=served.url) as client:
        await _sign_in(client, "ana", ANA)
        token = client.cookies[COOKIE]
    async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
        session = await http.ws_connect(f"{served.url}/ws", autoping=True)
        await _wait_for(lambda: len(served.processes()) == 1)
        [(pid, _)] = served.processes()
        # Pings keep the connection up but are nobody at the keyboard.
        await session.send_json(["ping", "1"])
        while True:
            message = await session.receive(timeout=20)
            if message.type != aiohttp.WSMsgType.TEXT:
                break
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert message.data == TRY_AGAIN_LATER and "idle" in message.extra
        await _wait_for(lambda: not _alive(pid))
        await _wait_for(lambda: served.server.live == 0)
        # The sign-in lapsed as well: the next visit signs in again.
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=served.url, cookies={COOKIE: token}) as client:
            assert (await client.get("/")).status_code == 303


async def test_typing_keeps_a_session_open_past_the_idle_time(
    serve: Start,
) -> None:
    served: Served = await serve(_settings(), idle_seconds=1.0)
    async with httpx.AsyncClient(base_url=served.url) as client:
        await _sign_in(client, "ana", ANA)
        token = client.cookies[COOKIE]
    async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
        session = await http.ws_connect(f"{served.url}/ws")
        await _wait_for(lambda: len(served.processes()) == 1)
        for _ in range(6):  # 2.4 seconds in all, more than the idle time
            await session.send_json(["stdin", "j"])
            await asyncio.sleep(0.4)
        assert not session.closed
        assert served.server.live == 1
        await session.close()


async def test_a_read_only_user_or_server_starts_read_only_dashboards(
    serve: Start,
) -> None:
    for settings, name, password, expected in (
        (_settings(), "ben", BEN, "ro"),
        (_settings(read_only=True), "ana", ANA, "ro"),
    ):
        served: Served = await serve(settings)
        async with httpx.AsyncClient(base_url=served.url) as client:
            assert (await _sign_in(client, name, password)).status_code == 303
            token = client.cookies[COOKIE]
        async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={token}"}) as http:
            session = await http.ws_connect(f"{served.url}/ws")
            await _wait_for(lambda served=served: len(served.processes()) == 1)
            assert served.processes()[0][1] == f"{expected}:{name}"
            await session.close()


async def test_without_users_a_loopback_server_lets_the_page_load(
    serve: Start,
) -> None:
    served: Served = await serve(ServeSettings())
    async with httpx.AsyncClient(base_url=served.url) as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/signin")).status_code == 303
