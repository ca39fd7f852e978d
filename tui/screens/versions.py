"""Every version of an edited release, and what each edit changed, word by word.

Opens on the latest edit. Left and right step through the versions; each after the first
shows its words against the version before it: words removed struck through, words added
underlined, in the theme's error and success colours. The first shows its own text.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from feeds import clean_text, one_line
from state import Version, changes, word_diff


def _stamp(iso: str) -> str:
    return iso[:16].replace("T", " ") + " UTC" if iso else "an unknown time"


def diff_text(old: str, new: str, removed: Style, added: Style) -> Text:
    """`new` against `old` word by word, as plain text with styled runs (never markup)."""
    out = Text()
    for piece in word_diff(old, new):
        style = removed if piece.op == "removed" else added if piece.op == "added" else ""
        out.append(piece.text, style=style)
    return out


class VersionsScreen(Screen[None]):
    HELP = """
## Versions
Every version kept of an edited release, oldest first. It opens on the latest edit: its words
against the version before, words removed struck through and words added underlined. Left and
right (or [ and ]) step through the versions; Escape goes back.
"""
    COMPONENT_CLASSES = {"versions--added", "versions--removed"}
    BINDINGS = [
        Binding("escape,q,V", "dismiss", "Back", id="versions.close"),
        Binding("left,left_square_bracket", "step(-1)", "Older", id="versions.older"),
        Binding("right,right_square_bracket", "step(1)", "Newer", id="versions.newer"),
    ]

    shown: reactive[int] = reactive(0, init=False)
    """The index of the version shown (0: the first)."""

    def __init__(self, versions: Sequence[Version], title: str) -> None:
        super().__init__()
        # Text from the network (or an import) never reaches the terminal uncleaned.
        self.versions = [
            Version(one_line(v.title), clean_text(v.text), clean_text(v.summary), v.seen)
            for v in versions
        ]
        self.release_title = one_line(title)

    def compose(self) -> ComposeResult:
        yield Static(id="versions-title")
        with VerticalScroll(id="versions-body"):
            yield Static(id="versions-text")
        yield Footer()

    def on_mount(self) -> None:
        self.set_reactive(VersionsScreen.shown, len(self.versions) - 1)
        self.watch_shown()
        self.query_one("#versions-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step" and parameters:
            step = parameters[0]
            target = self.shown + (step if isinstance(step, int) else 0)
            return 0 <= target < len(self.versions) or None
        return True

    def action_step(self, step: int) -> None:
        self.shown = max(0, min(len(self.versions) - 1, self.shown + step))

    def watch_shown(self) -> None:
        removed = self.get_component_rich_style("versions--removed")
        added = self.get_component_rich_style("versions--added")
        index, count = self.shown, len(self.versions)
        version = self.versions[index]
        head = Text(self.release_title or "(untitled)", style="bold")
        head.append(f"\nVersion {index + 1} of {count}, first seen {_stamp(version.seen)}")
        body = Text()
        if index == 0:
            head.append(" (as first stored)")
            body.append(f"{version.title}\n\n", style="bold")
            body.append(version.body)
        else:
            before = self.versions[index - 1]
            passages = len(changes(word_diff(before.body, version.body)))
            noun = "passage" if passages == 1 else "passages"
            head.append(f"\nAgainst version {index}: {passages} {noun} changed. ")
            head.append("removed", style=removed)
            head.append(" / ")
            head.append("added", style=added)
            title = diff_text(before.title, version.title, removed, added)
            title.stylize("bold")
            body.append_text(title)
            body.append("\n\n")
            body.append_text(diff_text(before.body, version.body, removed, added))
        self.query_one("#versions-title", Static).update(head)
        self.query_one("#versions-text", Static).update(body)
        self.query_one("#versions-body", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()
