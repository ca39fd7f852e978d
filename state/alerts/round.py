"""A round of alerts: each target's releases (by its rule), worded, delivered, remembered.

After a poll every target but the digest-only ones gets the new releases its rule picks;
a digest goes to every target. Either way the targets are asked at once within one deadline,
and how each answered is kept in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from feeds import AlertTarget, PillarSet
from state.alerts.deliver import DEFAULT_TIMEOUT, Delivery, deliver, masked, target_key
from state.alerts.ledger import AlertLedger, LedgerError
from state.alerts.message import AlertMessage, messages_for
from state.alerts.rules import FilterLookup, UnknownFilter, pick
from state.records import StoredRelease

__all__ = ["AlertRound", "alert_round", "send_round", "send_test_alert", "wants_text"]

TEST_MESSAGE = AlertMessage(
    "summitwatch: test alert",
    "A test from `summitwatch alerts --test`: alerts for this target will arrive here.",
)

# What a target is sent, given the releases its rule picked (it may pick more itself).
Words = Callable[[AlertTarget, Sequence[StoredRelease]], Sequence[AlertMessage]]


@dataclass(frozen=True, slots=True)
class AlertRound:
    """What a round did: each target's delivery, and any trouble keeping the record."""

    deliveries: list[Delivery] = field(default_factory=list)
    record_error: str = ""

    @property
    def sent(self) -> int:
        return sum(d.sent for d in self.deliveries)

    @property
    def problems(self) -> list[str]:
        """Each failed target in the words of a failed source: who, and what went wrong."""
        lines = [
            f"alert target {d.name}: {d.error} ({d.failed} not sent)"
            for d in self.deliveries
            if not d.ok
        ]
        return lines + ([self.record_error] if self.record_error else [])


def wants_text(targets: Sequence[AlertTarget]) -> bool:
    """Whether some rule may pick a release that is not a summit release."""
    return any(not t.rule.summit_only for t in targets)


def send_round(
    targets: Sequence[AlertTarget],
    releases: Sequence[StoredRelease],
    saved: FilterLookup,
    ledger: AlertLedger | None,
    words: Words,
    *,
    now: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> AlertRound:
    """Send each target `words` of the `releases` its rule picks (nothing if none), within
    `timeout` seconds; keep how each answered in `ledger` at `now`. Never raises."""
    jobs: list[tuple[AlertTarget, Sequence[AlertMessage]]] = []
    refused: list[Delivery] = []
    for target in targets:
        try:
            messages = words(target, pick(target, releases, saved))
        except UnknownFilter as exc:
            key, name = target_key(target.url), masked(target.url)
            refused.append(Delivery(key, name, failed=1, error=str(exc)))
            continue
        if messages:
            jobs.append((target, messages))
    deliveries = refused + (deliver(jobs, timeout=timeout) if jobs else [])
    return AlertRound(deliveries, remember(ledger, deliveries, now))


def alert_round(
    targets: Sequence[AlertTarget],
    releases: Sequence[StoredRelease],
    saved: FilterLookup,
    ledger: AlertLedger | None,
    *,
    pillars: PillarSet,
    now: str,
    timeout: float = DEFAULT_TIMEOUT,
    edited: Sequence[StoredRelease] = (),
) -> AlertRound:
    """Alert every target but the digest-only ones of the new `releases` its rule picks,
    and the targets that ask for edits of the `edited` releases it picks; pillars are named
    as the taxonomy `pillars` names them."""

    def words(target: AlertTarget, chosen: Sequence[StoredRelease]) -> list[AlertMessage]:
        messages = messages_for(chosen, pillars)
        if target.edits and edited:
            messages += messages_for(pick(target, edited, saved), pillars, edited=True)
        return messages

    per_release = [t for t in targets if not t.digest_only]
    return send_round(per_release, releases, saved, ledger, words, now=now, timeout=timeout)


def send_test_alert(
    targets: Sequence[AlertTarget],
    ledger: AlertLedger | None,
    *,
    now: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> AlertRound:
    """Send every target, digest-only ones too, a test message; keep how each answered."""
    deliveries = deliver([(t, [TEST_MESSAGE]) for t in targets], timeout=timeout) if targets else []
    return AlertRound(deliveries, remember(ledger, deliveries, now))


def remember(ledger: AlertLedger | None, deliveries: Sequence[Delivery], now: str) -> str:
    """Keep how each target answered; "" or what went wrong keeping it."""
    if ledger is None or not deliveries:
        return ""
    try:
        ledger.record(deliveries, now)
    except LedgerError as exc:
        return str(exc)
    return ""
