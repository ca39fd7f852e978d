"""`--demo` keeps the person's own keys and briefings folder from their config."""

from __future__ import annotations

import argparse
from pathlib import Path

from feeds.judge.classify import Classifier
from state.store import Store
from tui.app import SummitWatchApp
from tui.commands import load_config
from tui.services import make_fetcher
from tui.widgets.release_list import ReleaseList

from .test_demo_app import wait_for_poll


def demo_args(config: Path) -> argparse.Namespace:
    return argparse.Namespace(demo=True, config=config, taxonomy=None)


def test_the_demo_reads_the_users_keys_and_folder_and_never_writes_a_config(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "none" / "config.toml"
    assert load_config(demo_args(missing)).keys == {}
    assert not missing.exists()
    mine = tmp_path / "config.toml"
    mine.write_text('briefings = "/srv/briefings"\n[keys]\n"triage.star" = "S"\n', encoding="utf-8")
    config = load_config(demo_args(mine))
    assert config.keys == {"triage.star": "S"}
    assert config.briefings == Path("/srv/briefings")
    assert {s.name for s in config.sources} >= {"SRE — Prensa"}  # still the demo's sources


async def test_a_remapped_key_works_in_the_demo(tmp_path: Path, classifier: Classifier) -> None:
    mine = tmp_path / "config.toml"
    mine.write_text('[keys]\n"triage.star" = "S"\n', encoding="utf-8")
    with Store(tmp_path / "demo.db") as store:
        app = SummitWatchApp(
            config=load_config(demo_args(mine)),
            store=store,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
            demo=True,
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for_poll(app, pilot)
            first = app.screen.query_one(ReleaseList).current
            assert first is not None
            await pilot.press("S")
            for _ in range(40):
                await pilot.pause(0.05)
                if store.get(first.id).starred:  # type: ignore[union-attr]
                    break
            assert store.get(first.id).starred  # type: ignore[union-attr]
