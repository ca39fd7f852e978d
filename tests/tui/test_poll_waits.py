"""A poll whose store writes wait for another process's lock says so at once, naming it
(the command line on stderr, the dashboard in a notification), and goes on when it is free."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from feeds import Classifier, Config, Source
from state import Store
from tests.damage import lock_held_elsewhere, release
from tui.app import SummitWatchApp
from tui.services import make_fetcher

from .cli import start
from .fixtures import FIXED_NOW
from .test_store_backoff import RSS

TOLD_WITHIN = 10.0  # seconds; the notice comes after half a second, this allows a loaded machine


def test_a_poll_on_the_command_line_says_who_holds_the_lock_and_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "db"
    Store(db).close()
    with lock_held_elsewhere(db) as holder:
        poll = start(
            "--demo",
            "--db",
            str(db),
            "poll",
            env_dir=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert poll.stderr is not None
        started = time.monotonic()
        line = poll.stderr.readline()  # the first thing it says
        told = time.monotonic() - started
        assert "waiting for the database" in line, line
        assert f"(process {holder.pid}) holds the database lock" in line, line
        assert told < TOLD_WITHIN
        assert poll.poll() is None, "it waits on, as long as the lock timeout"
        release(holder)
        out, err = poll.communicate(timeout=60)
    assert poll.returncode == 0, err
    assert "new releases" in out
    with Store(db, read_only=True) as store:
        assert len(store) > 0


async def test_the_dashboard_poll_says_who_holds_the_lock_and_goes_on(
    tmp_path: Path, httpserver: HTTPServer, classifier: Classifier
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        RSS.format(n=1), content_type="application/rss+xml"
    )
    source = Source(name="s", url=httpserver.url_for("/feed"), country="US", language="en")
    store = Store(tmp_path / "db", lock_timeout=30.0)
    app = SummitWatchApp(
        config=Config(path=None, sources=(source,)),
        store=store,
        classifier=classifier,
        pillars=classifier.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        clock=lambda: FIXED_NOW,
    )
    with lock_held_elsewhere(store.path) as holder:
        async with app.run_test(size=(100, 30)) as pilot:
            deadline = time.monotonic() + TOLD_WITHIN
            while time.monotonic() < deadline:
                await pilot.pause(0.1)
                told = [n for n in app._notifications if n.title == "Waiting for the database"]
                if told:
                    break
            assert told, "the poll never said it was waiting"
            assert f"(process {holder.pid}) holds the database lock" in told[0].message
            assert app.polling and app.last_report is None  # it waits on
            release(holder)
            while app.last_report is None and time.monotonic() < deadline + 30:
                await asyncio.sleep(0.1)
            assert app.last_report is not None and not app.last_report.store_error
            assert len(app.last_report.new) == 1
    store.close()
