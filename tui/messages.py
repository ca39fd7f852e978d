"""App-wide events, posted by the App's poll worker and handled by the screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from state import StoredRelease
from tui.services import PollProgress, PollReport
from tui.triage import WriteDone


@dataclass
class PollStarted(Message):
    total: int


@dataclass
class PollProgressed(Message):
    progress: PollProgress


@dataclass
class PollFinished(Message):
    report: PollReport


class ReleasesChanged(Message):
    """The store holds something new (our poll, or another process): reload the view."""


@dataclass
class DecisionWritten(Message):
    """A triage decision reached the disk, or failed to (posted by the triage writer thread)."""

    done: WriteDone


@dataclass
class ReleasesEnriched(Message):
    """The full-text stage of our poll updated these releases (light records) in place."""

    releases: list[StoredRelease]
