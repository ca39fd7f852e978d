"""Full text for releases whose feed carries only a summary: fetch the page once, keep its body.

"Once" because only releases the store has never seen are fetched, and the text is stored with
them; "politely" because it goes through the same fetcher (per-host limit, timeouts, size cap,
our user agent) and at most a few pages per source and poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace

from feeds.collect.challenge import is_blocked
from feeds.collect.extract import extract_main_text
from feeds.collect.fetch import Fetcher
from feeds.models import Release, Source
from feeds.text import body_of

# Below this many characters a release is taken to be a summary, not the release itself.
SUMMARY_ONLY_BELOW = 600
# A source that lists 30 new summary-only items must not cost 30 page loads in one poll; the
# rest are fetched on the next polls, newest first.
PAGES_PER_SOURCE_PER_POLL = 8


def needs_full_text(release: Release) -> bool:
    body = body_of(release)
    return len(body) < SUMMARY_ONLY_BELOW and release.link.startswith(("http://", "https://"))


async def complete_texts(
    fetcher: Fetcher,
    source: Source,
    releases: Sequence[Release],
    is_known: Callable[[str], bool],
    on_blocked: Callable[[str], None] | None = None,
) -> list[Release]:
    """Return `releases` with the main text of their pages where the feed gave only a summary.

    A page that fails or says less than the summary leaves its release as it was: full text
    is an improvement, never a condition. A page behind a bot challenge is told to `on_blocked`
    (in the fetcher's words), so that the source can say why its texts are short.
    """
    wanted = [r for r in releases if needs_full_text(r) and not is_known(r.id)]
    wanted = wanted[:PAGES_PER_SOURCE_PER_POLL]
    if not wanted:
        return list(releases)
    texts = await asyncio.gather(*(_page_text(fetcher, source, r, on_blocked) for r in wanted))
    found = {r.id: text for r, text in zip(wanted, texts, strict=True) if text}
    return [replace(r, text=found[r.id]) if r.id in found else r for r in releases]


async def _page_text(
    fetcher: Fetcher,
    source: Source,
    release: Release,
    on_blocked: Callable[[str], None] | None,
) -> str:
    page = Source(
        name=source.name,
        url=release.link,
        country=source.country,
        language=source.language,
        kind="page",
        user_agent=source.user_agent,
        fetch=source.fetch,  # a site behind a wall walls its release pages too
    )
    result = await fetcher.fetch(page)
    if result.error is not None and is_blocked(result.error) and on_blocked is not None:
        on_blocked(result.error)
    if result.error is not None or not result.body:
        return ""
    text = await asyncio.to_thread(
        extract_main_text, result.body, title=release.title, drop=source.drop
    )
    return text if len(text) > len(body_of(release)) else ""
