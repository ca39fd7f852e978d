"""A gob.mx-like site behind a proof-of-work wall, on 127.0.0.1, for the browser fetcher's tests.

Like the real wall (`../shared/fixtures/real/gobmx_challenge_wall_trimmed_2026-09-06.html`), a
request without a valid cookie gets a 200 "Challenge Validation" page whose script does real
work: it finds a nonce whose SHA-256 (with `crypto.subtle`) has `bits` leading zero bits, sets
it as a cookie and reloads. The server checks the work and the seed's signature before it serves
the press listing (the markup of gob.mx's press archive) or a release page. It counts the walls
it served, so a test can tell a second poll passed without solving again.

Paths: `/presidencia/es/archivo/prensa` (listing), `/presidencia/prensa/<slug>` (a release),
`/stuck/...` (a page whose script never arrives: the server holds the request open, so the
page never finishes loading, without keeping a core busy), `/hard/...` (a wall asking 64 bits of
work: never passed), `/plain/feed.xml` (an RSS feed, no wall).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTING_PATH = "/presidencia/es/archivo/prensa"
COOKIE = "gobmx_pow"

_WALL = """<html><head><title>Challenge Validation</title></head><body>
<script>
(async () => {
  const seed = "%(seed)s", bits = %(bits)d, enc = new TextEncoder();
  for (let n = 0; ; n++) {
    const d = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(seed + ":" + n)));
    let zeros = 0;
    for (const b of d) {
      if (b === 0) { zeros += 8; continue; }
      zeros += Math.clz32(b) - 24;
      break;
    }
    if (zeros >= bits) {
      document.cookie = "%(cookie)s=" + seed + ":" + n + "; path=/";
      location.reload();
      return;
    }
  }
})();
</script></body></html>"""
_STUCK = (
    "<html><head><title>Prensa</title>"
    '<script src="/stuck/app.js"></script></head><body><article>x</article></body></html>'
)
_ITEM = """  <div class="col-md-4">
    <article>
      <div class="guard-of">
        <img alt="%(title)s" class="img_curve" src="/cms/uploads/press/main_image/%(n)d/post.jpeg" width="350" />
      </div>
      <p style="margin: 0;">
      <time datetime="2026-11-%(day)02d 18:21:00">%(day)d de noviembre de 2026 <span class="sr-only">Fecha de publicación</span></time>
        <span class="tag-presses small" style="margin-top: 8px;">Comunicado</span>
      </p>
      <h2>%(title)s</h2>
        <a aria-label="%(title)s" class="small-link" href="/presidencia/prensa/%(slug)s?idiom=es-MX" target="_blank">Continuar leyendo</a>
    </article>
  </div>
"""  # noqa: E501  (the markup of gob.mx's listing, line for line)
_LISTING_HEAD = """<!DOCTYPE html>
<html class='no-js' lang='es'>
<head>
  <title>Prensa | Archivo | Presidencia de la República | Gobierno | gob.mx</title>
  <meta charset='UTF-8'>
  <link data-turbolinks-track="true" href="/cms/assets/application.css" media="all" rel="stylesheet" />
  <script data-turbolinks-track="true" src="/cms/assets/application.js"></script>
  <link href="https://framework-gb.cdn.gob.mx/gm/accesibilidad/css/gobmx-accesibilidad.min.css" media="all" rel="stylesheet" />
  <link href="https://fonts.googleapis.com/css?family=Montserrat" rel="stylesheet" />
  <script src="https://framework-gb.cdn.gob.mx/gobmx.js"></script>
</head>
<body>
  <main class="page"><div class="container">
    <div class="col-md-12 clearfix bottom-buffer archives" id="prensa">
      <div class='row clearfix bottom-buffer'>
"""  # noqa: E501
_LISTING_FOOT = """      </div>
    </div>
  </div></main>
</body>
</html>
"""
_RELEASE = """<!DOCTYPE html><html lang='es'><head><meta charset='UTF-8'>
<title>%(title)s</title></head>
<body><main><div class="container"><h1>%(title)s</h1>
<div class="article-body">%(paragraphs)s</div></div></main></body></html>"""
_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Plain</title>'
    b"<item><title>Plain item</title><link>https://example.org/plain/1</link>"
    b"<guid>https://example.org/plain/1</guid></item></channel></rss>"
)

TITLES = tuple(
    f"Comunicado {n}. La Presidenta se reúne con sus homólogos de América del Norte, tema {n}"
    for n in range(1, 10)
)


def slug(n: int) -> str:
    return f"comunicado-{n}-reunion-de-lideres-de-america-del-norte"


def listing_html(count: int = len(TITLES)) -> str:
    """The press listing as gob.mx prints it (the structure of the 2025 fixture), newest first."""
    items = (
        _ITEM
        % {"title": html.escape(TITLES[n - 1]), "n": 300000 + n, "day": 10 + n, "slug": slug(n)}
        for n in range(count, 0, -1)
    )
    return _LISTING_HEAD + "".join(items) + _LISTING_FOOT


def release_html(n: int) -> str:
    sentence = (
        "La Presidenta de México sostuvo una reunión con el Primer Ministro de Canadá y el "
        "Presidente de Estados Unidos para revisar la agenda de la Cumbre de Líderes. "
    )
    paragraphs = "".join(f"<p>{sentence * 2}Párrafo {p} del comunicado {n}.</p>" for p in range(6))
    return _RELEASE % {"title": html.escape(TITLES[n - 1]), "paragraphs": paragraphs}


def _zero_bits(digest: bytes) -> int:
    zeros = 0
    for byte in digest:
        if byte:
            return zeros + 8 - byte.bit_length()
        zeros += 8
    return zeros


@dataclass
class ChallengeServer:
    """The running server: `url(path)`, and what it counted."""

    bits: int
    port: int = 0
    walls_served: int = 0
    passes: int = 0
    requests: list[str] = field(default_factory=list)
    _secret: bytes = field(default_factory=lambda: os.urandom(16))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def new_seed(self) -> str:
        token = os.urandom(8).hex()
        return f"{token}.{self._sign(token)}"

    def _sign(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), "sha256").hexdigest()[:16]

    def cookie_valid(self, header: str) -> bool:
        for part in header.split(";"):
            name, _, value = part.strip().partition("=")
            if name != COOKIE:
                continue
            seed, _, _nonce = value.rpartition(":")
            token, _, mac = seed.partition(".")
            signed = hmac.compare_digest(mac, self._sign(token))
            if signed and _zero_bits(hashlib.sha256(value.encode()).digest()) >= self.bits:
                return True
        return False

    def answer(self, path: str, cookie: str) -> tuple[int, str, bytes]:
        with self._lock:
            self.requests.append(path)
        bare = path.split("?", 1)[0]
        if bare == "/plain/feed.xml":
            return 200, "application/rss+xml", _FEED
        if bare == "/stuck/app.js":
            self.stopping.wait(60)  # the script that never comes
            return 404, "text/plain", b"gone"
        if bare.startswith("/stuck"):
            return 200, "text/html; charset=utf-8", _STUCK.encode()
        if bare.startswith("/hard"):  # work no browser finishes in a test's time
            wall = _WALL % {"seed": self.new_seed(), "bits": 64, "cookie": COOKIE}
            return 200, "text/html; charset=utf-8", wall.encode()
        page = _page(bare)
        if page is None:
            return 404, "text/plain", b"not found"
        if not self.cookie_valid(cookie):
            with self._lock:
                self.walls_served += 1
            wall = _WALL % {"seed": self.new_seed(), "bits": self.bits, "cookie": COOKIE}
            return 200, "text/html; charset=utf-8", wall.encode()
        with self._lock:
            self.passes += 1
        return 200, "text/html; charset=utf-8", page.encode()


def _page(path: str) -> str | None:
    if path == LISTING_PATH:
        return listing_html()
    for n in range(1, len(TITLES) + 1):
        if path == f"/presidencia/prensa/{slug(n)}":
            return release_html(n)
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        status, kind, body = self.server.site.answer(self.path, self.headers.get("Cookie", ""))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: ChallengeServer


@contextmanager
def challenge_server(bits: int = 12) -> Iterator[ChallengeServer]:
    """Serve the walled site on a free loopback port for the length of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = ChallengeServer(bits=bits, port=server.server_port)
    thread = threading.Thread(target=server.serve_forever, name="challenge-server", daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.site.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
