"""A shared link merges two releases only when their content agrees as well."""

from __future__ import annotations

from pathlib import Path

from state import Store
from tests.state.factories import make_item

PAGE = "https://example.gov/news"  # a feed that points every item at its index page


def test_items_of_a_feed_that_links_every_item_to_one_page_are_all_kept(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        added = store.add([make_item(f"item{n}", link=PAGE) for n in range(5)])
        assert len(added.new) == 5
        again = store.add([make_item("item5", link=PAGE + "?utm_source=feed")])
        assert len(again.new) == 1
        assert len(store) == 6


def test_a_hostile_release_reusing_a_real_link_does_not_suppress_either(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        real = make_item("real", link="https://www.whitehouse.gov/briefings/nals-2026/")
        store.add([real])
        fake = make_item(
            "fake",
            link="https://www.whitehouse.gov/briefings/nals-2026/#top",
            title="Summit cancelled",
            text="Nothing of what was agreed will happen, officials say. " * 3,
        )
        assert [r.id for r in store.add([fake]).new] == [fake.release.id]
        kept = store.get(real.release.id)
        assert kept is not None and kept.release.title == real.release.title


def test_the_same_link_and_title_is_still_the_same_release(tmp_path: Path) -> None:
    with Store(tmp_path / "db") as store:
        first = make_item("a", link="https://example.gov/news/a", guid="guid-aaaaaaaaaa")
        store.add([first])
        reposted = make_item(
            "b",
            link="https://example.gov/news/a?utm_medium=email",
            guid="guid-bbbbbbbbbb",
            title=first.release.title,
            text="The text was corrected after publication; the title stayed the same.",
        )
        result = store.add([reposted])
        assert result.new == []
        assert len(store) == 1
