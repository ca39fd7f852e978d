"""The [dashboard] table: the cursor moves on after a triage key unless told not to."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.collect.sources import Config, ConfigError, parse_config

SOURCE = """
[[sources]]
name = "PMO"
url = "https://www.pm.gc.ca/en/news.rss"
country = "CA"
"""


def parse(text: str) -> Config:
    return parse_config(text + SOURCE, Path("config.toml"))


def test_the_cursor_moves_on_by_default() -> None:
    assert parse("").dashboard.advance is True


def test_advance_can_be_turned_off() -> None:
    assert parse("[dashboard]\nadvance = false\n").dashboard.advance is False


def test_advance_that_is_not_true_or_false_names_its_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("[dashboard]\n\nadvance = 1\n")
    assert caught.value.line == 3
    assert "[dashboard] advance must be true or false" in str(caught.value)


def test_an_unknown_dashboard_setting_names_its_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("[dashboard]\nadvanse = true\n")
    assert caught.value.line == 2
    assert "unknown setting 'advanse' in [dashboard]" in str(caught.value)
