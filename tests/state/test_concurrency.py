"""One poller and two dashboards on one database, in three processes.

Each worker runs this module (`python -m tests.state.test_concurrency ROLE DB`) and prints, as
JSON, what it wrote and how long new releases took to reach it. The poller stores a fixed
number of batches and then leaves a mark; the dashboards decide on everything they see until
the mark is there and they have seen every release. Counts, not time, decide when it ends, so
a loaded machine makes the test slower, never wrong.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BATCHES = 16
DEADLINE = 120.0  # seconds: only a hung worker gets near this


def done_mark(db: Path) -> Path:
    return db.parent / "poller-done"


def poller(db: Path) -> dict[str, object]:
    from state.store import Store
    from tests.state.factories import make_item

    store, added = Store(db), []
    for batch in range(BATCHES):
        items = [make_item(f"p{batch}-{i}") for i in range(5)]
        now = datetime.now(UTC).isoformat()
        added += [r.id for r in store.add(items, now=now).new]
        time.sleep(0.05)
    done_mark(db).write_text(json.dumps(added))
    return {"added": added}


def dashboard(db: Path, role: str) -> dict[str, object]:
    from state.store import Store

    store, decided, lag = Store(db), {}, 0.0
    give_up = time.time() + DEADLINE
    while time.time() < give_up:
        finished = done_mark(db).exists()
        store.refresh()
        for stored in store.all():
            if stored.id in decided:
                continue
            lag = max(lag, time.time() - datetime.fromisoformat(stored.first_seen).timestamp())
            if role == "a":
                store.update([stored.id], note=f"a saw {stored.id}")
            else:
                store.update([stored.id], triage="follow_up", starred=True)
            decided[stored.id] = True
        if finished and set(json.loads(done_mark(db).read_text())) <= set(decided):
            break
        time.sleep(0.02)
    return {"decided": sorted(decided), "lag": lag}


def start(role: str, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.state.test_concurrency", role, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_poller_and_two_dashboards_lose_nothing(tmp_path: Path) -> None:
    from state.records import TriageState
    from state.store import Store

    db = tmp_path / "db"
    Store(db)
    procs = {role: start(role, db) for role in ("poller", "a", "b")}
    results = {
        role: json.loads(proc.communicate(timeout=DEADLINE + 30)[0]) for role, proc in procs.items()
    }
    assert all(proc.returncode == 0 for proc in procs.values())

    store = Store(db)
    added, by_a, by_b = (set(results[r]["added" if r == "poller" else "decided"]) for r in procs)
    assert len(added) == BATCHES * 5
    assert {r.id for r in store.all()} == added
    for release_id in by_a:
        assert store.get(release_id).note == f"a saw {release_id}"  # type: ignore[union-attr]
    for release_id in by_b:
        stored = store.get(release_id)
        assert stored is not None and stored.starred and stored.triage == TriageState.FOLLOW_UP
    # Each dashboard saw, and decided on, every release the poller stored.
    assert by_a == added and by_b == added
    lags = f"{results['a']['lag']:.2f} s / {results['b']['lag']:.2f} s"
    print(f"{len(added)} releases, {len(by_a)} + {len(by_b)} decisions, worst lag {lags}")


if __name__ == "__main__":
    role, path = sys.argv[1], Path(sys.argv[2])
    result = poller(path) if role == "poller" else dashboard(path, role)
    print(json.dumps(result))
