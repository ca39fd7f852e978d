"""`summitwatch alerts`: the alert targets, their rules and how each last answered."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from feeds import Config, utc_now
from state import AlertLedger, TargetHealth, describe_rule, masked, send_test_alert, target_key
from tui.commands import EXIT_OK, EXIT_SOME_FAILED, open_store


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
    rows = target_rows(config, health)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_targets(rows)
    return status


def target_rows(config: Config, health: dict[str, TargetHealth]) -> list[dict[str, Any]]:
    rows = []
    for target in config.alerts.targets:
        h = health.get(target_key(target.url), TargetHealth(key=target_key(target.url)))
        rows.append(
            {
                "target": masked(target.url),
                "rule": describe_rule(target.rule)
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
