"""What alerting remembers between runs, in the database folder: how each target last
answered (as sources keep their health) and when the scheduled digest last went out.

Two processes may alert at once (the dashboard and a `poll --watch` service), so every change
is a read-modify-write under a file lock, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from state.alerts.deliver import Delivery

__all__ = ["AlertLedger", "LedgerError", "TargetHealth"]

LEDGER = "alerts.json"
LOCK_TIMEOUT = 10.0


class LedgerError(Exception):
    """The alerting record could not be read or written; the message says where and why."""


@dataclass(frozen=True, slots=True)
class TargetHealth:
    """How one alert target last answered, in the words of a source's health."""

    key: str
    name: str = ""
    last_attempt: str = ""
    last_success: str = ""
    consecutive_failures: int = 0
    last_error: str = ""
    sent: int = 0

    @property
    def status(self) -> str:
        if not self.last_attempt:
            return "never used"
        if self.consecutive_failures:
            return f"failing ({self.consecutive_failures}x)"
        return "ok"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetHealth:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class AlertLedger:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LEDGER
        self._lock = FileLock(folder / "alerts.lock", timeout=LOCK_TIMEOUT)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise LedgerError(f"{self.path}: cannot be read ({exc})") from exc
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".alerts-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        try:
            with self._lock:
                data = self._read()
                yield data
                self._write(data)
        except Timeout as exc:
            raise LedgerError(f"{self.path}: another summitwatch holds its lock") from exc
        except OSError as exc:
            raise LedgerError(f"{self.path}: cannot be written ({exc.strerror or exc})") from exc

    def health(self) -> dict[str, TargetHealth]:
        targets = self._read().get("targets", {})
        if not isinstance(targets, dict):
            return {}
        return {
            key: TargetHealth.from_dict({**value, "key": key})
            for key, value in targets.items()
            if isinstance(value, dict)
        }

    def record(self, deliveries: Sequence[Delivery], now: str) -> list[TargetHealth]:
        """Keep how each target answered at `now` (ISO time); return the new records."""
        changed = []
        with self._change() as data:
            targets = data.setdefault("targets", {})
            for d in deliveries:
                old = TargetHealth.from_dict({**targets.get(d.key, {}), "key": d.key})
                new = replace(old, name=d.name, last_attempt=now, sent=old.sent + d.sent)
                if d.ok:
                    new = replace(new, last_success=now, consecutive_failures=0, last_error="")
                else:
                    failures = old.consecutive_failures + 1
                    new = replace(new, consecutive_failures=failures, last_error=d.error)
                targets[d.key] = {k: v for k, v in asdict(new).items() if k != "key"}
                changed.append(new)
        return changed

    def digest_mark(self) -> str:
        """The scheduled time (ISO, UTC) of the last digest taken, "" if none: a look without
        the lock, to skip the claim (a write) at every poll while no new time has come."""
        mark = self._read().get("digest")
        return str(mark.get("slot", "")) if isinstance(mark, dict) else ""

    def claim_digest(self, slot: str) -> str | None:
        """Take the digest of the scheduled time `slot` (ISO, UTC) for this process.

        Returns the scheduled time of the digest before it, which starts the period this one
        covers; or None when `slot` is not this process's to send: another process or an
        earlier run took it, or this is the first run (which only sets the mark, so that a
        new schedule never sends the whole database at once)."""
        with self._change() as data:
            mark = data.get("digest")
            previous = str(mark.get("slot", "")) if isinstance(mark, dict) else ""
            if previous and previous >= slot:
                return None
            data["digest"] = {"slot": slot}
            return previous or None
