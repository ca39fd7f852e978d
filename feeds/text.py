"""Text helpers every stage shares: one fold, one canonical URL, one body of a release.

Plain string functions with no third-party import, so that `state` and `tui` can use them
without loading the collecting or judging stages.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.models import Release

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "cmpid",
        "ocid",
        "s_cid",
        "wt.mc_id",
        "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


# Parameters that only choose how a site shows a page, by site: gob.mx links carry
# `?idiom=es-MX` (or `es`) on one and the same release.
PRESENTATION_PARAMS = {"gob.mx": frozenset({"idiom"})}


def _site_params(host: str) -> frozenset[str]:
    for site, names in PRESENTATION_PARAMS.items():
        if host == site or host.endswith("." + site):
            return names
    return frozenset()


# A plain http(s) URL with no port, user, query or fragment: most links, canonical at once.
_PLAIN_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?", re.I)


def canonical_url(url: str) -> str:
    """The URL in one spelling: no scheme, lower-case host without "www.", no default port,
    fragment, trailing slash, tracking parameters or a site's presentation parameters (gob.mx's
    `idiom`); the remaining parameters sorted.

    The scheme is dropped because government sites answer the same page over http and https.
    """
    url = url.strip()
    if not url:
        return ""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and plain.group(1):
        host = plain.group(1).lower().removeprefix("www.")
        return f"{host}{(plain.group(2) or '').rstrip('/') or '/'}"
    return parsed_canonical_url(url)


def parsed_canonical_url(url: str) -> str:
    """`canonical_url` the long way, for any URL (`url` already stripped)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    shown = _site_params(host.partition(":")[0])
    pairs = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, True)
        if not _is_tracking(k) and k.lower() not in shown
    )
    return urlunsplit(("", host, path, urlencode(pairs), "")).removeprefix("//")


# Accents of Latin letters after NFKD; any other combining mark is found among the few
# non-ASCII characters left. A per-character loop over every text was most of the cost of
# storing a release.
# U+034F, the grapheme joiner, is in that block but is not a combining mark.
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _drop_mark(match: re.Match[str]) -> str:
    char = match.group()
    return "" if unicodedata.combining(char) else char


# The accents of Spanish and French text after NFKD: removed with str.replace, far faster
# than a pattern over the whole text; any other mark goes the long way.
_COMMON_MARKS = ("\u0301", "\u0300", "\u0302", "\u0303", "\u0308", "\u0327")


def strip_marks(text: str) -> str:
    """`text` decomposed (NFKD) without its combining marks (accents)."""
    plain = unicodedata.normalize("NFKD", text)
    if plain.isascii():
        return plain
    for mark in _COMMON_MARKS:
        plain = plain.replace(mark, "")
    if not plain.isascii():
        plain = _LATIN_MARKS.sub("", plain)
        if not plain.isascii():
            plain = _NON_ASCII.sub(_drop_mark, plain)
    return plain


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain: the form in which two
    spellings of a word compare equal ("México" and "mexico", "l’Amérique" and "l'amerique")."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return strip_marks(folded).replace("’", "'")


def body_of(release: Release) -> str:
    """What a release says: its text, else its summary."""
    return release.text or release.summary
