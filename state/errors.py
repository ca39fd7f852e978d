"""The database errors: each names the file concerned and says what to do."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["CorruptDatabase", "NewerSchema", "ReadOnlyDatabase", "StoreError"]


class StoreError(Exception):
    """A database problem, in words that name the file and say what to do."""


class CorruptDatabase(StoreError):
    """A database file that cannot be read as JSON tables, is missing, or holds less than the
    manifest records (`kind`: "damaged", "missing", "short"); it is never written over."""

    def __init__(
        self, path: Path, reason: str, *, kind: str = "damaged", root: Path | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.kind = kind
        self.root = root  # the database folder, when the file is one of its data files
        aside = (
            "Go on without it"
            if kind == "missing"
            else "Move it aside to go on without it (it is renamed, not deleted)"
        )
        super().__init__(
            f"{path}: this database file is {'lost' if kind == 'missing' else 'damaged'} "
            f"({reason}); nothing was written over it. {aside}, or restore the database "
            "from a backup."
        )

    @property
    def offer(self) -> str:
        """The question to ask before `move_aside`."""
        if self.kind == "missing":
            return "Go on without it (what it held stays lost)?"
        return "Move it aside (renamed, not deleted) and go on with the rest?"

    def move_aside(self) -> Path | None:
        """Rename the broken file to `<name>.corrupt-<UTC time>` and return its new path (None
        when it is missing); the database's manifest then forgets it, so that the database
        opens with what is left."""
        target = None
        if self.path.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            count = 1
            while target.exists():
                count += 1
                target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{count}")
            os.rename(self.path, target)
        if self.root is not None:
            from state.engine.folder import DatabaseFolder

            DatabaseFolder(self.root).forget(self.path.relative_to(self.root).as_posix())
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
