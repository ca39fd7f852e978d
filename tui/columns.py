"""How the release list shares a line between its columns: plain Python, no Textual.

The title is what an analyst reads, so it gets the room. The other columns give way in order:
first the source, then the pillar badges (narrowed to one mark per pillar), then the century
of the date. The reader pane gives way too, but that is the screen's layout (`app.tcss`).
"""

from __future__ import annotations

from dataclasses import dataclass

# A title this wide reads comfortably; the source and full badges show only while it keeps it.
COMFORTABLE_TITLE = 50
SOURCE_WIDTH = 16
# The default taxonomy: six three-letter badges and the spaces between them, or six marks.
BADGES_WIDTH = 23
MARKS_WIDTH = 6
# A list narrower than this drops the century of the date ("26-11-13").
SHORT_DATE_BELOW = 64
# The `!`/`▌`/`✎` column, star, triage state and summit mark, then a space: the state is never
# glued to the date.
LEAD_WIDTH = 5


@dataclass(frozen=True, slots=True)
class Columns:
    """The width of each column of a list line `width` cells wide (0: the column is dropped)."""

    date: int
    country: int
    source: int
    pillars: int
    title: int
    compact_pillars: bool = False
    """Pillars show as one mark each rather than as badges."""

    @classmethod
    def for_width(cls, width: int, badges: int = BADGES_WIDTH, marks: int = MARKS_WIDTH) -> Columns:
        """`badges` and `marks`: how wide the taxonomy's pillars are either way."""
        date = 8 if width < SHORT_DATE_BELOW else 10
        fixed = LEAD_WIDTH + date + 1 + 2 + 1 + 1  # date, country and the spaces around them
        for source in (SOURCE_WIDTH, 0):
            title = width - fixed - badges - (source + 1 if source else 0)
            if title >= COMFORTABLE_TITLE:
                return cls(date, 2, source, badges, title)
        return cls(date, 2, 0, marks, max(8, width - fixed - marks), compact_pillars=True)


def short_date(published: str, width: int) -> str:
    """The date of a release in `width` cells: "2026-11-13", or "26-11-13" when short of room."""
    day = published[:10]
    if not day:
        return "—"
    return day[2:] if width < len(day) and len(day) == 10 else day
