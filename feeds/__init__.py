"""Sources, fetching, parsing, detection and classification. Plain Python, no Textual.

The public API is the pipeline's stages; `feeds.models` holds the data that flows between them.
Names load on first use, so that `state` can import `feeds.models` without pulling in httpx,
lxml or the taxonomy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use
    from feeds.collect.browser import (
        browser_problem as browser_problem,
        find_chromium as find_chromium,
    )
    from feeds.collect.fetch import (
        Fetcher as Fetcher,
    )
    from feeds.collect.fulltext import (
        FullTextReport as FullTextReport,
        TextRetries as TextRetries,
        needs_full_text as needs_full_text,
    )
    from feeds.collect.opml import (
        discover_source as discover_source,
        new_sources as new_sources,
        read_source_list as read_source_list,
        to_opml as to_opml,
        to_toml as to_toml,
    )
    from feeds.collect.parsers import (
        parse_result as parse_result,
    )
    from feeds.collect.rules import (
        apply_rules as apply_rules,
    )
    from feeds.collect.sources import (
        DEMO_DIR as DEMO_DIR,
        AlertRule as AlertRule,
        AlertTarget as AlertTarget,
        Config as Config,
        ConfigError as ConfigError,
        DashboardSettings as DashboardSettings,
        DigestSettings as DigestSettings,
        ServeSettings as ServeSettings,
        ServeUser as ServeUser,
        demo_config as demo_config,
        ensure_config as ensure_config,
        load_config as load_config,
    )
    from feeds.judge.classify import (
        Classifier as Classifier,
    )
    from feeds.judge.classify_io import (
        classify_stream as classify_stream,
        evaluate as evaluate,
        read_labelled as read_labelled,
    )
    from feeds.judge.protocol import (
        ReleaseClassifier as ReleaseClassifier,
    )
    from feeds.judge.taxonomy import (
        Taxonomy as Taxonomy,
        TaxonomyError as TaxonomyError,
        load_taxonomy as load_taxonomy,
    )
    from feeds.models import (
        COUNTRIES as COUNTRIES,
        PILLAR_COLOURS as PILLAR_COLOURS,
        Classification as Classification,
        ClassifiedRelease as ClassifiedRelease,
        Evidence as Evidence,
        FetchPolicy as FetchPolicy,
        FetchResult as FetchResult,
        Match as Match,
        ParseOutcome as ParseOutcome,
        Pillar as Pillar,
        PillarSet as PillarSet,
        Release as Release,
        Source as Source,
        SourceHealth as SourceHealth,
        pillar_ids as pillar_ids,
    )
    from feeds.poll import (
        ClassifierSource as ClassifierSource,
        Poller as Poller,
        SourceOutcome as SourceOutcome,
        due_sources as due_sources,
        utc_now as utc_now,
    )
    from feeds.text import (
        body_of as body_of,
        canonical_url as canonical_url,
        clean_text as clean_text,
        fold as fold,
        one_line as one_line,
        printable as printable,
        strip_controls as strip_controls,
        strip_marks as strip_marks,
    )

_HOMES = {
    "browser_problem": "feeds.collect.browser",
    "find_chromium": "feeds.collect.browser",
    "FetchPolicy": "feeds.models",
    "Fetcher": "feeds.collect.fetch",
    "discover_source": "feeds.collect.opml",
    "new_sources": "feeds.collect.opml",
    "read_source_list": "feeds.collect.opml",
    "to_opml": "feeds.collect.opml",
    "to_toml": "feeds.collect.opml",
    "ParseOutcome": "feeds.models",
    "parse_result": "feeds.collect.parsers",
    "one_line": "feeds.text",
    "clean_text": "feeds.text",
    "printable": "feeds.text",
    "strip_controls": "feeds.text",
    "AlertRule": "feeds.collect.sources",
    "AlertTarget": "feeds.collect.sources",
    "DashboardSettings": "feeds.collect.sources",
    "DigestSettings": "feeds.collect.sources",
    "ServeSettings": "feeds.collect.sources",
    "ServeUser": "feeds.collect.sources",
    "Config": "feeds.collect.sources",
    "ConfigError": "feeds.collect.sources",
    "DEMO_DIR": "feeds.collect.sources",
    "demo_config": "feeds.collect.sources",
    "ensure_config": "feeds.collect.sources",
    "load_config": "feeds.collect.sources",
    "Classifier": "feeds.judge.classify",
    "ReleaseClassifier": "feeds.judge.protocol",
    "classify_stream": "feeds.judge.classify_io",
    "evaluate": "feeds.judge.classify_io",
    "read_labelled": "feeds.judge.classify_io",
    "Taxonomy": "feeds.judge.taxonomy",
    "TaxonomyError": "feeds.judge.taxonomy",
    "load_taxonomy": "feeds.judge.taxonomy",
    "COUNTRIES": "feeds.models",
    "Classification": "feeds.models",
    "ClassifiedRelease": "feeds.models",
    "Evidence": "feeds.models",
    "FetchResult": "feeds.models",
    "Match": "feeds.models",
    "PILLAR_COLOURS": "feeds.models",
    "Pillar": "feeds.models",
    "PillarSet": "feeds.models",
    "Release": "feeds.models",
    "Source": "feeds.models",
    "SourceHealth": "feeds.models",
    "pillar_ids": "feeds.models",
    "ClassifierSource": "feeds.poll",
    "Poller": "feeds.poll",
    "FullTextReport": "feeds.collect.fulltext",
    "TextRetries": "feeds.collect.fulltext",
    "apply_rules": "feeds.collect.rules",
    "needs_full_text": "feeds.collect.fulltext",
    "SourceOutcome": "feeds.poll",
    "due_sources": "feeds.poll",
    "utc_now": "feeds.poll",
    "body_of": "feeds.text",
    "canonical_url": "feeds.text",
    "fold": "feeds.text",
    "strip_marks": "feeds.text",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'feeds' has no attribute {name!r}")
    return getattr(import_module(home), name)
