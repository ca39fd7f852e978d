"""Waiting for an app's background work in tests, whatever became of each worker."""

from __future__ import annotations

import contextlib

from textual.app import App
from textual.worker import WorkerCancelled, WorkerFailed


async def workers_done(app: App[object]) -> None:
    """Wait for every worker; switching screens cancels a screen's workers, which is fine."""
    for _ in range(50):
        running = [w for w in app.workers if not w.is_finished]
        if not running:
            return
        for worker in running:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
