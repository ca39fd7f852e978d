"""Apps around real stores in temporary folders; no test touches a home folder or the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds.collect.sources import demo_config
from feeds.judge.classify import Classifier
from state.store import Store
from tui.app import SummitWatchApp
from tui.services import make_fetcher

from .fixtures import FIXED_NOW, fixed_app_on, fixed_health, fixed_releases


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMITWATCH_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("SUMMITWATCH_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "demo.db") as store:
        yield store


@pytest.fixture
def demo_app(demo_store: Store, classifier: Classifier) -> SummitWatchApp:
    return SummitWatchApp(
        config=demo_config(),
        store=demo_store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        demo=True,
    )


@pytest.fixture
def fixed_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "fixed.db") as store:
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
        store.record_health(fixed_health())
        yield store


@pytest.fixture
def fixed_app(fixed_store: Store, classifier: Classifier) -> SummitWatchApp:
    return fixed_app_on(fixed_store, classifier)


@pytest.fixture
def empty_app(tmp_path: Path, classifier: Classifier) -> Iterator[SummitWatchApp]:
    """The dashboard on an empty database never polled: the first start with no network."""
    with Store(tmp_path / "empty.db") as store:
        yield fixed_app_on(store, classifier)
