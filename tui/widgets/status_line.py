"""One line under the panes: polling progress, the filter in force, last poll."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from state import ViewFilter


def describe(view: ViewFilter) -> str:
    parts = [s.split(":", 1)[-1].replace("_", " ") for s in view.selections]
    if view.search:
        parts.append(f"“{view.search}”")
    return " × ".join(parts) or "all releases"


class StatusLine(Static):
    """Left: what the poller is doing. Right: what the list shows."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._message = Text()
        self._filter = Text()

    def show(self, message: str | Text, *, warning: bool = False) -> None:
        self.set_class(warning, "-warning")
        self._message = message if isinstance(message, Text) else Text(message)
        self._redraw()

    def show_filter(self, view: ViewFilter, count: int | None, marked: int) -> None:
        """The filter and how many releases it lists; None while they are still loading."""
        text = f"{describe(view)}: " + ("loading…" if count is None else str(count))
        if marked:
            text += f" · {marked} marked"
        self._filter = Text(text, style="bold")
        self._redraw()

    def _redraw(self) -> None:
        width = max(10, self.size.width - 2)
        right = self._filter.copy()
        left = self._message.copy()
        room = max(0, width - len(right) - 2)
        left.truncate(room, overflow="ellipsis", pad=True)
        self.update(Text.assemble(left, "  ", right))

    def on_resize(self) -> None:
        self._redraw()
