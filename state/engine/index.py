"""The light half of every release, kept beside its chunk so that opening never reads a body.

`index/YYYY-MM.NNN.json` holds one row (a JSON list) per release of `releases/YYYY-MM.NNN.json`
(`state.engine.chunks`): everything but the text and the evidence, plus the dedupe keys, whether
there is a text, and the event features of summit releases. It is written by every transaction that
writes the chunk, after the chunk and before the manifest, and names the token and size of the
chunk it was made from: when they do not match the chunk on disk (a writer killed in between,
a file restored by hand, an index lost in a power cut: it is a cache, not fsynced), the index
is ignored and the chunk is read in full.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from feeds import Evidence, pillar_ids
from state.engine.codec import doc_features
from state.engine.storage import (
    INDEX_DIR,
    RELEASES_DIR,
    Tables,
    Version,
    adopt,
    atomic_write,
    file_version,
    head_version,
    read_tables,
)

__all__ = [
    "EMPTY_EVIDENCE",
    "INDEX_FORMAT",
    "Row",
    "index_name",
    "is_partition",
    "read_partition_rows",
    "row_from_doc",
    "write_index",
]

INDEX_FORMAT = 2  # 2: the keys digest at the end of each row
# Light records share one empty, read-only evidence mapping.
EMPTY_EVIDENCE: Mapping[str, Evidence] = MappingProxyType({})
# id, source, country, language, title, link, published, summary, guid, classification
# language, summit, summit score, pillars, pillar scores, first seen, sources, changed at,
# the four dedupe keys (url, title, body, body kind), has text, event features or None,
# the keys' digest (`state.dedupe.release_digest`).
Row = list[Any]


def is_partition(name: str) -> bool:
    return name.startswith(f"{RELEASES_DIR}/")


def index_name(partition: str) -> str:
    """`releases/2023-01.000.json` -> `index/2023-01.000.json`."""
    return f"{INDEX_DIR}/{partition.removeprefix(f'{RELEASES_DIR}/')}"


def row_from_doc(doc: Mapping[str, Any]) -> Row:
    """The light row of a stored release document (careful with documents written by hand)."""
    r = doc["release"]
    c = doc.get("classification") or {}
    k = doc.get("keys") or {}
    summit = bool(c.get("summit", False))
    found = doc.get("f") if summit else None
    if summit and not isinstance(found, list):
        found = doc_features(doc)
    kind = k.get("k", "")
    return [
        *(str(r["id"]), str(r.get("source", "")), str(r.get("country", ""))),
        *(str(r.get("language", "")), str(r.get("title", "")), str(r.get("link", ""))),
        *(str(r.get("published", "")), str(r.get("summary", "")), str(r.get("guid", ""))),
        *(str(c.get("language", "")), summit, float(c.get("summit_score", 0.0))),
        list(pillar_ids(c.get("pillars", ()))),
        {str(p): float(v) for p, v in (c.get("pillar_scores") or {}).items()},
        *(str(doc.get("first_seen", "")), [str(s) for s in doc.get("sources", ())]),
        str(doc.get("changed_at", "")),
        *(str(k.get("u", "")), str(k.get("h", "")), str(k.get("b", ""))),
        kind if kind in ("text", "summary") else "",
        bool(r.get("text")),
        found,
        str(k.get("d", "")),
    ]


def _oldest_first(row: Row) -> tuple[str, str, str]:
    return (row[6] or row[14], row[14], row[0])  # the store's order, reversed


def rows_of(tables: Tables) -> list[Row]:
    """The rows of a chunk's releases, oldest first: chunks are read in order, so the store's
    list, newest first, is then nearly sorted already (and sorts in linear time)."""
    rows = [row_from_doc(doc) for doc in tables.get("releases", {}).values()]
    rows.sort(key=_oldest_first)
    return rows


def write_index(root: Path, name: str, tables: Tables, token: str, size: int) -> None:
    """Write the index of the chunk `name` just written with `token` and `size` bytes."""
    if not is_partition(name):
        return
    meta = {"format": INDEX_FORMAT, "token": token, "size": size}
    payload = orjson.dumps({"_meta": {"file": meta}, "rows": rows_of(tables)})
    path = root / index_name(name)
    if not path.parent.is_dir():
        path.parent.mkdir()
        adopt(path.parent, root)
    atomic_write(path, payload, sync=False)


def _indexed_rows(root: Path, name: str) -> tuple[list[Row], Version] | None:
    """The rows and version of a chunk from its index, None when the index does not match it."""
    version = head_version(root / name)
    if version is None:
        return None
    try:
        data = orjson.loads((root / index_name(name)).read_bytes())
        size = os.stat(root / name).st_size
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    meta = data.get("_meta", {}).get("file", {})
    wanted = {"format": INDEX_FORMAT, "token": version[0], "size": size}
    rows = data.get("rows")
    if meta != wanted or not isinstance(rows, list):
        return None
    return rows, version  # each row is checked as it is used (`Memory.light`)


def read_partition_rows(root: Path, name: str, use_index: bool = True) -> tuple[list[Row], Version]:
    """The light rows of a chunk and the version of its data (`state.engine.storage`): from
    its index when it matches the chunk, else from the chunk itself (which raises the
    StoreErrors when damaged)."""
    indexed = _indexed_rows(root, name) if use_index else None
    if indexed is not None:
        return indexed
    tables = read_tables(root / name) or {}
    return rows_of(tables), file_version(tables)
