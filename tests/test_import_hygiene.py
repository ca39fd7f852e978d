"""The domain packages stay plain Python, and the headless command line stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOMAIN_MODULES = [
    "feeds.models",
    "feeds.collect.sources",
    "feeds.collect.fetch",
    "feeds.collect.parse",
    "feeds.judge.classify",
    "feeds.poll",
    "state.records",
    "state.store",
    "state.config",
]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_does_not_load_textual(module: str) -> None:
    assert "textual" not in _loaded_after_import([module])


def test_domain_sources_never_import_textual_or_rich() -> None:
    # httpx loads rich for its own command line when rich is installed, so the check on our
    # own code is made on the source text.
    root = Path(__file__).parents[1]
    offenders = [
        str(path.relative_to(root))
        for package in ("feeds", "state")
        for path in (root / package).rglob("*.py")
        if re.search(r"^\s*(from|import)\s+(textual|rich)\b", path.read_text(), re.M)
    ]
    assert offenders == []


def test_headless_command_line_does_not_import_textual() -> None:
    loaded = _loaded_after_import(["tui.cli", "tui.commands"])
    assert "textual" not in loaded


def test_feed_parsers_load_only_when_a_body_needs_parsing() -> None:
    # An unchanged poll (every feed answers 304) parses nothing.
    loaded = _loaded_after_import(["tui.cli", "tui.commands"])
    assert {"lxml.etree", "feedparser"}.isdisjoint(loaded)


def test_an_unchanged_poll_loads_no_classifier_exporter_or_worker_pool() -> None:
    # Nor does it classify, export or fork: what those need is imported when they run.
    loaded = _loaded_after_import(["tui.cli", "tui.commands"])
    assert {"feeds.judge.classify", "feeds.judge.taxonomy", "feeds.judge.detect"}.isdisjoint(loaded)
    assert {"state.export", "csv", "multiprocessing"}.isdisjoint(loaded)


def test_state_uses_only_the_data_models_of_feeds() -> None:
    loaded = _loaded_after_import(["state.store", "state.records", "state.config"])
    feeds_modules = {m for m in loaded if m == "feeds" or m.startswith("feeds.")}
    assert feeds_modules <= {"feeds", "feeds.models", "feeds.text"}


# Layering: tui -> state -> feeds, never back; across packages, names come from the package's
# face (its `__init__`), so the stages inside a package can move without breaking the others.
_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.M)
_ALLOWED = {
    "feeds": set(),
    "state": {"feeds"},
    "tui": {"feeds", "state"},
}


def _imports(path: Path) -> list[str]:
    return [a or b for a, b in _IMPORT.findall(path.read_text())]


@pytest.mark.parametrize("package", sorted(_ALLOWED))
def test_packages_import_each_other_only_downwards_and_through_their_faces(package: str) -> None:
    root = Path(__file__).parents[1]
    others = set(_ALLOWED) - {package}
    offenders = []
    for path in (root / package).rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top not in others:
                continue
            if top not in _ALLOWED[package] or name != top:
                offenders.append(f"{path.relative_to(root)}: {name}")
    assert offenders == []


def test_the_engine_of_the_store_is_used_only_inside_state() -> None:
    root = Path(__file__).parents[1]
    offenders = [
        str(path.relative_to(root))
        for package in ("feeds", "tui")
        for path in (root / package).rglob("*.py")
        if any(name.startswith("state.engine") for name in _imports(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["feeds", "state"])
def test_every_name_of_a_package_face_resolves(package: str) -> None:
    code = (
        f"import {package}\n"
        f"missing = [n for n in {package}.__all__ if getattr({package}, n, None) is None]\n"
        "print(missing)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_the_command_line_imports_apprise_only_to_send() -> None:
    # Apprise takes a third of a second to import: a poll that alerts no one must not pay it.
    loaded = _loaded_after_import(["tui.cli", "tui.commands", "tui.alerts"])
    assert {"apprise", "state.alerts.deliver"}.isdisjoint(loaded)
