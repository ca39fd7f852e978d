"""A misbehaving HTTP server on 127.0.0.1 for the cases pytest-httpserver cannot play: silence,
trickling, truncation, endless and bomb-like bodies. Each path is one behaviour.

Runs in a thread of its own; every handler gives up when the server stops or the client goes.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>One</title><link>https://example.org/1</link></item></channel></rss>"
)


class _Handler(socketserver.BaseRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        self.request.settimeout(10)
        try:
            head = self._read_head()
            path = head.split(b" ", 2)[1].decode("ascii", "replace") if head else "/"
            behaviour = self.server.behaviours.get(path.split("?")[0], _not_found)
            behaviour(self.request, self.server.stopping)
        except OSError:
            pass  # the client went away: that is what most of these tests are about

    def _read_head(self) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


Behaviour = Callable[[socket.socket, threading.Event], None]


def _not_found(sock: socket.socket, stopping: threading.Event) -> None:
    sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def _silent(sock: socket.socket, stopping: threading.Event) -> None:
    """Accept, read the request, never answer."""
    stopping.wait(30)


def _trickle(sock: socket.socket, stopping: threading.Event) -> None:
    """A valid response whose body arrives one byte every 0.2 s: no single read ever times out."""
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(RSS)
    )
    for i in range(len(RSS)):
        if stopping.wait(0.2):
            return
        sock.sendall(RSS[i : i + 1])


def _truncated(sock: socket.socket, stopping: threading.Event) -> None:
    """Promises 10,000 bytes, sends 100, closes."""
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        b"Content-Length: 10000\r\nConnection: close\r\n\r\n" + RSS[:100]
    )
    sock.shutdown(socket.SHUT_RDWR)


def _huge(sock: socket.socket, stopping: threading.Event) -> None:
    """Announces 200 MB and streams zeros until the client stops reading."""
    size = 200 * 1024 * 1024
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size
    )
    block = b"<" + b" " * 65535
    for _ in range(size // len(block)):
        if stopping.is_set():
            return
        sock.sendall(block)


def gzip_bomb_segments(megabytes: int) -> Iterator[bytes]:
    """A gzip stream inflating to `megabytes` MB of spaces, made from one ~1 KB compressed
    segment repeated (a full flush makes segments independent), so it costs no CPU to serve."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    header = compressor.compress(b"")
    segment = compressor.compress(b" " * 1048576) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield header + segment
    for _ in range(megabytes - 1):
        yield segment


def _gzip_bomb(sock: socket.socket, stopping: threading.Event) -> None:
    """Content-Encoding gzip: under 1 MB on the wire (the tests' cap) inflating to 960 MB
    (deflate cannot pack tighter than ~1:1000), so only a cap on inflated bytes stops it."""
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: gzip\r\n"
        b"Connection: close\r\n\r\n"
    )
    for segment in gzip_bomb_segments(960):
        if stopping.is_set():
            return
        sock.sendall(segment)


def _close_at_once(sock: socket.socket, stopping: threading.Event) -> None:
    """Reads the request and hangs up without a word."""
    sock.shutdown(socket.SHUT_RDWR)


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.behaviours: dict[str, Behaviour] = {
            "/silent": _silent,
            "/trickle": _trickle,
            "/truncated": _truncated,
            "/huge": _huge,
            "/gzip-bomb": _gzip_bomb,
            "/hang-up": _close_at_once,
        }

    def url(self, path: str) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{path}"


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def unused_port() -> int:
    """A port nothing listens on (bound then released; nothing else here takes it meanwhile)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
