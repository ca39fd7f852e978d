"""How a list line is shared between columns, without Textual."""

from __future__ import annotations

import pytest

from tui.columns import BADGES_WIDTH, COMFORTABLE_TITLE, LEAD_WIDTH, Columns, short_date


def _line_width(cols: Columns) -> int:
    source = cols.source + 1 if cols.source else 0
    return LEAD_WIDTH + cols.date + 1 + cols.country + 1 + source + cols.title + 1 + cols.pillars


@pytest.mark.parametrize("width", [40, 59, 60, 64, 80, 99, 120, 200])
def test_columns_fill_the_line_exactly(width: int) -> None:
    assert _line_width(Columns.for_width(width)) == width


def test_a_narrow_list_keeps_the_title_and_narrows_the_rest() -> None:
    cols = Columns.for_width(60)  # the list at 80x24, its scrollbar taken away
    assert cols.source == 0
    assert cols.compact_pillars
    assert cols.date == 8
    assert cols.title >= 36  # 35 characters and an ellipsis


def test_the_source_is_dropped_before_the_badges() -> None:
    cols = Columns.for_width(99)
    assert cols.source == 0
    assert cols.pillars == BADGES_WIDTH
    assert cols.title >= COMFORTABLE_TITLE


def test_a_wide_list_shows_every_column() -> None:
    cols = Columns.for_width(140)
    assert cols.source > 0
    assert not cols.compact_pillars
    assert cols.title >= COMFORTABLE_TITLE


def test_short_date_drops_the_century_only_when_short_of_room() -> None:
    assert short_date("2026-11-13T10:00:00", 10) == "2026-11-13"
    assert short_date("2026-11-13T10:00:00", 8) == "26-11-13"
    assert short_date("", 8) == "—"
