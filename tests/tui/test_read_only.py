"""Read-only, one mechanism: a database the user may not write, `run --read-only` and a
read-only served session all show and filter, grey every deciding key and write nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from feeds import Classifier
from state import SavedFilters, Store, ViewFilter, saved_filters_for
from tui.app import SummitWatchApp
from tui.triage import READ_ONLY_DATABASE, READ_ONLY_SESSION
from tui.widgets.release_list import ReleaseList
from tui.widgets.status_line import StatusLine

from .cli import summitwatch
from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases
from .test_demo_app import choose
from .waiting import workers_done

# Every key that decides: triage states, star, note, read, correct, undo.
DECIDING_KEYS = ("r", "x", "f", "b", "n", "s", "a", "m", "c", "u")
DECIDING_TITLES = {
    "Mark relevant",
    "Mark not relevant",
    "Mark follow-up",
    "Mark briefed",
    "Back to new",
    "Mark read/unread",
    "Star",
    "Note",
    "Correct labels",
    "Undo",
    "Poll now",
    "Offline demo",
}


def _set_writable(db: Path, writable: bool) -> None:
    for path in [db, *db.rglob("*")]:
        mode = path.stat().st_mode & 0o7777
        os.chmod(path, mode | 0o200 if writable else mode & ~0o222)


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "db"
    with Store(db) as store:
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
    _set_writable(db, False)
    yield db
    _set_writable(db, True)


def _contents(db: Path) -> dict[str, dict[str, Any]]:
    with Store(db, read_only=True) as store:
        return {r.id: r.to_dict() for r in store.iter_full()}


async def _settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


def test_export_backup_and_sources_read_a_read_only_database(
    read_only_db: Path, tmp_path: Path
) -> None:
    exported = summitwatch("--db", str(read_only_db), "export", env_dir=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["count"] == 4
    assert "read-only" in exported.stderr
    copy = tmp_path / "copy"
    backup = summitwatch("--db", str(read_only_db), "backup", str(copy), env_dir=tmp_path)
    assert backup.returncode == 0, backup.stderr
    with Store(copy) as store:
        assert len(store) == 4
    listed = summitwatch("--db", str(read_only_db), "sources", env_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr


@pytest.mark.parametrize("why", ["database", "session"])
async def test_read_only_greys_deciding_keys_says_why_and_changes_nothing(
    why: str,
    read_only_db: Path,
    classifier: Classifier,
) -> None:
    before = _contents(read_only_db)
    if why == "session":
        _set_writable(read_only_db, True)  # the files allow it; the session does not
        store = Store(read_only_db)
    else:
        store = Store(read_only_db, read_only=True)
    reason = READ_ONLY_DATABASE if why == "database" else READ_ONLY_SESSION
    app = fixed_app_on(store, classifier, read_only=why == "session")
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        status = screen.query_one(StatusLine)
        assert status.message == reason
        assert app.sub_title == "read-only"
        bindings = screen.active_bindings
        for key in (*DECIDING_KEYS, "p"):
            assert bindings[key].enabled is False, key  # shown, greyed
        for key in ("o", "y", "slash", "v", "e"):
            assert key in bindings
        assert bindings["o"].enabled and bindings["slash"].enabled and bindings["e"].enabled
        palette = {command.title for command in app.get_system_commands(screen)}
        assert not palette & DECIDING_TITLES
        assert {"Search", "Copy link", "Open link", "Export view"} <= palette

        release_list = screen.query_one(ReleaseList)
        first = release_list.current
        assert first is not None
        screen.status = "something else"
        await pilot.press("s")
        assert status.message == reason  # the key says why it did nothing
        await pilot.press(*DECIDING_KEYS, "space", "r", "p", "enter")
        await _settle(app, pilot)
        assert app.screen is screen  # no note prompt, no correction dialog
        assert status.message == reason
        await pilot.press("j")
        await _settle(app, pilot)
        assert release_list.current is not None and release_list.current.id != first.id
        await pilot.press("slash", *"drug")  # filtering works
        await _settle(app, pilot)
        assert 0 < len(release_list.releases) < 4
        assert not app.polling and app.last_report is None
        assert app.triage.pending == 0 and not app.triage.can_undo
    store.close()
    assert _contents(read_only_db) == before  # opening a release did not mark it read either


SAVED_FILTER_KEYS = ("ctrl+s", "ctrl+r", "ctrl+d")
SAVED_FILTER_TITLES = {"Save filter", "Rename saved filter", "Delete saved filter"}


@pytest.mark.parametrize("why", ["database", "session"])
async def test_read_only_greys_saving_renaming_and_deleting_saved_filters(
    why: str, read_only_db: Path, classifier: Classifier
) -> None:
    saved = saved_filters_for(read_only_db)  # a file beside the database
    saved.save("health watch", ViewFilter(("pillar:health",)))
    filters = saved.path
    kept = filters.read_bytes()
    if why == "session":
        _set_writable(read_only_db, True)  # the files allow it; the session does not
        store = Store(read_only_db)
    else:
        store = Store(read_only_db, read_only=True)
    reason = READ_ONLY_DATABASE if why == "database" else READ_ONLY_SESSION
    app = fixed_app_on(store, classifier, read_only=why == "session")
    app.saved_filters = SavedFilters(filters)
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        status = screen.query_one(StatusLine)
        await choose(pilot, "saved:health watch")  # a saved filter is still used
        await _settle(app, pilot)
        assert [r.id for r in screen.query_one(ReleaseList).releases] == ["r2"]
        for key in (*SAVED_FILTER_KEYS, "A"):
            assert screen.active_bindings[key].enabled is False, key  # shown, greyed
        palette = {command.title for command in app.get_system_commands(screen)}
        assert not palette & SAVED_FILTER_TITLES
        for key in SAVED_FILTER_KEYS:
            screen.status = "something else"
            await pilot.press(key)
            await _settle(app, pilot)
            assert app.screen is screen, key  # no name prompt, no confirmation
            assert status.message == reason, key  # the key says why it did nothing
    store.close()
    assert filters.read_bytes() == kept
