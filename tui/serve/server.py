"""textual-serve with a door: sign-in, a limit on dashboards at once, an idle timeout.

textual-serve starts one dashboard process per browser that opens its websocket, and lets
anyone in. `GuardedServer` answers nothing but the sign-in page until a visitor has signed in
(when the config names users), refuses a websocket beyond `max_sessions` before any process
starts, and ends a dashboard nobody has typed into for `idle_minutes`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import html
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from feeds import ServeSettings, ServeUser, one_line
from tui.serve.access import Throttle, Visitors, authenticate

log = logging.getLogger("summitwatch.serve")

COOKIE = "summitwatch_session"
SIGN_IN = "/signin"
FEEDS = "/feed/"  # /feed/NAME.atom: the Atom feed of a saved filter
# The websocket code for "try again later" (RFC 6455 registry).
TRY_AGAIN_LATER = 1013
# What the browser sends that counts as someone at the keyboard (its pings do not).
_ACTIVITY = {"stdin", "resize", "focus"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class GuardedServer(Server):
    """A textual-serve `Server` that checks who comes in and how many are in.

    `command_for(read_only, user)` is the shell command of one dashboard process, for the
    signed-in `user` (None without sign-in): decisions are recorded under that name.
    """

    def __init__(
        self,
        command_for: Callable[[bool, str | None], str],
        settings: ServeSettings,
        *,
        host: str,
        port: int,
        read_only: bool = False,
        idle_seconds: float | None = None,
        throttle: Throttle | None = None,
        feeds: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(
            command_for(read_only, None),
            host=host,
            port=port,
            title="summitwatch",
            public_url=settings.public_url or None,
        )
        self.command_for = command_for
        self.settings = settings
        self.read_only = read_only or settings.read_only
        self.idle_seconds = idle_seconds if idle_seconds is not None else settings.idle_minutes * 60
        self.visitors = Visitors(self.idle_seconds)
        self.throttle = throttle or Throttle()
        self.live = 0  # dashboard processes running now
        # A saved filter's name -> its Atom feed, None when there is no such filter (blocking:
        # it reads the database); `/feed/NAME.atom` answers with it.
        self.feeds = feeds
        self._client_locks: dict[str, asyncio.Lock] = {}

    @property
    def signs_in(self) -> bool:
        return bool(self.settings.users)

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        log.info("serving on %s (%s)", self.public_url, self._door())

    def _door(self) -> str:
        door = f"sign-in for {len(self.settings.users)} users" if self.signs_in else "no sign-in"
        return f"{door}, at most {self.settings.max_sessions} sessions"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        app.router.add_get(SIGN_IN, self.handle_sign_in_page)
        app.router.add_post(SIGN_IN, self.handle_sign_in)
        app.router.add_post("/signout", self.handle_sign_out)
        app.router.add_get(FEEDS + "{name:.+}", self.handle_feed)
        return app

    # -- the door ---------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.signs_in or request.path == SIGN_IN:
            return await handler(request)
        if self.visitors.find(request.cookies.get(COOKIE)) is None:
            if request.method == "GET" and request.path == "/":
                raise web.HTTPSeeOther(SIGN_IN)
            if request.path.startswith(FEEDS):
                # A feed reader cannot fill in the sign-in page: it sends the same name and
                # password with each request (HTTP Basic, over the proxy's TLS).
                await self._basic_sign_in(request)
                return await handler(request)
            raise web.HTTPUnauthorized(text="Sign in first.")
        return await handler(request)

    async def _basic_sign_in(self, request: web.Request) -> None:
        """Let a feed request in on the HTTP Basic credentials of a configured user, with
        the sign-in page's slowdown; raise 401 (asking for them) otherwise."""
        ask = {"WWW-Authenticate": 'Basic realm="summitwatch", charset="UTF-8"'}
        given = _basic_credentials(request.headers.get("Authorization", ""))
        if given is None:
            raise web.HTTPUnauthorized(text="Sign in first.", headers=ask)
        if await self._check(request.remote or "unknown", *given) is None:
            raise web.HTTPUnauthorized(text="Wrong name or password.", headers=ask)

    async def _check(self, client: str, name: str, password: str) -> ServeUser | None:
        """The user `name` if `password` is theirs, after this client's delay; one attempt
        at a time per client, so that many at once from one address wait their turn instead
        of multiplying the guesses. A failure is logged (never the password)."""
        lock = self._client_locks.setdefault(client, asyncio.Lock())
        async with lock:
            await asyncio.sleep(self.throttle.delay(client))
            user = authenticate(self.settings.users, name, password)
            if user is None:
                self.throttle.failed(client)
                log.warning(
                    "failed sign-in from %s as %s (%d recent failures)",
                    client,
                    ascii(name[:64]),
                    self.throttle.failures(client),
                )
            else:
                self.throttle.passed(client)
        if not self.throttle.failures(client) and not lock.locked():
            self._client_locks.pop(client, None)
        return user

    async def handle_feed(self, request: web.Request) -> web.Response:
        """The Atom feed of a saved filter, `/feed/NAME.atom`."""
        name = request.match_info["name"]
        if self.feeds is None or not name.endswith(".atom"):
            raise web.HTTPNotFound(text="No such feed: feeds are /feed/NAME.atom.")
        try:
            text = await asyncio.to_thread(self.feeds, name.removesuffix(".atom"))
        except Exception as exc:  # the database is missing, damaged or locked: say so, go on
            log.warning("a feed could not be made: %s", one_line(str(exc)))
            raise web.HTTPServiceUnavailable(text="The database could not be read.") from exc
        if text is None:
            raise web.HTTPNotFound(text="No saved filter has that name.")
        # A feed reader that sends back the tag of what it has is told "not modified".
        etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'
        headers = {"Cache-Control": "no-cache", "ETag": etag}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        response = web.Response(text=text, content_type="application/atom+xml", charset="utf-8")
        response.headers.update(headers)
        return response

    async def handle_sign_in_page(self, request: web.Request) -> web.Response:
        if not self.signs_in:
            raise web.HTTPSeeOther("/")
        return _page(_sign_in_form(""))

    async def handle_sign_in(self, request: web.Request) -> web.Response:
        if not self.signs_in:
            raise web.HTTPSeeOther("/")
        client = request.remote or "unknown"
        form = await request.post()
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        user = await self._check(client, name, password)
        if user is None:
            return _page(_sign_in_form("Wrong name or password."), status=401)
        token = self.visitors.sign_in(user.name, user.read_only)
        log.info("%s signed in from %s%s", user.name, client, " (read-only)" * user.read_only)
        response = web.HTTPSeeOther("/")
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="Strict",  # no other site's page can open our websocket with it
            secure=self.public_url.startswith("https:"),
            path="/",
        )
        raise response

    async def handle_sign_out(self, request: web.Request) -> web.Response:
        self.visitors.sign_out(request.cookies.get(COOKIE))
        response = web.HTTPSeeOther(SIGN_IN)
        response.del_cookie(COOKIE, path="/")
        raise response

    # -- the dashboard ----------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> Any:
        if self.live >= self.settings.max_sessions:
            return _full_page(self.settings.max_sessions)
        return await super().handle_index(request)

    def _session_command(self, request: web.Request) -> str:
        """The dashboard command for this visitor: read-only or not, deciding as whom."""
        visitor = self.visitors.find(request.cookies.get(COOKIE))
        read_only = self.read_only or (visitor is not None and visitor.read_only)
        return self.command_for(read_only, visitor.name if visitor is not None else None)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One dashboard process per websocket, if there is room; it ends when idle."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.live >= self.settings.max_sessions:
            log.warning("refused a session: %d already open", self.live)
            await websocket.close(
                code=TRY_AGAIN_LATER,
                message=f"All {self.settings.max_sessions} sessions are in use.".encode(),
            )
            return websocket
        self.live += 1
        token = request.cookies.get(COOKIE)
        service: AppService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            service = AppService(
                self._session_command(request),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await service.start(width, height)
            await self._relay(websocket, service, token)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("a dashboard session failed")
        finally:
            self.live -= 1
            if service is not None:
                await _stop(service)
        return websocket

    async def _relay(
        self, websocket: web.WebSocketResponse, service: AppService, token: str | None
    ) -> None:
        """Pass the browser's messages on until it leaves or stays idle too long."""
        last = time.monotonic()
        receive: asyncio.Task[Any] | None = None
        while not websocket.closed:
            remaining = self.idle_seconds - (time.monotonic() - last)
            if remaining <= 0:
                log.info("closed a session idle for %.0f seconds", self.idle_seconds)
                await websocket.close(code=TRY_AGAIN_LATER, message=b"Closed after idle time.")
                break
            receive = receive or asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receive}, timeout=remaining)
            if not done:
                continue
            message, receive = receive.result(), None
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                break
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            if kind in _ACTIVITY:
                last = time.monotonic()
                if self.signs_in and self.visitors.find(token) is None:
                    await websocket.close(message=b"Signed out.")
                    break
            await _forward(websocket, service, kind, envelope[1] if len(envelope) > 1 else None)
        if receive is not None:
            receive.cancel()


async def _forward(
    websocket: web.WebSocketResponse, service: AppService, kind: str, data: Any
) -> None:
    if kind == "stdin" and isinstance(data, str):
        await service.send_bytes(data.encode("utf-8"))
    elif kind == "resize" and isinstance(data, dict):
        await service.set_terminal_size(int(data["width"]), int(data["height"]))
    elif kind == "ping":
        await websocket.send_json(["pong", data])
    elif kind == "blur":
        await service.blur()
    elif kind == "focus":
        await service.focus()


async def _stop(service: AppService) -> None:
    """Ask the dashboard to quit; a process that does not within 10 seconds is killed."""
    try:
        await asyncio.wait_for(service.stop(), timeout=10)
    except (TimeoutError, OSError):
        # textual-serve keeps the process private; it is the only handle on a stuck one.
        process = service._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


_STYLE = (
    "body{font-family:sans-serif;max-width:22rem;margin:4rem auto;color:#222}"
    "label,input,button{display:block;width:100%;margin:.3rem 0}"
    ".error{color:#b00}"
)


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """The name and password of an `Authorization: Basic ...` header, None if it is not one."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    name, colon, password = decoded.partition(":")
    return (name, password) if colon else None


def _page(body: str, status: int = 200) -> web.Response:
    text = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'>"
        f"<title>summitwatch</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    response = web.Response(text=text, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _sign_in_form(error: str) -> str:
    said = f"<p class=error role=alert>{html.escape(error)}</p>" if error else ""
    return (
        "<h1>summitwatch</h1>"
        f"{said}"
        f"<form method=post action='{SIGN_IN}'>"
        "<label for=name>Name</label><input id=name name=name autocomplete=username required>"
        "<label for=password>Password</label>"
        "<input id=password name=password type=password autocomplete=current-password required>"
        "<button type=submit>Sign in</button></form>"
    )


def _full_page(limit: int) -> web.Response:
    return _page(
        f"<h1>summitwatch</h1><p>All {limit} sessions are in use. Try again later.</p>",
        status=503,
    )


__all__ = ["COOKIE", "GuardedServer"]
