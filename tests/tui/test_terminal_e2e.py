"""The installed command in a real terminal (tmux): triage one release, quit, find it stored."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from state.records import TriageState
from state.store import Store
from tests.state.factories import make_item

TMUX = shutil.which("tmux")
COMMAND = Path(sys.executable).parent / "summitwatch"
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
    pytest.mark.skipif(not COMMAND.exists(), reason="summitwatch is not installed in this venv"),
]


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "sw")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "sw", *keys)

    def start_demo(self, home: Path, db: Path, size: tuple[int, int]) -> None:
        """The installed command on the offline demo and the database `db`, in a detached
        terminal of `size` (columns, lines), with its config and data under `home`."""
        env = {
            "SUMMITWATCH_CONFIG": str(home / "config.toml"),
            "SUMMITWATCH_DATA_DIR": str(home / "data"),
            "TERM": "xterm-256color",
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"env {exports} {shlex.quote(str(COMMAND))} --demo --db {shlex.quote(str(db))}"
        columns, lines = size
        self.tmux("new-session", "-d", "-s", "sw", "-x", str(columns), "-y", str(lines), command)

    def alive(self) -> bool:
        return "sw" in self.tmux("list-sessions", "-F", "#{session_name}")

    def wait_for(self, check: Callable[[], bool], seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise AssertionError(f"terminal never got there; screen was:\n{self.screen()}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(f"summitwatch-test-{uuid.uuid4().hex[:8]}")
    yield term
    term.tmux("kill-server")


def test_triage_in_a_real_terminal_is_in_the_database_after_quitting(
    terminal: Terminal, tmp_path: Path
) -> None:
    db = tmp_path / "db"
    terminal.start_demo(tmp_path, db, size=(100, 30))
    terminal.wait_for(lambda: "sources answered" in terminal.screen())
    terminal.keys("r")
    time.sleep(1.0)
    assert "R" in terminal.screen()
    terminal.keys("q")
    terminal.wait_for(lambda: not terminal.alive(), seconds=20)
    with Store(db) as store:
        stored = store.all()
    relevant = [r for r in stored if r.triage is TriageState.RELEVANT]
    assert len(relevant) == 1
    # The cursor starts on the newest release, so that is the one triaged.
    assert relevant[0].id == stored[0].id


def test_triage_from_the_reader_with_next_and_previous_reaches_the_database(
    terminal: Terminal, tmp_path: Path
) -> None:
    """At 80x24 the reader takes the list's place: J and K go on through the releases from
    there, each triage key is stored, and the reader shows the state it was given."""
    db = tmp_path / "db"
    terminal.start_demo(tmp_path, db, size=(80, 24))
    terminal.wait_for(lambda: "sources answered" in terminal.screen())
    terminal.keys("Enter")  # the first release, in the reader
    terminal.wait_for(lambda: "Triage: New · read" in terminal.screen())
    terminal.keys("J")  # the second, without going back to the list
    time.sleep(0.5)
    terminal.keys("f")
    terminal.wait_for(lambda: "Follow up: " in terminal.screen())
    terminal.keys("K")  # back from the third (the cursor moved on) to the second
    terminal.wait_for(lambda: "Triage: Follow-up · read" in terminal.screen())
    terminal.keys("K")
    time.sleep(0.5)
    terminal.keys("r")
    terminal.wait_for(lambda: "Relevant: " in terminal.screen())
    terminal.keys("q")
    terminal.wait_for(lambda: not terminal.alive(), seconds=20)
    with Store(db) as store:
        first, second, third = store.all()[:3]
    assert (first.triage, first.read) == (TriageState.RELEVANT, True)
    assert (second.triage, second.read) == (TriageState.FOLLOW_UP, True)
    assert (third.triage, third.read) == (TriageState.NEW, True)  # opened when f moved on


def test_an_edited_release_shows_what_changed_in_a_real_terminal(
    terminal: Terminal, tmp_path: Path
) -> None:
    """A release edited by its publisher after it was stored: the list marks it, the reader
    says when it changed, and V shows the edit word by word."""
    db = tmp_path / "db"
    first = "The ministers will meet in Ottawa on Monday to review the fentanyl committee."
    edited = first.replace("Ottawa on Monday", "Mexico City on Tuesday")
    for text, when in ((first, "2026-12-02T09:00:00+00:00"), (edited, "2026-12-02T15:30:00+00:00")):
        with Store(db) as store:
            item = make_item("moved", title="Trilateral ministers to meet", text=text,
                             published="2026-12-02T08:00:00+00:00")  # fmt: skip
            store.add([item], now=when)
    terminal.start_demo(tmp_path, db, size=(80, 24))
    terminal.wait_for(lambda: "sources answered" in terminal.screen())
    # The newest release comes first: the edited one, marked before its title.
    assert "± Trilateral ministers to meet" in terminal.screen()
    terminal.keys("Enter")
    terminal.wait_for(lambda: "edited 2026-12-02 15:30 UTC (V: what changed)" in terminal.screen())
    terminal.keys("V")
    terminal.wait_for(lambda: "Version 2 of 2" in terminal.screen())
    assert "Against version 1: 1 passage changed." in terminal.screen()  # one word apart
    # Removed and added words side by side (struck through and underlined, in colour).
    assert "in Ottawa Mexico City on Monday Tuesday to review" in terminal.screen()
    terminal.keys("Left")
    terminal.wait_for(lambda: "Version 1 of 2" in terminal.screen())
    assert first in terminal.screen()
    terminal.keys("Escape")
    terminal.wait_for(lambda: "Version 1 of 2" not in terminal.screen())
    terminal.keys("q")
    terminal.wait_for(lambda: not terminal.alive(), seconds=20)
