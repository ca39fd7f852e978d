"""Who may open a served dashboard: password hashes, the sign-in slowdown, signed-in visitors.

Plain Python with no web framework, so that each rule can be read and tested on its own; the
web layer (`tui.serve.server`) only asks these questions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from feeds import ServeUser

# scrypt at n=2**14, r=8 (about 16 MiB and a few tens of milliseconds per check).
_N, _R, _P, _LENGTH = 2**14, 8, 1, 32


def hash_password(password: str) -> str:
    """A salted scrypt hash to keep in the config: scrypt$N$r$p$salt$digest."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    parts = (str(_N), str(_R), str(_P), _b64(salt), _b64(digest))
    return "scrypt$" + "$".join(parts)


def check_password(password: str, hashed: str) -> bool:
    """Whether `password` is the one `hashed` was made from (compared in constant time)."""
    try:
        name, n, r, p, salt, digest = hashed.split("$")
        if name != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        found = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False  # a damaged hash lets nobody in
    return hmac.compare_digest(found, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# A hash to check against when the name is unknown, so that a wrong name costs as long as a
# wrong password and the answer time does not tell which names exist.
_UNKNOWN = hash_password(secrets.token_hex(16))


def authenticate(users: tuple[ServeUser, ...], name: str, password: str) -> ServeUser | None:
    """The user whose name and password these are, or None."""
    user = next((u for u in users if hmac.compare_digest(u.name, name)), None)
    matches = check_password(password, user.password_hash if user else _UNKNOWN)
    return user if user is not None and matches else None


@dataclass
class Throttle:
    """Failed sign-ins slow a client down: 2 to the power of its recent failures, times `base`
    seconds, at most `ceiling`. A client's failures are forgotten `forget_after` seconds after
    its last one."""

    base: float = 0.5
    ceiling: float = 30.0
    forget_after: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)

    def delay(self, client: str) -> float:
        """Seconds to wait before answering this client's next attempt."""
        count = self.failures(client)
        return 0.0 if count == 0 else min(self.base * 2 ** (count - 1), self.ceiling)

    def failures(self, client: str) -> int:
        count, last = self._failures.get(client, (0, 0.0))
        if count and self.clock() - last > self.forget_after:
            del self._failures[client]
            return 0
        return count

    def failed(self, client: str) -> None:
        now = self.clock()
        # Old entries go, so that a stream of addresses cannot fill the memory.
        for key, (_, last) in list(self._failures.items()):
            if now - last > self.forget_after:
                del self._failures[key]
        self._failures[client] = (self.failures(client) + 1, now)

    def passed(self, client: str) -> None:
        self._failures.pop(client, None)


@dataclass
class Visitor:
    """A signed-in browser: who, whether they only look, and when they last did something."""

    name: str
    read_only: bool
    last_seen: float


@dataclass
class Visitors:
    """The signed-in browsers, by the random token of their cookie. A token unused for
    `idle_seconds` is forgotten: the visitor signs in again."""

    idle_seconds: float
    clock: Callable[[], float] = time.monotonic
    _by_token: dict[str, Visitor] = field(default_factory=dict)

    def sign_in(self, name: str, read_only: bool) -> str:
        token = secrets.token_urlsafe(32)
        self._by_token[token] = Visitor(name, read_only, self.clock())
        return token

    def find(self, token: str | None) -> Visitor | None:
        """The visitor of a cookie token, still signed in; seeing them counts as activity."""
        if not token:
            return None
        visitor = self._by_token.get(token)
        now = self.clock()
        if visitor is None:
            return None
        if now - visitor.last_seen > self.idle_seconds:
            del self._by_token[token]
            return None
        visitor.last_seen = now
        return visitor

    def sign_out(self, token: str | None) -> None:
        if token:
            self._by_token.pop(token, None)
