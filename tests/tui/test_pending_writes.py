"""Fast hands, held locks and full disks: what the screen shows is stored, or it says it is not."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from feeds import Classifier
from state import Store, TriageState
from tests.damage import DISK_FULL, fill, lock_held_elsewhere, release, small_disk
from tui.app import SummitWatchApp
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases
from .waiting import workers_done

TMUX = shutil.which("tmux")


def _rows(app: SummitWatchApp) -> ReleaseList:
    return app.screen.query_one(ReleaseList)


def _shown(app: SummitWatchApp, release_id: str) -> TriageState:
    return next(r for r in _rows(app).releases if r.id == release_id).triage


def _stored(path: Path, release_id: str) -> TriageState:
    with Store(path, read_only=True) as again:
        found = again.get(release_id)
        assert found is not None
        return found.triage


async def _written(app: SummitWatchApp, pilot: Pilot[None], seconds: float = 15) -> None:
    """Until the triage writer has nothing left and its reports are handled."""
    deadline = time.monotonic() + seconds
    while app.triage.pending and time.monotonic() < deadline:
        await pilot.pause(0.05)
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


@pytest.fixture
def slow_store(tmp_path: Path) -> Iterator[Store]:
    """A store whose writes give up after three seconds of another process's lock."""
    with Store(tmp_path / "db", lock_timeout=3.0) as store:
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
        yield store


async def test_keys_pressed_while_another_process_writes_are_stored_in_order(
    slow_store: Store, classifier: Classifier
) -> None:
    app = fixed_app_on(slow_store, classifier)
    async with app.run_test(size=(100, 30)) as pilot:
        first = _rows(app).releases[0].id
        with lock_held_elsewhere(slow_store.path) as holder:
            await pilot.press("r", "u", "f")
            assert _shown(app, first) is TriageState.FOLLOW_UP
            assert _rows(app).saving == {first}  # shown as on its way, not as saved
            release(holder)
            await _written(app, pilot)
        assert _shown(app, first) is _stored(slow_store.path, first) is TriageState.FOLLOW_UP
        assert _rows(app).saving == set()
        await pilot.press("u")
        await _written(app, pilot)
        assert _shown(app, first) is _stored(slow_store.path, first) is TriageState.NEW


async def test_quitting_waits_for_a_decision_another_process_holds_up(
    slow_store: Store, classifier: Classifier
) -> None:
    app = fixed_app_on(slow_store, classifier)
    with lock_held_elsewhere(slow_store.path) as holder:
        async with app.run_test(size=(100, 30)) as pilot:
            first = _rows(app).releases[0].id
            # The other process lets go a moment after the keys (pressing q waits meanwhile).
            threading.Timer(0.5, release, [holder]).start()
            started = time.monotonic()
            await pilot.press("b", "q")
            waited = time.monotonic() - started
            await pilot.pause()
    assert waited >= 0.4
    assert _stored(slow_store.path, first) is TriageState.BRIEFED


async def test_keys_answer_while_a_write_waits_for_the_lock(
    slow_store: Store, classifier: Classifier
) -> None:
    app = fixed_app_on(slow_store, classifier)
    async with app.run_test(size=(100, 30)) as pilot:
        with lock_held_elsewhere(slow_store.path):
            await pilot.press("r")
            started = time.monotonic()
            app.watch_store()  # what the dashboard does every few seconds
            await pilot.press("j")
            answered = time.monotonic() - started
            assert _rows(app).cursor == 2  # r moved the cursor on, j once more
            await _written(app, pilot)
    assert answered < 0.5, f"a key waited {answered:.2f} s for another process's lock"


async def test_a_decision_held_up_by_another_process_says_so_at_once_and_who(
    tmp_path: Path, classifier: Classifier
) -> None:
    with Store(tmp_path / "db", lock_timeout=20.0) as store:
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
        app = fixed_app_on(store, classifier)
        async with app.run_test(size=(100, 30)) as pilot:
            first = _rows(app).releases[0].id
            with lock_held_elsewhere(store.path) as holder:
                await pilot.press("s")
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not app._notifications:
                    await pilot.pause(0.05)
                messages = [n.message for n in app._notifications]
                assert any(
                    "Star is waiting to be saved" in m and f"(process {holder.pid})" in m
                    for m in messages
                ), messages
                assert _rows(app).saving == {first}  # the row says '…' meanwhile
                assert app.triage.pending == 1, "still trying, not given up"
                release(holder)
                await _written(app, pilot)
            assert _rows(app).saving == set() and _rows(app).unsaved == set()
            with Store(store.path, read_only=True) as again:
                assert again.get(first).starred  # type: ignore[union-attr]


async def test_a_decision_the_lock_keeps_off_disk_is_reported_and_marked(
    slow_store: Store, classifier: Classifier
) -> None:
    app = fixed_app_on(slow_store, classifier)
    async with app.run_test(size=(100, 30)) as pilot:
        first = _rows(app).releases[0].id
        with lock_held_elsewhere(slow_store.path):
            await pilot.press("r")
            await _written(app, pilot)
        assert _shown(app, first) is _stored(slow_store.path, first) is TriageState.NEW
        assert _rows(app).unsaved == {first}
        messages = [n.message for n in app._notifications]
        assert any("not saved" in m and "lock" in m for m in messages), messages
        await pilot.press("k", "r")  # back to it, and the retry now that the lock is free
        await _written(app, pilot)
        assert _stored(slow_store.path, first) is TriageState.RELEVANT
        assert _rows(app).unsaved == set()


async def test_a_note_written_to_a_full_disk_is_kept_for_the_retry(
    tmp_path: Path, classifier: Classifier
) -> None:
    with small_disk(tmp_path) as disk:
        store = Store(disk / "db")
        store.add(fixed_releases(), now=FIXED_NOW.isoformat(timespec="seconds"))
        app = fixed_app_on(store, classifier)
        async with app.run_test(size=(100, 30)) as pilot:
            first = _rows(app).releases[0].id
            filler = fill(disk)
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*"call the embassy", "enter")
            await _written(app, pilot)
            assert _rows(app).unsaved == {first}
            messages = [n.message for n in app._notifications]
            assert any(DISK_FULL.search(m) for m in messages), messages
            filler.unlink()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("enter")  # the prompt holds the note typed before
            await _written(app, pilot)
        store.close()
        with Store(disk / "db", read_only=True) as again:
            assert again.get(first).note == "call the embassy"  # type: ignore[union-attr]


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_triage_and_quit_typed_in_one_burst_in_a_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "db"
    socket = f"summitwatch-test-{uuid.uuid4().hex[:8]}"

    def tmux(*args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    env = {
        "SUMMITWATCH_CONFIG": str(tmp_path / "config.toml"),
        "SUMMITWATCH_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"env {exports} {shlex.quote(sys.executable)} -m tui.cli --demo --db {db}"
    tmux("new-session", "-d", "-s", "sw", "-x", "100", "-y", "30", command)
    try:
        deadline = time.monotonic() + 60
        while "sources answered" not in tmux("capture-pane", "-p", "-t", "sw"):
            assert time.monotonic() < deadline, tmux("capture-pane", "-p", "-t", "sw")
            time.sleep(0.2)
        tmux("send-keys", "-t", "sw", "b", "q")  # one write to the terminal: a paste
        while "sw" in tmux("list-sessions", "-F", "#{session_name}"):
            assert time.monotonic() < deadline, "the dashboard did not quit"
            time.sleep(0.2)
    finally:
        tmux("kill-server")
    with Store(db, read_only=True) as store:
        decided = [r for r in store.all() if r.triage is not TriageState.NEW]
    assert [r.triage for r in decided] == [TriageState.BRIEFED]
