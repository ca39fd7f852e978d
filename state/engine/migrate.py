"""Upgrades of a database folder from one schema to the next (`state.store` registers them
in `storage.MIGRATIONS`).

Each runs under the writers' lock, after the folder was copied to `<name>.schema<N>-backup`,
and may run again on a folder it half upgraded (a killed process): every step is idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from feeds import Release
from state.dedupe import keys_for
from state.engine import chunks
from state.engine.chunks import chunk_name, chunk_number, month_of
from state.engine.codec import doc_features
from state.engine.index import index_name, write_index
from state.engine.storage import (
    META_TABLE,
    RELEASES_DIR,
    atomic_write,
    dump_tables,
    fsync_dir,
    new_token,
    read_tables,
)

__all__ = ["add_index", "split_months"]


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


def _groups(docs: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """`docs` in order, cut into groups of about `limit` bytes of JSON."""
    groups: list[dict[str, Any]] = [{}]
    size = 0
    for release_id, data in docs.items():
        cost = len(orjson.dumps(data))
        if size and size + cost > limit:
            groups.append({})
            size = 0
        groups[-1][release_id] = data
        size += cost
    return groups


def split_months(root: Path, limit: int | None = None) -> None:
    """Schema 2 -> 3: each month file becomes chunks of about `limit` bytes (`state.engine.chunks`),
    each with its index; the month and its index are removed once the chunks are on disk.
    The split is the same every time, so a second run after a kill writes the same chunks."""
    limit = chunks.CHUNK_BYTES if limit is None else limit
    for path in sorted((root / RELEASES_DIR).glob("*.json")):
        name = f"{RELEASES_DIR}/{path.name}"
        if chunk_number(name) is not None:
            continue
        tables = read_tables(path)
        if tables is None:
            continue
        for number, docs in enumerate(_groups(tables.get("releases", {}), limit)):
            if not docs:
                continue
            token = new_token()
            chunk = {META_TABLE: {"file": {"token": token, "schema": 3}}, "releases": docs}
            payload = dump_tables(chunk)
            target = chunk_name(month_of(name), number)
            atomic_write(root / target, payload)
            write_index(root, target, chunk, token, len(payload))
        (root / index_name(name)).unlink(missing_ok=True)
        path.unlink()
        fsync_dir(path.parent)
