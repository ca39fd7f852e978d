"""A database the user may not write opens read-only for what only reads it, and says so."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds import Classifier
from state import Store, TriageState
from tui.triage import READ_ONLY
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases
from .test_cli import summitwatch


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


async def test_the_dashboard_browses_a_read_only_database_and_says_so(
    read_only_db: Path, classifier: Classifier
) -> None:
    store = Store(read_only_db, read_only=True)
    app = fixed_app_on(store, classifier)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        first = app.screen.query_one(ReleaseList).releases[0].id
        await pilot.press("r")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages.count(READ_ONLY) == 2  # at the start, and at the key
        assert app.screen.query_one(ReleaseList).releases[0].triage is TriageState.NEW
        assert app.triage.pending == 0
    store.close()
    with Store(read_only_db, read_only=True) as again:
        assert again.get(first).triage is TriageState.NEW  # type: ignore[union-attr]
