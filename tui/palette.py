"""Command palette entries as actions: an entry is offered only while its action can run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import NamedTuple

from textual.actions import parse
from textual.app import SystemCommand
from textual.dom import DOMNode


class PaletteEntry(NamedTuple):
    title: str
    help: str
    action: str


def palette_commands(node: DOMNode, entries: Sequence[PaletteEntry]) -> Iterator[SystemCommand]:
    """The entries whose action `node.check_action` allows now, each running that action."""
    for entry in entries:
        _, name, parameters = parse(entry.action)
        if node.check_action(name, parameters):
            run = partial(node.app.run_action, entry.action, node)
            yield SystemCommand(entry.title, entry.help, run)
