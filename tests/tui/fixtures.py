"""Fixed releases for TUI tests and snapshots: no classifier, no clock, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from feeds.collect.sources import Config
from feeds.judge.classify import Classifier
from feeds.models import (
    Classification,
    ClassifiedRelease,
    Evidence,
    Match,
    Release,
    Source,
    SourceHealth,
)
from state.store import Store
from tui.app import SummitWatchApp
from tui.services import make_fetcher

FIXED_NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)

SOURCES = (
    Source(
        name="White House", url="https://www.whitehouse.gov/news/feed/", country="US", language="en"
    ),
    Source(name="PM Canada", url="https://pm.gc.ca/en/news.rss", country="CA", language="en"),
    Source(
        name="SRE",
        url="https://www.gob.mx/sre/es/archivo/prensa",
        country="MX",
        language="es",
        kind="page",
    ),
)


def _release(rid: str, source: Source, title: str, published: str, text: str) -> Release:
    return Release(
        id=rid,
        source=source.name,
        country=source.country,
        language=source.language,
        title=title,
        link=f"https://example.org/{rid}",
        published=published,
        text=text,
    )


def _find(text: str, term: str) -> Match:
    start = text.index(term)
    return Match(term=term, field="text", start=start, end=start + len(term))


def _classified(
    release: Release, summit: bool, pillars: dict[str, list[str]], summit_terms: list[str]
) -> ClassifiedRelease:
    text = release.text
    evidence = {
        p: Evidence(0.8, tuple(_find(text, t) for t in terms), text.split(".")[0] + ".")
        for p, terms in pillars.items()
    }
    if summit:
        evidence["summit"] = Evidence(
            0.9, tuple(_find(text, t) for t in summit_terms), text.split(".")[0] + "."
        )
    classification = Classification(
        language=release.language or "en",
        summit=summit,
        summit_score=0.9 if summit else 0.12,
        pillars=tuple(pillars),
        pillar_scores={p: 0.8 for p in pillars},
        evidence=evidence,
    )
    return ClassifiedRelease(release, classification)


def fixed_releases() -> list[ClassifiedRelease]:
    wh, pm, sre = SOURCES
    nals = _release(
        "r1",
        wh,
        "Joint Statement of the North American Leaders' Summit",
        "2023-01-10",
        "The leaders of Canada, Mexico and the United States met in Mexico City for the "
        "North American Leaders' Summit. They agreed to fight fentanyl trafficking together. "
        "They will expand clean energy and cut methane emissions.",
    )
    drug = _release(
        "r2",
        pm,
        "Sixth meeting of the North American Drug Dialogue",
        "2023-11-29",
        "Officials of the three countries met for the North American Drug Dialogue. "
        "They shared overdose prevention data and public health approaches.",
    )
    sre_item = _release(
        "r3",
        sre,
        "[Comunicado 031] Reunión de cancilleres de América del Norte",
        "2023-10-05",
        "Los cancilleres de México, Canadá y Estados Unidos se reunieron. "
        "Acordaron vías legales para la migración laboral.",
    )
    other = _release(
        "r4",
        pm,
        "Statement on the passing of a Canadian broadcaster",
        "2020-11-08",
        "The Prime Minister offered condolences to the family.",
    )
    return [
        _classified(
            nals,
            True,
            {"climate": ["clean energy"], "security": ["fentanyl"]},
            ["North American Leaders' Summit"],
        ),
        _classified(
            drug,
            True,
            {"health": ["overdose"], "security": ["Drug Dialogue"]},
            ["North American Drug Dialogue"],
        ),
        _classified(sre_item, True, {"migration": ["migración"]}, ["cancilleres"]),
        _classified(other, False, {}, []),
    ]


def fixed_config(path: Path | None = None) -> Config:
    return Config(path=path, sources=SOURCES)


def fixed_health() -> list[SourceHealth]:
    when = FIXED_NOW.isoformat(timespec="seconds")
    return [
        SourceHealth(
            source="White House",
            last_attempt=when,
            last_success=when,
            status=200,
            items_seen=1,
            next_poll="2099-01-01T00:00:00+00:00",
        ),
        SourceHealth(
            source="PM Canada",
            last_attempt=when,
            last_success=when,
            status=304,
            items_seen=2,
            next_poll="2099-01-01T00:00:00+00:00",
        ),
        SourceHealth(
            source="SRE",
            last_attempt=when,
            status=None,
            consecutive_failures=3,
            last_error="timed out after 30 s",
            next_poll="2099-01-01T00:00:00+00:00",
        ),
    ]


def live_app(config: Config, store: Store, classifier: Classifier) -> SummitWatchApp:
    """The dashboard on `store`, polling `config`'s sources through the real fetcher."""
    return SummitWatchApp(
        config=config,
        store=store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
    )


def fixed_app_on(
    store: Store, classifier: Classifier, *, read_only: bool = False
) -> SummitWatchApp:
    """The dashboard on `store` with the fixed sources and clock, and no poll at start."""
    return SummitWatchApp(
        config=fixed_config(),
        store=store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        clock=lambda: FIXED_NOW,
        read_only=read_only,
    )
