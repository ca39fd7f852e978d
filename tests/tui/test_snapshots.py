"""Snapshots of the main screens with fixed data and a fixed clock.

Update after an intended change with: .venv/bin/python -m pytest tests/tui --snapshot-update
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot

from state import Store
from tui.app import SummitWatchApp
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_releases
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


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 40), (160, 48)], ids=["80x24", "120x40", "160x48"]
)
def test_versions_screen(
    snap_compare: Any, fixed_app: SummitWatchApp, fixed_store: Store, size: tuple[int, int]
) -> None:
    """An edited release's latest edit, word by word, opened with V from the list."""
    first = fixed_releases()[0]
    body = first.release.text.replace(".", ", as amended the next day.", 1)
    edited = replace(first.release, title=f"{first.release.title} (updated)", text=body)
    edited_at = FIXED_NOW.replace(hour=18).isoformat(timespec="seconds")
    assert fixed_store.add([replace(first, release=edited)], now=edited_at).changed

    async def open_versions(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        release_list = pilot.app.screen.query_one(ReleaseList)
        rows = release_list.releases
        release_list.cursor = next(n for n, r in enumerate(rows) if r.id == first.release.id)
        await _settle(pilot)
        await pilot.press("V")
        await _settle(pilot)

    assert snap_compare(fixed_app, terminal_size=size, run_before=open_versions)


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
