"""Small modal dialogs: a line of text (notes, filter names) and a correction of the classifier."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, SelectionList

from feeds import PillarSet
from state import Correction, StoredRelease


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter keeps it, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label(Text("Enter to keep, Escape to cancel", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def correction_from_choice(
    stored: StoredRelease, summit: bool, pillars: set[str], offered: Sequence[str]
) -> Correction:
    """The smallest correction that turns the classifier's decisions into the person's, who
    chose `pillars` among the `offered` ones (those of the taxonomy): a pillar of another
    taxonomy that the release carries is left as it is."""
    machine = set(stored.classification.pillars)
    return Correction(
        summit=summit if summit != stored.classification.summit else None,
        pillars_added=tuple(p for p in offered if p in pillars - machine),
        pillars_removed=tuple(p for p in offered if p in machine - pillars),
    )


class CorrectionDialog(ModalScreen[Correction | None]):
    """Correct the summit decision and the pillars; the correction outlives reclassification."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, stored: StoredRelease, pillars: PillarSet) -> None:
        super().__init__()
        self.stored = stored
        self.pillars = pillars

    def compose(self) -> ComposeResult:
        current = set(self.stored.pillars)
        with Vertical(classes="dialog"):
            yield Label(Text(f"Correct: {self.stored.release.title}"), classes="dialog-title")
            yield Checkbox("Summit release", value=self.stored.summit, id="summit-box")
            yield SelectionList[str](
                *[(p.name, p.id, p.id in current) for p in self.pillars], id="pillar-choice"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "save":
            self.dismiss(None)
            return
        summit = self.query_one("#summit-box", Checkbox).value
        pillars = set(self.query_one("#pillar-choice", SelectionList).selected)
        self.dismiss(correction_from_choice(self.stored, summit, pillars, self.pillars.ids))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes-or-no question: y or the first button says yes; n, Escape or the other, no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._yes} (y)", variant="primary", id="yes")
                yield Button(f"{self._no} (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
