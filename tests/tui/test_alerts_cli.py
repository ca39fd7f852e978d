"""Alerts from `summitwatch poll`, end to end: a real feed and real receivers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.paths import SHARED
from tests.receivers import free_port
from tests.tui.cli import summitwatch

PMO = SHARED / "fixtures" / "real" / "pmo_en_news_rss_2026-10-07.xml"
TURKIYE = "Prime Minister Carney to visit Türkiye to advance partnership"


def write_config(home: Path, server: HTTPServer, dead: int) -> None:
    port = server.port
    (home / "config.toml").write_text(
        f"""
[poll]
full_text = false

[alerts]
timeout = 20
# No summit release comes: this one gets nothing, and says so in the listing.
urls = ["ntfy://127.0.0.1:{port}/summit-desk"]

[[alerts.targets]]
url = "json://127.0.0.1:{port}/hook"
summit_only = false
search = "turkiye"

[[alerts.targets]]
url = "json://alerts:dead-secret-5150@127.0.0.1:{dead}/dead"
summit_only = false
countries = ["CA"]
search = "turkiye"

[[sources]]
name = "PMO"
url = "http://127.0.0.1:{port}/news.rss"
country = "CA"
language = "en"
""",
        encoding="utf-8",
    )


@pytest.mark.skipif(not PMO.exists(), reason="../shared/fixtures/real is not beside the repo")
def test_poll_alerts_the_target_its_rule_picks_and_reports_the_one_that_fails(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/news.rss").respond_with_data(
        PMO.read_bytes(), content_type="application/rss+xml"
    )
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    dead = free_port()
    write_config(tmp_path, httpserver, dead)

    done = summitwatch("poll", env_dir=tmp_path)

    # The sources answered: a failing alert target does not make the poll fail.
    assert done.returncode == 0, done.stderr
    hooks = [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == "/hook"]
    assert len(hooks) == 1
    assert hooks[0]["title"].startswith(f"Release · Canada: {TURKIYE}")
    assert "https://www.pm.gc.ca/en/news/" in hooks[0]["message"]
    assert f"alert target json://alerts:****@127.0.0.1:{dead}/dead" in done.stderr
    assert "dead-secret-5150" not in done.stderr + done.stdout

    listing = summitwatch("alerts", env_dir=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "dead-secret-5150" not in listing.stdout
    rows = {line.split()[0]: line for line in listing.stdout.splitlines() if "://" in line}
    assert "failing (1x)" in rows[f"json://alerts:****@127.0.0.1:{dead}/dead"]
    assert " ok " in rows[f"json://127.0.0.1:{httpserver.port}/hook"]
    assert "never used" in rows[f"ntfy://127.0.0.1:{httpserver.port}/summit-desk"]

    # The digest of the day goes to each target with what its rule picks.
    digest = summitwatch("digest", "--since", "24h", "--send", env_dir=tmp_path)
    assert digest.returncode == 1  # the dead target failed, and says so
    assert f"alert target json://alerts:****@127.0.0.1:{dead}/dead" in digest.stderr
    hooks = [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == "/hook"]
    assert len(hooks) == 2
    assert hooks[1]["title"].startswith("summitwatch digest: 1 release, ")
    assert TURKIYE in hooks[1]["message"]
    assert "## " in hooks[1]["message"]  # grouped as the Markdown export


def test_digest_writes_the_briefing_of_what_came_in(tmp_path: Path) -> None:
    assert summitwatch("--demo", "poll", env_dir=tmp_path).returncode == 0
    done = summitwatch("--demo", "digest", "--since", "24h", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("# summitwatch digest: ") and " releases, " in first
    assert "\n## " in done.stdout and "\n### " in done.stdout
    everything = summitwatch("--demo", "digest", "--all", env_dir=tmp_path)
    assert len(everything.stdout) > len(done.stdout)
    nothing = summitwatch("--demo", "digest", "--since", "2h", "--filter", "gone", env_dir=tmp_path)
    assert nothing.returncode == 2
    assert "no saved filter is named 'gone'" in nothing.stderr
    wrong = summitwatch("--demo", "digest", "--since", "yesterday", env_dir=tmp_path)
    assert wrong.returncode == 2 and "expected a span like 24h" in wrong.stderr
    unsent = summitwatch("--demo", "digest", "--send", env_dir=tmp_path)
    assert unsent.returncode == 2 and "no alert targets" in unsent.stderr


def test_feed_writes_the_atom_feed_of_a_saved_filter(tmp_path: Path) -> None:
    assert summitwatch("--demo", "poll", env_dir=tmp_path).returncode == 0
    # Saved filters belong to their database: the demo's are beside demo.db.
    (tmp_path / "data" / "demo.db.filters.json").write_text(
        json.dumps({"Mexico summit": {"selections": ["summit", "country:MX"], "search": ""}}),
        encoding="utf-8",
    )
    done = summitwatch("--demo", "feed", "--filter", "Mexico summit", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    feed = feedparser.parse(done.stdout)
    assert not feed.bozo and feed.feed.title == "summitwatch: Mexico summit"
    assert feed.entries
    assert all(e.author.startswith("Mexico · ") for e in feed.entries)
    assert all("summit" in [t.term for t in e.tags] for e in feed.entries)
    missing = summitwatch("--demo", "feed", "--filter", "Canada", env_dir=tmp_path)
    assert missing.returncode == 2
    assert "no saved filter is named 'Canada' (saved: 'Mexico summit')" in missing.stderr


def rss(text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>PMO</title><link>https://www.pm.gc.ca/en</link>
<item><title>Joint statement by the leaders of North America</title>
<link>https://www.pm.gc.ca/en/news/statements/2026/12/01/joint-statement</link>
<guid>pmo-joint-statement-2026-12-01</guid>
<pubDate>Tue, 01 Dec 2026 15:00:00 -0500</pubDate>
<description>{text}</description></item></channel></rss>""".encode()


def test_an_edit_after_publication_alerts_the_targets_that_ask_for_edits(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    first = "The leaders met at the North American Leaders' Summit in Mexico City."
    second = first + " They agreed to meet again in Ottawa in 2027."
    bodies = [rss(first), rss(second)]
    served: list[int] = []

    def feed(request: Request) -> Response:
        # The first poll reads the release as first published, every later one its edit.
        served.append(1)
        return Response(bodies[min(len(served), 2) - 1], content_type="application/rss+xml")

    httpserver.expect_request("/news.rss").respond_with_handler(feed)
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    httpserver.expect_request("/quiet", method="POST").respond_with_json({})
    port = httpserver.port
    (tmp_path / "config.toml").write_text(
        f"""
[poll]
full_text = false

[[alerts.targets]]
url = "json://127.0.0.1:{port}/hook"
summit_only = false
search = "leaders"
edits = true

[[alerts.targets]]
url = "json://127.0.0.1:{port}/quiet"
summit_only = false
search = "leaders"

[[sources]]
name = "PMO"
url = "http://127.0.0.1:{port}/news.rss"
country = "CA"
language = "en"
""",
        encoding="utf-8",
    )
    assert summitwatch("poll", "--all", env_dir=tmp_path).returncode == 0
    again = summitwatch("poll", "--all", env_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "1 changed" in again.stdout
    posts = {
        path: [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == path]
        for path in ("/hook", "/quiet")
    }
    assert len(posts["/quiet"]) == 1  # the new release only
    _new, edit = posts["/hook"]
    assert edit["title"] == (
        "Edited after publication · Canada: Joint statement by the leaders of North America"
    )
    assert "First seen " in edit["message"] and "(version 2)" in edit["message"]
    assert "- added “They agreed to meet again in Ottawa in 2027.”" in edit["message"]
    assert "https://www.pm.gc.ca/en/news/statements/2026/12/01/joint-statement" in edit["message"]


def test_an_alert_command_failing_with_escapes_is_reported_in_one_clean_line(
    tmp_path: Path,
) -> None:
    from state import Store
    from tests.state.factories import make_item
    from tui.alerts import run_alert_hook

    with Store(tmp_path / "db") as store:
        stored = store.add([make_item("hook")]).new
    command = "printf 'bad \\033]0;PWNED\\007 news\\n' >&2; exit 3"
    problems = run_alert_hook(command, stored)
    assert len(problems) == 1 and problems[0].startswith("alert command exited with 3: bad")
    assert "\x1b" not in problems[0] and "\x07" not in problems[0]
