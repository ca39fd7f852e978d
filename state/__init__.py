"""Storage and triage state: the only owner of the TinyDB files. Plain Python, no Textual.

Names load on first use, so that a module of this package (`state.config` for the command
line's paths, say) can be imported without the store, TinyDB and the exporters.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use
    from state.config import (
        config_path as config_path,
    )
    from state.config import (
        data_dir as data_dir,
    )
    from state.config import (
        db_path as db_path,
    )
    from state.dedupe import (
        Keys as Keys,
    )
    from state.dedupe import (
        keys_for as keys_for,
    )
    from state.export import (
        ExportFilter as ExportFilter,
    )
    from state.export import (
        read_json_export as read_json_export,
    )
    from state.export import (
        select as select,
    )
    from state.export import (
        to_csv as to_csv,
    )
    from state.export import (
        to_json as to_json,
    )
    from state.export import (
        to_markdown as to_markdown,
    )
    from state.records import (
        Correction as Correction,
    )
    from state.records import (
        StoredRelease as StoredRelease,
    )
    from state.records import (
        TriageState as TriageState,
    )
    from state.records import (
        changes_for_marks as changes_for_marks,
    )
    from state.store import (
        AddResult as AddResult,
    )
    from state.store import (
        CorruptDatabase as CorruptDatabase,
    )
    from state.store import (
        Load as Load,
    )
    from state.store import (
        NewerSchema as NewerSchema,
    )
    from state.store import (
        ReadOnlyDatabase as ReadOnlyDatabase,
    )
    from state.store import (
        Store as Store,
    )
    from state.store import (
        StoreError as StoreError,
    )

_HOMES = {
    "config_path": "state.config",
    "data_dir": "state.config",
    "db_path": "state.config",
    "Keys": "state.dedupe",
    "keys_for": "state.dedupe",
    "ExportFilter": "state.export",
    "read_json_export": "state.export",
    "select": "state.export",
    "to_csv": "state.export",
    "to_json": "state.export",
    "to_markdown": "state.export",
    "Correction": "state.records",
    "StoredRelease": "state.records",
    "changes_for_marks": "state.records",
    "TriageState": "state.records",
    "AddResult": "state.store",
    "CorruptDatabase": "state.store",
    "Load": "state.store",
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
