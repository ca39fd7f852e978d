"""The [alerts] table: Apprise URLs and targets with rules, errors that name the line and
never quote a URL back (it may hold a password)."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.collect.sources import AlertRule, AlertTarget, Config, ConfigError, parse_config

SOURCE = """
[[sources]]
name = "PMO"
url = "https://www.pm.gc.ca/en/news.rss"
country = "CA"
"""


def parse(text: str) -> object:
    return parse_config(text + SOURCE, Path("config.toml"))


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return caught.value


def test_urls_become_targets_with_the_default_rule_and_targets_keep_their_own() -> None:
    config = parse_config(
        """
[alerts]
bell = true
urls = ["ntfy://ntfy.example.org/nals", "mailto://me:pw@example.org"]
timeout = 12

[[alerts.targets]]
url = "json://127.0.0.1:8080/hook"
filter = "Mexico security"
pillars = ["security"]
countries = ["mx"]
search = "fentanilo"
summit_only = false
digest_only = true
"""
        + SOURCE,
        Path("config.toml"),
    )
    alerts = config.alerts
    assert alerts.bell and alerts.timeout == 12.0
    assert [t.url for t in alerts.targets] == [
        "ntfy://ntfy.example.org/nals",
        "mailto://me:pw@example.org",
        "json://127.0.0.1:8080/hook",
    ]
    assert alerts.targets[0] == AlertTarget("ntfy://ntfy.example.org/nals", AlertRule())
    assert alerts.targets[2].rule == AlertRule(
        summit_only=False,
        filter="Mexico security",
        pillars=("security",),
        countries=("MX",),
        search="fentanilo",
    )
    assert alerts.targets[2].digest_only
    assert "pw" not in repr(alerts.targets[1])


def test_a_bad_url_names_its_line_and_never_quotes_it() -> None:
    error = error_of('[alerts]\nbell = false\nurls = ["ntfy://ok/topic", "p4ssw0rd-not-a-url"]\n')
    assert error.line == 3
    assert "item 2 is not an Apprise URL" in str(error)
    assert "p4ssw0rd" not in str(error)


@pytest.mark.parametrize(
    ("table", "line", "words"),
    [
        (
            'url = "json://h/x"\npillars = ["Trade Policy"]',
            4,
            "`pillars`: 'Trade Policy' is not a pillar id",
        ),
        ('url = "json://h/x"\ncountries = ["BR"]', 4, "`countries`: 'BR' is not one of"),
        ('url = "json://h/x"\nsummit_only = "yes"', 4, "`summit_only` must be true or false"),
        ('url = "json://h/x"\nchannel = "x"', 4, "unknown setting 'channel'"),
        ('filter = "x"', 2, "has no `url`"),
        ('url = "secret-token-9"', 3, "is not an Apprise URL"),
    ],
)
def test_a_bad_target_names_its_line(table: str, line: int, words: str) -> None:
    error = error_of(f"\n[[alerts.targets]]\n{table}\n")
    assert words in str(error)
    assert error.line == line
    assert "secret-token-9" not in str(error)


def test_the_alert_timeout_is_bounded() -> None:
    error = error_of("[alerts]\ntimeout = 0\n")
    assert error.line == 2 and "1 to 600 seconds" in str(error)


def test_a_digest_schedule_reads_day_or_week_at_a_local_time() -> None:
    config = parse_config('[digest]\nevery = "week"\nat = "7:30"\nweekday = "Friday"\n', Path("c"))
    assert (config.digest.every, config.digest.at.hour, config.digest.at.minute) == ("week", 7, 30)
    assert config.digest.weekday == 4
    assert parse_config(SOURCE, Path("c")).digest.every == ""


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('every = "hourly"', 'every must be "day" or "week"'),
        ('at = "25:00"', 'at must be a time of day like "08:00"'),
        ('weekday = "someday"', "weekday must be one of"),
        ("when = 1", "unknown setting 'when' in [digest]"),
    ],
)
def test_a_bad_digest_setting_names_its_line(line: str, words: str) -> None:
    error = error_of(f"[digest]\n{line}\n")
    assert words in str(error)
    assert error.line == 2


def test_edits_are_asked_for_per_target_or_for_every_url() -> None:
    config = parse(
        '[alerts]\nedits = true\nurls = ["ntfy://h/t"]\n\n'
        '[[alerts.targets]]\nurl = "json://h/x"\n\n[[alerts.targets]]\nurl = "json://h/y"\n'
        "edits = true\n"
    )
    assert isinstance(config, Config)
    assert [t.edits for t in config.alerts.targets] == [True, False, True]
