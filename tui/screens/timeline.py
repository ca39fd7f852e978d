"""Releases per day over the last 90 days: a chart with a date axis for all, summit and each
pillar, one above the other."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from feeds import PillarSet
from state import ALL, SUMMIT, StoredRelease, counted
from tui.view import daily_counts

DAYS = 90
TICK_DAYS = 14


def plotext_colour(terminal_colour: str) -> str:
    """A terminal colour name as plotext names it ("bright_blue" is "blue+"), so that it is
    drawn through the theme's palette like the rest of the dashboard."""
    if terminal_colour.startswith("bright_"):
        return terminal_colour.removeprefix("bright_") + "+"
    return terminal_colour if terminal_colour != "default" else "white"


class TimelineScreen(ModalScreen[None]):
    HELP = """
## Timeline
Releases per day over the last 90 days, one chart for all releases, one for summit releases and
one per pillar, each with its dates along the bottom and its total in its title.
"""
    BINDINGS = [Binding("escape,q,t", "dismiss", "Close", id="timeline.close")]

    def __init__(self, releases: Sequence[StoredRelease], today: date, pillars: PillarSet) -> None:
        super().__init__()
        self.counts = daily_counts(releases, today, pillars.ids, DAYS)
        self.today = today
        self.pillars = pillars

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, name, terminal colour) of each chart, in order."""
        rows = [(ALL, "All releases", "white"), (SUMMIT, "Summit releases", "white")]
        return rows + [(p.id, p.name, p.colour) for p in self.pillars]

    def compose(self) -> ComposeResult:
        first = self.today - timedelta(days=DAYS - 1)
        title = (
            f"Releases per day, {first.isoformat()} to {self.today.isoformat()}   (Escape closes)"
        )
        with VerticalScroll(id="timeline-box"):
            yield Static(Text(title, style="bold"))
            for key, _name, _colour in self.rows():
                yield PlotextPlot(classes=f"timeline-chart -{key}")

    def on_mount(self) -> None:
        first = self.today - timedelta(days=DAYS - 1)
        # A date every two weeks along the bottom, the last one today (the title has years).
        ticks = [float(n) for n in range(DAYS - 1, -1, -TICK_DAYS)][::-1]
        labels = [(first + timedelta(days=n)).strftime("%d %b") for n in ticks]
        for chart, (key, name, colour) in zip(self.query(PlotextPlot), self.rows(), strict=True):
            series = self.counts[key]
            plt = chart.plt
            plt.bar(list(range(DAYS)), series, color=plotext_colour(colour), width=0.6)
            plt.title(f"{name}: {counted(sum(series))}")
            plt.xticks(ticks, labels)
            plt.xlim(-1, DAYS)
            top = max(series, default=0)
            plt.yticks([float(n) for n in sorted({0, top})])
            plt.ylim(0, max(1, top))
