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
from typing import Any, Final, cast

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
    "BODY_KEY",
    "BODY_KIND",
    "DIGEST",
    "EMPTY_EVIDENCE",
    "FEATURES",
    "GUID",
    "HAS_TEXT",
    "ID",
    "INDEX_FORMAT",
    "ROW_LENGTH",
    "SOURCES",
    "TITLE_KEY",
    "URL_KEY",
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
# One release's light fields, in the order of the positions below: a tuple (a JSON list in
# the index file) rather than a class, since opening a store builds 100,000 of them and unpacks
# each once (`Memory.light`). Read positions by name: `row[HAS_TEXT]`.
Row = tuple[
    str, str, str, str, str, str, str, str, str,  # release: id ... guid
    str, bool, float, list[str], dict[str, float],  # classification: language ... pillar scores
    str, list[str], str,  # first seen, sources, changed at
    str, str, str, str,  # dedupe keys: url, title, body hashes, body kind ("text", "summary", "")
    bool, list[str] | None, str,  # has a text; event features (summit only); keys' digest
]  # fmt: skip
ID: Final = 0
SOURCE: Final = 1
COUNTRY: Final = 2
LANGUAGE: Final = 3
TITLE: Final = 4
LINK: Final = 5
PUBLISHED: Final = 6
SUMMARY: Final = 7
GUID: Final = 8
CLASS_LANGUAGE: Final = 9
SUMMIT: Final = 10
SUMMIT_SCORE: Final = 11
PILLARS: Final = 12
PILLAR_SCORES: Final = 13
FIRST_SEEN: Final = 14
SOURCES: Final = 15
CHANGED_AT: Final = 16
URL_KEY: Final = 17
TITLE_KEY: Final = 18
BODY_KEY: Final = 19
BODY_KIND: Final = 20
HAS_TEXT: Final = 21
FEATURES: Final = 22
DIGEST: Final = 23
ROW_LENGTH: Final = 24


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
    return (
        str(r["id"]), str(r.get("source", "")), str(r.get("country", "")),
        str(r.get("language", "")), str(r.get("title", "")), str(r.get("link", "")),
        str(r.get("published", "")), str(r.get("summary", "")), str(r.get("guid", "")),
        str(c.get("language", "")), summit, float(c.get("summit_score", 0.0)),
        list(pillar_ids(c.get("pillars", ()))),
        {str(p): float(v) for p, v in (c.get("pillar_scores") or {}).items()},
        str(doc.get("first_seen", "")), [str(s) for s in doc.get("sources", ())],
        str(doc.get("changed_at", "")),
        str(k.get("u", "")), str(k.get("h", "")), str(k.get("b", "")),
        kind if kind in ("text", "summary") else "",
        bool(r.get("text")),
        found,
        str(k.get("d", "")),
    )  # fmt: skip


def _oldest_first(row: Row) -> tuple[str, str, str]:
    first_seen = row[FIRST_SEEN]
    return (row[PUBLISHED] or first_seen, first_seen, row[ID])  # the store's order, reversed


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
    if not all(type(row) is list and len(row) == ROW_LENGTH for row in rows):
        return None
    # Rows as `row_from_doc` wrote them; the types of their fields are checked as each is
    # used (`Memory.light`), and a row edited by hand then has its chunk read in full.
    return [cast(Row, tuple(row)) for row in rows], version


def read_partition_rows(root: Path, name: str, use_index: bool = True) -> tuple[list[Row], Version]:
    """The light rows of a chunk and the version of its data (`state.engine.storage`): from
    its index when it matches the chunk, else from the chunk itself (which raises the
    StoreErrors when damaged)."""
    indexed = _indexed_rows(root, name) if use_index else None
    if indexed is not None:
        return indexed
    tables = read_tables(root / name) or {}
    return rows_of(tables), file_version(tables)
