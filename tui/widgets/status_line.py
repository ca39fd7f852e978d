"""One line under the panes: polling progress, or the last poll."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from feeds import SourceHealth
from tui.services import PollReport


def idle_status(health: Mapping[str, SourceHealth], now: datetime) -> str:
    """What the status line says before this session's first poll."""
    attempts = [h.last_attempt for h in health.values() if h.last_attempt]
    if not attempts:
        return "not polled yet · p polls now"
    when = datetime.fromisoformat(max(attempts)).astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
    return f"last poll {when} · p polls now"


def poll_summary(report: PollReport, now: datetime, *, demo: bool, next_try: float = 0.0) -> str:
    """What the status line says after a poll; offers the demo when nothing answered, and
    says when the next poll tries again (`next_try` seconds) when the database failed."""
    if report.store_error:
        return (
            f"last poll {now:%H:%M}: nothing stored (database error) · next try in {next_try:.0f} s"
        )
    answered = len(report.outcomes) - len(report.failed)
    text = (
        f"last poll {now:%H:%M}: {answered}/{len(report.outcomes)} sources answered, "
        f"{len(report.new)} new ({len(report.new_summit)} summit)"
    )
    if report.ignored:
        text += f", {len(report.ignored)} ignored by rules"
    if report.failed and len(report.failed) == len(report.outcomes) and not demo:
        text += " · offline? d: demo"
    return text


class StatusLine(Static):
    """What the poller is doing, or did last, cut to the width with an ellipsis (the filter and
    its counts are above the list)."""

    message: var[str] = var("")

    def _redraw(self) -> None:
        line = Text(self.message)
        line.truncate(max(1, self.content_size.width), overflow="ellipsis")
        self.update(line)

    def watch_message(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()
