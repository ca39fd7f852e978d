"""One line under the panes: polling progress, the filter in force, last poll."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from feeds import SourceHealth
from state import ViewFilter
from tui.services import PollReport


def describe(view: ViewFilter) -> str:
    parts = [s.split(":", 1)[-1].replace("_", " ") for s in view.selections]
    if view.search:
        parts.append(f"“{view.search}”")
    return " × ".join(parts) or "all releases"


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
        text += " · offline? press d for the demo"
    return text


@dataclass(frozen=True, slots=True)
class Listed:
    """What the list shows: the filter, how many (None while loading), how many are marked."""

    view: ViewFilter
    count: int | None
    marked: int


class StatusLine(Static):
    """Left: what the poller is doing. Right: what the list shows."""

    message: var[str] = var("")
    listed: var[Listed | None] = var(None)

    def _redraw(self) -> None:
        width = max(10, self.size.width - 2)
        right = Text(self._filter_text(), style="bold")
        left = Text(self.message)
        room = max(0, width - len(right) - 2)
        left.truncate(room, overflow="ellipsis", pad=True)
        self.update(Text.assemble(left, "  ", right))

    def _filter_text(self) -> str:
        listed = self.listed
        if listed is None:
            return ""
        text = f"{describe(listed.view)}: " + (
            "loading…" if listed.count is None else str(listed.count)
        )
        if listed.marked:
            text += f" · {listed.marked} marked"
        return text

    def watch_message(self) -> None:
        self._redraw()

    def watch_listed(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()
