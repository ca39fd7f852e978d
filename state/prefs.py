"""What a person chose in the dashboard that is not data: the theme. One small JSON file in the
data folder, so that the choice survives a restart; a broken file is reported and replaced at
the next choice, never a reason not to start."""

from __future__ import annotations

from pathlib import Path

import orjson

from state.engine.storage import atomic_write

__all__ = ["Preferences"]


class Preferences:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.error = ""
        self._values: dict[str, str] = {}
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, orjson.JSONDecodeError) as exc:
            self.error = f"{path}: preferences could not be read ({exc}); defaults are used"
            return
        if isinstance(data, dict):
            self._values = {str(k): v for k, v in data.items() if isinstance(v, str)}

    @property
    def theme(self) -> str | None:
        return self._values.get("theme")

    @theme.setter
    def theme(self, name: str) -> None:
        if self._values.get("theme") == name:
            return
        self._values["theme"] = name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, orjson.dumps(self._values, option=orjson.OPT_INDENT_2))
