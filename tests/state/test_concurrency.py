"""One poller and two dashboards on one database, in three processes, for a few seconds.

Each worker runs this module (`python -m tests.state.test_concurrency ROLE DB SECONDS`) and
prints, as JSON, what it wrote and how long new releases took to reach it.
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
SECONDS = 4.0


def poller(db: Path, until: float) -> dict[str, object]:
    from state.store import Store
    from tests.state.factories import make_item

    store, added, batch = Store(db), [], 0
    while time.time() < until:
        items = [make_item(f"p{batch}-{i}") for i in range(5)]
        now = datetime.now(UTC).isoformat()
        added += [r.id for r in store.add(items, now=now).new]
        batch += 1
        time.sleep(0.05)
    return {"added": added}


def dashboard(db: Path, until: float, role: str) -> dict[str, object]:
    from state.store import Store

    store, decided, lag = Store(db), {}, 0.0
    while time.time() < until:
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
        time.sleep(0.02)
    return {"decided": sorted(decided), "lag": lag}


def start(role: str, db: Path, until: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.state.test_concurrency", role, str(db), str(until)],
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
    until = time.time() + 1.0 + SECONDS  # a second to start the interpreters
    procs = {role: start(role, db, until) for role in ("poller", "a", "b")}
    results = {role: json.loads(proc.communicate(timeout=60)[0]) for role, proc in procs.items()}
    assert all(proc.returncode == 0 for proc in procs.values())

    store = Store(db)
    added, by_a, by_b = (set(results[r]["added" if r == "poller" else "decided"]) for r in procs)
    assert {r.id for r in store.all()} == added and len(added) > 50
    for release_id in by_a:
        assert store.get(release_id).note == f"a saw {release_id}"  # type: ignore[union-attr]
    for release_id in by_b:
        stored = store.get(release_id)
        assert stored is not None and stored.starred and stored.triage == TriageState.FOLLOW_UP
    assert len(by_a) > len(added) / 2 and len(by_b) > len(added) / 2
    assert results["a"]["lag"] < 3.0 and results["b"]["lag"] < 3.0
    lags = f"{results['a']['lag']:.2f} s / {results['b']['lag']:.2f} s"
    print(f"{len(added)} releases, {len(by_a)} + {len(by_b)} decisions, worst lag {lags}")


if __name__ == "__main__":
    role, path, deadline = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    result = poller(path, deadline) if role == "poller" else dashboard(path, deadline, role)
    print(json.dumps(result))
