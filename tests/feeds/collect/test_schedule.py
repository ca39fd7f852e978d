"""next_delay: backoff after failures, reset on success, Retry-After never undercut."""

from __future__ import annotations

import math

import pytest

from feeds.collect.schedule import BROWSER_INTERVAL, MAX_BACKOFF, interval_of, next_delay
from feeds.models import Source


def test_success_polls_at_the_base_interval():
    assert next_delay(900, 0, None) == 900


@pytest.mark.parametrize(("failures", "delay"), [(1, 1800), (2, 3600), (3, 7200), (4, 14400)])
def test_each_failure_doubles_the_delay(failures: int, delay: float):
    assert next_delay(900, failures, None) == delay


def test_backoff_is_capped_at_six_hours():
    assert next_delay(900, 10, None) == MAX_BACKOFF == 6 * 3600
    assert next_delay(900, 10_000, None) == MAX_BACKOFF


def test_an_interval_longer_than_the_cap_is_kept():
    assert next_delay(86_400, 3, None) == 86_400


@pytest.mark.parametrize(("failures", "retry_after", "delay"), [(0, 7200, 7200), (1, 60, 1800)])
def test_retry_after_is_never_undercut(failures: int, retry_after: float, delay: float):
    assert next_delay(900, failures, retry_after) == delay


@pytest.mark.parametrize("base", [0, -5, math.nan, math.inf])
def test_nonsense_intervals_never_give_a_busy_loop(base: float):
    delay = next_delay(base, 0, math.nan)
    assert math.isfinite(delay) and delay >= 1


def test_the_same_inputs_give_the_same_delay():
    assert {next_delay(600, 2, 30) for _ in range(10)} == {2400}


def test_browser_sources_wait_longer_by_default_but_keep_their_own_interval():
    plain = Source(name="p", url="https://example.org/feed", country="US")
    browser = Source(name="b", url="https://www.gob.mx/x", country="MX", fetch="browser")
    assert interval_of(plain, 900) == 900
    assert interval_of(browser, 900) == BROWSER_INTERVAL == 3600
    assert interval_of(browser, 7200) == 7200  # a longer default stays longer
    own = Source(name="o", url="https://www.gob.mx/x", country="MX", fetch="browser", interval=600)
    assert interval_of(own, 900) == 600
