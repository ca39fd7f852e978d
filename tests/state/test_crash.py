"""Kill a writing process with SIGKILL at random moments; every write it reported must survive.

The child runs this module (`python -m tests.state.test_crash DB START`): it stores a release,
then a decision about it, and prints a line after each write returns.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def child(db: Path, start: int) -> None:
    from feeds.models import SourceHealth
    from state.store import Store
    from tests.state.factories import make_item

    store = Store(db)
    print("ready", flush=True)
    for i in range(start, start + 10_000):
        added = store.add([make_item(f"c{i}")]).new[0]
        print(f"add {added.id}", flush=True)
        store.update([added.id], note=f"note {i}", triage="relevant")
        print(f"note {added.id} note {i}", flush=True)
        if i % 3 == 0:
            store.record_health([SourceHealth(f"source-{i % 7}", items_seen=i)])
            print(f"health source-{i % 7} {i}", flush=True)


def run_and_kill(db: Path, start: int, rng: random.Random) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.state.test_crash", str(db), str(start)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    # Kill once the child has stored something, however slow a loaded machine makes it, at a
    # random moment after that: mid-write or between writes.
    first = proc.stdout.readline().strip()
    time.sleep(rng.uniform(0.0, 0.25))
    proc.send_signal(signal.SIGKILL)
    lines = [first, *proc.stdout.read().splitlines()]
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return lines


def check(db: Path, reported: dict[str, dict[str, str]]) -> None:
    from state.store import Store

    store = Store(db)
    for release_id, note in reported["note"].items():
        stored = store.get(release_id)
        assert stored is not None and stored.note == note, release_id
    for release_id in reported["add"]:
        assert store.get(release_id) is not None, release_id
    health = store.health()
    for source, seen in reported["health"].items():
        assert health[source].items_seen >= int(seen), source


def test_every_reported_write_survives_sigkill_at_random_moments(tmp_path: Path) -> None:
    db = tmp_path / "db"
    rng = random.Random(20230110)
    reported: dict[str, dict[str, str]] = {"add": {}, "note": {}, "health": {}}
    start, killed_mid_write = 0, 0
    for _ in range(KILLS):
        lines = run_and_kill(db, start, rng)
        killed_mid_write += any(db.rglob(".*.tmp-*"))
        for line in lines:
            kind, key, *rest = line.split(" ", 2)
            reported[kind][key] = rest[0] if rest else ""
        check(db, reported)  # opens, and holds everything reported
        start += 1000
    assert len(reported["add"]) >= KILLS  # every child stored at least one release
    print(f"{len(reported['add'])} releases, killed mid-write {killed_mid_write} times")


if __name__ == "__main__":
    child(Path(sys.argv[1]), int(sys.argv[2]))
