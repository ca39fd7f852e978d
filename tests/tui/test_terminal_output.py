"""What reaches the terminal: no escape sequence or markup that came from a feed.

The dashboard runs in a real pseudo-terminal against a feed served on 127.0.0.1 whose titles
and texts carry escape sequences (title change, OSC 52 clipboard write, OSC 8 link, clear
screen), Rich markup and bidi overrides; every byte written to the terminal is captured.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

COMMAND = Path(sys.executable).parent / "summitwatch"
pytestmark = pytest.mark.skipif(not COMMAND.exists(), reason="summitwatch is not installed")

TITLE = (
    "Leaders meet \x1b]0;PWNED-TITLE\x07 \x1b]52;c;UFdORUQtQ0xJUA==\x07"
    " \x1b]8;;https://evil.example/x\x1b\\\\click\x1b]8;;\x1b\\\\ \x1b[2J\x1b[31m"
    " [link=https://markup.example]here[/link] [@click=app.quit]quit[/] \u202eevil\u200b"
)
TEXT = "The North American Leaders' Summit \x1b]52;c;U0VDT05E\x07 [bold]literal[/bold] text." * 3


def hostile_feed() -> str:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;")

    # XML 1.0 cannot carry ESC as a character; feeds in the wild send it as a raw byte anyway,
    # and as a numeric reference in XML 1.1: both are served.
    raw = esc(TITLE)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        f"<item><title>{raw}</title><link>https://example.org/1</link><guid>urn:1</guid>"
        f"<description>{esc(TEXT)}</description></item>"
        "</channel></rss>"
    )


def run_in_pty(
    args: list[str],
    env: dict[str, str],
    until: bytes,
    seconds: float,
    answer: bytes = b"",
    shown: bytes = b"",
) -> bytes:
    """Run `args` in a pseudo-terminal; once `until` shows, send `answer` (if any), then q.

    With `shown`, q waits until those bytes are on the terminal too (or the time is up): the
    reader fills in after the status line, later still on a loaded machine.
    """
    master, slave = os.openpty()
    # Wide enough that the reader shows beside the list (below 130 columns it waits for Enter).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 160, 0, 0))
    # The pty is the child's controlling terminal, as a real terminal would be: without one the
    # dashboard's hang-up check (every few seconds) takes the terminal for gone and quits.
    proc = subprocess.Popen(
        args,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + seconds
    quit_sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if answer and until in out:
                os.write(master, answer)
                answer, until = b"", b"sources answered"
            elif not quit_sent and until in out and shown in out:
                time.sleep(0.2)
                os.write(master, b"q")
                quit_sent = True
            if proc.poll() is not None and not ready:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        os.close(master)
    assert quit_sent, f"the dashboard never showed {until!r} and {shown!r}"
    return bytes(out)


def test_feed_escape_sequences_and_markup_never_reach_the_terminal(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    body = hostile_feed().encode("utf-8")
    httpserver.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[sources]]\nname = "hostile"\nurl = "{httpserver.url_for("/feed")}"\ncountry = "US"\n'
        "[poll]\nfull_text = false\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(TERM="xterm-256color", SUMMITWATCH_DATA_DIR=str(tmp_path / "data"))
    args = [str(COMMAND), "--config", str(config), "--db", str(tmp_path / "db")]
    out = run_in_pty(
        args, env, until=b"sources answered", seconds=60, shown=b"[bold]literal[/bold]"
    )

    for payload in (b"PWNED-TITLE", b"UFdORUQtQ0xJUA", b"U0VDT05E", b"evil.example"):
        assert payload not in out, f"{payload!r} from the feed reached the terminal"
    # Markup from the feed is shown as text, never turned into a link or an action: the one
    # hyperlink (OSC 8) on screen is the release's own link, in the reader.
    links = set(re.findall(rb"\x1b]8;[^;\x1b]*;([^\x1b\x07]*)", out))
    assert links <= {b"https://example.org/1", b""}, links
    assert b"[link=https://markup.example]here[/link]" in out
    assert b"[bold]literal[/bold]" in out
    assert "\u202e".encode() not in out
    assert b"Leaders meet" in out


def test_a_corrupt_database_is_moved_aside_only_when_the_user_says_yes(tmp_path: Path) -> None:
    from state.store import Store

    db = tmp_path / "db"
    with Store(db) as store:
        store.add([])
    manifest = next(db.glob("*.json"))
    manifest.write_text('{"broken', encoding="utf-8")
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        SUMMITWATCH_DATA_DIR=str(tmp_path / "data"),
        SUMMITWATCH_CONFIG=str(tmp_path / "config.toml"),
    )
    args = [str(COMMAND), "--demo", "--db", str(db)]
    out = run_in_pty(args, env, until=b"go on with the rest?", seconds=30, answer=b"y\r")
    assert str(manifest).encode() in out
    moved = [p for p in db.iterdir() if ".corrupt" in p.name]
    assert moved and moved[0].read_text(encoding="utf-8") == '{"broken'
    with Store(db) as reopened:
        assert len(reopened.all()) >= 30  # the demo poll ran on the fresh database


def test_the_dashboard_quits_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    """A dropped SSH connection: the terminal goes away and, under make or a wrapper, no
    SIGHUP may arrive (ignored here, as such a parent leaves it). It must not run on."""
    import signal

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        SUMMITWATCH_DATA_DIR=str(tmp_path / "data"),
        SUMMITWATCH_CONFIG=str(tmp_path / "config.toml"),
    )

    def ignore_hangups() -> None:
        os.setsid()  # the pty becomes this process's controlling terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    proc = subprocess.Popen(
        [str(COMMAND), "--demo", "--db", str(tmp_path / "db")],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=ignore_hangups,
    )
    os.close(slave)
    seen = bytearray()
    deadline = time.monotonic() + 60
    while b"sources answered" not in seen and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            seen += os.read(master, 65536)
    assert b"sources answered" in seen
    os.close(master)  # hang up
    try:
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            pytest.fail("the dashboard kept running after its terminal hung up")
