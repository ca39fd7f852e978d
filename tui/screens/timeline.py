"""Releases per day over the last 90 days, for all, summit and each pillar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Sparkline, Static

from feeds import PillarSet
from state import ALL, SUMMIT, StoredRelease
from tui.view import daily_counts

DAYS = 90


class TimelineScreen(ModalScreen[None]):
    HELP = """
## Timeline
Releases per day over the last 90 days (oldest on the left), with each row's total.
"""
    BINDINGS = [Binding("escape,q,t", "dismiss", "Close", id="timeline.close")]

    def __init__(self, releases: Sequence[StoredRelease], today: date, pillars: PillarSet) -> None:
        super().__init__()
        self.counts = daily_counts(releases, today, pillars.ids, DAYS)
        self.today = today
        self.pillars = pillars

    def compose(self) -> ComposeResult:
        title = f"Releases per day, last {DAYS} days to {self.today.isoformat()}   (Escape closes)"
        with VerticalScroll(id="timeline-box"):
            yield Static(Text(title, style="bold"))
            rows = [(ALL, "All", "bold"), (SUMMIT, "Summit", "bold")]
            rows += [(p.id, p.label, p.colour) for p in self.pillars]
            for key, name, style in rows:
                series = self.counts[key]
                with Horizontal(classes="timeline-row"):
                    label = Text(name, style=style)
                    label.truncate(20, overflow="ellipsis", pad=True)
                    yield Label(label, classes="timeline-label")
                    yield Sparkline(series, classes=f"timeline-spark -{key}")
                    yield Label(Text(f"{sum(series):>5}"), classes="timeline-total")
