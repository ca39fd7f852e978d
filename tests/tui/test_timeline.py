"""The timeline: a chart per pillar with dates along the bottom."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual_plotext import PlotextPlot

from feeds.judge.classify import Classifier
from feeds.models import ClassifiedRelease
from state.store import Store

from .fixtures import FIXED_NOW, fixed_app_on, fixed_releases


def drawn(chart: PlotextPlot) -> str:
    return str(chart.render())


async def test_each_pillar_has_a_chart_with_dates_and_its_total(
    tmp_path: Path, classifier: Classifier
) -> None:
    # The fixed releases, published in the chart's last days.
    items = [
        ClassifiedRelease(replace(r.release, published=f"2026-11-{10 + n:02d}"), r.classification)
        for n, r in enumerate(fixed_releases())
    ]
    with Store(tmp_path / "db") as store:
        store.add(items, now=FIXED_NOW.isoformat(timespec="seconds"))
        app = fixed_app_on(store, classifier)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("t")
            await pilot.pause()
            charts = list(app.screen.query(PlotextPlot))
            assert len(charts) == 2 + len(app.pillars)
            titles = [drawn(c).strip().splitlines()[0].strip() for c in charts]
            assert titles[:2] == ["All releases: 4 releases", "Summit releases: 3 releases"]
            assert "Security: 2 releases" in titles and "Health: 1 release" in titles
            bottom = drawn(charts[0]).rstrip().splitlines()[-1]
            assert "28 Aug" in bottom and "20 Nov" in bottom  # every 2 weeks to today
            await pilot.press("escape")
            assert not list(app.screen.query(PlotextPlot))


async def test_the_timeline_fits_80_columns(fixed_app: object) -> None:
    from tui.app import SummitWatchApp

    assert isinstance(fixed_app, SummitWatchApp)
    async with fixed_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        chart = fixed_app.screen.query(PlotextPlot).first()
        assert chart.size.width <= 80 - 2
        assert "20 Nov" in drawn(chart).rstrip().splitlines()[-1]
