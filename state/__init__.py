"""Storage and triage state: the only owner of the TinyDB files. Plain Python, no Textual."""

from state.config import config_path, data_dir, db_path
from state.export import ExportFilter, read_json_export, select, to_csv, to_json, to_markdown
from state.records import Correction, StoredRelease, TriageState
from state.store import (
    AddResult,
    CorruptDatabase,
    NewerSchema,
    ReadOnlyDatabase,
    Store,
    StoreError,
)

__all__ = [
    "AddResult",
    "Correction",
    "CorruptDatabase",
    "ExportFilter",
    "NewerSchema",
    "ReadOnlyDatabase",
    "Store",
    "StoreError",
    "StoredRelease",
    "TriageState",
    "config_path",
    "data_dir",
    "db_path",
    "read_json_export",
    "select",
    "to_csv",
    "to_json",
    "to_markdown",
]
