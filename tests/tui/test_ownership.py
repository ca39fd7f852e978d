"""`summitwatch poll` run as root on a user's database leaves every file the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from state import Store

from .cli import summitwatch

NOBODY = 65534


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root can make files for another user, so only root can test this",
)
def test_a_poll_as_root_keeps_the_database_folders_owner_group_and_mode(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    os.chown(db, NOBODY, NOBODY)
    os.chmod(db, 0o2775)  # a group-shared database folder
    done = summitwatch("--demo", "--db", str(db), "poll", "--all", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    done = summitwatch("--db", str(db), "backup", str(tmp_path / "copy"), env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    made = list(db.rglob("*"))
    assert len(made) > 5
    wrong = [
        (str(p.relative_to(db)), p.stat().st_uid, p.stat().st_gid)
        for p in made
        if (p.stat().st_uid, p.stat().st_gid) != (NOBODY, NOBODY)
    ]
    assert not wrong, f"left to root: {wrong}"
    folders = [p for p in made if p.is_dir()]
    assert folders and all(p.stat().st_mode & 0o7777 == 0o2775 for p in folders)
    with Store(db, read_only=True) as store:
        assert len(store) == 37
