"""Sources, fetching, parsing, detection and classification. Plain Python, no Textual.

The public API is the pipeline's stages; `feeds.models` holds the data that flows between them.
Names load on first use, so that `state` can import `feeds.models` without pulling in httpx,
lxml or the taxonomy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "PILLAR_IDS": "feeds.models",
    "PILLAR_NAMES": "feeds.models",
    "Classification": "feeds.models",
    "ClassifiedRelease": "feeds.models",
    "Evidence": "feeds.models",
    "FetchResult": "feeds.models",
    "Match": "feeds.models",
    "Release": "feeds.models",
    "Source": "feeds.models",
    "SourceHealth": "feeds.models",
    "Classifier": "feeds.judge.classify",
    "Fetcher": "feeds.collect.fetch",
    "FetchPolicy": "feeds.collect.fetch",
    "ParseOutcome": "feeds.collect.parse",
    "parse_result": "feeds.collect.parse",
    "Poller": "feeds.poll",
    "SourceOutcome": "feeds.poll",
    "Config": "feeds.collect.sources",
    "ConfigError": "feeds.collect.sources",
    "demo_config": "feeds.collect.sources",
    "ensure_config": "feeds.collect.sources",
    "load_config": "feeds.collect.sources",
    "TaxonomyError": "feeds.judge.taxonomy",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'feeds' has no attribute {name!r}")
    return getattr(import_module(home), name)
