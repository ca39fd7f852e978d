"""`summitwatch alerts` (the targets, their rules, how each last answered) and
`summitwatch digest` (the briefing of what came in, written or sent) and `summitwatch feed`
(the Atom feed of a saved filter)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from feeds import AlertRule, Config, PillarSet, utc_now
from state import (
    AlertLedger,
    TargetHealth,
    UnknownFilter,
    came_in,
    db_path,
    describe_rule,
    digest_message,
    masked,
    matches,
    parse_since,
    saved_filters_for,
    send_digest,
    send_test_alert,
    target_key,
    to_atom,
    view_matches,
)
from tui.alerts import full_records, local_now
from tui.commands import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    UsageError,
    open_store,
    pillars_of,
    write_out,
)

if TYPE_CHECKING:
    from state import Store, ViewFilter

FEED_LIMIT = 200  # releases in a feed `serve` answers (`feed --limit` for the command)


def run_alerts(args: argparse.Namespace, config: Config) -> int:
    status = EXIT_OK
    with open_store(args, load="none") as store:
        ledger = AlertLedger(store.path)
        if args.test:
            now = utc_now().isoformat(timespec="seconds")
            done = send_test_alert(
                config.alerts.targets, ledger, now=now, timeout=config.alerts.timeout
            )
            for problem in done.problems:
                print(f"summitwatch: {problem}", file=sys.stderr)
            status = EXIT_SOME_FAILED if done.problems else EXIT_OK
        health = ledger.health()
    rows = target_rows(config, health, pillars_of(config))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_targets(rows)
    return status


def target_rows(
    config: Config, health: dict[str, TargetHealth], pillars: PillarSet
) -> list[dict[str, Any]]:
    rows = []
    for target in config.alerts.targets:
        h = health.get(target_key(target.url), TargetHealth(key=target_key(target.url)))
        rows.append(
            {
                "target": masked(target.url),
                "rule": describe_rule(target.rule, pillars)
                + (" (digest only)" if target.digest_only else ""),
                "status": h.status,
                "last_success": h.last_success,
                "last_attempt": h.last_attempt,
                "sent": h.sent,
                "last_error": h.last_error,
            }
        )
    return rows


def print_targets(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no alert targets: add Apprise URLs to [alerts] urls in the config")
        return
    width = max(len(r["target"]) for r in rows)
    rule_width = max(len(r["rule"]) for r in rows)
    print(
        f"{'TARGET':<{width}}  {'RULE':<{rule_width}}  {'STATUS':<14}  "
        f"{'LAST SUCCESS':<20}  SENT  LAST ERROR"
    )
    for r in rows:
        print(
            f"{r['target']:<{width}}  {r['rule']:<{rule_width}}  {r['status']:<14}  "
            f"{(r['last_success'] or '-')[:19]:<20}  {r['sent']:>4}  {r['last_error']}"
        )


def run_digest(args: argparse.Namespace, config: Config) -> int:
    """Write the briefing of what came in since --since, or --send it to the targets."""
    now = local_now()
    try:
        since = parse_since(args.since, now)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.send and not config.alerts.targets:
        raise UsageError("digest --send: no alert targets; add Apprise URLs to [alerts] urls")
    pillars = pillars_of(config)
    saved = saved_filters_for(db_path(args.db, demo=args.demo))
    if saved.error:
        print(f"summitwatch: {saved.error}", file=sys.stderr)
    with open_store(args) as store:
        came = came_in(store.all(), since, now)
        if args.send:
            releases = full_records(store, came)
            done = send_digest(
                config.alerts.targets,
                releases,
                saved,
                AlertLedger(store.path),
                since=since,
                until=now,
                pillars=pillars,
                timeout=config.alerts.timeout,
            )
            for problem in done.problems:
                print(f"summitwatch: {problem}", file=sys.stderr)
            print(
                f"{len(came)} releases came in; digests sent to "
                f"{sum(1 for d in done.deliveries if d.ok)} of {len(config.alerts.targets)} "
                "targets (a target whose rule picks nothing gets none)",
                file=sys.stderr,
            )
            return EXIT_SOME_FAILED if done.problems else EXIT_OK
        rule = AlertRule(summit_only=not (args.all or args.filter), filter=args.filter)
        try:
            chosen = [r for r in came if matches(rule, r, saved)]
        except UnknownFilter as exc:
            raise UsageError(f"--filter: {exc}") from exc
        text = digest_message(full_records(store, chosen), since, now, pillars).body
    write_out(text, args.output, f"wrote the digest of {len(chosen)} releases")
    return EXIT_OK


def run_feed(args: argparse.Namespace, config: Config) -> int:
    """Write the Atom feed of a saved filter's releases."""
    saved = saved_filters_for(db_path(args.db, demo=args.demo))
    if saved.error:
        raise UsageError(saved.error)
    view = saved.get(args.filter)
    if view is None:
        known = (
            ", ".join(repr(n) for n in saved.names) or "none saved yet (ctrl+s in the dashboard)"
        )
        raise UsageError(f"--filter: no saved filter is named {args.filter!r} (saved: {known})")
    pillars = pillars_of(config)
    with open_store(args) as store:
        text, count = filter_feed(store, args.filter, view, pillars, args.limit)
    write_out(text, args.output, f"wrote {count} releases")
    return EXIT_OK


def filter_feed(
    store: Store, name: str, view: ViewFilter, pillars: PillarSet, limit: int = FEED_LIMIT
) -> tuple[str, int]:
    """The Atom feed of the saved filter `name` (its `view`), newest `limit` releases first
    seen, and how many it holds: for `feed --filter` and for `serve`."""
    chosen = [r for r in store.all() if view_matches(view, r)]
    newest = sorted(chosen, key=lambda r: (r.first_seen, r.id), reverse=True)[:limit]
    text = to_atom(
        full_records(store, newest),
        title=f"summitwatch: {name}",
        feed_id=f"urn:summitwatch:filter:{quote(name)}",
        pillars=pillars,
        limit=limit,
    )
    return text, len(newest)


class ServedFeeds:
    """What `serve` answers at /feed/NAME.atom: the Atom feed of the saved filter NAME as it
    is at the moment, or None when no filter has that name. Raises StoreError when the
    database cannot be read.

    Feed readers ask every few minutes and the answer rarely changes, while reading a large
    database costs seconds (about two at 100,000 releases). So the database stays open
    between requests, is brought up to date with what other processes wrote (one stat when
    nothing changed), and a feed is built again only when the database or its filter did.
    Requests come from worker threads, one at a time through the lock."""

    def __init__(self, args: argparse.Namespace, config: Config) -> None:
        self.args = args
        self.pillars = pillars_of(config)
        self.builds = 0  # feeds built, not served from what was built before
        self._store: Store | None = None
        self._built: dict[tuple[str, ViewFilter], str] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str | None:
        view = saved_filters_for(db_path(self.args.db, demo=self.args.demo)).get(name)
        if view is None:
            return None
        with self._lock:
            try:
                store = self._up_to_date()
            except Exception:
                self.close()  # opened again at the next request: the trouble may pass
                raise
            text = self._built.get((name, view))
            if text is None:
                text = filter_feed(store, name, view, self.pillars)[0]
                self._built[(name, view)] = text
                self.builds += 1
            return text

    def _up_to_date(self) -> Store:
        if self._store is None:
            self._store = open_store(self.args, reading=True)
            self._built.clear()
        elif self._store.refresh():
            self._built.clear()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._built.clear()
