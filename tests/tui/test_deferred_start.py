"""A large store opens with its newest months: the list is usable before the rest is loaded,
and what a person does meanwhile is neither lost nor hidden once everything is in."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from feeds.judge.classify import Classifier
from state import store as store_module
from state.records import TriageState
from state.store import Store
from tests.state.factories import make_item
from tui.app import SummitWatchApp
from tui.widgets.list_header import FilterBar
from tui.widgets.release_list import ReleaseList
from tui.widgets.status_line import StatusLine

from .fixtures import fixed_app_on
from .waiting import workers_done

MONTHS = ["2022-07", "2023-01", "2024-05", "2025-11"]


class GatedStore(Store):
    """A real store whose deferred months wait for the test to let them load."""

    def __init__(self, path: Path) -> None:
        self.gate = threading.Event()
        super().__init__(path, load="newest")

    def load_deferred(self) -> None:
        assert self.gate.wait(10), "the test never opened the gate"
        super().load_deferred()


@pytest.fixture
def gated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GatedStore:
    monkeypatch.setattr(store_module, "FIRST_CHUNKS", 1)
    path = tmp_path / "large.db"
    items = [
        make_item(f"{month}-{n}", title=f"Release {n} of {month}", published=f"{month}-1{n}")
        for month in MONTHS
        for n in range(3)
    ]
    items.append(make_item("special", title="Methane pledge", published="2022-07-01"))
    with Store(path) as store:
        store.add(items)
    return GatedStore(path)


def listed(app: SummitWatchApp) -> list[str]:
    return [r.id for r in app.screen.query_one(ReleaseList).releases]


def status(app: SummitWatchApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


def heading(app: SummitWatchApp) -> str:
    return str(app.screen.query_one(FilterBar).render())


async def test_the_newest_are_listed_first_and_everything_once_loaded(
    gated: GatedStore, classifier: Classifier
) -> None:
    everything = [r.id for r in Store(gated.path).all()]
    app = fixed_app_on(gated, classifier)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        first = listed(app)
        assert first == everything[:3]  # the newest month, in order
        assert "loading…" in heading(app)
        gated.gate.set()
        await workers_done(app)
        await pilot.pause()
        assert listed(app) == everything
        assert "All releases" in heading(app) and "13 listed" in heading(app)


async def test_triage_and_search_before_the_rest_is_loaded_are_kept(
    gated: GatedStore, classifier: Classifier
) -> None:
    app = fixed_app_on(gated, classifier)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        newest = listed(app)[0]
        await pilot.press("r")  # on the newest release, while older months are still on disk
        await pilot.pause()
        await pilot.pause()
        row = app.screen.query_one(ReleaseList).releases[0]
        assert row.id == newest and row.triage is TriageState.RELEVANT
        await pilot.press("slash", *"methane")
        await pilot.pause()
        assert "indexing" in status(app)
        gated.gate.set()
        await workers_done(app)
        await pilot.pause()
        # The search typed meanwhile finds a release from a month loaded afterwards.
        assert [r.release.title for r in app.screen.query_one(ReleaseList).releases] == [
            "Methane pledge"
        ]
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == ""
        shown = {r.id: r for r in app.screen.query_one(ReleaseList).releases}
        assert len(shown) == 13 and shown[newest].triage is TriageState.RELEVANT
    assert Store(gated.path).get(newest).triage is TriageState.RELEVANT  # type: ignore[union-attr]
