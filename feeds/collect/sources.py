"""The configuration of what to poll and how: TOML in, frozen dataclasses out.

A config file holds `[poll]` settings, `[alerts]`, an optional `taxonomy` path and a list of
`[[sources]]`. Every error names the file, the line and what was expected, because the person
reading it is about to open that file in an editor.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feeds.collect.parsers import PARSERS
from feeds.collect.rules import RuleError, rule_from_table
from feeds.models import (
    COUNTRIES,
    FETCH_MODES,
    LANGUAGES,
    PILLAR_ID,
    FetchPolicy,
    Rule,
    Source,
)

DEMO_DIR = Path(str(resources.files("feeds") / "demo"))

_SOURCE_KEYS = {
    "name",
    "url",
    "country",
    "language",
    "kind",
    "interval",
    "user_agent",
    "selectors",
    "enabled",
    "drop",
    "fetch",
    "rules",
}
_SELECTOR_KEYS = {"item", "title", "link", "date", "summary", "type"}

WEEK = 7 * 24 * 3600
# Every number the config takes and its range, both ends included ("[poll] key" for `[poll]`,
# "source key" for a `[[sources]]` table). A new numeric setting needs a line here (a test
# checks); README's "Settings and their ranges" lists the same.
RANGES: dict[str, tuple[float, float]] = {
    "[poll] interval": (60, WEEK),
    "[poll] prune_after_days": (0, 36_500),
    "[poll] full_text_seconds": (1, 3600),  # the full-text stage's time budget
    "[poll] connect_timeout": (0.1, 600),
    "[poll] read_timeout": (0.1, 600),
    "[poll] total_timeout": (0.1, 3600),
    "[poll] max_bytes": (1024, 1 << 30),
    "[poll] max_redirects": (0, 20),
    "[poll] concurrency": (1, 256),
    "[poll] per_host": (1, 64),
    "source interval": (60, WEEK),
    "[serve] max_sessions": (1, 64),
    "[serve] idle_minutes": (1, 1440),
}
_TOP_KEYS = {
    *("poll", "alerts", "digest", "dashboard", "serve", "sources", "rules", "taxonomy"),
    *("keys", "briefings"),
}


class ConfigError(Exception):
    """A config the program cannot use; the message says where and why."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}, line {line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class PollSettings:
    """`[poll]`: the schedule and what a poll does, and the limits of every request (`fetch`:
    its keys sit in `[poll]` beside the others)."""

    interval: int = 900
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    # Fetch the release page when a feed gives only a summary (once per release), after the
    # poll has stored every release, for at most `full_text_seconds`.
    full_text: bool = True
    full_text_seconds: float = 60.0
    # Bodies of non-summit releases older than this many days are dropped (0 keeps them all).
    prune_after_days: int = 0


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Which releases alert a target; every part given must match. The default: summit ones."""

    summit_only: bool = True
    filter: str = ""  # the name of a saved filter of the dashboard
    pillars: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    search: str = ""


@dataclass(frozen=True, slots=True)
class AlertTarget:
    """An Apprise URL and its rule. The URL holds secrets: it is kept out of every repr."""

    url: str = field(repr=False)
    rule: AlertRule = AlertRule()
    digest_only: bool = False  # gets the digest, not an alert per release
    edits: bool = False  # also alerted when a release it would get is edited after publication


@dataclass(frozen=True, slots=True)
class AlertSettings:
    bell: bool = False
    command: str = ""
    targets: tuple[AlertTarget, ...] = ()
    timeout: float = 30.0  # seconds for one round of alerts, every target together


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """When `poll --watch` sends the digest to the alert targets: never, daily or weekly."""

    every: str = ""  # "", "day" or "week"
    at: time = time(8, 0)  # the local time of day
    weekday: int = 0  # Monday; for "week"


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    """`[dashboard]`: habits of the dashboard."""

    # After a triage key the cursor moves on to the next release (newsboat's and Miniflux's way).
    advance: bool = True


# `summitwatch serve --hash-password` writes these: scrypt$N$r$p$salt$digest (base64).
_PASSWORD_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+")
MAX_SESSIONS_RANGE = (1, 64)  # as in RANGES
IDLE_MINUTES_RANGE = (1, 1440)


@dataclass(frozen=True, slots=True)
class ServeUser:
    """A person who may sign in to a served dashboard. Only the password's hash is kept."""

    name: str
    password_hash: str = field(repr=False)
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """`[serve]`: who may open the dashboard in a browser, how many at once, for how long."""

    max_sessions: int = 4  # dashboard processes at once
    idle_minutes: int = 30  # a session without a key or click for this long is closed
    read_only: bool = False  # every session only looks
    public_url: str = ""  # the address browsers use, e.g. https://watch.example.org
    users: tuple[ServeUser, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    sources: tuple[Source, ...]
    poll: PollSettings = PollSettings()
    alerts: AlertSettings = AlertSettings()
    digest: DigestSettings = DigestSettings()
    dashboard: DashboardSettings = DashboardSettings()
    serve: ServeSettings = ServeSettings()
    taxonomy: Path | None = None
    briefings: Path | None = None  # the folder `e` writes briefings to (None: the data folder's)
    # binding id -> keys, e.g. {"triage.star": "s"}: how users remap keys.
    keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


class _Lines:
    """Finds the line of a key so that schema errors can point into the file."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def of_table(self, header: str, index: int = 0) -> int | None:
        pattern = re.compile(rf"^\s*\[{{1,2}}\s*{re.escape(header)}\s*\]{{1,2}}")
        seen = 0
        for number, line in enumerate(self._lines, start=1):
            if pattern.match(line):
                if seen == index:
                    return number
                seen += 1
        return None

    def of_key(self, key: str, table: str | None = None, index: int = 0) -> int | None:
        start = self.of_table(table, index) if table else 0
        if start is None:
            return None
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start + 1 if table else 1, len(self._lines) + 1):
            line = self._lines[number - 1]
            if number > start + 1 and table and re.match(r"^\s*\[\[?\s*sources\s*\]\]?", line):
                break
            if key_re.match(line):
                return number
        return start or None

    def in_table(self, key: str, header: str, index: int) -> int | None:
        """The line of `key` in the `index`-th [[header]] table, else of the table itself."""
        start = self.of_table(header, index)
        if start is None:
            return None
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start + 1, len(self._lines) + 1):
            line = self._lines[number - 1]
            if line.lstrip().startswith("["):
                break
            if key_re.match(line):
                return number
        return start


def load_config(path: Path) -> Config:
    """Read and validate a config file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, "is not UTF-8 text") from exc
    return parse_config(text, path)


def parse_config(text: str, path: Path, *, base_dir: Path | None = None) -> Config:
    """Validate config text; `base_dir` lets relative source URLs name files (the demo only)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise ConfigError(path, line, f"is not valid TOML: {exc}") from exc
    lines = _Lines(text)
    for key in doc:
        if key not in _TOP_KEYS:
            raise ConfigError(path, lines.of_key(key), f"unknown setting {key!r}")
    sources_raw = doc.get("sources", [])
    if not isinstance(sources_raw, list):
        raise ConfigError(path, lines.of_key("sources"), "`sources` must be [[sources]] tables")
    sources = _with_rules(
        [
            _parse_source(entry, index, path, lines, base_dir)
            for index, entry in enumerate(sources_raw)
        ],
        sources_raw,
        _parse_rules(doc.get("rules", []), path, lines, "rules", 0),
        path,
        lines,
    )
    _check_unique_names(sources, path, lines)
    taxonomy = doc.get("taxonomy")
    if taxonomy is not None and not isinstance(taxonomy, str):
        raise ConfigError(path, lines.of_key("taxonomy"), "`taxonomy` must be a file path")
    briefings = doc.get("briefings")
    if briefings is not None and (not isinstance(briefings, str) or not briefings.strip()):
        raise ConfigError(path, lines.of_key("briefings"), "`briefings` must be a folder path")
    keys = doc.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(path, lines.of_table("keys"), "[keys] maps binding ids to key names")
    return Config(
        path=path,
        sources=sources,
        poll=_parse_poll(doc.get("poll", {}), path, lines),
        alerts=_parse_alerts(doc.get("alerts", {}), path, lines),
        digest=_parse_digest(doc.get("digest", {}), path, lines),
        dashboard=_parse_dashboard(doc.get("dashboard", {}), path, lines),
        serve=_parse_serve(doc.get("serve", {}), path, lines),
        taxonomy=Path(taxonomy).expanduser() if taxonomy else None,
        briefings=Path(briefings).expanduser() if briefings else None,
        keys=dict(keys),
    )


# A line number, or how to find it: finding one scans the file, so it is done only for errors.
LineRef = int | None | Callable[[], int | None]


def _line(ref: LineRef) -> int | None:
    return ref() if callable(ref) else ref


def _expect(value: Any, kind: type | tuple[type, ...], what: str, path: Path, line: LineRef) -> Any:
    # bool is an int in Python; a TOML `true` where a number belongs is still a mistake.
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(path, _line(line), f"{what} must be {_kind_name(kind)}, not true/false")
    if not isinstance(value, kind):
        found = type(value).__name__
        raise ConfigError(path, _line(line), f"{what} must be {_kind_name(kind)}, not {found}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _parse_poll(raw: Any, path: Path, lines: _Lines) -> PollSettings:
    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_key("poll"), "[poll] must be a table")
    fields: dict[str, Any] = {}
    fetch_fields: dict[str, Any] = {}
    defaults = PollSettings()
    for key, value in raw.items():
        line = lines.of_key(key, "poll")
        owner = defaults.fetch if hasattr(defaults.fetch, key) else defaults
        if key == "fetch" or not hasattr(owner, key):
            raise ConfigError(path, line, f"unknown setting {key!r} in [poll]")
        default = getattr(owner, key)
        kind: type | tuple[type, ...] = (
            (int, float) if isinstance(default, float) else type(default)
        )
        _expect(value, kind, f"[poll] {key}", path, line)
        if isinstance(value, int | float) and not isinstance(value, bool):
            check_range(f"[poll] {key}", value, path, line)
        chosen = fetch_fields if owner is defaults.fetch else fields
        chosen[key] = float(value) if isinstance(default, float) else value
    return PollSettings(**fields, fetch=FetchPolicy(**fetch_fields))


_ALERT_KEYS = {"bell", "command", "urls", "timeout", "targets", "edits"}
_TARGET_KEYS = {
    "url",
    "summit_only",
    "filter",
    "pillars",
    "countries",
    "search",
    "digest_only",
    "edits",
}
# An Apprise URL: a scheme (mailto, ntfy, json, slack, ...) and something after it.
_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)


def _parse_alerts(raw: Any, path: Path, lines: _Lines) -> AlertSettings:
    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_key("alerts"), "[alerts] must be a table")
    unknown = set(raw) - _ALERT_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(path, lines.of_key(key, "alerts"), f"unknown setting {key!r} in [alerts]")
    bell = _expect(raw.get("bell", False), bool, "[alerts] bell", path, lines.of_key("bell"))
    command = _expect(
        raw.get("command", ""), str, "[alerts] command", path, lines.of_key("command")
    )
    timeout = _expect(
        raw.get("timeout", 30.0),
        (int, float),
        "[alerts] timeout",
        path,
        lambda: lines.of_key("timeout", "alerts"),
    )
    if not 1 <= timeout <= 600:
        raise ConfigError(
            path, lines.of_key("timeout", "alerts"), "[alerts] timeout must be 1 to 600 seconds"
        )
    urls = raw.get("urls", [])

    def urls_line() -> int | None:
        return lines.of_key("urls", "alerts")

    if not isinstance(urls, list):
        raise ConfigError(path, urls_line(), "[alerts] urls must be a list")
    edits = _expect(
        raw.get("edits", False), bool, "[alerts] edits", path, lambda: lines.of_key("edits")
    )
    targets = [
        AlertTarget(
            _check_apprise_url(url, f"[alerts] urls, item {n}", path, urls_line), edits=edits
        )
        for n, url in enumerate(urls, start=1)
    ]
    tables = raw.get("targets", [])
    if not isinstance(tables, list):
        raise ConfigError(path, lines.of_key("targets"), "[[alerts.targets]] must be tables")
    targets += [_parse_target(entry, n, path, lines) for n, entry in enumerate(tables)]
    return AlertSettings(bell=bell, command=command, targets=tuple(targets), timeout=float(timeout))


def _parse_digest(raw: Any, path: Path, lines: _Lines) -> DigestSettings:
    def at(key: str) -> Callable[[], int | None]:
        return lambda: lines.of_key(key, "digest")

    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_key("digest"), "[digest] must be a table")
    for key in raw:
        if key not in ("every", "at", "weekday"):
            raise ConfigError(path, at(key)(), f"unknown setting {key!r} in [digest]")
    every = _expect(raw.get("every", ""), str, "[digest] every", path, at("every"))
    if every not in ("", "day", "week"):
        raise ConfigError(path, at("every")(), '[digest] every must be "day" or "week"')
    clock = _expect(raw.get("at", "08:00"), str, "[digest] at", path, at("at"))
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", clock.strip())
    if match is None:
        raise ConfigError(path, at("at")(), '[digest] at must be a time of day like "08:00"')
    day = _expect(raw.get("weekday", "monday"), str, "[digest] weekday", path, at("weekday"))
    if day.lower() not in WEEKDAYS:
        raise ConfigError(path, at("weekday")(), f"[digest] weekday must be one of {WEEKDAYS}")
    return DigestSettings(
        every=every,
        at=time(int(match.group(1)), int(match.group(2))),
        weekday=WEEKDAYS.index(day.lower()),
    )


def _parse_dashboard(raw: Any, path: Path, lines: _Lines) -> DashboardSettings:
    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_key("dashboard"), "[dashboard] must be a table")
    for key in raw:
        if key != "advance":
            line = lines.of_key(key, "dashboard")
            raise ConfigError(path, line, f"unknown setting {key!r} in [dashboard]")
    advance = _expect(
        raw.get("advance", True),
        bool,
        "[dashboard] advance",
        path,
        lambda: lines.of_key("advance", "dashboard"),
    )
    return DashboardSettings(advance=advance)


def _parse_serve(raw: Any, path: Path, lines: _Lines) -> ServeSettings:
    def at(key: str) -> Callable[[], int | None]:
        return lambda: lines.of_key(key, "serve")

    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_key("serve"), "[serve] must be a table")
    for key in raw:
        if key not in ("max_sessions", "idle_minutes", "read_only", "public_url", "users"):
            raise ConfigError(path, at(key)(), f"unknown setting {key!r} in [serve]")
    numbers = {}
    for key, (low, high), default in (
        ("max_sessions", MAX_SESSIONS_RANGE, 4),
        ("idle_minutes", IDLE_MINUTES_RANGE, 30),
    ):
        value = _expect(raw.get(key, default), int, f"[serve] {key}", path, at(key))
        if not low <= value <= high:
            raise ConfigError(path, at(key)(), f"[serve] {key} must be {low} to {high}")
        numbers[key] = value
    read_only = _expect(
        raw.get("read_only", False), bool, "[serve] read_only", path, at("read_only")
    )
    public_url = _expect(
        raw.get("public_url", ""), str, "[serve] public_url", path, at("public_url")
    )
    if public_url and urlsplit(public_url).scheme not in ("http", "https"):
        raise ConfigError(path, at("public_url")(), "[serve] public_url must start with https://")
    users_raw = raw.get("users", {})
    if not isinstance(users_raw, dict):
        raise ConfigError(path, at("users")(), "[serve] users must be [serve.users.NAME] tables")
    users = tuple(_parse_serve_user(name, entry, path, lines) for name, entry in users_raw.items())
    return ServeSettings(
        max_sessions=numbers["max_sessions"],
        idle_minutes=numbers["idle_minutes"],
        read_only=read_only,
        public_url=public_url.rstrip("/"),
        users=users,
    )


def _parse_serve_user(name: str, raw: Any, path: Path, lines: _Lines) -> ServeUser:
    table = f"serve.users.{name}"

    def at(key: str) -> Callable[[], int | None]:
        return lambda: lines.of_key(key, table) or lines.of_table(table)

    what = f"[{table}]"
    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_table(table), f"{what} must be a table")
    for key in raw:
        if key not in ("password_hash", "read_only"):
            raise ConfigError(path, at(key)(), f"unknown setting {key!r} in {what}")
    # The hash is never quoted back: it is not the password, but it need not travel either.
    hashed = _expect(
        raw.get("password_hash"), str, f"{what} password_hash", path, at("password_hash")
    )
    if not _PASSWORD_HASH.fullmatch(hashed):
        raise ConfigError(
            path,
            at("password_hash")(),
            f"{what} password_hash is not a hash made by `summitwatch serve --hash-password`",
        )
    read_only = _expect(
        raw.get("read_only", False), bool, f"{what} read_only", path, at("read_only")
    )
    return ServeUser(name=name, password_hash=hashed, read_only=read_only)


def _check_apprise_url(url: Any, what: str, path: Path, line: LineRef) -> str:
    # The URL itself is never quoted back: Apprise URLs hold passwords and tokens.
    if not isinstance(url, str) or not _APPRISE_URL.match(url.strip()):
        raise ConfigError(
            path, _line(line), f"{what} is not an Apprise URL (like ntfy://host/topic)"
        )
    return url.strip()


def _parse_target(raw: Any, index: int, path: Path, lines: _Lines) -> AlertTarget:
    def at(key: str) -> Callable[[], int | None]:
        return lambda: (
            lines.of_key(key, "alerts.targets", index) or lines.of_table("alerts.targets", index)
        )

    what = f"[[alerts.targets]] number {index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(path, lines.of_table("alerts.targets", index), f"{what} is not a table")
    for key in raw:
        if key not in _TARGET_KEYS:
            raise ConfigError(path, at(key)(), f"unknown setting {key!r} in {what}")
    if "url" not in raw:
        raise ConfigError(path, at("url")(), f"{what} has no `url`")
    url = _check_apprise_url(raw["url"], f"the `url` of {what}", path, at("url"))
    pillars = _pillar_ids(raw.get("pillars", []), path, at("pillars"))
    countries = _names(
        [c.upper() if isinstance(c, str) else c for c in raw.get("countries", [])],
        COUNTRIES,
        "`countries`",
        path,
        at("countries"),
    )
    rule = AlertRule(
        summit_only=_expect(
            raw.get("summit_only", True), bool, "`summit_only`", path, at("summit_only")
        ),
        filter=_expect(raw.get("filter", ""), str, "`filter`", path, at("filter")).strip(),
        pillars=pillars,
        countries=countries,
        search=_expect(raw.get("search", ""), str, "`search`", path, at("search")).strip(),
    )
    digest_only = _expect(
        raw.get("digest_only", False), bool, "`digest_only`", path, at("digest_only")
    )
    edits = _expect(raw.get("edits", False), bool, "`edits`", path, at("edits"))
    return AlertTarget(url=url, rule=rule, digest_only=digest_only, edits=edits)


def _pillar_ids(raw: Any, path: Path, line: LineRef) -> tuple[str, ...]:
    """Pillar ids of the taxonomy in use (which may be the user's: only the form is checked)."""
    ids = _names(raw, (), "`pillars`", path, line)
    for value in ids:
        if not PILLAR_ID.fullmatch(value):
            raise ConfigError(path, _line(line), f"`pillars`: {value!r} is not a pillar id")
    return ids


def _names(raw: Any, known: Sequence[str], what: str, path: Path, line: LineRef) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(path, _line(line), f"{what} must be a list of names")
    for value in raw:
        if known and value not in known:
            raise ConfigError(path, _line(line), f"{what}: {value!r} is not one of {tuple(known)}")
    return tuple(raw)


def _parse_source(raw: Any, index: int, path: Path, lines: _Lines, base_dir: Path | None) -> Source:
    def table_line() -> int | None:
        return lines.of_table("sources", index)

    def at(key: str) -> Callable[[], int | None]:
        return lambda: lines.of_key(key, "sources", index) or table_line()

    if not isinstance(raw, dict):
        raise ConfigError(path, table_line(), "each [[sources]] must be a table")
    for key in raw:
        if key not in _SOURCE_KEYS:
            raise ConfigError(path, at(key)(), f"unknown setting {key!r} in a source")
    for key in ("name", "url", "country"):
        if key not in raw:
            raise ConfigError(path, table_line(), f"this source has no `{key}`")
    name = _expect(raw["name"], str, "`name`", path, at("name")).strip()
    url = _check_url(_expect(raw["url"], str, "`url`", path, at("url")), base_dir, path, at("url"))
    country = _expect(raw["country"], str, "`country`", path, at("country")).upper()
    if country not in COUNTRIES:
        raise ConfigError(path, at("country")(), f"`country` must be one of {COUNTRIES}")
    language = _expect(raw.get("language", ""), str, "`language`", path, at("language"))
    if language and language not in LANGUAGES:
        raise ConfigError(path, at("language")(), f"`language` must be one of {LANGUAGES}")
    kind = _expect(raw.get("kind", "feed"), str, "`kind`", path, at("kind"))
    if kind not in PARSERS:
        allowed = " or ".join(f'"{name}"' for name in PARSERS)
        raise ConfigError(path, at("kind")(), f"`kind` must be {allowed}")
    interval = raw.get("interval")
    if interval is not None:
        _expect(interval, int, "`interval`", path, at("interval"))
        check_range("source interval", interval, path, at("interval")())
    user_agent = raw.get("user_agent")
    if user_agent is not None:
        _expect(user_agent, str, "`user_agent`", path, at("user_agent"))
    enabled = _expect(raw.get("enabled", True), bool, "`enabled`", path, at("enabled"))
    fetch = _expect(raw.get("fetch", "http"), str, "`fetch`", path, at("fetch"))
    if fetch not in FETCH_MODES:
        raise ConfigError(path, at("fetch")(), '`fetch` must be "http" or "browser"')
    return Source(
        name=name,
        url=url,
        country=country,
        language=language,
        kind=kind,
        interval=interval,
        user_agent=user_agent,
        selectors=_parse_selectors(raw.get("selectors", {}), path, at("selectors")),
        enabled=enabled,
        drop=_parse_drop(raw.get("drop", []), path, at("drop")),
        fetch=fetch,
    )


def _with_rules(
    sources: list[Source],
    raw: list[Any],
    global_rules: tuple[Rule, ...],
    path: Path,
    lines: _Lines,
) -> tuple[Source, ...]:
    """Each source with its own `[[sources.rules]]`, then the global `[[rules]]`."""
    done: list[Source] = []
    nested = 0  # [[sources.rules]] tables seen so far, to find the line of the next one
    for source, entry in zip(sources, raw, strict=True):
        own = _parse_rules(entry.get("rules", []), path, lines, "sources.rules", nested)
        nested += len(own)
        done.append(replace(source, rules=own + global_rules) if own or global_rules else source)
    return tuple(done)


def _parse_rules(raw: Any, path: Path, lines: _Lines, header: str, first: int) -> tuple[Rule, ...]:
    if not isinstance(raw, list):
        raise ConfigError(path, lines.of_key("rules"), f"rules must be [[{header}]] tables")
    rules = []
    for index, entry in enumerate(raw, start=first):
        try:
            rules.append(rule_from_table(entry))
        except RuleError as exc:
            line = (
                lines.in_table(exc.key, header, index) if exc.key else lines.of_table(header, index)
            )
            raise ConfigError(path, line, f"[[{header}]]: {exc}") from exc
    return tuple(rules)


def _parse_selectors(raw: Any, path: Path, line: LineRef) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(path, _line(line), "`selectors` must be a table of CSS selectors")
    for key, value in raw.items():
        if key not in _SELECTOR_KEYS:
            known = ", ".join(sorted(_SELECTOR_KEYS))
            raise ConfigError(path, _line(line), f"unknown selector {key!r} (known: {known})")
        _expect(value, str, f"selector {key!r}", path, line)
    return dict(raw)


def _parse_drop(raw: Any, path: Path, line: LineRef) -> tuple[str, ...]:
    """`drop`: CSS selectors of elements to leave out of the texts, each checked here."""
    if not isinstance(raw, list) or not all(isinstance(css, str) for css in raw):
        raise ConfigError(
            path, _line(line), '`drop` must be a list of CSS selectors, e.g. [".share"]'
        )
    from cssselect import GenericTranslator, SelectorError  # only for a config that has `drop`

    for css in raw:
        try:
            GenericTranslator().css_to_xpath(css)
        except SelectorError as exc:
            raise ConfigError(
                path, _line(line), f"`drop`: {css!r} is not a CSS selector ({exc})"
            ) from exc
    return tuple(raw)


def check_range(setting: str, value: float, path: Path, line: int | None) -> None:
    """Raise ConfigError unless `value` lies in the range `RANGES` gives `setting`."""
    low, high = RANGES[setting]
    if not low <= value <= high:  # also false for NaN
        shown = "nan" if value != value else f"{value:g}"
        raise ConfigError(
            path, line, f"{setting} is {shown}; it must be between {low:g} and {high:g}"
        )


def _check_url(url: str, base_dir: Path | None, path: Path, line: LineRef) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port out of range raises only when read
    except ValueError as exc:
        raise ConfigError(path, _line(line), f"{url!r} is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return url
    if base_dir is not None and scheme == "":
        return (base_dir / url).resolve().as_uri()
    raise ConfigError(
        path, _line(line), f"unsupported URL {url!r}: sources must be http:// or https:// addresses"
    )


def _check_unique_names(sources: Sequence[Source], path: Path, lines: _Lines) -> None:
    seen: set[str] = set()
    for index, source in enumerate(sources):
        if not source.name:
            raise ConfigError(path, lines.of_table("sources", index), "a source has an empty name")
        if source.name in seen:
            line = lines.of_key("name", "sources", index)
            raise ConfigError(path, line, f"two sources are named {source.name!r}")
        seen.add(source.name)


def default_config_text() -> str:
    """The commented config written on first run."""
    return (resources.files("feeds.collect") / "default_config.toml").read_text(encoding="utf-8")


def default_config() -> Config:
    path = Path(str(resources.files("feeds.collect") / "default_config.toml"))
    return parse_config(default_config_text(), path)


def ensure_config(path: Path) -> Config:
    """Load the config at `path`, writing the commented defaults there first if it is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    return load_config(path)


def demo_config() -> Config:
    """The offline demo: bundled files, polled through the same path as live sources."""
    path = DEMO_DIR / "sources.toml"
    config = parse_config(path.read_text(encoding="utf-8"), path, base_dir=DEMO_DIR)
    # The demo must work with no network: its releases link to real sites, never fetched.
    return replace(config, poll=replace(config.poll, full_text=False))
