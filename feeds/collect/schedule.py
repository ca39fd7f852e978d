"""When to poll a source next: its interval, doubled per consecutive failure, never before a
server's Retry-After. No jitter, so that the schedule is a pure, testable function."""

from __future__ import annotations

import math

from feeds.models import Source

__all__ = ["BROWSER_INTERVAL", "MAX_BACKOFF", "MIN_INTERVAL", "interval_of", "next_delay"]

MAX_BACKOFF = 6 * 3600.0
MIN_INTERVAL = 1.0
# A browser fetch cannot ask "changed since?": every poll loads the whole page and its scripts.
# Sources fetched so are polled hourly unless they say otherwise (or the default is longer).
BROWSER_INTERVAL = 3600


def interval_of(source: Source, default: int) -> int:
    """Seconds between polls of `source`: its own interval, else the default for its kind."""
    if source.interval:
        return source.interval
    return max(default, BROWSER_INTERVAL) if source.fetch == "browser" else default


def next_delay(base_interval: float, consecutive_failures: int, retry_after: float | None) -> float:
    """Seconds to wait before the next poll of a source.

    After `n` failures in a row the interval is doubled `n` times, up to six hours (or the
    interval itself when it is longer); a success (`n == 0`) resets it. A Retry-After from the
    server is honoured: the delay is never shorter than it.
    """
    base = base_interval if math.isfinite(base_interval) else MIN_INTERVAL
    base = max(base, MIN_INTERVAL)
    delay = base
    if consecutive_failures > 0:
        # 2**64 already exceeds any cap; clamping keeps the float arithmetic finite.
        delay = min(base * 2.0 ** min(consecutive_failures, 64), max(MAX_BACKOFF, base))
    if retry_after is not None and math.isfinite(retry_after):
        delay = max(delay, retry_after)
    return delay
