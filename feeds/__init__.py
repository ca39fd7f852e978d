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
    )
    from feeds.collect.browser import (
        find_chromium as find_chromium,
    )
    from feeds.collect.fetch import (
        Fetcher as Fetcher,
    )
    from feeds.collect.fetch import (
        FetchPolicy as FetchPolicy,
    )
    from feeds.collect.opml import (
        discover_source as discover_source,
    )
    from feeds.collect.opml import (
        new_sources as new_sources,
    )
    from feeds.collect.opml import (
        read_source_list as read_source_list,
    )
    from feeds.collect.opml import (
        to_opml as to_opml,
    )
    from feeds.collect.opml import (
        to_toml as to_toml,
    )
    from feeds.collect.parse import (
        ParseOutcome as ParseOutcome,
    )
    from feeds.collect.parse import (
        parse_result as parse_result,
    )
    from feeds.collect.sources import (
        DEMO_DIR as DEMO_DIR,
    )
    from feeds.collect.sources import (
        Config as Config,
    )
    from feeds.collect.sources import (
        ConfigError as ConfigError,
    )
    from feeds.collect.sources import (
        demo_config as demo_config,
    )
    from feeds.collect.sources import (
        ensure_config as ensure_config,
    )
    from feeds.collect.sources import (
        load_config as load_config,
    )
    from feeds.judge.classify import (
        Classifier as Classifier,
    )
    from feeds.judge.classify_io import (
        classify_stream as classify_stream,
    )
    from feeds.judge.classify_io import (
        evaluate as evaluate,
    )
    from feeds.judge.classify_io import (
        read_labelled as read_labelled,
    )
    from feeds.judge.taxonomy import (
        TaxonomyError as TaxonomyError,
    )
    from feeds.models import (
        COUNTRIES as COUNTRIES,
    )
    from feeds.models import (
        PILLAR_IDS as PILLAR_IDS,
    )
    from feeds.models import (
        PILLAR_NAMES as PILLAR_NAMES,
    )
    from feeds.models import (
        Classification as Classification,
    )
    from feeds.models import (
        ClassifiedRelease as ClassifiedRelease,
    )
    from feeds.models import (
        Evidence as Evidence,
    )
    from feeds.models import (
        FetchResult as FetchResult,
    )
    from feeds.models import (
        Match as Match,
    )
    from feeds.models import (
        Release as Release,
    )
    from feeds.models import (
        Source as Source,
    )
    from feeds.models import (
        SourceHealth as SourceHealth,
    )
    from feeds.poll import (
        ClassifierSource as ClassifierSource,
    )
    from feeds.poll import (
        Poller as Poller,
    )
    from feeds.poll import (
        SourceOutcome as SourceOutcome,
    )
    from feeds.poll import (
        due_sources as due_sources,
    )
    from feeds.poll import (
        utc_now as utc_now,
    )
    from feeds.text import (
        body_of as body_of,
    )
    from feeds.text import (
        canonical_url as canonical_url,
    )
    from feeds.text import (
        fold as fold,
    )
    from feeds.text import (
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
    "ParseOutcome": "feeds.collect.parse",
    "parse_result": "feeds.collect.parse",
    "Config": "feeds.collect.sources",
    "ConfigError": "feeds.collect.sources",
    "DEMO_DIR": "feeds.collect.sources",
    "demo_config": "feeds.collect.sources",
    "ensure_config": "feeds.collect.sources",
    "load_config": "feeds.collect.sources",
    "Classifier": "feeds.judge.classify",
    "classify_stream": "feeds.judge.classify_io",
    "evaluate": "feeds.judge.classify_io",
    "read_labelled": "feeds.judge.classify_io",
    "TaxonomyError": "feeds.judge.taxonomy",
    "COUNTRIES": "feeds.models",
    "Classification": "feeds.models",
    "ClassifiedRelease": "feeds.models",
    "Evidence": "feeds.models",
    "FetchResult": "feeds.models",
    "Match": "feeds.models",
    "PILLAR_IDS": "feeds.models",
    "PILLAR_NAMES": "feeds.models",
    "Release": "feeds.models",
    "Source": "feeds.models",
    "SourceHealth": "feeds.models",
    "ClassifierSource": "feeds.poll",
    "Poller": "feeds.poll",
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
