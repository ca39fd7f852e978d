"""Text helpers every stage shares: one cleaning of text for the terminal, one fold, one
canonical URL, one body of a release.

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


# Escape sequences are removed whole, payload included: an OSC 52 clipboard write or an OSC 8
# hyperlink must not leave its payload behind as visible text. An unterminated string sequence
# runs to the end of its line. 8-bit C1 introducers are only dropped as characters: text decoded
# with the wrong single-byte codec is full of them, and its words should survive.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[ -/]*[0-~]?"  # nF, Fp, Fe, Fs escapes, or a lone ESC
)
# Cc except \t and \n, then every Cf (bidi controls, zero-width characters, BOM, soft hyphen,
# tag characters), then lone surrogates, which cannot be encoded and would break the store.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\ud800-\udfff]"
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
_SPACE_RUN = re.compile(r"[ \t]{2,}")


def clean_text(s: str) -> str:
    """Remove every control, format and invisible character; NFC; tidy the whitespace.

    Keeps `\\n` and `\\t`; removes escape sequences whole (CSI, OSC, DCS, ...), other C0 and C1
    characters, DEL, bidi overrides and isolates, zero-width characters and the BOM. `\\r\\n`,
    `\\r`, U+2028 and U+2029 become `\\n`. Runs of spaces and tabs collapse to one space, lines
    lose their edge whitespace, more than one blank line in a row becomes one. Never raises.
    """
    if not isinstance(s, str) or not s:
        return ""
    if "\r" in s or "\u2028" in s or "\u2029" in s:
        s = _LINE_BREAKS.sub("\n", s)
    s = strip_controls(s)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    lines: list[str] = []
    for line in s.split("\n"):
        if "  " in line or "\t" in line:
            line = _SPACE_RUN.sub(" ", line)
        line = line.strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


def strip_controls(s: str) -> str:
    """Escape sequences and invisible characters out, nothing else touched: for markup about to
    be parsed (lxml refuses NUL and turns other controls into U+FFFD, orphaning their payload)."""
    if "\x1b" in s:
        s = _ESCAPE_SEQUENCE.sub("", s)
    # isprintable() is a C loop, a character class regex a slow one: ask it first. It is False
    # for \n, \t and no-break spaces too, hence the probe with those replaced.
    probe = s.replace("\n", " ").replace("\t", " ").replace("\xa0", " ")
    return s if probe.isprintable() else _INVISIBLE.sub("", s)


def one_line(s: str) -> str:
    """`clean_text`, then every run of whitespace (newlines included) as one space: for titles."""
    return " ".join(clean_text(s).split())


# The user name and password of any URL in a text (`https://user:pass@host/`).
_CREDENTIALS = re.compile(r"(?<=://)[^\s/?#@]+@")


def printable(s: str) -> str:
    """What the command line may print of a name, URL or error: `one_line`, with the user name
    and password of every URL in it masked (`https://****@host/`)."""
    return _CREDENTIALS.sub("****@", one_line(s))
