"""Hostile-sources benchmark (issue 6): one headless poll of 200 sources, about 30 of them hostile.

Run explicitly (about a minute; `bench_*.py` is not collected by a plain `pytest`):

    .venv/bin/python -m pytest tests/bench/bench_hostile.py -s

Every server listens on 127.0.0.1 only: `tests/feeds/hostile_server.py` plays the socket-level
cases (silence, trickling, truncation, 200 MB, a gzip bomb, a hang-up), a small threaded
`http.server` here plays the HTTP-level and content cases and ~170 ordinary RSS/Atom feeds of 30
items, all generated deterministically. The redirect to another host goes from `127.0.0.1` to
`localhost` (resolved from /etc/hosts). DNS failure is left out: a name that does not resolve
would send a query off this machine.

The bench pre-fills a database with one poll of the ordinary feeds (and marks every fifth release
"relevant" with a note, through `export` and `import`), then runs `summitwatch poll` on all 200
sources as a child process and asserts:

- its peak RSS (`ru_maxrss` from `os.wait4`, the child alone) is under 300 MB; the proportional
  memory (PSS) of the whole process tree, worker processes included, is sampled and printed;
- it ends within (total_timeout + MARGIN) x ceil(200 / concurrency): each request is bounded by
  total_timeout and at most `concurrency` run at once, so even if every source used its whole
  time limit the fetching would take that many rounds; MARGIN covers start-up, parsing,
  classification and the store write. It is killed at twice that bound (a hang);
- it exits 1; every hostile source is failing with a plain-words `last_error`, except the
  valid-but-odd feeds (encodings, missing fields, odd dates, 10,000 items, duplicates, escapes,
  a valid feed under a wrong Content-Type, a redirect to another host, which the fetcher follows
  by design), which must be healthy; every ordinary feed is healthy;
- every release stored before is still there with the same title, link, date, text and triage;
- no stored text holds a C0/C1 control (other than \\n and \\t), ESC, a bidi control or a
  zero-width character, and nothing of the file the XXE entity points at.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.feeds.hostile_server import HostileServer, hostile_server, unused_port

SUMMITWATCH = Path(sys.executable).parent / "summitwatch"
SOURCES = 200
CONCURRENCY = 20
TOTAL_TIMEOUT = 10.0
MARGIN = 5.0
ROUNDS = math.ceil(SOURCES / CONCURRENCY)
WALL_BOUND = (TOTAL_TIMEOUT + MARGIN) * ROUNDS
RSS_BOUND_MB = 300.0
POLL = f"""[poll]
interval = 900
concurrency = {CONCURRENCY}
per_host = {CONCURRENCY}
connect_timeout = 5
read_timeout = 5
total_timeout = {TOTAL_TIMEOUT:g}
max_bytes = 8388608
full_text = false
prune_after_days = 0
"""
RSS_TYPE = "application/rss+xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
BASE_TIME = datetime(2024, 3, 1, 12, tzinfo=UTC)
_WORD_TEXT = (
    "summit leaders trilateral cooperation climate methane migration health security border "
    "supply chains semiconductors fentanyl investment energy women indigenous competitiveness "
    "north american canada mexico united states agreement commitment program million dollars "
    "minister secretary announces launches publishes confirms welcomes partnership critical "
    "minerals rural broadband flood defence housing apprenticeship funding review framework"
)
WORDS = _WORD_TEXT.split()
# What must never reach the store: C0 but \t and \n, DEL, C1, bidi controls, zero-width, BOM.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# The fetcher's and parser's catch-alls: a message starting so is a bug's text, not plain words.
NOT_PLAIN = ("unexpected error", "internal error", "could not parse", "Traceback")


@dataclass(frozen=True)
class Case:
    """One configured source and what the poll should make of it."""

    name: str
    url: str
    healthy: bool
    title_has: str = ""  # a correctly decoded title of this source contains this


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", RSS_TYPE),)


# --- feeds ---------------------------------------------------------------------------------------


def _el(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def rss_item(
    title: str | None, link: str | None, guid: str | None, date: str | None, text: str | None
) -> str:
    fields = (("title", title), ("link", link), ("guid", guid), ("pubDate", date))
    return f"<item>{''.join(_el(t, v) for t, v in fields)}{_el('description', text)}</item>"


def rss(items: Sequence[str], declaration: str = DECLARATION, prolog: str = "") -> str:
    return (
        f'{declaration}{prolog}<rss version="2.0"><channel><title>Bench</title>'
        f"<link>https://bench.gov.example/</link>{''.join(items)}</channel></rss>"
    )


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def ordinary_feed(feed: int, items: int = 30) -> bytes:
    """Feed `feed`: RSS 2.0 when even, Atom when odd; a pure function of its number."""
    entries = []
    for k in range(items):
        rng = random.Random(feed * 1000 + k)
        title, text = _prose(rng, rng.randint(5, 11)), _prose(rng, rng.randint(40, 90)) + "."
        link, guid = f"https://agency{feed}.gov.example/news/{k}", f"urn:bench:{feed}:{k}"
        when = BASE_TIME - timedelta(hours=feed + 7 * k)
        if feed % 2 == 0:
            entries.append(rss_item(title, link, guid, format_datetime(when), f"<p>{text}</p>"))
            continue
        entries.append(
            f'<entry><title>{escape(title)}</title><link href="{link}"/><id>{guid}</id>'
            f"<updated>{when.isoformat()}</updated>"
            f'<summary type="html">{escape(f"<p>{text}</p>")}</summary></entry>'
        )
    if feed % 2 == 0:
        return rss(entries).encode()
    return (
        f'{DECLARATION}<feed xmlns="http://www.w3.org/2005/Atom"><title>Bench {feed}</title>'
        f"<id>urn:bench:{feed}</id><updated>{BASE_TIME.isoformat()}</updated>"
        f"{''.join(entries)}</feed>"
    ).encode()


def _simple(n: int, title: str, text: str = "Body.") -> list[str]:
    return [
        rss_item(f"{title} {k}", f"https://odd.gov.example/{n}/{k}", f"urn:odd:{n}:{k}", None, text)
        for k in range(3)
    ]


def encoding_routes() -> dict[str, Reply]:
    latin = "Communiqué: café naïve à Montréal"
    smart = "“Smart quotes” – €5 million"
    utf16 = "Déclaration — 北米首脳会議"
    xml = "application/rss+xml"
    return {
        "/latin1.xml": Reply(
            body=rss(_simple(1, latin), '<?xml version="1.0" encoding="ISO-8859-1"?>').encode(
                "latin-1"
            ),
            headers=(("Content-Type", f"{xml}; charset=iso-8859-1"),),
        ),
        "/cp1252.xml": Reply(
            body=rss(_simple(2, smart), '<?xml version="1.0" encoding="windows-1252"?>').encode(
                "cp1252"
            ),
            headers=(("Content-Type", xml),),
        ),
        "/utf16.xml": Reply(
            body=rss(_simple(3, utf16), '<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"),
            headers=(("Content-Type", xml),),
        ),
        "/undeclared-latin1.xml": Reply(
            body=rss(_simple(4, latin), '<?xml version="1.0"?>').encode("latin-1"),
            headers=(("Content-Type", xml),),
        ),
        "/mislabelled.xml": Reply(body=rss(_simple(5, smart)).encode("cp1252")),
    }


def field_routes() -> dict[str, Reply]:
    """Valid feeds with missing fields, odd dates, 10,000 items, duplicate GUIDs."""
    link, date = "https://odd.gov.example/m/", format_datetime(BASE_TIME)
    missing = [
        rss_item(None, link + "1", "urn:m:1", date, "No title."),
        rss_item("No link", None, "urn:m:2", date, "Text."),
        rss_item("No link, guid not a permalink", None, None, date, "Text."),
        rss_item("No date", link + "4", "urn:m:4", None, "Text."),
        rss_item("No guid", link + "5", None, date, "Text."),
        rss_item(None, None, None, None, "Only a description."),
    ]
    dates = [
        rss_item("From the future", link + "f", "urn:d:f", "Fri, 01 Jan 2099 00:00:00 GMT", "x"),
        rss_item("From 1970", link + "e", "urn:d:e", "Thu, 01 Jan 1970 00:00:00 GMT", "x"),
        rss_item("Zero date", link + "z", "urn:d:z", "0000-00-00T00:00:00Z", "x"),
        rss_item("No real date", link + "n", "urn:d:n", "last Tuesday", "x"),
    ]
    many = [
        rss_item(f"Item {k}", f"{link}big/{k}", f"urn:big:{k}", date, f"Item {k} of many.")
        for k in range(10_000)
    ]
    dupes = [
        rss_item(f"Dupe {k}", f"{link}d/{k}", f"urn:dup:{k % 4}", date, "x") for k in range(30)
    ]
    return {
        "/missing-fields.xml": Reply(body=rss(missing).encode()),
        "/dates.xml": Reply(body=rss(dates).encode()),
        "/ten-thousand.xml": Reply(body=rss(many).encode()),
        "/duplicates.xml": Reply(body=rss(dupes).encode()),
    }


def escape_routes() -> dict[str, Reply]:
    """Terminal and display tricks, as XML allows them and raw (which makes the XML ill-formed)."""
    legal = (
        "C1 \u0085\u009b31m here, bidi \u202egnp.exe\u202c \u2066iso\u2069, "
        "zero\u200bwidth\u200d\u2060\ufeff, rich [bold red]markup[/] [link=https://evil.example]x[/link]"
    )
    raw = (
        "ESC \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ "
        "bell\x07 controls\x01\x08\x0b\x0c\x7f"
    )
    legal_items = [
        rss_item(f"{legal} {k}", f"https://esc.gov.example/l/{k}", None, None, legal)
        for k in range(3)
    ]
    raw_items = [
        rss_item(f"{raw} {k}", f"https://esc.gov.example/r/{k}", None, None, raw) for k in range(3)
    ]
    return {
        "/escapes-legal.xml": Reply(body=rss(legal_items).encode()),
        "/escapes-raw.xml": Reply(body=rss(raw_items).encode()),
    }


def bomb_routes(secret: Path) -> dict[str, Reply]:
    lols = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    bomb = rss([rss_item("&lol9;", None, None, None, "&lol9;")], prolog=f"<!DOCTYPE rss [{lols}]>")
    xxe_doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    xxe = rss([rss_item("&xxe;", None, None, None, "&xxe;")], prolog=xxe_doctype)
    # escape() above turned the references into text; put them back as references.
    return {
        "/bomb.xml": Reply(body=bomb.replace("&amp;lol9;", "&lol9;").encode()),
        "/xxe.xml": Reply(body=xxe.replace("&amp;xxe;", "&xxe;").encode()),
    }


def http_routes(port: int) -> dict[str, Reply]:
    """Status codes, redirects and bodies that are not feeds."""
    html = ("Content-Type", "text/html; charset=utf-8")
    wall = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        b"<h1>Checking your browser before accessing</h1><p>Enable JavaScript.</p></body></html>"
    )
    routes = {
        f"/status/{code}": Reply(code, b"<html><body>error</body></html>", (html,))
        for code in (404, 410, 500, 503)
    }
    routes["/status/429"] = Reply(429, b"slow down", (html, ("Retry-After", "120")))
    routes["/loop/a"] = Reply(302, headers=(("Location", "/loop/b"),))
    routes["/loop/b"] = Reply(302, headers=(("Location", "/loop/a"),))
    routes["/moved"] = Reply(301, headers=(("Location", f"http://localhost:{port}/moved.xml"),))
    routes["/moved.xml"] = Reply(body=ordinary_feed(9000))
    routes["/wall.html"] = Reply(body=wall, headers=(html,))
    routes["/wrong-type-feed"] = Reply(
        body=ordinary_feed(9001), headers=(("Content-Type", "application/octet-stream"),)
    )
    routes["/wrong-type-image"] = Reply(
        body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, headers=(("Content-Type", "image/png"),)
    )
    routes["/malformed.xml"] = Reply(
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
        b"<<item>>&&<title a=>oops</tit le></chan"
    )
    routes["/empty.xml"] = Reply(body=b"")
    return routes


# --- the content server --------------------------------------------------------------------------


class _ContentHandler(BaseHTTPRequestHandler):
    server: ContentServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        reply = self.server.routes.get(self.path.split("?")[0], Reply(404, b"not found"))
        self.send_response(reply.status)
        for key, value in reply.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # hundreds of requests; the table at the end says what matters


class ContentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ContentHandler)
        self.routes: dict[str, Reply] = {}

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-body is expected here


@contextmanager
def content_server() -> Iterator[ContentServer]:
    server = ContentServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- the cases ------------------------------------------------------------------------------------


def socket_cases(raw: HostileServer) -> list[Case]:
    paths = ("/silent", "/trickle", "/truncated", "/huge", "/gzip-bomb", "/hang-up")
    cases = [Case(f"hostile {p[1:]}", raw.url(p), healthy=False) for p in paths]
    refused = f"http://127.0.0.1:{unused_port()}/feed.xml"
    return [*cases, Case("hostile refused", refused, healthy=False)]


def content_cases(web: ContentServer, secret: Path) -> list[Case]:
    """Register every hostile and odd route on `web`; the cases that poll them."""
    odd = encoding_routes() | field_routes() | escape_routes()
    web.routes |= http_routes(web.port) | bomb_routes(secret) | odd
    failing = [
        *(f"/status/{code}" for code in (404, 410, 500, 503, 429)),
        *("/loop/a", "/wall.html", "/wrong-type-image", "/malformed.xml", "/empty.xml"),
        *("/bomb.xml", "/xxe.xml"),
    ]
    cases = [Case(f"hostile {p.strip('/')}", web.url(p), healthy=False) for p in failing]
    titles = {"/latin1.xml": "Montréal", "/cp1252.xml": "“Smart quotes” – €5", "/utf16.xml": "北米"}
    cases += [Case(f"odd {p.strip('/')}", web.url(p), True, titles.get(p, "")) for p in odd]
    # The fetcher follows a redirect to another host by design (tests/feeds/test_fetch.py), and
    # the parser reads the body, not the Content-Type: both are valid-but-odd, not failures.
    cases.append(Case("odd redirect to another host", web.url("/moved"), healthy=True))
    return [*cases, Case("odd wrong-type-feed", web.url("/wrong-type-feed"), healthy=True)]


def ordinary_cases(web: ContentServer, count: int) -> list[Case]:
    web.routes |= {f"/feed/{n}.xml": Reply(body=ordinary_feed(n)) for n in range(count)}
    return [Case(f"ordinary {n:03d}", web.url(f"/feed/{n}.xml"), True) for n in range(count)]


def write_config(path: Path, cases: Sequence[Case]) -> Path:
    tables = [
        f"[[sources]]\nname = {json.dumps(c.name)}\nurl = {json.dumps(c.url)}\n"
        'country = "US"\nlanguage = "en"\nkind = "feed"\n'
        for c in cases
    ]
    path.write_text(POLL + "\n" + "\n".join(tables), encoding="utf-8")
    return path


# --- running summitwatch --------------------------------------------------------------------------


def child_env(home: Path) -> dict[str, str]:
    """No proxy (httpx honours one even for 127.0.0.1 unless told not to); a private home."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    env.update(XDG_DATA_HOME=str(home / "data"), NO_PROXY="*", PYTHONFAULTHANDLER="1")
    return env


def summitwatch(home: Path, *args: str | Path, timeout: float = 600) -> str:
    """Run a summitwatch command that must succeed; its stdout."""
    command = [str(SUMMITWATCH), *(str(a) for a in args)]
    done = subprocess.run(
        command, env=child_env(home), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode in (0, 1), f"{command} exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def export(home: Path, config: Path, db: Path) -> dict[str, dict[str, Any]]:
    """Every stored release by id, as `summitwatch export` writes it."""
    data = json.loads(summitwatch(home, "export", "--config", config, "--db", db))
    return {item["release"]["id"]: item for item in data["releases"]}


def prefill(home: Path, cases: Sequence[Case], db: Path) -> dict[str, dict[str, Any]]:
    """Poll the ordinary feeds into `db`, triage every fifth release; the export after that."""
    config = write_config(home / "ordinary.toml", cases)
    out = subprocess.run(
        [str(SUMMITWATCH), "poll", "--config", str(config), "--db", str(db)],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, f"the pre-fill poll failed: {out.stdout[-2000:]}{out.stderr}"
    releases = export(home, config, db)
    for n, item in enumerate(sorted(releases.values(), key=lambda i: i["release"]["id"])):
        if n % 5 == 0:
            item.update(triage="relevant", note="kept by bench_hostile")
    envelope = {"format": "summitwatch-export", "version": 1, "releases": list(releases.values())}
    triaged = home / "triaged.json"
    triaged.write_text(json.dumps(envelope), encoding="utf-8")
    summitwatch(home, "import", "--config", config, "--db", db, triaged)
    return export(home, config, db)


@dataclass(frozen=True)
class Measured:
    status: int
    wall: float
    maxrss_mb: float
    tree_pss_mb: float
    killed: bool


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc (no psutil)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with suppress(OSError):
                queue += [int(child) for child in task.read_text().split()]
    return found


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+)", rollup, re.M)
    return int(match.group(1)) if match else 0


def _sample_tree(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(0.1):
        # The wrapper itself (the root) is left out: it is not summitwatch.
        peak[0] = max(peak[0], sum(_pss_kb(p) for p in _tree(pid)[1:]))


# Between pytest and summitwatch: exec() records the old memory's high-water mark as the new
# program's ru_maxrss, so a child exec'd straight from this (large) process would report this
# process's size. This small one forks the poll, waits for it alone and writes its figures.
WRAPPER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {code}")
"""


def measured_poll(home: Path, config: Path, db: Path, hard_limit: float) -> Measured:
    """One `summitwatch poll`, killed (with its workers) after `hard_limit` seconds."""
    figures = home / "poll.rusage"
    poll = [str(SUMMITWATCH), "poll", "--config", str(config), "--db", str(db)]
    command = [sys.executable, "-c", WRAPPER, str(figures), *poll]
    stop, peak, killed = threading.Event(), [0], threading.Event()

    def kill() -> None:
        # SIGABRT first: with PYTHONFAULTHANDLER every process of the tree prints its stacks.
        killed.set()
        for sig in (signal.SIGABRT, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(child.pid, sig)
            time.sleep(3)

    with (home / "poll.out").open("wb") as sink:
        started = time.monotonic()
        child = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=child_env(home),
            start_new_session=True,
        )
        sampler = threading.Thread(target=_sample_tree, args=(child.pid, stop, peak))
        timer = threading.Timer(hard_limit, kill)
        sampler.start()
        timer.start()
        child.wait()
        wall = time.monotonic() - started
        timer.cancel()
        stop.set()
        sampler.join()
    maxrss, status = figures.read_text().split() if figures.exists() else ("0", "-9")
    return Measured(int(status), wall, int(maxrss) / 1024, peak[0] / 1024, killed.is_set())


# --- checks ---------------------------------------------------------------------------------------


def health_problems(cases: Sequence[Case], rows: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for case in cases:
        row = rows[case.name]
        failing, error = str(row["status"]).startswith("failing"), str(row["last_error"])
        if case.healthy and failing:
            problems.append(f"{case.name}: expected healthy, got {error!r}")
        elif not case.healthy and not failing:
            problems.append(f"{case.name}: expected failing, got {row['status']!r}")
        elif failing and (not error.strip() or error.startswith(NOT_PLAIN) or len(error) > 200):
            problems.append(f"{case.name}: last_error not in plain words: {error!r}")
        elif failing and FORBIDDEN.search(error):
            problems.append(f"{case.name}: last_error holds control characters: {error!r}")
    return problems


def title_problems(cases: Sequence[Case], after: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for case in (c for c in cases if c.title_has):
        titles = [
            i["release"]["title"] for i in after.values() if i["release"]["source"] == case.name
        ]
        if not any(case.title_has in t for t in titles):
            problems.append(f"{case.name}: no title holds {case.title_has!r}: {titles[:2]}")
    return problems


def stored_problems(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], secret: str
) -> list[str]:
    problems = [f"{len(set(before) - set(after))} releases stored before are gone"]
    if not set(before) - set(after):
        problems = []
    for rid in set(before) & set(after):
        old, new = before[rid], after[rid]
        for key in ("title", "link", "published", "text"):
            if old["release"][key] != new["release"][key]:
                problems.append(f"{rid}: {key} changed: {old['release'][key]!r:.60}")
        if (old["triage"], old["note"]) != (new["triage"], new["note"]):
            problems.append(f"{rid}: triage changed from {old['triage']} to {new['triage']}")
    for rid, item in after.items():
        for key in ("title", "summary", "text", "link", "guid", "source"):
            if FORBIDDEN.search(item["release"][key]):
                problems.append(f"{rid}: {key} holds a control: {item['release'][key]!r:.80}")
    if secret in json.dumps(after):
        problems.append("the file the XXE entity names was read into the store")
    return problems[:40]


def print_table(cases: Sequence[Case], rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{'SOURCE':<34} {'EXPECT':<7} {'STATUS':<12} {'ITEMS':>5}  LAST ERROR")
    for case in cases:
        row = rows[case.name]
        expect = "ok" if case.healthy else "fail"
        print(
            f"{case.name:<34} {expect:<7} {row['status']:<12} {row['items_seen']:>5}  "
            f"{row['last_error']}"
        )


def print_figures(run: Measured, rows: dict[str, dict[str, Any]], stored: tuple[int, int]) -> None:
    ok = sum(r["status"] == "ok" for r in rows.values())
    print(
        f"\nwall {run.wall:.1f} s (bound {WALL_BOUND:g} s = ({TOTAL_TIMEOUT:g} + {MARGIN:g}) x "
        f"{ROUNDS} rounds){' KILLED' if run.killed else ''}; peak RSS {run.maxrss_mb:.1f} MB "
        f"(bound {RSS_BOUND_MB:g}); tree PSS peak {run.tree_pss_mb:.1f} MB; "
        f"exit {run.status}; sources ok {ok}, not ok {len(rows) - ok}; "
        f"releases before {stored[0]}, after {stored[1]}"
    )


# --- the bench ------------------------------------------------------------------------------------


def test_hostile_sources_fail_alone_within_memory_and_time(tmp_path: Path) -> None:
    secret_file, secret = tmp_path / "secret.txt", f"BENCH-XXE-SECRET-{os.getpid()}"
    secret_file.write_text(secret)
    db = tmp_path / "db"
    with hostile_server() as raw, content_server() as web:
        hostile = socket_cases(raw) + content_cases(web, secret_file)
        ordinary = ordinary_cases(web, SOURCES - len(hostile))
        before = prefill(tmp_path, ordinary, db)
        config = write_config(tmp_path / "all.toml", [*ordinary, *hostile])
        run = measured_poll(tmp_path, config, db, hard_limit=2 * WALL_BOUND)
    listing = summitwatch(tmp_path, "sources", "--config", config, "--db", db, "--json")
    rows = {row["name"]: row for row in json.loads(listing)}
    after = export(tmp_path, config, db)
    print_table(hostile, rows)
    print_figures(run, rows, (len(before), len(after)))
    problems = health_problems([*hostile, *ordinary], rows) + title_problems(hostile, after)
    problems += stored_problems(before, after, secret)
    hang = (tmp_path / "poll.out").read_text(errors="replace")[-6000:] if run.killed else ""
    assert not run.killed, f"the poll hung: killed after {2 * WALL_BOUND:g} s; its end:\n{hang}"
    assert run.maxrss_mb < RSS_BOUND_MB, f"peak RSS {run.maxrss_mb:.1f} MB"
    assert run.wall < WALL_BOUND, f"the poll took {run.wall:.1f} s"
    assert run.status == 1, f"exit status {run.status}, expected 1 (some sources failed)"
    assert not problems, "\n".join(problems)
