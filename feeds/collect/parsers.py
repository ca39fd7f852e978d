"""The parser of each kind of source, and the one entry point that dispatches to them.

A new kind of source is one module with a function `(body, source, base_url, content_type,
now) -> ParseOutcome` and one line in `PARSERS`. Parsers are imported at the first body of
their kind, so that a poll where every feed answered 304 loads none of them.
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import Protocol

from feeds.models import FetchResult, ParseOutcome, Source

__all__ = ["PARSERS", "Parser", "parse_result"]


class Parser(Protocol):
    def __call__(
        self,
        body: bytes,
        source: Source,
        base_url: str,
        content_type: str | None,
        now: datetime | None,
    ) -> ParseOutcome: ...


# kind -> (module, function): RSS and Atom feeds, HTML index pages of sites without a feed.
PARSERS: dict[str, tuple[str, str]] = {
    "feed": ("feeds.collect.parse", "parse_feed"),
    "page": ("feeds.collect.page", "parse_index_page"),
}


def parser_for(kind: str) -> Parser:
    module, name = PARSERS[kind]
    parser: Parser = getattr(import_module(module), name)
    return parser


def parse_result(result: FetchResult, *, now: datetime | None = None) -> ParseOutcome:
    """Releases from a fetched body, dispatched on `result.source.kind`. Never raises.

    A 304 or an empty fetch gives no releases and no error; a failed fetch passes its error on.
    CPU-bound: call it in a thread (`asyncio.to_thread`) or a worker process, not on the loop.
    """
    if result.body is None:
        return ParseOutcome([], None if result.not_modified else result.error)
    base = result.final_url or result.source.url
    try:
        parse = parser_for(result.source.kind)
        return parse(result.body, result.source, base, result.content_type, now)
    except Exception as exc:  # hostile bodies find parser bugs; report, never crash the poll
        return ParseOutcome([], f"could not parse: {type(exc).__name__}: {exc}")
