"""The database errors: each names the file concerned and says what to do."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["CorruptDatabase", "NewerSchema", "ReadOnlyDatabase", "StoreError"]


class StoreError(Exception):
    """A database problem, in words that name the file and say what to do."""


class CorruptDatabase(StoreError):
    """A database file that cannot be read as JSON tables; it is never overwritten."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"{path}: this database file is damaged ({reason}). Move it aside to start fresh "
            "(it is renamed, not deleted), or restore the database from a backup."
        )

    def move_aside(self) -> Path:
        """Rename the broken file to `<name>.corrupt-<UTC time>` and return its new path."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        count = 1
        while target.exists():
            count += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{count}")
        os.rename(self.path, target)
        return target


class NewerSchema(StoreError):
    """The database was written by a newer summitwatch; it is left untouched."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        super().__init__(
            f"{path}: written by a newer summitwatch (database schema {found}; this version "
            f"reads up to {supported}). Upgrade summitwatch to open it; nothing was changed."
        )


class ReadOnlyDatabase(StoreError):
    """The database (or one of its files) cannot be written by this user."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: the database is read-only for you. Ask its owner for write access "
            "(chmod u+w or g+w on the folder and its files), or open it read-only."
        )
