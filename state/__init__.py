"""Storage and triage state: the only owner of the TinyDB files. Plain Python, no Textual.

Names load on first use, so that a module of this package (`state.config` for the command
line's paths, say) can be imported without the store, TinyDB and the exporters.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "config_path": "state.config",
    "data_dir": "state.config",
    "db_path": "state.config",
    "ExportFilter": "state.export",
    "read_json_export": "state.export",
    "select": "state.export",
    "to_csv": "state.export",
    "to_json": "state.export",
    "to_markdown": "state.export",
    "Correction": "state.records",
    "StoredRelease": "state.records",
    "TriageState": "state.records",
    "AddResult": "state.store",
    "CorruptDatabase": "state.store",
    "NewerSchema": "state.store",
    "ReadOnlyDatabase": "state.store",
    "Store": "state.store",
    "StoreError": "state.store",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'state' has no attribute {name!r}")
    return getattr(import_module(home), name)
