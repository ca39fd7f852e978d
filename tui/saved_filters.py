"""Named filters a person saved, kept in a small JSON file beside the database."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tui.view import ViewFilter


class SavedFilters:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._filters: dict[str, ViewFilter] = {}
        self.error = ""
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._filters = {str(k): ViewFilter.from_dict(v) for k, v in data.items()}
        except (OSError, ValueError, AttributeError) as exc:
            # A broken file must not stop the dashboard; it is left as it is and reported.
            self.error = f"{self.path}: saved filters could not be read ({exc})"
            self._filters = {}

    @property
    def names(self) -> list[str]:
        return sorted(self._filters)

    def get(self, name: str) -> ViewFilter | None:
        return self._filters.get(name)

    def save(self, name: str, view: ViewFilter) -> None:
        self._filters[name] = view
        self._write()

    def delete(self, name: str) -> None:
        if self._filters.pop(name, None) is not None:
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {name: view.to_dict() for name, view in self._filters.items()}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".filters-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
