"""Who decided what: every decision records its author and time, reading is personal, undo
takes back only one's own decision, and databases from before authors show theirs unsigned.

Two people on one database are two stores opened as them (`Store(user=...)`, what
`summitwatch run --user` and `serve` use); the last test makes them real Unix users.
"""

from __future__ import annotations

import csv
import io
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds import load_taxonomy
from state import (
    BY_RULE,
    Decided,
    Store,
    TriageState,
    read_json_export,
    to_csv,
    to_json,
    to_markdown,
)
from tests.state.engine.test_migrate import write_v1
from tests.state.factories import make_items

PILLARS = load_taxonomy().pillar_set


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "db"
    with Store(path, user="setup") as store:
        store.add(make_items(3))
    yield path


def _who(store: Store, release_id: str) -> list[tuple[str, str]]:
    stored = store.get(release_id)
    assert stored is not None
    return [(line.what, line.who) for line in stored.history]


def test_every_decision_records_who_and_when(db: Path) -> None:
    ana, ben = Store(db, user="ana"), Store(db, user="ben")
    first = ana.all()[0].id
    ana.update([first], triage="briefed")
    ben.refresh()
    ben.update([first], starred=True)
    ben.update([first], note="Call Ottawa")
    ben.update([first], starred=True)  # no change: no line
    ana.refresh()
    assert _who(ana, first) == [("briefed", "ana"), ("starred", "ben"), ("note", "ben")]
    stored = Store(db, user="carl").get(first)
    assert stored is not None and stored.triage is TriageState.BRIEFED and stored.starred
    line = stored.history[0]
    assert line.when.endswith("+00:00")
    assert line.describe().startswith("briefed · ana · ")


def test_reading_is_personal_and_decisions_are_the_teams(db: Path) -> None:
    ana, ben = Store(db, user="ana"), Store(db, user="ben")
    first, second = (r.id for r in ana.all()[:2])
    ana.update([first], read=True, triage="relevant")
    ben.update([second], read=True)
    ana.refresh()
    ben.refresh()
    mine = {r.id: r for r in ana.all()}
    theirs = {r.id: r for r in ben.all()}
    assert (mine[first].read, mine[second].read) == (True, False)
    assert (theirs[first].read, theirs[second].read) == (False, True)
    assert mine[first].triage is theirs[first].triage is TriageState.RELEVANT
    # Reading is no decision: it leaves no line in the history.
    assert _who(ben, second) == []
    # A config rule's "read" is everyone's (until someone marks it unread for themselves).
    ana.update([second], author=BY_RULE, read=True)
    ben.refresh()
    assert ana.get(second).read and ben.get(second).read  # type: ignore[union-attr]


def test_undo_takes_back_only_ones_own_decision(db: Path) -> None:
    ana, ben = Store(db, user="ana"), Store(db, user="ben")
    first, second = (r.id for r in ana.all()[:2])
    ana.update([first], triage="relevant")
    ben.refresh()
    ben.update([first], triage="follow_up")
    ana.refresh()
    # Ana's undo restores what she saw before her decision: ben's since stays.
    ana.update([first], undo=True, triage="new")
    assert ana.get(first).triage is TriageState.FOLLOW_UP  # type: ignore[union-attr]
    assert _who(ana, first) == [("relevant", "ana"), ("follow up", "ben")]
    ana.update([second], starred=True)
    ana.update([second], undo=True, starred=False)
    assert not ana.get(second).starred  # type: ignore[union-attr]
    assert _who(ana, second) == [("starred", "ana"), ("undo: unstarred", "ana")]


def test_a_database_from_before_authors_shows_its_decisions_unsigned(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    items = make_items(2)
    write_v1(db, items, note_on=items[0].release.id)
    with Store(db, user="ana") as store:
        release_id = items[0].release.id
        old = store.get(release_id)
        assert old is not None and old.note == "kept"
        assert old.history == (Decided("note", "", "2023-01-12T00:00:00+00:00"),)
        assert "note · author not recorded · 12 Jan" in old.history[0].describe()
        store.update([release_id], triage="briefed")
        assert _who(store, release_id) == [("note", ""), ("briefed", "ana")]
    with Store(db, user="ben") as again:
        assert _who(again, items[0].release.id) == [("note", ""), ("briefed", "ana")]


def test_exports_carry_who_decided_and_an_import_keeps_it(db: Path, tmp_path: Path) -> None:
    ana = Store(db, user="ana")
    first = ana.all()[0].id
    ana.update([first], triage="briefed", note="Seen")
    full = list(ana.iter_full())
    exported = to_json(full, PILLARS)
    [decided] = [r for r in read_json_export(exported) if r.id == first]
    assert [(d.what, d.who) for d in decided.history] == [("briefed", "ana"), ("note", "ana")]
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(to_csv(full, PILLARS)))}
    assert rows[first]["decided"].startswith("briefed · ana · ")
    assert "*Decided:* note · ana · " in to_markdown(full, PILLARS)
    with Store(tmp_path / "copy", user="ben") as copy:
        copy.import_records(read_json_export(exported))
        assert _who(copy, first) == [("briefed", "ana"), ("note", "ana")]


# -- two real Unix users ---------------------------------------------------------------------

NAMES = ("swtest-ana", "swtest-ben")


def _why_no_real_users() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "creating two Unix users needs root; the other tests name authors instead"
    if shutil.which("useradd") is None or shutil.which("userdel") is None:
        return "useradd/userdel are not installed"
    return None


@pytest.fixture
def unix_users() -> Iterator[list[pwd.struct_passwd]]:
    for name in NAMES:
        subprocess.run(["userdel", name], capture_output=True, check=False)
        subprocess.run(["useradd", "--no-create-home", "--user-group", name], check=True)
    try:
        yield [pwd.getpwnam(name) for name in NAMES]
    finally:
        for name in NAMES:
            subprocess.run(["userdel", name], capture_output=True, check=False)


def _as(user: pwd.struct_passwd, group: int, work: str, db: Path, release_id: str) -> None:
    """Run `work` on the database as `user`, in a forked child that gives up root (the
    interpreter and its modules stay loaded: they live where other users cannot read)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.setgroups([group])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            os.umask(0o002)  # a team's database stays writable by its group
            store = Store(db)  # no user given: the Unix user decides
            if work == "brief":
                store.update([release_id], triage="briefed", read=True)
            elif work == "star then undo other":
                store.update([release_id], starred=True)
                store.update([release_id], undo=True, triage="new")
            store.close()
            code = 0
        except BaseException as exc:  # said on stderr: the parent only sees the exit code
            os.write(2, f"{work} as {user.pw_name}: {exc!r}\n".encode())
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{work} as {user.pw_name} failed"


@pytest.mark.skipif(_why_no_real_users() is not None, reason=str(_why_no_real_users()))
def test_two_unix_users_on_one_database(unix_users: list[pwd.struct_passwd]) -> None:
    ana, ben = unix_users
    team = ana.pw_gid  # ana's group, which ben joins for this database
    # Not under tmp_path: pytest keeps its folders private to root.
    shared = Path(tempfile.mkdtemp(prefix="summitwatch-team-"))
    try:
        shared.chmod(0o755)
        _decide_as_two_users(shared / "shared.db", ana, ben, team)
    finally:
        shutil.rmtree(shared)


def _decide_as_two_users(
    db: Path, ana: pwd.struct_passwd, ben: pwd.struct_passwd, team: int
) -> None:
    with Store(db, user="setup") as store:
        store.add(make_items(2))
        release_id = store.all()[0].id
        store.update([release_id], note="warm-up")  # every module the children need, loaded
    for path in [db, *db.rglob("*")]:
        os.chown(path, ana.pw_uid, team)
        path.chmod(0o2775 if path.is_dir() else 0o664)
    _as(ana, team, "brief", db, release_id)
    _as(ben, team, "star then undo other", db, release_id)
    with Store(db, read_only=True, user=ana.pw_name) as as_ana:
        stored = as_ana.get(release_id)
        assert stored is not None and stored.read
        assert stored.triage is TriageState.BRIEFED  # ben's undo did not touch ana's decision
        assert [(d.what, d.who) for d in stored.history][-2:] == [
            ("briefed", ana.pw_name),
            ("starred", ben.pw_name),
        ]
    with Store(db, read_only=True, user=ben.pw_name) as as_ben:
        assert not as_ben.get(release_id).read  # type: ignore[union-attr]
