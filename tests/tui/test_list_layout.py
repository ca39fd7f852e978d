"""The release list gives its room to titles at 80x24, 120x40 and 160x48 (issue 17)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from feeds.judge.classify import Classifier
from state.store import Store
from tui.app import SummitWatchApp
from tui.widgets.release_list import ReleaseList

from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases
from .waiting import workers_done

LONG_TITLE = (
    "Joint statement of the leaders of Canada, Mexico and the United States on the "
    "North American Drug Dialogue"
)


@pytest.fixture
def long_store(tmp_path: Path) -> Iterator[Store]:
    """Enough releases to need a scrollbar, the first with a title longer than any pane."""
    base = fixed_releases()
    copies = [
        dataclasses.replace(
            c,
            release=dataclasses.replace(
                c.release,
                id=f"{c.release.id}-{n}",
                link=f"{c.release.link}?copy={n}",
                title=f"{LONG_TITLE} ({n})" if n == 0 else f"{c.release.title} ({n})",
                published="2026-12-01T10:00:00" if n == 0 else c.release.published,
            ),
        )
        for n in range(8)
        for c in base[: 1 if n == 0 else None]
    ]
    with Store(tmp_path / "long.db") as store:
        store.add(copies, now=FIXED_NOW.isoformat(timespec="seconds"))
        yield store


def _line(release_list: ReleaseList, y: int) -> str:
    return "".join(segment.text for segment in release_list.render_line(y))


@pytest.mark.parametrize(("size", "least"), [((80, 24), 35), ((120, 40), 45), ((160, 48), 45)])
async def test_titles_get_the_room(
    long_store: Store, classifier: Classifier, size: tuple[int, int], least: int
) -> None:
    app: SummitWatchApp = fixed_app_on(long_store, classifier)
    async with app.run_test(size=size) as pilot:
        await workers_done(app)
        await pilot.pause()
        release_list = app.screen.query_one(ReleaseList)
        assert release_list.releases[0].release.title.startswith(LONG_TITLE)
        line = _line(release_list, 0)
        start = line.index(LONG_TITLE[:20])
        shown = line[start:].split("…")[0]
        assert LONG_TITLE.startswith(shown)
        assert len(shown) >= least, line
        assert not release_list.show_horizontal_scrollbar
        # The triage state and the summit mark stand apart from the date.
        assert re.search(r"[·RxFB][◆ ] (20)?26-12-01 ", line), line


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48)])
async def test_pillars_are_never_cut_mid_word(
    long_store: Store, classifier: Classifier, size: tuple[int, int]
) -> None:
    app: SummitWatchApp = fixed_app_on(long_store, classifier)
    async with app.run_test(size=size) as pilot:
        await workers_done(app)
        await pilot.pause()
        release_list = app.screen.query_one(ReleaseList)
        width = release_list.scrollable_content_region.width
        for y, stored in enumerate(release_list.releases[: release_list.size.height]):
            line = _line(release_list, y)
            assert len(line) == width
            tail = line.rstrip()
            if not stored.pillars:
                continue
            # Either every badge whole ("HEA SEC") or one mark per pillar ("   M S").
            badges = re.search(r"((?:[A-Z]{3} )*[A-Z]{3})$", tail)
            marks = re.search(r" ([DCEMHS ]{0,5}[DCEMHS])$", tail)
            assert badges or marks, line
            if badges:
                assert len(badges.group(1).split()) == len(stored.pillars), line
