"""Every key, from the bindings themselves, so the help can never disagree with the keys."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KeyDisplay = Callable[[Binding], str]


def _keys_for(binding: Binding, keymap: dict[str, str], display: KeyDisplay) -> str:
    keys = keymap.get(binding.id or "", binding.key)
    return ", ".join(display(Binding(k.strip(), binding.action)) for k in keys.split(","))


def binding_rows(
    groups: list[tuple[str, list[BindingType]]], keymap: dict[str, str], display: KeyDisplay
) -> Text:
    out = Text()
    for title, bindings in groups:
        out.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            out.append(f"  {_keys_for(binding, keymap, display):<18}", style="bold")
            out.append(f"{binding.description or binding.action}\n")
        out.append("\n")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        from tui.app import SummitWatchApp
        from tui.screens.main import MainScreen
        from tui.widgets.navigator import Navigator
        from tui.widgets.release_list import ReleaseList
        from tui.widgets.release_reader import ReleaseReader

        groups: list[tuple[str, list[BindingType]]] = [
            ("Everywhere", list(SummitWatchApp.BINDINGS)),
            ("Triage screen", list(MainScreen.BINDINGS)),
            ("Release list", list(ReleaseList.BINDINGS)),
            ("Navigator", list(Navigator.BINDINGS)),
            ("Reader", list(ReleaseReader.BINDINGS)),
            ("Dialogs and screens", [Binding("escape", "close", "Close or go back")]),
        ]
        keymap = dict(getattr(self.app, "keymap", {}) or {})
        body = binding_rows(groups, keymap, self.app.get_key_display)
        body.append("Tab and shift+Tab move between panes; ctrl+p opens the command palette.")
        with VerticalScroll(id="help-box"):
            yield Static(Text("summitwatch keys", style="bold"), id="help-title")
            yield Static(body, id="help-body")
