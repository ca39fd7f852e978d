"""A damaged file in a running dashboard: it stays up, shows the rest, names the file, offers."""

from __future__ import annotations

from pathlib import Path

from feeds import Classifier
from state import Store, TriageState
from tests.state.factories import make_item
from tui.screens.dialogs import ConfirmDialog
from tui.screens.main import MainScreen
from tui.widgets.release_list import ReleaseList

from .fixtures import fixed_app_on
from .waiting import workers_done


def _three_months(db: Path) -> None:
    with Store(db) as store:
        for month in ("2023-01", "2023-02", "2023-03"):
            stamp = f"{month}-10T12:00:00+00:00"
            store.add([make_item(f"{month}-{n}", published=stamp) for n in range(12)])


async def test_a_damaged_older_month_leaves_the_dashboard_up_and_offers_to_move_it(
    tmp_path: Path, classifier: Classifier
) -> None:
    db = tmp_path / "db"
    _three_months(db)
    oldest = db / "releases" / "2023-01.000.json"
    oldest.write_bytes(b'{"releases": {"x": {"release": {"title": "cut sh')
    store = Store(db, load="newest")  # as the dashboard opens it: the oldest month later
    app = fixed_app_on(store, classifier)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.indexed
        assert len(main.index.releases) == 24
        app.watch_store()  # the dashboard's store check, every few seconds
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert str(oldest) in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("y")
        await workers_done(app)
        await pilot.pause()
        assert not oldest.exists()
        assert [p.name for p in oldest.parent.glob("*.corrupt-*")]
        first = main.query_one(ReleaseList).releases[0].id
        await pilot.press("r")
        assert app.triage.wait(timeout=10)
        app.watch_store()
        await pilot.pause()
        assert app.is_running
    store.close()
    with Store(db) as again:
        assert len(again) == 24
        assert again.get(first).triage is TriageState.RELEVANT  # type: ignore[union-attr]
