"""Alerts after a poll, wired to the store: the Apprise targets of [alerts] and the hook.

The hook is a command of the user's that receives each new summit release as JSON, e.g.
`command = "mail -s 'summitwatch' me@example.org"`. It runs through the shell, once per
release, with the release on standard input; it may not hold up polling for more than
ALERT_TIMEOUT seconds. What the Apprise targets get, and how, is `state.alerts`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import Config, utc_now
from state import Store, StoredRelease
from tui.report import release_json

if TYPE_CHECKING:
    from state import FilterLookup

ALERT_TIMEOUT = 30.0


def alert_payload(stored: StoredRelease) -> str:
    data = release_json(stored)
    data["summary"] = stored.release.summary
    return json.dumps(data, ensure_ascii=False)


def run_alert_hook(command: str, releases: Sequence[StoredRelease]) -> list[str]:
    """Run `command` once per release; return the problems in plain words (never raises)."""
    problems = []
    for stored in releases:
        try:
            done = subprocess.run(
                command,
                shell=True,
                input=alert_payload(stored),
                text=True,
                capture_output=True,
                timeout=ALERT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            problems.append(f"alert command timed out after {ALERT_TIMEOUT:.0f} s")
            continue
        except OSError as exc:
            problems.append(f"alert command could not start: {exc}")
            continue
        if done.returncode != 0:
            err = done.stderr.strip().splitlines()[-1:] or [""]
            problems.append(f"alert command exited with {done.returncode}: {err[0]}")
    return problems


def alert_candidates(
    config: Config, store: Store, new: Sequence[StoredRelease]
) -> list[StoredRelease]:
    """The full records of the `new` releases some [alerts] target may want (the poll keeps
    light ones; the evidence sentence is in the full ones). Reads the store: call it where
    the store is used, not from a delivery thread."""
    targets = config.alerts.targets
    if not targets or not new:
        return []
    from state import wants_text  # loads the alerting modules: only when there are targets

    any_release = wants_text(targets)
    ids = [r.id for r in new if any_release or r.summit]
    return list(store.iter_full(ids)) if ids else []


def send_alerts(
    config: Config, folder: Path, releases: Sequence[StoredRelease], saved: FilterLookup
) -> list[str]:
    """Alert the [alerts] targets of the `releases` their rules pick, within the configured
    time, and keep how each answered in the database `folder`; return the problems in plain
    words (never raises). Blocking for at most [alerts] timeout: run it off the poll's path."""
    if not releases:
        return []
    from state import AlertLedger, alert_round

    done = alert_round(
        config.alerts.targets,
        releases,
        saved,
        AlertLedger(folder),
        now=utc_now().isoformat(timespec="seconds"),
        timeout=config.alerts.timeout,
    )
    return done.problems
