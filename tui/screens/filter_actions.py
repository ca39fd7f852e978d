"""The filter of the main screen: the navigator's choices, the search box (and the keys typed
in one burst after its key), taking the filter back a part or clearing it, and the saved
filters (recall, save, rename, delete).

Kept apart from the screen's layout so that each file reads as one job; the screen
(`MainScreen`) owns the state these actions change (its reactives) and decides in its
`check_action` which of them can run.
"""

from __future__ import annotations

from textual import events, on
from textual.reactive import var
from textual.widgets import Input

from state import ALL, SavedFilters, ViewFilter, pillars_named
from tui.screens.triage_actions import TriageScreen
from tui.view import combine, take_back
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList


class FilterActions(TriageScreen):
    """What the main screen lists: its filter and how the person changes it."""

    # The screen's state, owned (and made reactive) by `MainScreen`.
    pinned: var[tuple[str, ...]]
    choice: var[str]
    search: var[str]
    saved_names: var[tuple[str, ...]]
    saved: SavedFilters | None
    _search_burst = False  # see `on_key`

    @property
    def view(self) -> ViewFilter:
        """Kept choices combined with the one highlighted in the navigator.

        A highlighted saved filter shows exactly what it saved; space keeps it.
        """
        choice = self.choice
        if choice.startswith("saved:") and self.saved is not None:
            saved = self.saved.get(choice.removeprefix("saved:"))
            if saved is not None:
                return saved
        if choice.startswith("saved:"):
            return ViewFilter(self.pinned, self.search)
        return combine(self.pinned, choice, self.search)

    def on_navigator_selection_changed(self, event: Navigator.SelectionChanged) -> None:
        self.choice = event.selection

    def on_navigator_chosen(self, event: Navigator.Chosen) -> None:
        self.query_one(ReleaseList).focus()

    def on_navigator_pin_toggled(self, event: Navigator.PinToggled) -> None:
        choice = event.selection
        if choice == ALL:
            self.pinned = ()
        elif choice in self.pinned:
            self.pinned = tuple(s for s in self.pinned if s != choice)
        elif choice.startswith("saved:"):
            self._recall(choice.removeprefix("saved:"))
        else:
            self.pinned = ViewFilter(self.pinned).choose(choice).selections

    def _warn_unknown_pillars(self, name: str) -> None:
        """Say so when the saved filter `name` selects a pillar the taxonomy does not have."""
        view = self.saved.get(name) if self.saved is not None else None
        missing = self.pillars.unknown(pillars_named(view.selections)) if view else ()
        if missing:
            self.notify(
                f"Saved filter “{name}” selects the pillar {', '.join(missing)}, which this "
                "taxonomy does not have: it lists only releases classified with it before.",
                severity="warning",
                markup=False,
            )

    def _recall(self, name: str) -> None:
        if self.saved is None or (view := self.saved.get(name)) is None:
            return
        self._warn_unknown_pillars(name)
        self.pinned = view.selections
        self.search = view.search

    def on_key(self, event: events.Key) -> None:
        """Keys typed in one burst after the search key are search words.

        The terminal's keys are sent on to the focused widget as they arrive, and the search
        box takes the focus only once the search key has been handled: "/fentanyl" typed fast
        would reach the list as triage keys (f, e, n...). They come by here in the order typed.
        """
        if self._search_burst and event.is_printable:
            event.stop()
            event.prevent_default()  # no binding, nor the read-only notice
            self.query_one("#search", Input).post_message(events.Key(event.key, event.character))
            return
        active = self.active_bindings.get(event.key)
        if active is not None and active.binding.action == "search":
            self._search_burst = True  # until the focus goes elsewhere than the box

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id != "search":
            self._search_burst = False

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != event.input.value:
            return  # keys typed in a burst: the box's latest value has its own event coming
        self.search = event.value

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(ReleaseList).focus()

    def _take_back_filter(self, from_search: bool) -> None:
        if self.choice.startswith("saved:"):
            self.choice = ALL  # a highlighted saved filter is one part
            return
        self.pinned, self.choice, self.search = take_back(self.pinned, self.choice, self.search)
        if from_search:
            self.query_one(ReleaseList).focus()

    def action_clear_filter(self) -> None:
        self.pinned, self.choice, self.search = (), ALL, ""

    def action_search(self) -> None:
        self.add_class("-searching")
        self.remove_class("-reading")
        self.query_one("#search", Input).focus()

    def action_save_filter(self) -> None:
        from tui.screens.dialogs import TextPrompt

        def save(name: str | None) -> None:
            if name and name.strip() and self.saved is not None:
                self.saved.save(name.strip(), self.view)
                self.saved_names = tuple(self.saved.names)
                self.notify(f"Saved filter “{name.strip()}”", markup=False)

        self.app.push_screen(TextPrompt("Save this filter as", placeholder="name"), save)

    def _saved_choice(self) -> str:
        """The name of the saved filter highlighted in the navigator, or ""."""
        return self.choice.removeprefix("saved:") if self.choice.startswith("saved:") else ""

    def action_rename_filter(self) -> None:
        from tui.screens.dialogs import TextPrompt

        old = self._saved_choice()
        if not old or self.saved is None:
            return

        def rename(name: str | None) -> None:
            new = (name or "").strip()
            if not new or new == old or self.saved is None:
                return
            try:
                self.saved.rename(old, new)
            except (ValueError, OSError) as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.saved_names = tuple(self.saved.names)
            self.choice = f"saved:{new}"
            self.notify(f"Saved filter “{old}” is now “{new}”", markup=False)

        self.app.push_screen(TextPrompt(f"Rename “{old}” to", value=old), rename)

    def action_delete_filter(self) -> None:
        from tui.screens.dialogs import ConfirmDialog

        name = self._saved_choice()
        if not name or self.saved is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes or self.saved is None:
                return
            try:
                self.saved.delete(name)
            except OSError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.saved_names = tuple(self.saved.names)
            self.pinned = ()
            self.choice = ALL
            self.notify(f"Deleted the saved filter “{name}”", markup=False)

        self.app.push_screen(ConfirmDialog(f"Delete the saved filter “{name}”?"), delete)
