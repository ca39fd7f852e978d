"""The summitwatch App: holds the parts it was given and schedules polling in the background."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.color import ColorParseError
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from feeds import Config, Fetcher, PillarSet, ReleaseClassifier
from state import (
    CorruptDatabase,
    FilterLookup,
    Preferences,
    SavedFilters,
    Store,
    StoredRelease,
    StoreError,
    saved_filters_for,
)
from tui.alerts import alert_candidates, run_alert_hook, send_alerts
from tui.messages import (
    DecisionWaiting,
    DecisionWritten,
    PollFinished,
    PollProgressed,
    PollStarted,
    PollWaiting,
    ReleasesChanged,
    ReleasesEnriched,
)
from tui.palette import PaletteEntry, palette_commands
from tui.report import seconds_until_next_poll
from tui.screens.main import MainScreen
from tui.services import PollProgress, PollReport, StoreBackoff, poll_into_store
from tui.themes import terminal_theme
from tui.triage import READ_ONLY_DATABASE, READ_ONLY_SESSION, Triage, WriteDone, WriteWaiting


def local_now() -> datetime:
    """The time as the person at the terminal reads it."""
    return datetime.now().astimezone()


FetcherFactory = Callable[[Config], Fetcher]
DemoLoader = Callable[[], tuple[Config, Store]]
# How often to look whether another process (a `poll --watch` service) changed the store.
STORE_WATCH_SECONDS = 3.0
# How often to look whether the terminal is still there (a dropped SSH connection).
TERMINAL_CHECK_SECONDS = 2.0
# How long a hung-up dashboard waits for queued decisions before it leaves.
QUIT_WAIT_SECONDS = 40.0


class SummitWatchApp(App[None]):
    """The dashboard: polls in the background and tells the screens through `events`."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "summitwatch"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("p", "poll", "Poll now", id="app.poll"),
        Binding("d", "demo", "Offline demo", id="app.demo"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("h", "health", "Source health", show=False, id="app.health"),
        Binding("t", "timeline", "Timeline", show=False, id="app.timeline"),
    ]
    PALETTE = [
        PaletteEntry("Poll now", "Poll every source now", "poll"),
        PaletteEntry("Source health", "How each source last answered", "health"),
        PaletteEntry("Timeline", "Releases per day, last 90 days", "timeline"),
        PaletteEntry("Offline demo", "Load the bundled demo releases", "demo"),
        PaletteEntry("Help", "Every key and what it does", "help"),
    ]

    polling: var[bool] = var(False, bindings=True)

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        classifier: ReleaseClassifier,
        pillars: PillarSet,
        fetcher_factory: FetcherFactory,
        demo: bool = False,
        demo_loader: DemoLoader | None = None,
        poll_on_start: bool = True,
        clock: Callable[[], datetime] = local_now,
        saved_filters: SavedFilters | None = None,
        preferences: Preferences | None = None,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        # A read-only session (`--read-only`, a read-only user of `serve`) looks and decides
        # nothing, as on a database the user may not write: see `read_only_reason`.
        self.read_only = read_only
        self.config = config
        self.store = store
        self.classifier = classifier
        self.pillars = pillars  # of the taxonomy: how every screen names and draws them
        self.fetcher_factory = fetcher_factory
        self.demo = demo
        self.demo_loader = demo_loader
        self.poll_on_start = poll_on_start
        self.clock = clock
        self.saved_filters = saved_filters
        self.preferences = preferences  # the theme chosen last time, kept for the next
        if preferences is not None and preferences.theme in self.available_themes:
            self.theme = preferences.theme  # before the first paint: styles are made once
        self.last_report: PollReport | None = None
        # Poll progress, store changes and written decisions, for the screens that subscribe.
        self.events: Signal[Message] = Signal(self, "events")
        self.triage = self._triage()
        self._fetcher: Fetcher | None = None
        self._poll_timer: Timer | None = None
        self._quit_anyway = False
        self._store_backoff = StoreBackoff()
        self.next_poll_in = 0.0  # seconds from the last poll's end to the next
        self._store_problem = ""  # the store error last shown, so that it is shown once
        self._offered: set[str] = set()  # damaged files already offered to move aside
        if demo:
            self.sub_title = "offline demo"

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(dict(self.config.keys))
        if self.preferences is not None and self.preferences.error:
            self.notify(self.preferences.error, severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._use_theme_colours()
        self.push_screen(self._main_screen())
        self.set_interval(STORE_WATCH_SECONDS, self.watch_store)
        if not self.is_headless and sys.__stdin__ is not None and sys.__stdin__.isatty():
            self.set_interval(TERMINAL_CHECK_SECONDS, self.check_terminal)
        if self.read_only_reason:
            self.sub_title = "read-only"
        elif self.poll_on_start:
            # After the first screen is drawn: the poll would only compete with it.
            self.call_after_refresh(self.poll)

    def _theme_changed(self, theme: Theme) -> None:
        self._use_theme_colours()
        if self.preferences is None:
            return
        try:
            self.preferences.theme = theme.name
        except OSError as exc:
            self.notify(f"The theme could not be kept for next time: {exc}", markup=False)

    def _use_theme_colours(self) -> None:
        """Terminal colour names (pillars, health dots) drawn from the current theme's own
        colours, readable on it, through the palette Textual maps them with."""
        theme = self.current_theme
        if theme.ansi:
            return  # the terminal's own colours: its palette is the user's
        variables = {**theme.to_color_system().generate(), **theme.variables}
        try:
            palette = terminal_theme(variables)
        except ColorParseError:
            return  # a user's theme with a colour we cannot read: Textual's palette stays
        if theme.dark:
            self.ansi_theme_dark = palette
        else:
            self.ansi_theme_light = palette

    async def on_unmount(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()

    # -- polling ---------------------------------------------------------------------------

    @work(exclusive=True, group="poll", exit_on_error=False, description="polling sources")
    async def poll(self) -> PollReport:
        """Poll every enabled source, then re-arm a one-shot timer for the next due one."""
        self.polling = True
        if self._fetcher is None:
            # Building the client loads TLS certificates: a thread keeps keys answered.
            self._fetcher = await asyncio.to_thread(self.fetcher_factory, self.config)
        total = len(self.config.enabled_sources)
        self.events.publish(PollStarted(total))

        def progress(p: PollProgress) -> None:
            self.events.publish(PollProgressed(p))

        def stored(report: PollReport) -> None:  # summaries first; full texts follow
            if report.new or report.changed:
                self.events.publish(ReleasesChanged())

        def enriched(releases: list[StoredRelease]) -> None:
            self.events.publish(ReleasesEnriched(releases))

        retry = 0.0
        try:
            report = await poll_into_store(
                self.config,
                self.store,
                self._fetcher,
                self.classifier,
                on_progress=progress,
                on_stored=stored,
                on_enriched=enriched,
                on_wait=self._poll_waiting,
            )
        except StoreError as exc:  # nothing was stored: wait, as for a failing source
            retry = self._store_backoff.failed()
            self.show_store_problem(exc)
            report = PollReport(store_error=str(exc))
        else:
            self._store_backoff.succeeded()
        finally:
            self.polling = False
            self._arm_next_poll(retry)
        self.last_report = report
        self.events.publish(PollFinished(report, self.next_poll_in))
        self._announce(report)
        return report

    def _poll_waiting(self, holder: str) -> None:
        self.post_message(PollWaiting(holder))  # from the thread whose write waits: safe

    def on_poll_waiting(self, event: PollWaiting) -> None:
        """Say at once that the poll waits for another process, and who it is."""
        self.notify(
            f"The poll is waiting to store what it fetched: {event.holder}. Keys keep "
            "working; it goes on when the lock is free, or you are told why not.",
            title="Waiting for the database",
            severity="warning",
            timeout=8,
            markup=False,
        )

    def _arm_next_poll(self, at_least: float = 0.0) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
        delay = max(at_least, seconds_until_next_poll(self.store.health(), self.config))
        self.next_poll_in = delay
        self._poll_timer = self.set_timer(delay, self.poll)

    def _announce(self, report: PollReport) -> None:
        summit = report.new_summit
        if summit:
            titles = "\n".join(f"• {r.release.title[:90]}" for r in summit[:3])
            more = f"\n…and {len(summit) - 3} more" if len(summit) > 3 else ""
            self.notify(f"{titles}{more}", title=f"{len(summit)} new summit releases", markup=False)
            if self.config.alerts.bell:
                self.bell()
        # Read here, where the store is used; delivered in a thread, off the poll's path.
        releases = alert_candidates(self.config, self.store, report.new)
        edited = alert_candidates(self.config, self.store, report.changed, edits=True)
        if releases or edited or (summit and self.config.alerts.command):
            self.send_alerts(summit, releases, edited)
        if report.outcomes and len(report.failed) == len(report.outcomes) and not self.demo:
            self.notify(
                "No source could be reached. Press d for the offline demo.",
                title="Offline",
                severity="warning",
                timeout=30,
            )

    @work(thread=True, group="alerts", exit_on_error=False, description="alerts")
    def send_alerts(
        self,
        summit: list[StoredRelease],
        releases: list[StoredRelease],
        edited: list[StoredRelease],
    ) -> None:
        problems: list[str] = []
        if self.config.alerts.command and summit:
            problems += run_alert_hook(self.config.alerts.command, summit)
        saved: FilterLookup = self.saved_filters if self.saved_filters is not None else {}
        problems += send_alerts(
            self.config, self.store.path, releases, saved, edited, pillars=self.pillars
        )
        for problem in problems:
            self.call_from_thread(self.notify, problem, severity="warning", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed background job is reported, never fatal: the dashboard stays usable."""
        worker = event.worker
        if event.state is WorkerState.ERROR:
            what = worker.description or worker.name or "background work"
            self.notify(
                f"{what} failed: {worker.error!r}", title="Error", severity="error", markup=False
            )

    def check_terminal(self) -> None:
        """Quit when the terminal is gone instead of running on without one.

        A dropped SSH connection hangs the terminal up; when the dashboard runs under make or
        a wrapper, no SIGHUP may reach it, and it would otherwise keep running and polling.
        """
        try:
            os.tcgetpgrp(sys.__stdin__.fileno())  # type: ignore[union-attr]
        except OSError:
            # A graceful exit writes to the dead terminal, and Textual's shutdown then blocks
            # on its output queue for ever (seen with Textual 8.2). Leaving at once loses
            # nothing once the queued decisions are written: every store write is atomic.
            self.triage.wait(timeout=QUIT_WAIT_SECONDS)
            os._exit(1)

    @property
    def read_only_reason(self) -> str:
        """Why this dashboard may decide nothing, or "" when it may."""
        if self.store.read_only:
            return READ_ONLY_DATABASE
        return READ_ONLY_SESSION if self.read_only else ""

    def _triage(self) -> Triage:
        return Triage(
            self.store,
            on_done=self._decision_done,
            on_waiting=self._decision_waiting,
            read_only=self.read_only_reason,
        )

    def _decision_done(self, done: WriteDone) -> None:
        # Called by the triage writer thread: post_message is safe from there; the handler
        # below passes the event on to the screens.
        self.post_message(DecisionWritten(done))

    def _decision_waiting(self, waiting: WriteWaiting) -> None:
        self.post_message(DecisionWaiting(waiting))  # from the writer thread, as above

    def on_decision_written(self, event: DecisionWritten) -> None:
        self.events.publish(DecisionWritten(event.done))

    def on_decision_waiting(self, event: DecisionWaiting) -> None:
        self.events.publish(DecisionWaiting(event.waiting))

    def watch_store(self) -> None:
        """Show what another process stored; cheap when nothing changed. A damaged file is
        named once, with the offer to move it aside; the dashboard goes on with the rest."""
        try:
            if not self.polling and self.store.refresh():
                self.events.publish(ReleasesChanged())
        except StoreError as exc:
            self.show_store_problem(exc)
        self.offer_move_aside()

    def show_store_problem(self, problem: StoreError) -> None:
        """Say what is wrong with the database, once for as long as it stays the same."""
        if str(problem) != self._store_problem:
            self._store_problem = str(problem)
            self.notify(str(problem), title="Database", severity="error", timeout=30, markup=False)

    def offer_move_aside(self) -> None:
        """Ask, once per damaged file found since opening, whether to move it aside."""
        from tui.screens.dialogs import ConfirmDialog

        for name, problem in list(self.store.damaged.items()):
            if name in self._offered:
                continue
            self._offered.add(name)
            question = f"{problem}\n\n{problem.offer}"
            self.push_screen(ConfirmDialog(question), partial(self._move_aside, problem))

    def _move_aside(self, problem: CorruptDatabase, yes: bool | None) -> None:
        if not yes:
            self.notify(
                f"{problem.path} is left as it is; what it holds is not shown or written.",
                markup=False,
            )
            return

        def move() -> None:
            moved = problem.move_aside()
            self.store.refresh()
            where = f" (now {moved})" if moved is not None else ""
            self.call_from_thread(self.notify, f"Moved aside{where}.", markup=False)
            self.call_from_thread(self.events.publish, ReleasesChanged())

        self.run_worker(
            move, thread=True, group="store", exit_on_error=False, description="move aside"
        )

    # -- actions ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit once every decision made is on disk. When one fails meanwhile the dashboard
        stays, showing what was not saved; q again quits without it."""
        triage = self.triage
        if triage.pending and not self._quit_anyway:
            self.notify("Saving your last decisions…", timeout=3)
            failures = triage.failures
            await asyncio.to_thread(triage.wait)
            if triage.failures != failures:
                self._quit_anyway = True
                return
        self.exit()

    def _main_screen(self) -> MainScreen:
        return MainScreen(
            self.store,
            self.config.sources,
            self.pillars,
            self.saved_filters,
            triage=self.triage,
            events=self.events,
            clock=self.clock,
            demo=self.demo,
            briefings=self.config.briefings,
            advance=self.config.dashboard.advance,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Poll and demo are shown but greyed while they cannot run."""
        if action == "poll":
            return None if self.polling or self.read_only_reason else True
        if action == "demo":
            # A read-only session polls nothing, the demo's database included.
            return None if self.demo or self.demo_loader is None or self.read_only else True
        return True

    def action_poll(self) -> None:
        self.poll()

    async def action_demo(self) -> None:
        if self.demo_loader is None:
            return
        self.workers.cancel_group(self, "poll")
        self.config, self.store = self.demo_loader()
        self.saved_filters = saved_filters_for(self.store.path)  # the demo's own
        self.triage = self._triage()
        self.demo = True
        self.sub_title = "offline demo"
        # The new screen subscribes to `events` when it mounts: wait for it before polling.
        await self.switch_screen(self._main_screen())
        self.polling = False
        self.poll()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_health(self) -> None:
        from tui.screens.health import SourceHealthScreen

        self.push_screen(SourceHealthScreen(self.config.sources, self.store.health()))

    def action_timeline(self) -> None:
        from tui.screens.timeline import TimelineScreen

        self.push_screen(TimelineScreen(self.store.all(), self.clock().date(), self.pillars))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action that can run now on the command palette (ctrl+p), next to Textual's
        own: the App's, then those of the screen it was opened on."""
        yield from super().get_system_commands(screen)
        yield from palette_commands(self, self.PALETTE)
        if isinstance(screen, MainScreen):
            yield from screen.palette_commands()
