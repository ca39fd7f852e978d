"""The heavy half of the releases, read back from their chunk on demand.

A chunk (`state.engine.chunks`: about 1 MB, a few hundred releases) reads and decodes in a few
milliseconds; the last few chunks read are kept (as decoded JSON), so that moving through a
list, which goes month by month, reads each chunk once. A chunk a write changed is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from state.engine.storage import read_tables

__all__ = ["Bodies"]

Docs = dict[str, dict[str, Any]]
CACHED_CHUNKS = 4


class Bodies:
    """Release documents by chunk, the `size` most recently used kept in memory."""

    def __init__(self, root: Path, size: int = CACHED_CHUNKS) -> None:
        self.root = root
        self.size = size
        self._cache: OrderedDict[str, Docs] = OrderedDict()

    def docs(self, name: str) -> Docs:
        """The documents of the chunk `name`, kept for next time."""
        found = self._cache.get(name)
        if found is not None:
            self._cache.move_to_end(name)
            return found
        found = self.read(name)
        self._cache[name] = found
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found

    def read(self, name: str) -> Docs:
        """The documents of the chunk `name` (the cached ones if there are), not kept."""
        found = self._cache.get(name)
        if found is not None:
            return found
        tables = read_tables(self.root / name) or {}
        return tables.get("releases", {})

    def forget(self, name: str) -> None:
        """The chunk changed on disk or in memory: read it again next time."""
        self._cache.pop(name, None)

    def clear(self) -> None:
        self._cache.clear()
