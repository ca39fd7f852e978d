"""A taxonomy of another process, end to end: its pillars, and only its pillars, everywhere.

`cec_taxonomy.toml` watches the trilateral Commission for Environmental Cooperation with four
pillars named in Spanish and French (agua, especies, aire, justicia_ambiental). Its releases
come from a real feed server on 127.0.0.1, through the same poll as the government sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from pytest_httpserver import HTTPServer
from textual.widgets import SelectionList

from feeds import ClassifiedRelease, Classifier, Release, load_config
from feeds.judge import taxonomy
from state import SavedFilters, Store, ViewFilter
from tui.app import SummitWatchApp
from tui.services import make_fetcher
from tui.widgets.navigator import Navigator
from tui.widgets.release_list import ReleaseList, row_text

from .cli import summitwatch
from .test_demo_app import choose, reader_text, wait_for_poll
from .waiting import workers_done

CEC = Path(__file__).with_name("cec_taxonomy.toml")
BUNDLED = Path(taxonomy.__file__).with_name(taxonomy.DEFAULT_NAME)

ITEMS = [
    (
        "El Consejo de la CCA acuerda proteger a la mariposa monarca",
        "El Consejo de la Comisión para la Cooperación Ambiental, que reúne a Canadá, Estados "
        "Unidos y México, acordó hoy un plan trilateral para proteger a la mariposa monarca y "
        "sus rutas migratorias. Los tres países también restaurarán la cuenca del río Bravo y "
        "vigilarán la calidad del agua.",
    ),
    (
        "Le Conseil de la CCE se réunit à Montréal",
        "Le Conseil de la Commission de coopération environnementale a réuni le Canada, le "
        "Mexique et les États-Unis. Les ministres ont adopté un plan sur la qualité de l'air "
        "et la fumée des feux de forêt. Ils ont aussi lancé un programme de justice "
        "environnementale avec les communautés autochtones.",
    ),
    (
        "CEC publishes its freshwater report",
        "The Commission for Environmental Cooperation, an organization of Canada, Mexico and "
        "the United States, published a report on freshwater and watershed health.",
    ),
    (
        "Minister announces bridge funding",
        "The Minister announced funding for a new bridge in Ontario.",
    ),
]
CEC_PILLARS = ("agua", "especies", "aire", "justicia_ambiental")


def cec_feed() -> str:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>https://cec.example/{n}</link>"
        f"<guid>urn:cec:{n}</guid><pubDate>Mon, 0{n + 1} Jun 2026 12:00:00 GMT</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for n, (title, text) in enumerate(ITEMS)
    )
    channel = f"<channel><title>CEC</title><link>https://cec.example/</link>{items}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'


@pytest.fixture
def cec_config(tmp_path: Path, httpserver: HTTPServer) -> Path:
    """A config naming the CEC taxonomy and one feed of the CEC on the loopback server."""
    httpserver.expect_request("/cec.xml").respond_with_data(
        cec_feed(), content_type="application/rss+xml"
    )
    path = tmp_path / "config.toml"
    path.write_text(
        f'taxonomy = "{CEC}"\n[poll]\nfull_text = false\n'
        f'[[sources]]\nname = "CEC"\ncountry = "CA"\nurl = "{httpserver.url_for("/cec.xml")}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def cec_classifier() -> Classifier:
    return Classifier.load(CEC)


def test_the_taxonomy_names_and_draws_its_own_pillars(cec_classifier: Classifier) -> None:
    pillars = cec_classifier.taxonomy.pillar_set
    assert pillars.ids == CEC_PILLARS
    assert [p.name for p in pillars] == [
        "Agua y cuencas",
        "Especies migratorias",
        "Qualité de l'air",
        "Justicia ambiental",
    ]
    assert [p.label for p in pillars][:2] == ["Agua", "Especies migratorias"]
    # Given where the file gives them; else three letters of the id and a free colour.
    assert [p.badge for p in pillars] == ["AGU", "ESP", "AIR", "JUS"]
    assert [p.colour for p in pillars] == ["bright_cyan", "magenta", "green", "bright_blue"]


async def test_dashboard_shows_the_pillars_of_the_taxonomy_it_polled_with(
    cec_config: Path, cec_classifier: Classifier, tmp_path: Path
) -> None:
    config = load_config(cec_config)
    assert config.taxonomy == CEC
    with Store(tmp_path / "db") as store:
        app = SummitWatchApp(
            config=config,
            store=store,
            classifier=cec_classifier,
            pillars=cec_classifier.taxonomy.pillar_set,
            fetcher_factory=make_fetcher,
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for_poll(app, pilot)
            assert len(store.all()) == len(ITEMS)
            nav = app.screen.query_one(Navigator)
            pillar_options = [o.id for o in nav.options if o.id and o.id.startswith("pillar:")]
            assert pillar_options == [f"pillar:{p}" for p in CEC_PILLARS]
            assert "Especies migratorias" in str(nav.get_option("pillar:especies").prompt)

            await choose(pilot, "pillar:especies")
            listed = app.screen.query_one(ReleaseList).releases
            assert [r.release.title for r in listed] == [ITEMS[0][0]]
            row = row_text(listed[0], 160, False, app.pillars)
            assert row.plain.rstrip().endswith("AGU ESP")
            badge = row.plain.index("ESP")
            assert any(str(s.style) == "magenta" and s.start <= badge < s.end for s in row.spans)

            await pilot.press("tab", "enter")
            await pilot.pause()
            await workers_done(app)
            header = reader_text(app)
            assert "Agua y cuencas" in header and "Especies migratorias" in header

            await pilot.press("c")  # the correction dialog offers the taxonomy's pillars
            await pilot.pause()
            choice = app.screen.query_one("#pillar-choice", SelectionList)
            prompts = [str(choice.get_option_at_index(n).prompt) for n in range(4)]
            assert prompts == [p.name for p in app.pillars]
            assert choice.option_count == 4
            await pilot.press("escape")

            await pilot.press("e")
            await workers_done(app)
            (written,) = (tmp_path / "data" / "briefings").glob("briefing-*.md")
            briefing = written.read_text(encoding="utf-8")
            assert briefing.startswith(f"# Briefing: {cec_classifier.taxonomy.name}\n")
            # Filed once, under its strongest pillar, the other named beside it.
            assert "## Agua y cuencas (1)" in briefing
            assert "*Also:* Especies migratorias" in briefing

            await pilot.press("t")
            await pilot.pause()
            titles = chart_titles(app)
            names = [t.split(":")[0] for t in titles]
            assert [n for n in names if n.startswith(("Agua", "Especies"))] == [
                "Agua y cuencas",
                "Especies migratorias",
            ]


def chart_titles(app: SummitWatchApp) -> list[str]:
    """The first line of each timeline chart, as drawn."""
    from textual_plotext import PlotextPlot

    return [
        str(chart.render()).strip().splitlines()[0].strip()
        for chart in app.screen.query(PlotextPlot)
    ]


def _classified(classifier: Classifier) -> list[ClassifiedRelease]:
    releases = []
    for n, (title, text) in enumerate(ITEMS):
        release = Release(
            id=f"cec-{n}",
            source="CEC",
            country="CA",
            language="",
            title=title,
            link=f"https://cec.example/{n}",
            published=f"2026-06-0{n + 1}T12:00:00+00:00",
            text=text,
        )
        releases.append(ClassifiedRelease(release, classifier.classify(title, text)))
    return releases


@pytest.fixture
def cec_store(tmp_path: Path, cec_classifier: Classifier) -> Iterator[Store]:
    """A database classified with the CEC taxonomy, closed and opened again."""
    with Store(tmp_path / "db") as store:
        store.add(_classified(cec_classifier))
    with Store(tmp_path / "db") as store:
        yield store


async def test_a_database_of_another_taxonomy_opens_says_so_and_loses_nothing(
    cec_store: Store, tmp_path: Path
) -> None:
    bundled = Classifier.load()
    saved = SavedFilters(tmp_path / "filters.json")
    saved.save("butterflies", ViewFilter(("pillar:especies",)))
    app = SummitWatchApp(
        config=load_config(_empty_config(tmp_path)),
        store=cec_store,
        classifier=bundled,
        pillars=bundled.taxonomy.pillar_set,
        fetcher_factory=make_fetcher,
        poll_on_start=False,
        saved_filters=saved,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await workers_done(app)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("“butterflies” selects the pillar especies" in m for m in messages)
        assert any(
            "this taxonomy does not have (agua, aire, especies, justicia_ambiental)" in m
            for m in messages
        )
        nav = app.screen.query_one(Navigator)
        pillar_options = [o.id for o in nav.options if o.id and o.id.startswith("pillar:")]
        # The taxonomy's pillars, then those the releases carry from the other one.
        bundled_ids = [f"pillar:{p}" for p in bundled.taxonomy.pillar_set.ids]
        assert pillar_options == [*bundled_ids, *(f"pillar:{p}" for p in sorted(CEC_PILLARS))]
        assert "especies (other)" in str(nav.get_option("pillar:especies").prompt)
        await choose(pilot, "pillar:especies")
        listed = app.screen.query_one(ReleaseList).releases
        assert [r.release.title for r in listed] == [ITEMS[0][0]]

        await choose(pilot, "saved:butterflies")  # still lists what carries the old pillar
        listed = app.screen.query_one(ReleaseList).releases
        assert [r.release.title for r in listed] == [ITEMS[0][0]]
        await pilot.press("tab", "enter")
        await pilot.pause()
        await workers_done(app)
        assert "especies 0.70 (not in this taxonomy" in reader_text(app).replace("\n", " ")

        await pilot.press("t")  # the timeline counts the bundled pillars and does not fail
        await pilot.pause()
        assert any(t.startswith("Security: ") for t in chart_titles(app))


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("sources = []\n", encoding="utf-8")
    return path


def test_command_line_polls_exports_classifies_and_evaluates_with_the_taxonomy(
    cec_config: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "db")

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        done = summitwatch(
            "--config", str(cec_config), "--db", db, *args, env_dir=tmp_path, stdin=stdin
        )
        return done.returncode, done.stdout, done.stderr

    status, out, err = run("poll", "--json")
    assert status == 0, out + err
    polled = {r["title"]: r for r in map(json.loads, out.splitlines()) if "id" in r}
    assert polled[ITEMS[0][0]]["pillars"] == ["agua", "especies"]
    assert polled[ITEMS[1][0]]["pillars"] == ["aire", "justicia_ambiental"]

    status, out, err = run("export", "--format", "md")
    assert status == 0, err
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    # Each release once, under its strongest pillar (the others named beside it).
    assert headings == ["## Agua y cuencas (2)", "## Qualité de l'air (1)", "## No pillar (1)"]
    assert "*Also:* Especies migratorias" in out and "*Also:* Justicia ambiental" in out
    status, out, _ = run("export", "--format", "csv", "--pillar", "justicia_ambiental")
    assert status == 0 and out.count("\n") == 2 and "aire;justicia_ambiental" in out
    status, out, _ = run("export", "--format", "json")
    assert json.loads(out)["pillars"][1] == {"id": "especies", "name": "Especies migratorias"}
    status, _, err = run("export", "--pillar", "security")
    assert status == 2
    assert "unknown --pillar security (the taxonomy has agua, especies, aire" in err

    status, out, err = run("reclassify")
    assert status == 0, err
    assert "0 changed" in out
    # Opened with another taxonomy, the stored pillars stay and are named as foreign.
    status, out, _ = run("--taxonomy", str(BUNDLED), "export", "--format", "md")
    assert "## agua (not in the taxonomy) (2)" in out

    line = json.dumps({"id": 1, "title": ITEMS[1][0], "text": ITEMS[1][1]}, ensure_ascii=False)
    status, out, _ = run("classify", stdin=line + "\n")
    answer = json.loads(out)
    assert status == 0 and answer["pillars"] == ["aire", "justicia_ambiental"]
    assert list(answer["pillar_scores"]) == list(CEC_PILLARS)

    labelled = tmp_path / "labelled.jsonl"
    records = [
        {"title": t, "text": x, "is_summit": n < 3, "pillars": p}
        for n, ((t, x), p) in enumerate(
            zip(ITEMS, [["especies", "agua"], ["aire", "security"], ["agua"], []], strict=True)
        )
    ]
    labelled.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    status, out, err = run("eval", str(labelled))
    assert status == 0, err
    assert "detection: precision 1.000  recall 1.000  F1 1.000" in out
    per_pillar = next(line for line in out.splitlines() if "agua" in line and "F1" not in line)
    assert per_pillar.split()[::2] == ["agua", "especies", "aire", "justicia_ambiental", "security"]
    assert "labelled pillars the taxonomy does not have: security" in out


def test_alerts_listing_marks_a_rule_pillar_the_taxonomy_does_not_have(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'taxonomy = "{CEC}"\nsources = []\n[alerts]\n[[alerts.targets]]\n'
        'url = "json://127.0.0.1:9/hook"\npillars = ["security", "agua"]\n',
        encoding="utf-8",
    )
    done = summitwatch(
        "--config", str(config), "--db", str(tmp_path / "db"), "alerts", env_dir=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "pillars security (not in the taxonomy),agua" in done.stdout
