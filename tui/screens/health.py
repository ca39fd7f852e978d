"""Source health: how each source last answered, in plain words; the highlighted source's last
error in full, wrapped, under the table (the table's column shows its start)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from feeds import Source, SourceHealth
from tui.report import source_status


def _when(iso: str) -> Text:
    return Text(iso[:16].replace("T", " ") if iso else "—")


COLUMNS = (
    "Source",
    "CC",
    "Status",
    "HTTP",
    "Last success (UTC)",
    "Items",
    "Next poll (UTC)",
    "Last error",
)


ERROR_COLUMN = 40  # characters of the last error in the table; the pane below has it all


def health_row(source: Source, health: SourceHealth | None) -> list[Text]:
    h = health or SourceHealth(source=source.name)
    status = source_status(h) if source.enabled else "disabled"
    style = "red" if h.consecutive_failures else ("green" if status == "ok" else "dim")
    return [
        Text(source.name),
        Text(source.country),
        Text(status, style=style),
        Text(str(h.status) if h.status is not None else "—"),
        _when(h.last_success),
        Text(str(h.items_seen)),
        _when(h.next_poll),
        short_error(h.last_error),
    ]


def short_error(error: str) -> Text:
    text = Text(" ".join(error.split()))
    text.truncate(ERROR_COLUMN, overflow="ellipsis")
    return text


def error_detail(source: Source, health: SourceHealth | None) -> Text:
    """What the pane under the table says of `source`."""
    error = health.last_error if health is not None else ""
    detail = Text(f"{source.name}: ", style="bold")
    detail.append(error or "no error at its last poll", style="" if error else "dim")
    return detail


class SourceHealthScreen(ModalScreen[None]):
    HELP = """
## Source health
Each source: whether it answered, when it last did, how many releases it listed, when it is
polled next, and the start of its last error; the pane below shows the highlighted source's
last error in full.
"""
    BINDINGS = [Binding("escape,q,h", "dismiss", "Close", id="health.close")]

    def __init__(self, sources: Sequence[Source], health: Mapping[str, SourceHealth]) -> None:
        super().__init__()
        self.sources = list(sources)
        self.health = health

    def compose(self) -> ComposeResult:
        yield Static(Text("Source health   (Escape closes)", style="bold"), id="health-title")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="health-table")
        yield table
        yield Static(id="health-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for source in self.sources:
            table.add_row(*health_row(source, self.health.get(source.name)), key=source.name)
        table.focus()
        if self.sources:
            self._show_detail(self.sources[0].name)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._show_detail(event.row_key.value)

    def _show_detail(self, name: str) -> None:
        source = next((s for s in self.sources if s.name == name), None)
        if source is not None:
            detail = error_detail(source, self.health.get(name))
            self.query_one("#health-detail", Static).update(detail)
