"""The alert hook: a command of the user's that receives each new summit release as JSON.

e.g. `command = "mail -s 'summitwatch' me@example.org"` in the config's [alerts]. The command
runs through the shell, once per release, with the release on standard input; it may not
hold up polling for more than ALERT_TIMEOUT seconds.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence

from state import StoredRelease
from tui.report import release_json

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
