"""Several processes on one database: the dashboard shows what another process stored."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from feeds.judge.classify import Classifier
from state.store import Store
from tui.app import STORE_WATCH_SECONDS, SummitWatchApp
from tui.services import make_fetcher
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_config, fixed_releases


async def test_releases_stored_by_another_process_appear_within_seconds(
    tmp_path: Path, classifier: Classifier
) -> None:
    first, *others = fixed_releases()
    with Store(tmp_path / "db") as dashboard_store:
        dashboard_store.add([first], now=FIXED_NOW.isoformat())
        app = SummitWatchApp(
            config=fixed_config(),
            store=dashboard_store,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
            poll_on_start=False,
        )
        async with app.run_test(size=(160, 48)) as pilot:
            listed = app.screen.query_one(ReleaseList)
            assert len(listed.releases) == 1
            # A second handle on the same folder stands for the `poll --watch` service.
            with Store(tmp_path / "db") as poller_store:
                poller_store.add(others, now=FIXED_NOW.isoformat())
            started = time.monotonic()
            while len(listed.releases) < 4 and time.monotonic() - started < 3 * STORE_WATCH_SECONDS:
                await asyncio.sleep(0.2)
                await pilot.pause()
            assert len(listed.releases) == 4
            assert time.monotonic() - started <= STORE_WATCH_SECONDS + 2


async def test_keys_can_be_remapped_by_binding_id(
    fixed_store: Store, classifier: Classifier
) -> None:
    from dataclasses import replace

    config = replace(fixed_config(), keys={"triage.star": "S"})
    app = SummitWatchApp(
        config=config,
        store=fixed_store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        first = app.screen.query_one(ReleaseList).current
        assert first is not None
        await pilot.press("s")
        await pilot.pause()
        assert not fixed_store.get(first.id).starred  # type: ignore[union-attr]
        await pilot.press("S")
        for _ in range(20):
            await pilot.pause(0.05)
            if fixed_store.get(first.id).starred:  # type: ignore[union-attr]
                break
        assert fixed_store.get(first.id).starred  # type: ignore[union-attr]


async def test_command_palette_reaches_the_source_health_screen(fixed_app: SummitWatchApp) -> None:
    from tui.screens.health import SourceHealthScreen

    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Source health")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(fixed_app.screen, SourceHealthScreen)
