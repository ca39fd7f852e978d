"""Two people on one database through the dashboard: ana's dashboard (a store opened as her,
as `run --user ana` and `serve` open it) and ben deciding beside her."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from feeds import Classifier
from state import Store, TriageState
from tui.app import SummitWatchApp
from tui.widgets.release_list import ReleaseList
from tui.widgets.release_reader import ReleaseReader

from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases
from .waiting import workers_done


async def _settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await workers_done(app)
    app.triage.wait(timeout=10)
    await pilot.pause()


def _reader_text(app: SummitWatchApp) -> str:
    header = app.screen.query_one(ReleaseReader).query_one("#reader-header")
    return str(header.render())


async def test_authors_show_reading_is_mine_and_undo_leaves_bens_decision(
    tmp_path: Path, classifier: Classifier
) -> None:
    db = tmp_path / "db"
    with Store(db, user="setup") as setup:
        setup.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
    ben = Store(db, user="ben")
    with Store(db, user="ana") as store:
        app = fixed_app_on(store, classifier)
        async with app.run_test(size=(160, 48)) as pilot:
            await _settle(app, pilot)
            first = app.screen.query_one(ReleaseList).current
            assert first is not None
            # briefed (the cursor moves on), back to it and opened: read, by ana
            await pilot.press("b", "k", "enter")
            await _settle(app, pilot)
            assert "briefed · ana · " in _reader_text(app)
            # Ben, in his own dashboard, reads nothing yet but decides on the same release.
            ben.refresh()
            assert not ben.get(first.id).read  # type: ignore[union-attr]
            ben.update([first.id], triage="follow_up")
            for _ in range(50):  # the dashboard looks every few seconds; here, at once
                app.watch_store()
                await _settle(app, pilot)
                if "follow up · ben · " in _reader_text(app):
                    break
                await pilot.pause(0.1)
            text = _reader_text(app)
            assert "briefed · ana · " in text and "follow up · ben · " in text
            await pilot.press("u")  # ana's last action was hers; ben decided since
            for _ in range(50):  # undo shows at once what ana saw, then what was written
                await _settle(app, pilot)
                shown = app.screen.query_one(ReleaseList).current
                if shown is not None and shown.triage is TriageState.FOLLOW_UP:
                    break
                await pilot.pause(0.1)
            assert shown is not None and shown.triage is TriageState.FOLLOW_UP
    with Store(db, user="carl") as carl:
        stored = carl.get(first.id)
        assert stored is not None and stored.triage is TriageState.FOLLOW_UP
        assert not stored.read  # carl has not read it
        assert [(d.what, d.who) for d in stored.history] == [
            ("briefed", "ana"),
            ("follow up", "ben"),
        ]
    with Store(db, user="ana") as again:
        assert again.get(first.id).read  # type: ignore[union-attr]
