"""Bot challenges: pages a site serves instead of its content until a browser proves itself.

A challenge page is not an error the site means (it often answers 200) and not content: read as
a feed or a listing, it gives "not a feed" or "no items matched", which send the reader the wrong
way. `recognise_challenge` names the wall by the markers each vendor's page carries, so the
fetcher can say what happened and what to do about it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["BROWSER_HINT", "blocked_words", "is_blocked", "recognise_challenge"]

BROWSER_HINT = 'this source needs `fetch = "browser"`, see README'
_BLOCKED = "blocked by a bot challenge"

# Challenge pages are small; only the head of a body is read for their markers.
_HEAD = 64 * 1024
# A CAPTCHA widget alone is also found on ordinary pages (a contact form): it names a wall
# only on a page this short.
_SMALL_PAGE = 32 * 1024
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_NOT_HTML = (b"<?xml", b"<rss", b"<feed", b"<rdf", b"{", b"[")

# (name, markers in the title, markers anywhere in the head); all lower case.
_WALLS: tuple[tuple[str, tuple[bytes, ...], tuple[bytes, ...]], ...] = (
    ("Cloudflare", (b"just a moment", b"attention required! | cloudflare"), (b"cf_chl_opt",)),
    (
        "Akamai",
        (),
        (b"bm-verify", b"sec-if-cpt-container", b"/_sec/cp_challenge/", b"errors.edgesuite.net"),
    ),
    ("Imperva", (), (b"_incapsula_resource", b"incapsula incident id")),
    ("DataDome", (), (b"captcha-delivery.com",)),
)
_CAPTCHA_TITLES = (b"captcha", b"are you a robot", b"verify you are human", b"are you human")
_CAPTCHA_WIDGETS = (b"g-recaptcha", b"h-captcha", b"cf-turnstile")


def recognise_challenge(body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """The name of the bot wall `body` is ("gob.mx proof-of-work", "Cloudflare", "Akamai",
    "Imperva", "DataDome", "CAPTCHA"), or None for anything else, feeds included."""
    if headers is not None and headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare"
    head = body[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head or head.startswith(_NOT_HTML):
        return None
    found = _TITLE.search(head)
    title = b" ".join(found.group(1).split()) if found else b""
    if title == b"challenge validation" and b"<script" in head:
        return "gob.mx proof-of-work"
    for name, titles, markers in _WALLS:
        if any(t in title for t in titles) or any(m in head for m in markers):
            return name
    if any(t in title for t in _CAPTCHA_TITLES):
        return "CAPTCHA"
    if len(body) <= _SMALL_PAGE and any(w in head for w in _CAPTCHA_WIDGETS):
        return "CAPTCHA"
    return None


def blocked_words(name: str, *, browser_seconds: float | None = None) -> str:
    """What to tell the person: the wall, and what would get past it. `browser_seconds` is set
    when a browser already tried for that long."""
    if browser_seconds is None:
        return f"{_BLOCKED} ({name}); {BROWSER_HINT}"
    return f"{_BLOCKED} ({name}) that the browser did not pass within {browser_seconds:g} s"


def is_blocked(error: str) -> bool:
    """Whether a fetch error is a bot wall (as `blocked_words` put it)."""
    return error.startswith(_BLOCKED)
