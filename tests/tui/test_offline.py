"""When nothing answers: the dashboard says so, offers the demo, and runs the alert hook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from feeds.collect.sources import Config, PollSettings, demo_config
from feeds.judge.classify import Classifier
from feeds.models import FetchPolicy, Source
from state.store import Store
from tui.app import SummitWatchApp
from tui.services import make_fetcher
from tui.widgets.release_list import ReleaseList

from .fixtures import live_app
from .waiting import workers_done


def dead_config() -> Config:
    sources = tuple(
        Source(name=f"dead {n}", url=f"http://127.0.0.1:9/feed{n}", country="US") for n in (1, 2)
    )
    return Config(
        path=None, sources=sources, poll=PollSettings(fetch=FetchPolicy(connect_timeout=1.0))
    )


async def test_every_source_failing_offers_the_demo_on_d(
    tmp_path: Path, classifier: Classifier
) -> None:
    demo_stores: list[Store] = []

    def load_demo() -> tuple[Config, Store]:
        demo_stores.append(Store(tmp_path / "demo"))
        return demo_config(), demo_stores[-1]

    with Store(tmp_path / "real") as real:
        app = SummitWatchApp(
            config=dead_config(),
            store=real,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
            demo_loader=load_demo,
        )
        async with app.run_test(size=(120, 36)) as pilot:
            await workers_done(app)
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any("press d for the offline demo" in m.lower() for m in messages)
            assert "offline? d: demo" in str(app.screen.query_one("#status").visual)
            await pilot.press("d")
            await workers_done(app)
            await pilot.pause()
            assert len(app.screen.query_one(ReleaseList).releases) >= 30
            assert app.sub_title == "offline demo"
        assert real.all() == []
        assert all(h.consecutive_failures == 1 for h in real.health().values())
    for store in demo_stores:
        store.close()


async def test_new_summit_releases_run_the_alert_command(
    tmp_path: Path, classifier: Classifier
) -> None:
    out = tmp_path / "alerts.jsonl"
    script = tmp_path / "hook.py"
    script.write_text(
        f"import sys\nwith open({str(out)!r}, 'a') as f:\n    f.write(sys.stdin.read() + '\\n')\n"
    )
    hook = f"{sys.executable} {script}"
    config = demo_config()
    config = Config(
        path=None,
        sources=config.sources,
        poll=config.poll,
        alerts=type(config.alerts)(bell=True, command=hook),
    )
    with Store(tmp_path / "db") as store:
        app = live_app(config, store, classifier)
        async with app.run_test(size=(120, 36)) as pilot:
            await workers_done(app)
            await pilot.pause()
            await workers_done(app)
        summit = [r for r in store.all() if r.summit]
    alerts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(alerts) == len(summit) > 0
    assert {a["id"] for a in alerts} == {r.id for r in summit}
    assert all(a["summit"] for a in alerts)
