"""The rules of the served dashboard's door, and the `serve` command's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds import ConfigError, ServeUser
from feeds.collect.sources import parse_config
from tui.serve.access import Throttle, Visitors, authenticate, check_password, hash_password

from .cli import summitwatch


def test_a_password_hash_is_salted_and_checks_only_its_password() -> None:
    first, second = hash_password("open sesame"), hash_password("open sesame")
    assert first != second  # a salt each
    assert first.startswith("scrypt$") and "open sesame" not in first
    assert check_password("open sesame", first) and check_password("open sesame", second)
    assert not check_password("open sesam", first)
    assert not check_password("open sesame", "scrypt$1$2$3$!!$??")
    assert not check_password("open sesame", first.replace("scrypt$", "md5$"))


def test_authenticate_needs_the_right_name_and_password() -> None:
    ana = ServeUser("ana", hash_password("ana's secret"))
    assert authenticate((ana,), "ana", "ana's secret") == ana
    assert authenticate((ana,), "ana", "wrong") is None
    assert authenticate((ana,), "bob", "ana's secret") is None


def test_the_throttle_doubles_the_delay_per_failure_up_to_a_ceiling_then_forgets() -> None:
    now = [0.0]
    throttle = Throttle(base=1.0, ceiling=8.0, forget_after=60.0, clock=lambda: now[0])
    assert throttle.delay("a") == 0.0
    delays = []
    for _ in range(6):
        throttle.failed("a")
        delays.append(throttle.delay("a"))
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert throttle.delay("b") == 0.0  # per client
    now[0] = 61.0
    assert throttle.delay("a") == 0.0
    throttle.failed("a")
    throttle.passed("a")
    assert throttle.failures("a") == 0


def test_a_visitor_unseen_for_the_idle_time_must_sign_in_again() -> None:
    now = [0.0]
    visitors = Visitors(idle_seconds=10.0, clock=lambda: now[0])
    token = visitors.sign_in("ana", read_only=True)
    now[0] = 9.0
    found = visitors.find(token)
    assert found is not None and found.name == "ana" and found.read_only
    now[0] = 18.0  # seen at 9: still in
    assert visitors.find(token) is not None
    now[0] = 28.5
    assert visitors.find(token) is None
    assert visitors.find("made-up") is None and visitors.find(None) is None


def test_serve_settings_are_read_with_their_ranges(tmp_path: Path) -> None:
    hashed = hash_password("a long password")
    config = parse_config(
        "[serve]\nmax_sessions = 2\nidle_minutes = 5\npublic_url = 'https://w.example/'\n"
        f"[serve.users.ana]\npassword_hash = '{hashed}'\nread_only = true\n",
        tmp_path / "c.toml",
    )
    assert config.serve.max_sessions == 2 and config.serve.idle_minutes == 5
    assert config.serve.public_url == "https://w.example"
    assert config.serve.users == (ServeUser("ana", hashed, read_only=True),)
    assert hashed not in repr(config.serve)


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("[serve]\nmax_sessions = 0\n", 2, "[serve] max_sessions must be 1 to 64"),
        ("[serve]\n\nidle_minutes = 2000\n", 3, "[serve] idle_minutes must be 1 to 1440"),
        ("[serve]\nidle_minutes = true\n", 2, "must be a whole number"),
        ("[serve]\nsessions = 2\n", 2, "unknown setting 'sessions' in [serve]"),
        ("[serve.users.ana]\npassword = 'x'\n", 2, "unknown setting 'password'"),
        ("[serve.users.ana]\npassword_hash = 'hunter2'\n", 2, "--hash-password"),
        ("[serve]\npublic_url = 'ftp://x'\n", 2, "public_url must start with https://"),
    ],
)
def test_serve_settings_errors_name_the_file_line_and_range(
    tmp_path: Path, text: str, line: int, said: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, tmp_path / "c.toml")
    assert error.value.line == line
    assert str(error.value).startswith(f"{tmp_path / 'c.toml'}, line {line}: ")
    assert said in str(error.value)
    assert "hunter2" not in str(error.value)


def test_serve_refuses_an_open_address_without_public_and_a_sign_in(tmp_path: Path) -> None:
    for args, said in (
        (("serve", "--host", "0.0.0.0"), "add --public"),
        (("serve", "--host", "::"), "add --public"),
        (("serve", "--host", "example.org", "--port", "1"), "add --public"),
        (("serve", "--host", "0.0.0.0", "--public"), "needs a sign-in"),
    ):
        done = summitwatch(*args, env_dir=tmp_path, timeout=60)
        assert done.returncode == 2, args
        assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_hash_password_reads_stdin_and_prints_a_config_line(tmp_path: Path) -> None:
    done = summitwatch(
        "serve", "--hash-password", stdin="a long password\n", env_dir=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('password_hash = "scrypt$') and "a long password" not in line
    assert check_password("a long password", line.split('"')[1])
    short = summitwatch("serve", "--hash-password", stdin="short\n", env_dir=tmp_path, timeout=60)
    assert short.returncode == 2 and "8 characters" in short.stderr
