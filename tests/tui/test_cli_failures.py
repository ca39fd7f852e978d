"""The command line under store failures and bad values: one line and an exit status each,
never a traceback. Real processes, a real full disk, real pipes."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feeds.collect.sources import RANGES
from state import Store
from tests.damage import DISK_FULL, fill, small_disk

from .cli import isolated_env, start, summitwatch

EXIT_STORE = 3


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


def test_a_poll_on_a_full_disk_says_so_in_one_line_with_its_own_status(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        Store(disk / "db").close()
        fill(disk)
        done = summitwatch("--demo", "--db", str(disk / "db"), "poll", "--all", env_dir=tmp_path)
    _no_traceback(done.stderr)
    assert done.returncode == EXIT_STORE
    assert DISK_FULL.search(done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1


def test_poll_watch_logs_a_store_error_backs_off_and_carries_on(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        Store(disk / "db").close()
        filler = fill(disk)
        args = ["--demo", "--db", str(disk / "db"), "poll", "--watch", "--all"]
        watcher = start(
            *args, env_dir=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert watcher.stderr is not None and watcher.stdout is not None
            complaint = watcher.stderr.readline()
            assert DISK_FULL.search(complaint) and "Trying again in" in complaint
            filler.unlink()
            started = time.monotonic()
            summary = ""
            while "new releases" not in summary:
                summary = watcher.stdout.readline()
                assert summary, "poll --watch stopped"
            assert time.monotonic() - started < 60
            assert watcher.poll() is None  # still watching
        finally:
            watcher.terminate()
            _, rest = watcher.communicate(timeout=30)
        _no_traceback(complaint + rest)
        with Store(disk / "db", read_only=True) as store:
            assert len(store) == 37


def test_backup_to_a_folder_that_exists_is_a_message(tmp_path: Path) -> None:
    Store(tmp_path / "db").close()
    (tmp_path / "there").mkdir()
    done = summitwatch(
        "--db", str(tmp_path / "db"), "backup", str(tmp_path / "there"), env_dir=tmp_path
    )
    _no_traceback(done.stderr)
    assert done.returncode == EXIT_STORE
    assert "already exists" in done.stderr


def test_poll_json_into_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    db = shlex.quote(str(tmp_path / "db"))
    command = f"{shlex.quote(sys.executable)} -m tui.cli --demo --db {db} poll --all --json"
    command += " | head -c 10"
    for _ in range(3):  # `head` leaves at once; the poll writes on: a race, so three times
        shutil.rmtree(tmp_path / "db", ignore_errors=True)
        done = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, env=env, check=False
        )
        assert len(done.stdout) == 10
        _no_traceback(done.stderr)
        assert "BrokenPipe" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.parametrize(
    ("setting", "text", "line_text"),
    [
        ("interval", "interval = 99999999999999999999", "[poll] interval"),
        ("prune", "prune_after_days = 100000000", "[poll] prune_after_days"),
        ("nan", "connect_timeout = nan", "[poll] connect_timeout"),
        ("negative", "read_timeout = -1.0", "[poll] read_timeout"),
    ],
)
def test_an_out_of_range_poll_setting_names_file_line_and_range(
    tmp_path: Path, setting: str, text: str, line_text: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"# mine\n[poll]\n{text}\n", encoding="utf-8")
    done = summitwatch("poll", env_dir=tmp_path)
    _no_traceback(done.stderr)
    assert done.returncode == 2
    low, high = RANGES[line_text]
    assert f"{config}, line 3: {line_text}" in done.stderr
    assert f"between {low:g} and {high:g}" in done.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interval = 9999999999999", "source interval is 1e+13; it must be between 60 and 604800"),
        ('url = "http://[::1/feed"', "is not a valid URL"),
        ('url = "http://example.gov:99999/feed"', "is not a valid URL"),
    ],
)
def test_a_bad_source_value_names_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    url = "" if text.startswith("url") else 'url = "https://example.gov/feed"\n'
    config.write_text(f'[[sources]]\nname = "one"\ncountry = "US"\n{url}{text}\n', encoding="utf-8")
    done = summitwatch("sources", env_dir=tmp_path)
    _no_traceback(done.stderr)
    assert done.returncode == 2
    assert f"{config}, line 4" in done.stderr or f"{config}, line 5" in done.stderr
    assert expected in done.stderr


def test_serve_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    done = summitwatch("serve", "--port", "99999", env_dir=tmp_path)
    _no_traceback(done.stderr)
    assert done.returncode == 2
    assert "1 to 65535" in done.stderr


SECRET_URL = "https://reader:hunter2@feeds.example.gov/private.xml"
HOSTILE_NAME = "Evil \\u001b]8;;https://evil.example\\u0007name\\u001b[2J"


def test_sources_never_print_escapes_or_passwords(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        f'[[sources]]\nname = "{HOSTILE_NAME}"\ncountry = "US"\nurl = "{SECRET_URL}"\n',
        encoding="utf-8",
    )
    for args in (["sources"], ["sources", "--json"], ["sources", "export"]):
        done = summitwatch(*args, env_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        printed = done.stdout + done.stderr
        assert "\x1b" not in printed and "\\u001b" not in printed and "\x07" not in printed
        assert "hunter2" not in printed and "reader:" not in printed
        assert "Evil name" in printed
        assert args == ["sources"] or "https://****@feeds.example.gov/private.xml" in printed


def test_sources_import_prints_no_escape_from_the_file(tmp_path: Path) -> None:
    summitwatch("sources", env_dir=tmp_path)  # writes the default config
    urls = tmp_path / "urls.txt"
    urls.write_bytes(
        b"https://a.example/feed\x1b[2J\x1b]0;pwned\x07\nhttps://user:secret@b.example/feed\n"
    )
    done = summitwatch("sources", "import", str(urls), env_dir=tmp_path)
    printed = done.stdout + done.stderr
    _no_traceback(done.stderr)
    assert "\x1b" not in printed and "\x07" not in printed
    assert "secret" not in printed
