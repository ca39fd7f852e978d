"""The installed `summitwatch` command, run as a user runs it, on temporary folders."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from state.records import Correction
from state.store import Store
from tests.paths import SHARED

from .cli import serving_demo, start, summitwatch

SHARED_EVAL = SHARED / "eval" / "dev.jsonl"
COMMANDS = ["run", "poll", "classify", "eval", "export", "import", "backup", "sources"]
COMMANDS += ["reclassify", "serve", "alerts", "digest", "feed"]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a polled demo database (polled once for the module)."""
    home = tmp_path_factory.mktemp("home")
    done = summitwatch("--demo", "poll", env_dir=home)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr}"
    return home


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_naming_config_and_db(command: str, tmp_path: Path) -> None:
    done = summitwatch(command, "--help", env_dir=tmp_path)
    assert done.returncode == 0
    assert "--config" in done.stdout and "--db" in done.stdout


def test_demo_poll_prints_new_releases_and_a_summary(demo_home: Path) -> None:
    again = summitwatch("--demo", "poll", "--json", env_dir=demo_home)
    assert again.returncode == 0
    lines = [json.loads(line) for line in again.stdout.splitlines()]
    assert lines[-1]["summary"].startswith("0 new releases")
    assert (demo_home / "data" / "demo.db").exists()
    assert not (demo_home / "data" / "summitwatch.db").exists()


def test_poll_json_lists_each_new_release(tmp_path: Path) -> None:
    done = summitwatch("--demo", "--db", str(tmp_path / "db"), "poll", "--json", env_dir=tmp_path)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    releases = [r for r in rows if "id" in r]
    assert len(releases) >= 30
    assert set(releases[0]) >= {"id", "source", "country", "title", "link", "summit", "pillars"}


def test_first_run_writes_the_default_config(tmp_path: Path) -> None:
    done = summitwatch("sources", env_dir=tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "config.toml").exists()
    assert "never polled" in done.stdout
    assert "SRE — Prensa" in done.stdout


def test_broken_config_names_file_and_line_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[poll]\ninterval = 'soon'\n", encoding="utf-8")
    done = summitwatch("poll", env_dir=tmp_path)
    assert done.returncode == 2
    assert f"{tmp_path / 'config.toml'}, line 2" in done.stderr


def test_unreachable_sources_exit_1_with_reasons(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[poll]\nconnect_timeout = 1.0\ntotal_timeout = 2.0\n[[sources]]\nname = "dead"\n'
        'url = "http://127.0.0.1:9/feed"\ncountry = "US"\n',
        encoding="utf-8",
    )
    done = summitwatch("poll", env_dir=tmp_path)
    assert done.returncode == 1
    assert "0 of 1 sources answered" in done.stdout
    assert "dead: connection refused" in done.stdout
    listing = summitwatch("sources", env_dir=tmp_path)
    assert "failing (1x)" in listing.stdout


def test_classify_follows_the_json_lines_contract(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "a",
                "title": "North American Leaders' Summit",
                "text": "The leaders of "
                "Canada, Mexico and the United States met in Mexico City for the summit.",
            }
        ),
        "{not json",
        json.dumps({"id": 7, "title": "Condolences", "text": "Our thoughts are with them."}),
    ]
    done = summitwatch("classify", env_dir=tmp_path, stdin="\n".join(lines) + "\n")
    assert done.returncode == 1
    assert "line 2" in done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", 7]
    first = answers[0]
    assert first["summit"] is True and 0 <= first["summit_score"] <= 1
    assert set(first["pillar_scores"]) == {
        "dei",
        "climate",
        "competitiveness",
        "migration",
        "health",
        "security",
    }
    assert first["language"] == "en" and "summit" in first["evidence"]


@pytest.mark.skipif(
    not SHARED_EVAL.exists(), reason="../shared/eval/dev.jsonl is not beside the repo"
)
def test_eval_prints_the_measures(tmp_path: Path) -> None:
    done = summitwatch("eval", str(SHARED_EVAL), env_dir=tmp_path)
    assert done.returncode == 0
    assert "detection: precision" in done.stdout
    assert "micro-F1" in done.stdout


def test_broken_taxonomy_names_the_file(tmp_path: Path) -> None:
    taxonomy = tmp_path / "mine.toml"
    taxonomy.write_text("[summit\n", encoding="utf-8")
    done = summitwatch("--taxonomy", str(taxonomy), "classify", env_dir=tmp_path, stdin="")
    assert done.returncode == 2
    assert str(taxonomy) in done.stderr


def test_a_poll_with_a_broken_taxonomy_stops_before_asking_any_source(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    # The bundled taxonomy loads when the first release needs it; the user's own, at once.
    taxonomy = tmp_path / "mine.toml"
    taxonomy.write_text("[summit\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'taxonomy = "{taxonomy}"\n[[sources]]\nname = "one"\ncountry = "US"\n'
        f'url = "{httpserver.url_for("/feed")}"\n'
    )
    done = summitwatch("poll", env_dir=tmp_path)
    assert done.returncode == 2
    assert str(taxonomy) in done.stderr
    assert httpserver.log == []


def test_markdown_export_is_a_briefing_by_pillar(demo_home: Path) -> None:
    done = summitwatch(
        "--demo", "export", "--format", "md", "--summit", "--country", "MX", env_dir=demo_home
    )
    assert done.returncode == 0
    head = done.stdout.splitlines()
    assert head[0].startswith("# Briefing: North American Leaders' Summit")
    assert head[2].startswith("6 releases · filter: country MX × summit releases · 2014-02-20 to ")
    assert "Security" in done.stdout
    assert "https://www.gob.mx/" in done.stdout
    assert done.stdout.count("\n- **") == 6  # each release once, under its strongest pillar
    starred = summitwatch("--demo", "export", "--format", "md", "--starred", env_dir=demo_home)
    assert starred.stdout.splitlines()[2].startswith("0 releases · filter: starred · prepared ")


def test_csv_and_json_exports_filter_by_pillar(demo_home: Path) -> None:
    as_json = summitwatch("--demo", "export", "--pillar", "health", env_dir=demo_home)
    export = json.loads(as_json.stdout)
    rows = export["releases"]
    assert export["count"] == len(rows) > 0
    assert all("health" in r["classification"]["pillars"] for r in rows)
    as_csv = summitwatch("--demo", "export", "--format", "csv", env_dir=demo_home)
    assert as_csv.stdout.count("\n") >= 31


def test_export_import_and_backup_round_trip(demo_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "all.json"
    summitwatch("--demo", "export", "-o", str(exported), env_dir=demo_home)
    fresh = tmp_path / "fresh"
    done = summitwatch("--db", str(fresh), "import", str(exported), env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    with Store(fresh) as store:
        assert len(store.all()) >= 30
    backup = summitwatch("--db", str(fresh), "backup", str(tmp_path / "copy"), env_dir=tmp_path)
    assert backup.returncode == 0, backup.stderr
    with Store(tmp_path / "copy") as copy:
        assert len(copy.all()) == len(Store(fresh).all())


def test_reclassify_keeps_a_persons_corrections(demo_home: Path, tmp_path: Path) -> None:
    db = tmp_path / "db"
    polled = summitwatch("--demo", "--db", str(db), "poll", env_dir=tmp_path)
    assert polled.returncode == 0, polled.stdout[-2000:] + polled.stderr[-4000:]
    with Store(db) as store:
        other = next(r for r in store.all() if not r.summit)
        store.update([other.id], correction=Correction(summit=True, pillars_added=("dei",)))
    done = summitwatch("--db", str(db), "--demo", "reclassify", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reclassified" in done.stdout
    with Store(db) as store:
        again = store.get(other.id)
        assert again is not None and again.summit and "dei" in again.pillars


def test_corrupt_database_gets_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "db"
    with Store(db) as store:
        store.add([])
    manifest = next(db.glob("*.json"))
    manifest.write_text('{"truncated', encoding="utf-8")
    done = summitwatch("--db", str(db), "--demo", "poll", env_dir=tmp_path)
    assert done.returncode == 3  # a database problem, not a failed source or a bad flag
    assert str(manifest) in done.stderr
    assert manifest.read_text(encoding="utf-8") == '{"truncated'


def test_sources_import_export_and_add(tmp_path: Path, httpserver: HTTPServer) -> None:
    summitwatch("sources", env_dir=tmp_path)  # writes the default config
    before = (tmp_path / "config.toml").read_text(encoding="utf-8")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://a.example/feed\nhttps://www.whitehouse.gov/news/feed/\n")
    done = summitwatch("sources", "import", str(urls), "--country", "CA", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 sources added" in done.stdout and "(1 known)" in done.stdout
    after = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # comments and order kept

    httpserver.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
        content_type="application/rss+xml",
    )
    added = summitwatch(
        "sources", "add", httpserver.url_for("/feed.xml"), "--name", "Local", env_dir=tmp_path
    )
    assert added.returncode == 0, added.stderr
    exported = summitwatch("sources", "export", env_dir=tmp_path)
    assert 'text="Local"' in exported.stdout
    assert "https://a.example/feed" in exported.stdout


def test_sources_import_of_a_file_that_is_not_opml_fails_cleanly(tmp_path: Path) -> None:
    summitwatch("sources", env_dir=tmp_path)
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>nope</body></html>", encoding="utf-8")
    before = (tmp_path / "config.toml").read_text(encoding="utf-8")
    done = summitwatch("sources", "import", str(bad), env_dir=tmp_path)
    assert done.returncode == 2
    assert "is not OPML" in done.stderr
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == before


def test_serve_answers_on_loopback(tmp_path: Path) -> None:
    import httpx

    with serving_demo(tmp_path) as url:
        page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    assert "summitwatch" in page.text


def test_poll_watch_polls_then_waits_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    import signal

    watcher = start(
        "--demo",
        "poll",
        "--watch",
        "--json",
        env_dir=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watcher.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = watcher.stdout.readline()
        lines.append(line)
        if '"summary"' in line:
            break
    time.sleep(1.0)
    assert watcher.poll() is None  # still watching: the demo sources are not due again yet
    watcher.send_signal(signal.SIGINT)
    out, _ = watcher.communicate(timeout=20)
    assert watcher.returncode == 0
    summary = json.loads(lines[-1])
    assert summary["summary"].startswith("37 new releases")
    assert out == ""


def test_first_poll_of_many_new_sources_uses_worker_processes(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    from feeds.poll import PROCESSES_AFTER_CHANGED

    count = PROCESSES_AFTER_CHANGED + 2
    for n in range(count):
        items = "".join(
            f"<item><title>Release {n}-{i}</title><link>https://example.org/{n}/{i}</link>"
            f"<guid>urn:{n}:{i}</guid><description>The North American Leaders' Summit met "
            "on fentanyl, migration and clean energy.</description></item>"
            for i in range(5)
        )
        channel = f"<channel><title>f</title>{items}</channel>"
        body = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
        httpserver.expect_request(f"/feed{n}").respond_with_data(
            body, content_type="application/rss+xml", headers={"ETag": f'"{n}"'}
        )
    urls = [httpserver.url_for(f"/feed{n}") for n in range(count)]
    sources = "".join(
        f'[[sources]]\nname = "feed {n}"\ncountry = "US"\nurl = "{url}"\n'
        for n, url in enumerate(urls)
    )
    (tmp_path / "config.toml").write_text("[poll]\nfull_text = false\n" + sources)
    done = summitwatch("--db", str(tmp_path / "db"), "poll", env_dir=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{count * 5} new releases" in done.stdout
    assert f"{count} of {count} sources answered" in done.stdout
    again = summitwatch("--db", str(tmp_path / "db"), "poll", "--all", env_dir=tmp_path)
    assert again.returncode == 0
    assert "0 new releases" in again.stdout
    assert f"{count} of {count} sources answered" in again.stdout


def test_poll_asks_only_due_sources_and_all_asks_every_one_now(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    item = "<item><title>One</title><link>https://example.org/1</link><guid>urn:1</guid></item>"
    channel = f"<channel><title>f</title>{item}</channel>"
    feed = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    (tmp_path / "config.toml").write_text(
        f'[poll]\nfull_text = false\ninterval = 3600\n[[sources]]\nname = "hourly"\n'
        f'country = "US"\nurl = "{httpserver.url_for("/feed")}"\n'
    )
    first = summitwatch("poll", env_dir=tmp_path)
    assert "1 of 1 sources answered" in first.stdout
    asked = len(httpserver.log)
    assert asked == 1

    not_yet = summitwatch("poll", "--once", env_dir=tmp_path)
    assert not_yet.returncode == 0
    assert "0 of 0 sources answered; 1 not due until " in not_yet.stdout
    assert "(--all polls them now)" in not_yet.stdout
    assert len(httpserver.log) == asked  # nothing was requested

    now = summitwatch("poll", "--all", env_dir=tmp_path)
    assert now.returncode == 0
    assert "1 of 1 sources answered" in now.stdout
    assert len(httpserver.log) == asked + 1


def test_sources_says_which_need_the_browser_and_whether_it_is_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\nname = "Presidencia"\nurl = "http://127.0.0.1:9/prensa"\ncountry = "MX"\n'
        'kind = "page"\nfetch = "browser"\n\n'
        '[[sources]]\nname = "feed"\nurl = "http://127.0.0.1:9/feed"\ncountry = "US"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SUMMITWATCH_CHROMIUM", str(tmp_path / "no-chromium"))
    listing = summitwatch("sources", env_dir=tmp_path)
    rows = json.loads(summitwatch("sources", "--json", env_dir=tmp_path).stdout)
    assert listing.returncode == 0, listing.stderr
    assert "browser: needed by Presidencia; NOT available: needs a browser" in listing.stdout
    assert "`apt-get install chromium`" in listing.stdout
    assert [r["fetch"] for r in rows] == ["browser", "http"]


def test_an_export_that_cannot_be_written_says_so_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "briefing.md"
    done = summitwatch(
        "--db", str(tmp_path / "db"), "export", "--format", "md", "-o", str(target),
        env_dir=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"could not write {target}" in done.stderr
    assert "Traceback" not in done.stderr
