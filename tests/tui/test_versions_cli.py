"""Every edit kept, end to end: a real feed on 127.0.0.1 whose release is edited between
polls (the real Prime Minister's feed of 2026-10-07, changed as a publisher changes a page),
`summitwatch poll` storing each version, alerting each edit with what changed, and
`export --versions` carrying the versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from state import Store
from tests.paths import SHARED
from tests.tui.cli import summitwatch

PMO = SHARED / "fixtures" / "real" / "pmo_en_news_rss_2026-10-07.xml"
TITLE = (
    "Prime Minister Carney to visit Türkiye to advance partnership across trade and "
    "investment, energy, and defence"
)
DATES = "from October 21 to 23, 2026."
NEW_DATES = "from October 22 to 24, 2026."
NEW_TITLE = TITLE.replace("to visit", "visits")


def editions() -> list[bytes]:
    """The feed as published, then with the visit's dates changed, then its title too."""
    if not PMO.exists():
        pytest.skip(f"{PMO} is absent (the shared fixtures live beside the project)")
    first = PMO.read_text(encoding="utf-8")
    assert first.count(DATES) == 1 and first.count(TITLE) == 1
    second = first.replace(DATES, NEW_DATES)
    third = second.replace(TITLE, NEW_TITLE)
    return [text.encode("utf-8") for text in (first, second, third)]


def write_config(home: Path, port: int) -> None:
    (home / "config.toml").write_text(
        f"""
[poll]
full_text = false

[[alerts.targets]]
url = "json://127.0.0.1:{port}/hook"
summit_only = false
search = "turkiye"
edits = true

[[sources]]
name = "PMO"
url = "http://127.0.0.1:{port}/news.rss"
country = "CA"
language = "en"
""",
        encoding="utf-8",
    )


def test_a_release_edited_between_polls_keeps_every_version_and_alerts_each_edit(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    bodies = editions()
    polls: list[int] = []

    def feed(request: Request) -> Response:
        return Response(bodies[len(polls) - 1], content_type="application/rss+xml")

    httpserver.expect_request("/news.rss").respond_with_handler(feed)
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    write_config(tmp_path, httpserver.port)
    for number in (1, 2, 3):
        polls.append(number)
        done = summitwatch("poll", "--all", env_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        assert ("1 changed" in done.stdout) == (number > 1), done.stdout

    new, dates, title = [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == "/hook"]
    assert new["title"].startswith("Release · Canada: Prime Minister Carney to visit Türkiye")
    assert dates["title"].startswith("Edited after publication · Canada: Prime Minister Carney")
    assert "(version 2)" in dates["message"]
    assert "(version 2).\n- “21 to 23,” became “22 to 24,”\n\n" in dates["message"]
    assert "(version 3)" in title["message"]
    assert f"- title was “{TITLE}”" in title["message"]

    with Store(tmp_path / "data" / "summitwatch.db") as store:
        [edited] = [r for r in store.all() if "Türkiye" in r.release.title]
        record = store.get(edited.id)
    assert record is not None and edited.edited
    assert [v.title for v in record.versions] == [TITLE, TITLE, NEW_TITLE]
    assert [DATES in v.body for v in record.versions] == [True, False, False]
    assert [NEW_DATES in v.body for v in record.versions] == [False, True, True]
    assert record.versions[0].seen == record.first_seen
    assert record.versions[-1].seen == record.changed_at

    plain = summitwatch("export", "--format", "json", env_dir=tmp_path)
    full = summitwatch("export", "--format", "json", "--versions", env_dir=tmp_path)
    assert plain.returncode == full.returncode == 0, plain.stderr + full.stderr
    assert all("versions" not in r for r in json.loads(plain.stdout)["releases"])
    [exported] = [r for r in json.loads(full.stdout)["releases"] if "versions" in r]
    assert [v["title"] for v in exported["versions"]] == [TITLE, TITLE]
    briefing = summitwatch("export", "--format", "md", "--versions", env_dir=tmp_path)
    assert "  *Edited:* First seen " in briefing.stdout and "(version 3)." in briefing.stdout
    refused = summitwatch("export", "--format", "csv", "--versions", env_dir=tmp_path)
    assert refused.returncode == 2 and "--versions" in refused.stderr
