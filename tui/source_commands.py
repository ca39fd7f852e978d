"""`summitwatch sources import|export|add`: change the config's source list from the shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from feeds import (
    Config,
    ConfigError,
    Source,
    discover_source,
    load_config,
    new_sources,
    printable,
    read_source_list,
    to_opml,
    to_toml,
)
from tui.commands import EXIT_OK, UsageError
from tui.services import make_fetcher


def run_source_action(args: argparse.Namespace, config: Config) -> int:
    if args.action == "export":
        # Printed, so credentials in a URL are masked: add them again where you import.
        shown = [replace(s, name=printable(s.name), url=printable(s.url)) for s in config.sources]
        text = to_opml(shown)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    if args.demo or config.path is None:
        raise UsageError("the demo's sources are fixed; import or add to your own config")
    if not args.target:
        raise UsageError(
            f"sources {args.action} needs a {'file' if args.action == 'import' else 'URL'}"
        )
    if args.action == "import":
        candidates = _read_list(Path(args.target), args.country, args.language)
    else:
        candidates = [asyncio.run(_discover(config, args))]
    added = new_sources(config.sources, candidates)
    _append(config.path, added)
    for source in added:
        print(f"added {printable(source.name)} <{printable(source.url)}>")
    known = len(candidates) - len(added)
    print(f"{len(added)} sources added to {printable(str(config.path))} ({known} known)")
    return EXIT_OK


def _read_list(path: Path, country: str, language: str) -> list[Source]:
    try:
        return read_source_list(path.read_bytes(), path, country=country, language=language)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


async def _discover(config: Config, args: argparse.Namespace) -> Source:
    async with make_fetcher(config) as fetcher:
        try:
            return await discover_source(
                fetcher, args.target, country=args.country, language=args.language, name=args.name
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from exc


def _append(path: Path, sources: list[Source]) -> None:
    """Append to the config, then load it again so that a bad result is caught at once."""
    if not sources:
        return
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n\n" + to_toml(sources), encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        path.write_text(before, encoding="utf-8")
        raise UsageError(f"the new sources would break the config, left unchanged: {exc}") from exc
