"""Builders of pipeline output for the state tests: real dataclasses, small and readable."""

from __future__ import annotations

import hashlib
from typing import Any

from feeds.models import Classification, ClassifiedRelease, Evidence, Release

LOREM = (
    "The leaders of Canada, Mexico and the United States met today and agreed to deepen "
    "cooperation on supply chains, clean energy and the movement of people across the region. "
)


def release_id(seed: str) -> str:
    return hashlib.blake2b(seed.encode(), digest_size=8).hexdigest()


def make_release(
    seed: str = "r1",
    *,
    title: str | None = None,
    text: str | None = None,
    summary: str = "",
    link: str | None = None,
    guid: str | None = None,
    published: str = "2023-01-10T12:00:00+00:00",
    source: str = "pm.gc.ca",
    country: str = "CA",
    language: str = "en",
    **overrides: Any,
) -> Release:
    """A release whose id, link, GUID, title and text all derive from `seed` unless given."""
    return Release(
        id=overrides.pop("id", release_id(seed)),
        source=source,
        country=country,
        language=language,
        title=title if title is not None else f"Release {seed} on the summit",
        link=link if link is not None else f"https://example.gov/news/{seed}",
        published=published,
        summary=summary,
        text=text if text is not None else f"{LOREM} Item {seed}.",
        guid=guid if guid is not None else f"https://example.gov/guid/{seed}",
    )


def make_classification(
    *,
    summit: bool = True,
    pillars: tuple[str, ...] = ("climate",),
    sentence: str = "The leaders agreed to cut methane emissions.",
    language: str = "en",
) -> Classification:
    evidence = {p: Evidence(score=0.8, sentence=sentence) for p in pillars}
    if summit:
        evidence["summit"] = Evidence(score=0.9, sentence="The North American Leaders' Summit.")
    return Classification(
        language=language,
        summit=summit,
        summit_score=0.9 if summit else 0.1,
        pillars=pillars,
        pillar_scores={p: 0.8 for p in pillars},
        evidence=evidence,
    )


def make_item(
    seed: str = "r1",
    *,
    summit: bool = True,
    pillars: tuple[str, ...] = ("climate",),
    sentence: str = "The leaders agreed to cut methane emissions.",
    **release: Any,
) -> ClassifiedRelease:
    """A classified release: `release` keywords go to `make_release`."""
    return ClassifiedRelease(
        make_release(seed, **release),
        make_classification(summit=summit, pillars=pillars, sentence=sentence),
    )


def make_items(count: int, prefix: str = "r", **release: Any) -> list[ClassifiedRelease]:
    return [make_item(f"{prefix}{i}", **release) for i in range(count)]
