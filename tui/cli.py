"""The `summitwatch` command line: argument parsing and dispatch only.

Textual is imported only by the commands that show it, so that `summitwatch poll` from cron
starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from feeds import COUNTRIES

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # as a shell reports a process ended by SIGPIPE (`| head`)


def port_number(text: str) -> int:
    """`--port`: an integer from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return port


def _common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Sub-commands repeat the global options; SUPPRESS keeps a sub-command's unset copy from
    # hiding a value given before the sub-command name.
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", type=Path, default=default, metavar="PATH", help="config file")
    parser.add_argument("--db", type=Path, default=default, metavar="PATH", help="database file")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use the bundled offline demo sources and a demo database",
    )
    parser.add_argument(
        "--taxonomy", type=Path, default=default, metavar="PATH", help="your own taxonomy TOML"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summitwatch",
        description="Watch Canada, Mexico and US government releases for North American "
        "Leaders' Summit news, classified by the six summit pillars.",
    )
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common_options(sub, suppress=True)
        return sub

    run = command("run", "open the dashboard (the default)")
    run.add_argument(
        "--read-only",
        action="store_true",
        help="look, filter and search only: no triage, notes, corrections, export or polling",
    )
    run.add_argument(
        "--user",
        metavar="NAME",
        help="decide and read as NAME (default: your Unix user; serve passes who signed in)",
    )

    poll = command("poll", "poll the sources once, store and print what is new")
    poll.add_argument("--json", action="store_true", help="one JSON object per new release")
    poll.add_argument("--watch", action="store_true", help="keep polling on schedule until stopped")
    poll.add_argument("--once", action="store_true", help="one poll and exit (the default)")
    poll.add_argument(
        "--all",
        action="store_true",
        help="poll every enabled source now, ignoring its schedule and any backoff "
        "(by default only the sources that are due)",
    )

    classify = command("classify", "classify JSON Lines releases (stdin or FILE) to stdout")
    classify.add_argument("file", nargs="?", type=Path, help="JSON Lines input (default: stdin)")

    evaluate = command("eval", "score the classifier on a labelled JSON Lines set")
    evaluate.add_argument("file", type=Path, help="labelled JSON Lines, e.g. shared/eval/dev.jsonl")

    export = command("export", "write stored releases as JSON, CSV or a Markdown briefing")
    export.add_argument("--format", choices=("json", "csv", "md"), default="json")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="published on or after this day")
    export.add_argument(
        "--pillar", action="append", default=[], help="a pillar id of the taxonomy, e.g. security"
    )
    export.add_argument("--country", action="append", choices=COUNTRIES, default=[])
    export.add_argument("--state", action="append", default=[], help="triage state, e.g. relevant")
    export.add_argument("--summit", action="store_true", help="summit releases only")
    export.add_argument("--starred", action="store_true", help="starred releases only")
    export.add_argument(
        "--not-relevant",
        action="store_true",
        help="md: keep releases marked not relevant (left out and counted unless asked for, "
        "as here or by --state not_relevant)",
    )
    export.add_argument(
        "--versions",
        action="store_true",
        help="json: every earlier version of edited releases; md: what each edit changed",
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    imp = command("import", "read a JSON export back into the database")
    imp.add_argument("file", type=Path)

    backup = command("backup", "write a consistent copy of the database")
    backup.add_argument("dest", type=Path)

    sources = command(
        "sources",
        "list the configured sources and how they last answered; "
        "`sources import FILE` (OPML or a list of URLs), `sources export`, `sources add URL`",
    )
    sources.add_argument("action", nargs="?", choices=("import", "export", "add"))
    sources.add_argument("target", nargs="?", help="the file to import, or the URL to add")
    sources.add_argument("--check", action="store_true", help="poll every source once now")
    sources.add_argument("--json", action="store_true", help="print the table as JSON")
    sources.add_argument("--country", choices=COUNTRIES, default="US", help="for import/add")
    sources.add_argument(
        "--language", choices=("en", "es", "fr"), default="", help="for import/add"
    )
    sources.add_argument("--name", default="", help="for add: the source's name")
    sources.add_argument("-o", "--output", type=Path, help="for export: file (default: stdout)")

    alerts = command(
        "alerts",
        "list the alert targets of [alerts] (passwords and tokens masked), their rules and "
        "how each last answered",
    )
    alerts.add_argument("--test", action="store_true", help="send every target a test alert")
    alerts.add_argument("--json", action="store_true", help="print the table as JSON")

    digest = command(
        "digest",
        "the briefing of what came in (grouped as the Markdown export), or --send it to "
        "the alert targets",
    )
    digest.add_argument(
        "--since", default="24h", metavar="SPAN", help="24h (the default), 7d, 90m, or a date"
    )
    digest.add_argument(
        "--send", action="store_true", help="send each alert target what its rule picks"
    )
    digest.add_argument("--filter", default="", metavar="NAME", help="a saved filter's releases")
    digest.add_argument("--all", action="store_true", help="every release, not only summit ones")
    digest.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    feed = command(
        "feed", "write an Atom feed of a saved filter, for any other feed reader to follow"
    )
    feed.add_argument("--filter", required=True, metavar="NAME", help="the saved filter's name")
    feed.add_argument("--limit", type=int, default=200, help="newest releases kept (200)")
    feed.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    command("reclassify", "classify every stored release again (after a taxonomy change)")

    serve = command("serve", "serve the dashboard in a web browser (textual-serve)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)"
    )
    serve.add_argument("--port", type=port_number, default=8000, help="1 to 65535")
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow a --host other than loopback (needs [serve.users] in the config)",
    )
    serve.add_argument(
        "--read-only",
        action="store_true",
        help="every session only looks (a user's read_only in [serve.users] does it for one)",
    )
    serve.add_argument(
        "--hash-password",
        action="store_true",
        help="read a password (stdin or prompt) and print its hash for [serve.users.NAME]",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    from state import StoreError
    from tui import commands

    handler = commands.HANDLERS[command]
    try:
        status = handler(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below
        return status
    except commands.UsageError as exc:
        print(f"summitwatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"summitwatch: {exc}", file=sys.stderr)
        return EXIT_STORE
    except BrokenPipeError:
        # The reader went away (`| head`): what is left to print goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
