"""App-wide events: the App publishes them on its `events` signal; screens subscribe to it.

Each subscriber gets its own delivery, so the events do not bubble from a screen back up to
the App (which would publish them again).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from state import StoredRelease
from tui.services import PollProgress, PollReport
from tui.triage import WriteDone, WriteWaiting


@dataclass
class PollStarted(Message, bubble=False):
    total: int


@dataclass
class PollProgressed(Message, bubble=False):
    progress: PollProgress


@dataclass
class PollFinished(Message, bubble=False):
    report: PollReport
    next_poll_in: float = 0.0  # seconds until the App polls again


@dataclass
class PollWaiting(Message, bubble=False):
    """A write of our poll waits for another process's database lock (posted by the thread
    that waits); `holder` names who holds it, where the system says."""

    holder: str


class ReleasesChanged(Message, bubble=False):
    """The store holds something new (our poll, or another process): reload the view."""


@dataclass
class DecisionWritten(Message, bubble=False):
    """A triage decision reached the disk, or failed to (posted by the triage writer thread)."""

    done: WriteDone


@dataclass
class DecisionWaiting(Message, bubble=False):
    """A triage decision waits for another process's database lock (posted by the triage
    writer thread); its `DecisionWritten` follows."""

    waiting: WriteWaiting


@dataclass
class ReleasesEnriched(Message, bubble=False):
    """The full-text stage of our poll updated these releases (light records) in place."""

    releases: list[StoredRelease]
