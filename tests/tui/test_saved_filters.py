"""Saved filters belong to a database, and can be renamed and deleted in the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.judge.classify import Classifier
from state import SavedFilters, ViewFilter, saved_filters_for
from state.store import Store
from tui.app import SummitWatchApp
from tui.widgets.navigator import Navigator

from .fixtures import fixed_app_on
from .test_demo_app import choose
from .waiting import workers_done


def test_each_database_has_its_own_saved_filters(tmp_path: Path) -> None:
    one, two = saved_filters_for(tmp_path / "one.db"), saved_filters_for(tmp_path / "two.db")
    one.save("mexico", ViewFilter(("country:MX",)))
    assert saved_filters_for(tmp_path / "one.db").names == ["mexico"]
    assert two.names == [] and saved_filters_for(tmp_path / "two.db").names == []
    assert (tmp_path / "one.db.filters.json").exists()


def test_the_default_database_keeps_the_filters_of_the_old_global_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("SUMMITWATCH_DATA_DIR", str(data))
    monkeypatch.delenv("SUMMITWATCH_DB", raising=False)
    SavedFilters(data / "filters.json").save("old", ViewFilter(("summit",)))
    default = saved_filters_for(data / "summitwatch.db")
    assert default.names == ["old"]
    default.save("new", ViewFilter(("starred",)))
    assert saved_filters_for(data / "summitwatch.db").names == ["new", "old"]
    assert saved_filters_for(tmp_path / "elsewhere.db").names == []  # --db: not the old file


def test_renaming_to_a_name_taken_is_refused(tmp_path: Path) -> None:
    saved = SavedFilters(tmp_path / "f.json")
    saved.save("a", ViewFilter(("summit",)))
    saved.save("b", ViewFilter(("other",)))
    with pytest.raises(ValueError, match="already named"):
        saved.rename("a", "b")
    saved.rename("a", "c")
    assert SavedFilters(tmp_path / "f.json").get("c") == ViewFilter(("summit",))


async def test_a_saved_filter_is_renamed_and_deleted_from_the_navigator(
    fixed_store: Store, classifier: Classifier, tmp_path: Path
) -> None:
    path = tmp_path / "fixed.db.filters.json"
    SavedFilters(path).save("health watch", ViewFilter(("pillar:health",)))
    app: SummitWatchApp = fixed_app_on(fixed_store, classifier)
    app.saved_filters = SavedFilters(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await choose(pilot, "all")
        assert app.screen.check_action("rename_filter", ()) is None  # nothing saved highlighted
        await choose(pilot, "saved:health watch")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+u", *"health (Canada)", "enter")
        await workers_done(app)
        await pilot.pause()
        assert SavedFilters(path).names == ["health (Canada)"]
        nav = app.screen.query_one(Navigator)
        assert [o.id for o in nav.options if o.id and o.id.startswith("saved:")] == [
            "saved:health (Canada)"
        ]
        await choose(pilot, "saved:health (Canada)")
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert SavedFilters(path).names == []
        assert not [o.id for o in nav.options if o.id and o.id.startswith("saved:")]
