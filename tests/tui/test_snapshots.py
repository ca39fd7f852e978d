"""Snapshots of the main screens with fixed data and a fixed clock.

Update after an intended change with: .venv/bin/python -m pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tui.app import SummitWatchApp

from .waiting import workers_done


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause(0.2)  # the reader follows the cursor once it rests
    await workers_done(pilot.app)
    await pilot.pause()


def test_main_screen_80x24(snap_compare: Any, fixed_app: SummitWatchApp) -> None:
    assert snap_compare(fixed_app, terminal_size=(80, 24), run_before=_settle)


def test_main_screen_120x40(snap_compare: Any, fixed_app: SummitWatchApp) -> None:
    assert snap_compare(fixed_app, terminal_size=(120, 40), run_before=_settle)


def test_main_screen_160x48(snap_compare: Any, fixed_app: SummitWatchApp) -> None:
    assert snap_compare(fixed_app, terminal_size=(160, 48), run_before=_settle)


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 40), (160, 48)], ids=["80x24", "120x40", "160x48"]
)
def test_reader(snap_compare: Any, fixed_app: SummitWatchApp, size: tuple[int, int]) -> None:
    async def open_first(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=size, run_before=open_first)


def test_empty_first_start_at_80x24(snap_compare: Any, empty_app: SummitWatchApp) -> None:
    """No release and no poll yet: the list says why it is empty and what to press."""
    assert snap_compare(empty_app, terminal_size=(80, 24), run_before=_settle)


def test_help_screen(snap_compare: Any, fixed_app: SummitWatchApp) -> None:
    async def open_help(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=(100, 40), run_before=open_help)


def test_source_health_screen(snap_compare: Any, fixed_app: SummitWatchApp) -> None:
    async def open_health(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.press("h")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=(120, 30), run_before=open_health)
