"""Alerts after a poll run beside it: a target that hangs holds neither the poll loop nor
the dashboard, and what the targets get comes from the full stored records."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from feeds import AlertTarget, Classifier, demo_config
from feeds.collect.sources import AlertSettings, Config
from state import Store
from tests.receivers import SilentServer
from tests.state.factories import make_item
from tui.alerts import start_alerts
from tui.services import PollReport

from .fixtures import live_app
from .waiting import workers_done

SUMMIT_SENTENCE = "The North American Leaders' Summit."


def hook_posts(server: HTTPServer) -> list[dict[str, str]]:
    return [json.loads(r.get_data()) for r, _ in server.log if r.path == "/hook"]


async def test_a_hanging_target_leaves_the_watch_loop_free(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    with SilentServer() as silent, Store(tmp_path / "db") as store:
        added = store.add([make_item("r1", title="Leaders meet in Mexico City")], light=True)
        targets = (
            AlertTarget(f"json://127.0.0.1:{silent.port}/hook?rto=60&cto=60"),
            AlertTarget(f"json://127.0.0.1:{httpserver.port}/hook"),
        )
        config = Config(path=None, sources=(), alerts=AlertSettings(targets=targets, timeout=3))
        task = start_alerts(config, store, PollReport(new=list(added.new)))
        # The loop goes on (the next poll would run now) while the target hangs.
        ticks = 0
        while not task.done() and ticks < 10:
            await asyncio.sleep(0.1)
            ticks += 1
        assert ticks == 10 and not task.done()
        await asyncio.wait_for(task, timeout=30)
    [post] = hook_posts(httpserver)
    assert post["title"] == "Summit release · Canada: Leaders meet in Mexico City"
    assert SUMMIT_SENTENCE in post["message"]
    err = capsys.readouterr().err
    assert f"alert target json://127.0.0.1:{silent.port}/hook: no answer within" in err


async def test_the_dashboard_sends_new_summit_releases_to_its_targets(
    tmp_path: Path, httpserver: HTTPServer, classifier: Classifier
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    demo = demo_config()
    target = AlertTarget(f"json://127.0.0.1:{httpserver.port}/hook")
    config = replace(demo, alerts=AlertSettings(targets=(target,), timeout=20))
    with Store(tmp_path / "db") as store:
        app = live_app(config, store, classifier)
        async with app.run_test(size=(120, 36)) as pilot:
            await workers_done(app)
            await pilot.pause()
            await workers_done(app)
        summit = [r for r in store.all() if r.summit]
    # A first poll brings many at once: one message lists them all.
    [post] = hook_posts(httpserver)
    assert post["title"] == f"summitwatch: {len(summit)} new releases ({len(summit)} summit)"
    for stored in summit:
        assert stored.release.link in post["message"]
