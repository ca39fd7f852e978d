"""The left pane: what to look at (pillars, summit or not, states, countries, sources, saved)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from feeds import PillarSet, Source, SourceHealth
from state import ALL, OTHER, SUMMIT
from tui.themes import pillar_style
from tui.view import COUNTRY_NAMES, STATE_LABELS


def health_dot(health: SourceHealth | None) -> Text:
    if health is None or not health.last_attempt:
        return Text("○ ", style="dim")
    if health.consecutive_failures:
        return Text("● ", style="red")
    return Text("● ", style="green")


class Navigator(OptionList):
    """Selections with unread and total counts; highlighting one filters the list.

    The screen binds what it shows: the highlighted and the kept choices, the counts, the
    sources' health and the names of the saved filters.
    """

    HELP = """
## Navigator
Choose what the release list shows. Space keeps a choice (✓) while you move on, so choices of
different kinds combine (Security and Mexico and Follow-up); a kept choice of the same kind
replaces the last; space on *All* clears them. Every kept choice applies, also beside a
highlighted one of its kind. The filter in force reads in plain words above the list; Escape
takes back its last part, Backspace clears it. Numbers are unread/total releases (the
header says so). Enter moves on to the list. The dot before a source is its health: green
answered, red failing, hollow not polled yet. Saved filters (ctrl+s) are listed at the bottom.
"""
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="nav.down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav.up"),
        Binding("space", "pin", "Keep this filter", show=False, id="nav.pin"),
    ]

    @dataclass
    class SelectionChanged(Message):
        selection: str

    @dataclass
    class PinToggled(Message):
        selection: str

    class Chosen(Message):
        """Enter on a choice: the person wants its releases."""

    choice: var[str] = var(ALL)
    """The highlighted choice, as the screen has it (Escape may take it back to All)."""
    pinned: var[tuple[str, ...]] = var(tuple)
    counts: var[Mapping[str, int]] = var(dict)
    """Unread releases per choice."""
    totals: var[Mapping[str, int]] = var(dict)
    """Releases per choice, read or not."""
    health: var[Mapping[str, SourceHealth]] = var(dict)
    saved_names: var[tuple[str, ...]] = var(tuple)
    stale_pillars: var[tuple[str, ...]] = var(tuple)
    """Pillars the releases carry that the taxonomy lacks (classified with another one)."""

    def __init__(
        self, sources: Sequence[Source], pillars: PillarSet, *, id: str | None = None
    ) -> None:
        super().__init__(markup=False, id=id)
        self._sources = list(sources)
        self._pillars = pillars
        self._labels: dict[str, Text] = {}

    def on_mount(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.set_options(self._build_options())
        self._highlight(highlighted or self.choice)
        self._render_prompts()

    def _highlight(self, key: str) -> None:
        if key in self._labels:
            self.highlighted = self.get_option_index(key)

    def _section(self, options: list[Option], title: str, items: list[tuple[str, Text]]) -> None:
        if not items:
            return
        options.append(Option(Text(title, style="bold dim"), disabled=True))
        for key, label in items:
            self._labels[key] = label
            options.append(Option(label, id=key))

    def _build_options(self) -> list[Option]:
        self._labels = {}
        options: list[Option] = [Option(Text("unread/total", style="dim"), disabled=True)]
        views = [(ALL, Text("All")), (SUMMIT, Text("Summit")), (OTHER, Text("Other"))]
        for key, label in views:
            self._labels[key] = label
            options.append(Option(label, id=key))
        pillars = [(f"pillar:{p.id}", Text(p.label, style=pillar_style(p))) for p in self._pillars]
        # Listed after the taxonomy's, under their ids, "(other)" taxonomy, until reclassified.
        pillars += [(f"pillar:{i}", Text(f"{i} (other)", style="dim")) for i in self.stale_pillars]
        self._section(options, "Pillars", pillars)
        states = [(f"state:{s.value}", Text(label)) for s, label in STATE_LABELS.items()]
        self._section(options, "Triage", [*states, ("starred", Text("Starred"))])
        countries = sorted({s.country for s in self._sources})
        self._section(
            options,
            "Countries",
            [(f"country:{c}", Text(COUNTRY_NAMES.get(c, c))) for c in countries],
        )
        self._section(
            options, "Sources", [(f"source:{s.name}", Text(s.name)) for s in self._sources]
        )
        saved = [(f"saved:{n}", Text(n)) for n in self.saved_names]
        self._section(options, "Saved filters", saved)
        return options

    def watch_saved_names(self) -> None:
        if self.is_mounted:
            self._rebuild()

    def watch_stale_pillars(self) -> None:
        if self.is_mounted:
            self._rebuild()

    def watch_pinned(self) -> None:
        self._render_prompts()

    def watch_counts(self) -> None:
        self._render_prompts()

    def watch_totals(self) -> None:
        self._render_prompts()

    def watch_choice(self, choice: str) -> None:
        option = self.highlighted_option
        if self._labels and (option is None or option.id != choice):
            self._highlight(choice)

    def watch_health(self) -> None:
        self._render_prompts()

    def action_pin(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.PinToggled(option.id))

    def _render_prompts(self) -> None:
        if not self._labels:
            return  # the options are built on mount, with whatever is bound by then
        width = max(8, self.scrollable_content_region.width - 1)
        for key, label in self._labels.items():
            prompt = label.copy()
            if key in self.pinned:
                prompt = Text.assemble(("✓ ", "bold"), prompt)
            if key.startswith("source:"):
                prompt = Text.assemble(health_dot(self.health.get(key[7:])), prompt)
            total = self.totals.get(key, 0)
            suffix = f" {self.counts.get(key, 0)}/{total}" if total else ""
            prompt.truncate(max(1, width - len(suffix)), overflow="ellipsis", pad=bool(suffix))
            prompt.append(suffix, style="bold")
            self.replace_option_prompt(key, prompt)

    def on_resize(self) -> None:
        self._render_prompts()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.SelectionChanged(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen())
