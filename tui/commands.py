"""What each `summitwatch` sub-command does. The dashboard is started from here too."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import Config, ConfigError, demo_config, ensure_config, load_config as load_config_file
from state import (
    CorruptDatabase,
    Load,
    Preferences,
    ReadOnlyDatabase,
    Store,
    StoreError,
    config_path,
    data_dir,
    db_path,
    saved_filters_for,
)
from tui import report
from tui.alerts import (
    local_now,
    seconds_until_digest,
    start_alerts,
    start_digest,
    taxonomy_pillars,
)
from tui.services import (
    POLL_PROCESSES,
    PollReport,
    StoreBackoff,
    cookie_file_for,
    load_classifier,
    make_fetcher,
    poll_into_store,
)

if TYPE_CHECKING:
    from feeds import ClassifierSource, PillarSet, ReleaseClassifier

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2  # a StoreError: 3 (`tui.cli`)


class UsageError(Exception):
    """A problem the user can fix: bad flags, a broken config, a database that will not open."""


def load_config(args: argparse.Namespace) -> Config:
    """The config of `args`; `--taxonomy` goes into it, so that every part reads one taxonomy."""
    try:
        config = _demo_config(args) if args.demo else ensure_config(config_path(args.config))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    taxonomy = getattr(args, "taxonomy", None)
    return replace(config, taxonomy=taxonomy) if taxonomy else config


def _demo_config(args: argparse.Namespace) -> Config:
    """The demo's sources with the person's own ways of working (keys, briefings folder) from
    their config, which is read if it is there and never written."""
    path = config_path(args.config)
    return with_own_settings(demo_config(), load_config_file(path) if path.exists() else None)


def with_own_settings(demo: Config, own: Config | None) -> Config:
    """`demo` with the keys and the briefings folder of `own`."""
    return demo if own is None else replace(demo, keys=own.keys, briefings=own.briefings)


def open_store(
    args: argparse.Namespace,
    *,
    interactive: bool = False,
    load: Load = "all",
    reading: bool = False,
    user: str | None = None,
) -> Store:
    """The database of `args`, loading `load` at first (see `Store`), deciding as `user`
    (the Unix user by default). A command that only reads (`reading`) opens a database it
    may not write read-only, and says so."""
    path = db_path(args.db, demo=args.demo)
    while True:  # one damaged file after another, as long as the user says yes
        try:
            return Store(path, load=load, user=user, on_wait=_say_waiting)
        except ReadOnlyDatabase as exc:
            if not reading:
                raise
            print(f"summitwatch: {exc.path} is read-only for you: reading only.", file=sys.stderr)
            return Store(path, load=load, read_only=True, user=user)
        except CorruptDatabase as exc:
            if not (interactive and sys.stdin.isatty() and _confirm(f"{exc}\n{exc.offer}")):
                raise StoreError(f"{exc}\n(run the dashboard to be offered this)") from exc
            moved = exc.move_aside()
            if moved is not None:
                print(f"Moved the damaged file to {moved}", file=sys.stderr)


def write_out(text: str, output: Path | None, done: str) -> None:
    """`text` to the --output file, saying `done` and where on standard error, or else to
    standard output."""
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"could not write {output}: {exc.strerror or exc}") from exc
        print(f"{done} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _confirm(question: str) -> bool:
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _classifier(args: argparse.Namespace, config: Config) -> ReleaseClassifier:
    from feeds import TaxonomyError

    try:
        return load_classifier(config, args.taxonomy)
    except TaxonomyError as exc:
        raise UsageError(str(exc)) from exc


def pillars_of(config: Config) -> PillarSet:
    """The pillars of the taxonomy in use, for a command that classifies nothing."""
    from feeds import TaxonomyError

    try:
        return taxonomy_pillars(config)
    except TaxonomyError as exc:
        raise UsageError(str(exc)) from exc


def _classifier_when_needed(args: argparse.Namespace, config: Config) -> ClassifierSource:
    """A user's own taxonomy is loaded now, so that its mistakes stop the command before it
    polls; the bundled one (tested) is loaded by the poll at the first release to classify."""
    if args.taxonomy or config.taxonomy:
        return _classifier(args, config)
    return partial(load_classifier, config)


def cmd_run(args: argparse.Namespace) -> int:
    from tui.app import SummitWatchApp

    config = load_config(args)
    classifier = _classifier(args, config)

    def load_demo() -> tuple[Config, Store]:
        return with_own_settings(demo_config(), config), Store(db_path(None, demo=True))

    user = getattr(args, "user", None)
    with open_store(args, interactive=True, load="newest", reading=True, user=user) as store:
        app = SummitWatchApp(
            config=config,
            store=store,
            classifier=classifier,
            pillars=classifier.taxonomy.pillar_set,
            fetcher_factory=partial(make_fetcher, cookie_file=cookie_file_for(store)),
            demo=args.demo,
            demo_loader=load_demo,
            saved_filters=saved_filters_for(store.path),
            preferences=Preferences(data_dir() / "preferences.json"),
            read_only=getattr(args, "read_only", False),
        )
        app.run()
    return EXIT_OK


def cmd_poll(args: argparse.Namespace) -> int:
    config = load_config(args)
    classifier = _classifier_when_needed(args, config)
    # Nothing is loaded until a source brings something: an unchanged poll reads no release.
    with open_store(args, load="none") as store:
        if args.watch:
            return asyncio.run(_watch(config, store, classifier, args.json, first_all=args.all))
        return asyncio.run(
            _poll_once(config, store, classifier, as_json=args.json, only_due=not args.all)
        )


async def _poll_all(
    config: Config,
    store: Store,
    classifier: ClassifierSource,
    processes: int = 1,
    *,
    only_due: bool = False,
) -> PollReport:
    async with make_fetcher(config, cookie_file=cookie_file_for(store)) as fetcher:
        return await poll_into_store(
            config,
            store,
            fetcher,
            classifier,
            only_due=only_due,
            processes=processes,
            on_wait=_say_waiting,
        )


def _say_waiting(holder: str) -> None:
    """Opening the database or a poll's write has waited half a second for another
    process's lock: say who (it waits on, up to the lock timeout)."""
    print(f"summitwatch: waiting for the database: {holder}.", file=sys.stderr, flush=True)


async def _poll_once(
    config: Config, store: Store, classifier: ClassifierSource, *, as_json: bool, only_due: bool
) -> int:
    result = await _poll_all(config, store, classifier, POLL_PROCESSES, only_due=only_due)
    report.print_poll(result, as_json=as_json, out=sys.stdout)
    await start_alerts(config, store, result)
    digest = start_digest(config, store, local_now())
    if digest is not None:
        await digest
    return EXIT_SOME_FAILED if result.failed else EXIT_OK


async def _watch(
    config: Config,
    store: Store,
    classifier: ClassifierSource,
    as_json: bool,
    *,
    first_all: bool,
) -> int:
    """Poll due sources (every source the first time with `first_all`), sleep until the next
    one is due, and again, until interrupted."""
    only_due = not first_all
    backoff = StoreBackoff()
    async with make_fetcher(config, cookie_file=cookie_file_for(store)) as fetcher:
        while True:
            try:
                result = await poll_into_store(
                    config, store, fetcher, classifier, only_due=only_due, on_wait=_say_waiting
                )
            except StoreError as exc:  # a full disk, a lock held too long: later, not never
                wait = backoff.failed()
                print(f"summitwatch: {exc} Trying again in {wait:.0f} s.", file=sys.stderr)
                await asyncio.sleep(wait)
                continue
            backoff.succeeded()
            only_due = True
            if result.outcomes:
                report.print_poll(result, as_json=as_json, out=sys.stdout)
                sys.stdout.flush()
                start_alerts(config, store, result)  # off the poll's path: not waited for
            now = local_now()
            start_digest(config, store, now)
            wait = report.seconds_until_next_poll(store.health(), config)
            await asyncio.sleep(min(wait, seconds_until_digest(config, now)))


def cmd_classify(args: argparse.Namespace) -> int:
    from feeds import classify_stream

    config = load_config(args)
    classifier = _classifier(args, config)
    if args.file is None:
        return classify_stream(sys.stdin, sys.stdout, sys.stderr, classifier)
    try:
        with args.file.open(encoding="utf-8") as lines:
            return classify_stream(lines, sys.stdout, sys.stderr, classifier)
    except OSError as exc:
        raise UsageError(f"{args.file}: cannot be read ({exc.strerror or exc})") from exc


def cmd_eval(args: argparse.Namespace) -> int:
    from feeds import evaluate, read_labelled

    config = load_config(args)
    classifier = _classifier(args, config)
    try:
        records = read_labelled(args.file)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{args.file}: {exc}") from exc
    print(evaluate(records, classifier).render())
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from state import (
        Briefing,
        ExportFilter,
        StoredRelease,
        TriageState,
        counted,
        select,
        to_csv,
        to_json,
        to_markdown,
    )

    try:
        states = tuple(TriageState(s.replace(" ", "_").replace("-", "_")) for s in args.state)
    except ValueError as exc:
        known = ", ".join(s.value for s in TriageState)
        raise UsageError(f"unknown --state ({known})") from exc
    if args.versions and args.format == "csv":
        raise UsageError("--versions: CSV has one row a release; use --format json or md")
    pillars = pillars_of(load_config(args))
    unknown = pillars.unknown(args.pillar)
    if unknown:
        known = ", ".join(pillars.ids)
        raise UsageError(f"unknown --pillar {', '.join(unknown)} (the taxonomy has {known})")
    flt = ExportFilter(
        since=args.since,
        pillars=tuple(args.pillar),
        countries=tuple(args.country),
        states=states,
        summit=True if args.summit else None,
        starred=args.starred,
    )
    with open_store(args, reading=True) as store:
        ids = [r.id for r in select(store.all(), flt)]
        order = {release_id: n for n, release_id in enumerate(ids)}
        chosen = sorted(store.iter_full(ids), key=lambda r: order[r.id])
    if args.format == "md":
        asked = args.not_relevant or TriageState.NOT_RELEVANT in states
        about = Briefing(scope=flt.describe(), not_relevant=asked, versions=args.versions)
        text = to_markdown(chosen, pillars, about)
        chosen = [r for r in chosen if about.keeps(r)]
    else:
        writers: dict[str, Callable[[list[StoredRelease], PillarSet], str]] = {
            "json": partial(to_json, versions=args.versions),
            "csv": to_csv,
        }
        text = writers[args.format](chosen, pillars)
    write_out(text, args.output, f"wrote {counted(len(chosen))}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from state import read_json_export

    try:
        records = read_json_export(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{args.file}: {exc}") from exc
    with open_store(args) as store:
        count = store.import_records(records)
    print(f"imported {count} releases from {args.file}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with open_store(args, reading=True) as store:
        written = store.backup(args.dest)
    print(f"backup written to {written}")
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace) -> int:
    from tui.alert_commands import run_alerts

    return run_alerts(args, load_config(args))


def cmd_digest(args: argparse.Namespace) -> int:
    from tui.alert_commands import run_digest

    return run_digest(args, load_config(args))


def cmd_feed(args: argparse.Namespace) -> int:
    from tui.alert_commands import run_feed

    return run_feed(args, load_config(args))


def cmd_sources(args: argparse.Namespace) -> int:
    if args.action is not None:
        from tui.source_commands import run_source_action

        return run_source_action(args, load_config(args))
    config = load_config(args)
    with open_store(args, reading=not args.check) as store:
        status = EXIT_OK
        if args.check:
            classifier = _classifier(args, config)
            status = asyncio.run(_check(config, store, classifier))
        health = store.health()
    if args.json:
        rows = report.source_rows(config, health)
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        report.print_sources(config, health, out=sys.stdout)
    return status


async def _check(config: Config, store: Store, classifier: ReleaseClassifier) -> int:
    result = await _poll_all(config, store, classifier)
    return EXIT_SOME_FAILED if result.failed else EXIT_OK


def cmd_reclassify(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    config = load_config(args)
    classifier = _classifier(args, config)
    with open_store(args) as store:
        total = len(store.all())
        pairs = []
        with Progress(transient=True) as progress:
            task = progress.add_task("reclassifying", total=total)
            for stored in store.iter_full():
                pairs.append((stored.release.id, classifier.classify_release(stored.release)))
                progress.advance(task)
        changed = store.replace_classifications(pairs)
    print(f"reclassified {len(pairs)} releases; {changed} changed")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """The dashboard in a browser: one `summitwatch run` per visitor, behind the door of
    `tui.serve.server` (sign-in when the config names users, a session limit, an idle timeout)."""
    if args.hash_password:
        return _print_password_hash()
    try:
        from tui.serve.server import GuardedServer
    except ImportError as exc:
        raise UsageError("serve needs textual-serve: pip install 'summitwatch[serve]'") from exc
    config = load_config(args)
    settings = config.serve
    if not _is_loopback(args.host):
        if not args.public:
            raise UsageError(
                f"serve: {args.host} is reachable from other machines; add --public to mean it "
                "(and set [serve.users] passwords), or keep 127.0.0.1 and use an SSH tunnel"
            )
        if not settings.users:
            raise UsageError(
                "serve --public needs a sign-in: add [serve.users.NAME] with a password_hash "
                "made by `summitwatch serve --hash-password` to the config"
            )
    from tui.alert_commands import ServedFeeds

    server = GuardedServer(
        partial(_dashboard_command, args),
        settings,
        host=args.host,
        port=args.port,
        read_only=args.read_only,
        feeds=ServedFeeds(args, config),
    )
    print(f"serving on http://{args.host}:{args.port}/", file=sys.stderr)
    server.serve()
    return EXIT_OK


def _dashboard_command(args: argparse.Namespace, read_only: bool, user: str | None) -> str:
    """The shell command of one served dashboard, with the options `serve` was given;
    `read_only` for a read-only server or user, deciding as the signed-in `user`."""
    import shlex

    argv = [sys.executable, "-m", "tui.cli"]
    for flag in ("config", "db", "taxonomy"):
        value = getattr(args, flag, None)
        if value is not None:
            argv += [f"--{flag}", str(value)]
    if args.demo:
        argv.append("--demo")
    argv.append("run")
    if read_only:
        argv.append("--read-only")
    if user:
        argv += ["--user", user]
    return shlex.join(argv)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def _print_password_hash() -> int:
    """Read a password without echo (or one line of stdin) and print its config line."""
    import getpass

    from tui.serve.access import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise UsageError("a password needs 8 characters or more")
    print(f'password_hash = "{hash_password(password)}"')
    return EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "poll": cmd_poll,
    "classify": cmd_classify,
    "eval": cmd_eval,
    "export": cmd_export,
    "import": cmd_import,
    "backup": cmd_backup,
    "sources": cmd_sources,
    "alerts": cmd_alerts,
    "digest": cmd_digest,
    "feed": cmd_feed,
    "reclassify": cmd_reclassify,
    "serve": cmd_serve,
}

__all__ = ["HANDLERS", "UsageError", "load_config", "open_store", "pillars_of"]
