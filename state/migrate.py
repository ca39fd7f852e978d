"""Upgrades of a database folder from one schema to the next (`state.store` registers them
in `storage.MIGRATIONS`).

Each runs under the writers' lock, after the folder was copied to `<name>.schema<N>-backup`,
and may run again on a folder it half upgraded (a killed process): every step is idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feeds.models import Release
from state.codec import doc_features
from state.dedupe import keys_for
from state.index import write_index
from state.storage import (
    META_TABLE,
    RELEASES_DIR,
    atomic_write,
    dump_tables,
    new_token,
    read_tables,
)

__all__ = ["add_index"]


def _upgrade_doc(data: dict[str, Any]) -> None:
    if "keys" not in data:
        data["keys"] = keys_for(Release.from_dict(data["release"])).to_dict()
    found = doc_features(data)
    if found is None:
        data.pop("f", None)
    else:
        data["f"] = found


def add_index(root: Path) -> None:
    """Schema 1 -> 2: summit releases keep their event features, every file starts with its
    `_meta` table, and every month gets its index, so that opening reads no bodies."""
    for path in sorted((root / RELEASES_DIR).glob("*.json")):
        tables = read_tables(path)
        if tables is None:
            continue
        for data in tables.get("releases", {}).values():
            _upgrade_doc(data)
        token = new_token()
        tables[META_TABLE] = {"file": {"token": token, "schema": 2}}
        payload = dump_tables(tables)
        atomic_write(path, payload)
        write_index(root, f"{RELEASES_DIR}/{path.name}", tables, token, len(payload))
