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

from feeds import PILLAR_IDS
from state import ALL, SUMMIT, StoredRelease
from tui.render import PILLAR_STYLES
from tui.view import daily_counts
from tui.widgets.navigator import PILLAR_LABELS

DAYS = 90


class TimelineScreen(ModalScreen[None]):
    HELP = """
## Timeline
Releases per day over the last 90 days (oldest on the left), with each row's total.
"""
    BINDINGS = [Binding("escape,q,t", "dismiss", "Close", id="timeline.close")]

    def __init__(self, releases: Sequence[StoredRelease], today: date) -> None:
        super().__init__()
        self.counts = daily_counts(releases, today, DAYS)
        self.today = today

    def compose(self) -> ComposeResult:
        title = f"Releases per day, last {DAYS} days to {self.today.isoformat()}   (Escape closes)"
        with VerticalScroll(id="timeline-box"):
            yield Static(Text(title, style="bold"))
            labels = {ALL: "All", SUMMIT: "Summit", **PILLAR_LABELS}
            for key in (ALL, SUMMIT, *PILLAR_IDS):
                series = self.counts[key]
                with Horizontal(classes="timeline-row"):
                    label = Text(f"{labels[key]:<20}", style=PILLAR_STYLES.get(key, "bold"))
                    yield Label(label, classes="timeline-label")
                    yield Sparkline(series, classes=f"timeline-spark -{key}")
                    yield Label(Text(f"{sum(series):>5}"), classes="timeline-total")
