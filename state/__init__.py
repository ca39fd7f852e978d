"""Storage and triage state: the only owner of the TinyDB files. Plain Python, no Textual.

Names load on first use, so that a module of this package (`state.config` for the command
line's paths, say) can be imported without the store, TinyDB and the exporters.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load on first use
    from state.alerts.deliver import (
        masked as masked,
        target_key as target_key,
    )
    from state.alerts.digest import (
        came_in as came_in,
        digest_message as digest_message,
        latest_slot as latest_slot,
        next_slot as next_slot,
        parse_since as parse_since,
        send_digest as send_digest,
    )
    from state.alerts.ledger import (
        AlertLedger as AlertLedger,
        LedgerError as LedgerError,
        TargetHealth as TargetHealth,
    )
    from state.alerts.round import (
        alert_round as alert_round,
        send_test_alert as send_test_alert,
        wants_text as wants_text,
    )
    from state.alerts.rules import (
        FilterLookup as FilterLookup,
        UnknownFilter as UnknownFilter,
        describe_rule as describe_rule,
        matches as matches,
    )
    from state.atom import (
        to_atom as to_atom,
    )
    from state.briefing import (
        Briefing as Briefing,
        briefing_folder as briefing_folder,
        briefing_name as briefing_name,
        counted as counted,
        to_markdown as to_markdown,
        write_briefing as write_briefing,
    )
    from state.config import (
        config_path as config_path,
        data_dir as data_dir,
        db_path as db_path,
    )
    from state.dedupe import (
        Keys as Keys,
        keys_for as keys_for,
    )
    from state.export import (
        ExportFilter as ExportFilter,
        read_json_export as read_json_export,
        select as select,
        to_csv as to_csv,
        to_json as to_json,
    )
    from state.filters import (
        ALL as ALL,
        OTHER as OTHER,
        SUMMIT as SUMMIT,
        SavedFilters as SavedFilters,
        ViewFilter as ViewFilter,
        haystack as haystack,
        pillars_named as pillars_named,
        saved_filters_for as saved_filters_for,
        selection_keys as selection_keys,
        view_matches as view_matches,
    )
    from state.prefs import (
        Preferences as Preferences,
    )
    from state.records import (
        BY_RULE as BY_RULE,
        Correction as Correction,
        Decided as Decided,
        StoredRelease as StoredRelease,
        TriageState as TriageState,
        changes_for_marks as changes_for_marks,
        current_user as current_user,
    )
    from state.store import (
        AddResult as AddResult,
        CorruptDatabase as CorruptDatabase,
        Load as Load,
        NewerSchema as NewerSchema,
        ReadOnlyDatabase as ReadOnlyDatabase,
        Store as Store,
        StoreError as StoreError,
    )
    from state.versions import (
        MAX_VERSIONS as MAX_VERSIONS,
        Version as Version,
        changes as changes,
        word_diff as word_diff,
    )

_HOMES = {
    "came_in": "state.alerts.digest",
    "digest_message": "state.alerts.digest",
    "latest_slot": "state.alerts.digest",
    "next_slot": "state.alerts.digest",
    "parse_since": "state.alerts.digest",
    "send_digest": "state.alerts.digest",
    "AlertLedger": "state.alerts.ledger",
    "to_atom": "state.atom",
    "LedgerError": "state.alerts.ledger",
    "masked": "state.alerts.deliver",
    "target_key": "state.alerts.deliver",
    "TargetHealth": "state.alerts.ledger",
    "alert_round": "state.alerts.round",
    "send_test_alert": "state.alerts.round",
    "describe_rule": "state.alerts.rules",
    "wants_text": "state.alerts.round",
    "FilterLookup": "state.alerts.rules",
    "UnknownFilter": "state.alerts.rules",
    "matches": "state.alerts.rules",
    "Briefing": "state.briefing",
    "briefing_folder": "state.briefing",
    "briefing_name": "state.briefing",
    "counted": "state.briefing",
    "to_markdown": "state.briefing",
    "write_briefing": "state.briefing",
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
    "ALL": "state.filters",
    "OTHER": "state.filters",
    "SUMMIT": "state.filters",
    "SavedFilters": "state.filters",
    "ViewFilter": "state.filters",
    "haystack": "state.filters",
    "pillars_named": "state.filters",
    "saved_filters_for": "state.filters",
    "selection_keys": "state.filters",
    "view_matches": "state.filters",
    "Preferences": "state.prefs",
    "BY_RULE": "state.records",
    "Correction": "state.records",
    "Decided": "state.records",
    "current_user": "state.records",
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
    "MAX_VERSIONS": "state.versions",
    "Version": "state.versions",
    "changes": "state.versions",
    "word_diff": "state.versions",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'state' has no attribute {name!r}")
    return getattr(import_module(home), name)
