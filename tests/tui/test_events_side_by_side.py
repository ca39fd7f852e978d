"""Side by side (`v`) on the demo: every summit held in it is one event across governments."""

from __future__ import annotations

import pytest

from tui.app import SummitWatchApp
from tui.screens.compare import CompareScreen
from tui.widgets.release_list import ReleaseList

from .test_demo_app import wait_for_poll
from .waiting import workers_done


@pytest.mark.parametrize(
    ("search", "countries"),
    [
        ("Inaugura el presidente", ["CA", "CA", "MX", "US"]),  # 10th summit, Mexico City, 2023
        ("Key Deliverables", ["CA", "MX", "US"]),  # 9th, Washington, 2021
        ("conclut le Sommet", ["CA", "US"]),  # 8th, Ottawa, 2016
        ("Encabeza el presidente", ["CA", "MX"]),  # 7th, Toluca, 2014
        ("Comunicado 041", ["MX", "US"]),  # foreign ministers, Mexico City, 2018
    ],
)
async def test_v_shows_the_releases_of_one_meeting_from_every_government(
    demo_app: SummitWatchApp, search: str, countries: list[str]
) -> None:
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await wait_for_poll(demo_app, pilot)
        await pilot.press("slash", *search, "enter")
        await workers_done(demo_app)
        await pilot.pause()
        assert len(demo_app.screen.query_one(ReleaseList).releases) == 1
        await pilot.press("v")
        await workers_done(demo_app)
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, CompareScreen)
        assert sorted(r.release.country for r in screen.members) == countries


async def test_a_meeting_reported_by_one_government_only_has_no_side_by_side(
    demo_app: SummitWatchApp,
) -> None:
    async with demo_app.run_test(size=(160, 48)) as pilot:
        await wait_for_poll(demo_app, pilot)
        await pilot.press("slash", *"Comité Trilateral sobre Fentanilo", "enter")
        await workers_done(demo_app)
        await pilot.pause()
        assert demo_app.screen.check_action("compare", ()) is None
