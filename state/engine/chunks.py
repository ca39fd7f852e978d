"""Which file a release lives in: its month of publication, split in chunks of bounded size.

`releases/2025-11.000.json`, `releases/2025-11.001.json`, ... hold the releases published in
November 2025 (`undated.NNN.json` those without a date). New releases fill the month's last
chunk until it would pass `CHUNK_BYTES`, then start the next one; so a bulk add writes the
chunks it creates and at most one partly filled chunk a month, and never reads or rewrites
the whole month. A release stays in its chunk for good (edits rewrite that chunk only).

Schema 2 kept a month in one file (`releases/2025-11.json`); `state.engine.migrate.split_months`
splits those, and a read-only store still reads them as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from state.engine.storage import RELEASES_DIR

__all__ = [
    "CHUNK_BYTES",
    "ChunkFiller",
    "chunk_name",
    "chunk_number",
    "month_for",
    "month_of",
]

# About a few hundred releases; a chunk reads and decodes in a few milliseconds.
CHUNK_BYTES = 1_000_000


def month_for(published: str) -> str:
    """`2025-11-03T...` -> `2025-11`; `undated` when `published` starts with no month."""
    year, month = published[:4], published[5:7]
    if len(published) >= 7 and year.isdigit() and month.isdigit() and published[4] == "-":
        return f"{year}-{month}"
    return "undated"


def chunk_name(month: str, number: int) -> str:
    return f"{RELEASES_DIR}/{month}.{number:03d}.json"


def month_of(name: str) -> str:
    """`releases/2025-11.003.json` (or schema 2's `releases/2025-11.json`) -> `2025-11`."""
    stem = name.removeprefix(f"{RELEASES_DIR}/").removesuffix(".json")
    return stem.split(".", 1)[0]


def chunk_number(name: str) -> int | None:
    """The chunk's number; None for a file that is not a chunk (a schema 2 month)."""
    stem = name.removeprefix(f"{RELEASES_DIR}/").removesuffix(".json")
    _, _, number = stem.partition(".")
    return int(number) if number.isdigit() else None


class ChunkFiller:
    """Chooses the chunk of each new release of one transaction.

    `known` names the release files the writer knows of (the manifest's and memory's, under
    the lock); the last chunk of a month is filled from the size it has on disk.
    """

    def __init__(self, root: Path, known: Iterable[str], limit: int | None = None) -> None:
        self.root = root
        self.limit = CHUNK_BYTES if limit is None else limit
        self._last: dict[str, int] = {}
        for name in known:
            number = chunk_number(name)
            if number is not None:
                month = month_of(name)
                self._last[month] = max(number, self._last.get(month, 0))
        self._filling: dict[str, list[int]] = {}  # month -> [chunk number, bytes in it]

    def place(self, month: str, size: int) -> str:
        """The chunk of a new release of `month` taking about `size` bytes."""
        filling = self._filling.get(month)
        if filling is None:
            number = self._last.get(month, 0)
            filling = self._filling[month] = [number, self._size(chunk_name(month, number))]
        if filling[1] and filling[1] + size > self.limit:
            filling[0], filling[1] = filling[0] + 1, 0
        filling[1] += size
        return chunk_name(month, filling[0])

    def _size(self, name: str) -> int:
        try:
            return os.stat(self.root / name).st_size
        except FileNotFoundError:
            return 0
