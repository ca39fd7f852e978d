"""Alerts delivered through Apprise, within a bounded time, each target's outcome in words.

Apprise (the library other feed tools use) knows the transports: mail, ntfy, Matrix, Slack,
Teams, Telegram, JSON webhooks... We only hand it a URL per target and a message. Every
message goes to all of its targets at once, and all of a delivery shares one deadline, so a
target that hangs costs at most that deadline and never holds up another target's message.

Apprise URLs carry secrets (passwords, tokens). They are never printed: `masked` gives the
form Apprise itself thinks safe to show, and every error text is scrubbed of the URL's
secret parts before anyone reads it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from feeds import AlertTarget, one_line
from state.alerts.message import AlertMessage

__all__ = ["Delivery", "deliver", "masked", "scrub", "target_key"]

DEFAULT_TIMEOUT = 30.0
APP_ID = "summitwatch"


def target_key(url: str) -> str:
    """A stable name for a target's record that gives nothing of its URL away."""
    return hashlib.blake2b(url.encode(), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of the messages meant for one target."""

    key: str
    name: str  # the masked URL
    sent: int = 0
    failed: int = 0
    error: str = ""  # the last problem, in words, secrets removed

    @property
    def ok(self) -> bool:
        return not self.failed


# Pieces of a URL that could be secrets: long runs between its separators.
_PIECES = re.compile(r"[^/:@?&=#,;]{4,}")


def _secret_pieces(url: str, shown: str) -> list[str]:
    """The parts of `url` that its masked form `shown` does not show (longest first)."""
    pieces = set(_PIECES.findall(url)) | set(_PIECES.findall(unquote(url)))
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        pieces.add(password)
        pieces.add(unquote(password))
    hidden = [p for p in pieces if p not in shown and unquote(p) not in shown]
    return sorted(hidden, key=len, reverse=True)


def scrub(text: str, url: str, shown: str) -> str:
    """`text` on one line with every secret part of `url` replaced by ****."""
    for piece in _secret_pieces(url, shown):
        text = text.replace(piece, "****")
    return one_line(text)


def _fallback_mask(url: str) -> str:
    scheme = url.partition("://")[0] if "://" in url else "?"
    return f"{one_line(scheme)[:20]}://****"


def masked(url: str) -> str:
    """The URL as it may be shown: Apprise's own masked form, without its query string."""
    import apprise  # a third of a second to import: paid only when alerts are sent or listed

    try:
        plugin = apprise.Apprise.instantiate(url)
        shown = str(plugin.url(privacy=True)) if plugin else ""  # type: ignore[no-untyped-call]
    except Exception:  # a plugin's own parsing; nothing here may take the poll down
        shown = ""
    return one_line(shown.partition("?")[0]) if shown else _fallback_mask(url)


@dataclass(slots=True)
class _Tally:
    url: str
    name: str
    sent: int = 0
    failed: int = 0
    error: str = ""

    def fail(self, error: str, count: int = 1) -> None:
        self.failed += count
        self.error = scrub(error, self.url, self.name)


Clock = Callable[[], float]


def deliver(
    jobs: Sequence[tuple[AlertTarget, Sequence[AlertMessage]]],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = time.monotonic,
) -> list[Delivery]:
    """Send each target its messages, all within `timeout` seconds; never raises."""
    import apprise

    deadline = clock() + timeout
    asset = apprise.AppriseAsset(app_id=APP_ID, app_desc=APP_ID, async_mode=True)
    notifier = apprise.Apprise(asset=asset)
    tallies: dict[str, _Tally] = {}
    by_message: dict[AlertMessage, list[str]] = {}
    for target, messages in jobs:
        key = target_key(target.url)
        tally = tallies[key] = _Tally(target.url, masked(target.url))
        if not notifier.add(target.url, tag=key):
            tally.fail("Apprise does not understand this URL", len(messages))
            continue
        for message in messages:
            by_message.setdefault(message, []).append(key)
    for message, keys in by_message.items():
        left = deadline - clock()
        if left <= 0:
            for key in keys:
                tallies[key].fail(f"not sent: the {timeout:.0f} s for alerts ran out")
            continue
        _send(notifier, message, [tallies[k] for k in keys], keys, left)
    return [
        Delivery(key, t.name, sent=t.sent, failed=t.failed, error=t.error)
        for key, t in tallies.items()
    ]


def _send(
    notifier: Any, message: AlertMessage, tallies: list[_Tally], keys: list[str], left: float
) -> None:
    import apprise

    by_key = dict(zip(keys, tallies, strict=True))
    try:
        result = notifier.notify(
            body=message.body,
            title=message.title,
            body_format=apprise.NotifyFormat.MARKDOWN,
            tag=keys,
            timeout=left,
        )
    except Exception as exc:  # Apprise failing as a whole: said, never raised
        for tally in tallies:
            tally.fail(f"Apprise failed: {exc}")
        return
    answered: set[str] = set()
    for service in result:
        key = next((t for t in service.tag if t in by_key), None)
        if key is None:
            continue
        answered.add(key)
        if service:
            by_key[key].sent += 1
        elif service.status == apprise.AppriseResultStatus.TIMEOUT:
            by_key[key].fail(f"no answer within {left:.0f} s")
        else:
            said = [e.message for e in service.logs() if e.level in _PROBLEM_LEVELS]
            by_key[key].fail(said[-1] if said else "the target refused the message")
    for key in set(keys) - answered:
        by_key[key].fail("Apprise did not send to this target")


_PROBLEM_LEVELS = ("WARNING", "ERROR", "CRITICAL")
