"""`e` and `E` on the dashboard: a briefing of the list, or of the starred releases, written
under a new name in the briefings folder, saying where."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot

from feeds.judge.classify import Classifier
from state.records import TriageState
from state.store import Store
from tui.app import SummitWatchApp

from .fixtures import fixed_app_on
from .test_demo_app import choose
from .waiting import workers_done


async def settle(app: SummitWatchApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


def notices(app: SummitWatchApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_e_writes_each_release_once_with_its_filter_and_never_overwrites(
    fixed_app: SummitWatchApp, fixed_store: Store, tmp_path: Path
) -> None:
    fixed_store.update(["r1"], triage=TriageState.NOT_RELEVANT)
    fixed_store.update(["r4"], triage=TriageState.RELEVANT)
    folder = tmp_path / "data" / "briefings"
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        await choose(pilot, "pillar:security")
        await pilot.press("tab", "e")
        await settle(fixed_app, pilot)
        await pilot.press("e")  # the same minute: a second file, the first one kept
        await settle(fixed_app, pilot)
        written = sorted(folder.glob("briefing-*.md"), key=lambda p: len(p.name))
        assert len(written) == 2
        assert f"Wrote a briefing of 1 release to {written[0]}" in notices(fixed_app)
        assert f"Wrote a briefing of 1 release to {written[1]}" in notices(fixed_app)
    text = written[0].read_text(encoding="utf-8")
    head = text.splitlines()
    assert head[0] == f"# Briefing: {fixed_app.pillars.name}"
    assert head[2].startswith("1 release · filter: Security · 2023-11-29 · prepared ")
    assert "1 release marked not relevant left out." in text
    assert "Joint Statement of the North American Leaders' Summit" not in text
    # Under its strongest pillar once (health and security score alike: taxonomy order).
    assert text.count("Sixth meeting of the North American Drug Dialogue") == 1
    assert "## Health (1)" in text and "*Also:* Security" in text


async def test_not_relevant_releases_are_kept_when_the_filter_asks_for_them(
    fixed_app: SummitWatchApp, fixed_store: Store, tmp_path: Path
) -> None:
    fixed_store.update(["r1"], triage=TriageState.NOT_RELEVANT)
    async with fixed_app.run_test(size=(160, 48)) as pilot:
        await settle(fixed_app, pilot)
        await choose(pilot, "state:not_relevant")
        await pilot.press("tab", "e")
        await settle(fixed_app, pilot)
    (written,) = (tmp_path / "data" / "briefings").glob("briefing-*.md")
    text = written.read_text(encoding="utf-8")
    assert "Joint Statement of the North American Leaders' Summit" in text
    assert "left out" not in text


async def test_shift_e_exports_the_starred_releases_to_the_configured_folder(
    fixed_store: Store, tmp_path: Path, classifier: Classifier
) -> None:
    fixed_store.update(["r3", "r4"], starred=True)
    folder = tmp_path / "my briefings"
    app = fixed_app_on(fixed_store, classifier)
    app.config = replace(app.config, briefings=folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("E")
        await settle(app, pilot)
    (written,) = folder.glob("briefing-*.md")
    text = written.read_text(encoding="utf-8")
    assert "2 releases · filter: starred · 2020-11-08 to 2023-10-05" in text
    assert "Reunión de cancilleres" in text
    # The look-alike is said to be one, not passed off as a summit release.
    assert "Statement on the passing of a Canadian broadcaster" in text
    assert "not a summit release" in text
