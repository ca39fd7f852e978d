"""Alerts delivered through Apprise to real receivers on 127.0.0.1: mail, JSON, ntfy."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from feeds import AlertTarget, load_taxonomy
from state.alerts.deliver import deliver, masked, scrub
from state.alerts.message import messages_for, release_message
from state.records import StoredRelease
from tests.receivers import SilentServer, SmtpInbox, text_of
from tests.state.factories import make_classification, make_release

BUNDLED = load_taxonomy().pillar_set

SUMMIT_SENTENCE = "The North American Leaders' Summit."
LINK = "https://pm.gc.ca/en/news/2023/01/10/joint-statement"


def summit_release(seed: str = "r1", **release: Any) -> StoredRelease:
    release.setdefault("link", LINK)
    return StoredRelease(
        release=make_release(seed, country="MX", source="Presidencia", **release),
        classification=make_classification(pillars=("security", "climate")),
        first_seen="2023-01-10T15:00:00+00:00",
    )


def json_posts(server: HTTPServer, path: str) -> list[dict[str, Any]]:
    return [json.loads(req.get_data()) for req, _ in server.log if req.path == path]


@pytest.mark.filterwarnings("ignore:Session.login_data")
def test_a_mail_alert_carries_subject_evidence_and_link() -> None:
    stored = summit_release(title="Declaración conjunta de la Cumbre de Líderes")
    with SmtpInbox() as inbox:
        [done] = deliver([(AlertTarget(inbox.url()), messages_for([stored], BUNDLED))], timeout=20)
    assert done.ok and done.sent == 1, done.error
    [mail] = inbox.messages
    assert mail["Subject"] == (
        "Summit release · Mexico: Declaración conjunta de la Cumbre de Líderes"
    )
    body = text_of(mail)
    assert SUMMIT_SENTENCE in body
    assert LINK in body
    assert "Decision: summit release · Pillars: Climate Change and Environment, Security" in body


def test_json_and_ntfy_targets_receive_the_same_alert(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    httpserver.expect_request("/", method="POST").respond_with_json({"id": "1"})
    port = httpserver.port
    targets = [
        AlertTarget(f"json://127.0.0.1:{port}/hook"),
        AlertTarget(f"ntfy://127.0.0.1:{port}/nals-desk"),
    ]
    message = release_message(summit_release(), BUNDLED)
    done = deliver([(t, [message]) for t in targets], timeout=20)
    assert [d.sent for d in done] == [1, 1], [d.error for d in done]
    [hook] = json_posts(httpserver, "/hook")
    assert hook["title"] == message.title
    assert SUMMIT_SENTENCE in hook["message"] and LINK in hook["message"]
    [push] = json_posts(httpserver, "/")
    assert push["topic"] == "nals-desk"
    assert push["title"] == message.title
    assert SUMMIT_SENTENCE in push["message"] and LINK in push["message"]


def test_a_refusing_target_is_reported_without_its_secret_and_others_still_get_it(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    httpserver.expect_request("/refuse", method="POST").respond_with_data("no", status=500)
    secret = "hunter2-token-77"
    good = AlertTarget(f"json://127.0.0.1:{httpserver.port}/hook")
    bad = AlertTarget(f"json://bot:{secret}@127.0.0.1:{httpserver.port}/refuse")
    message = release_message(summit_release(), BUNDLED)
    failed, delivered = deliver([(bad, [message]), (good, [message])], timeout=20)
    assert delivered.ok and delivered.sent == 1
    assert not failed.ok and failed.failed == 1
    assert "error=500" in failed.error, failed.error  # Apprise's own words, kept
    assert secret not in failed.error and secret not in failed.name
    assert "127.0.0.1" in failed.name


def test_a_target_that_hangs_costs_at_most_the_timeout_and_holds_no_other(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    message = release_message(summit_release(), BUNDLED)
    with SilentServer() as silent:
        hanging = AlertTarget(f"json://127.0.0.1:{silent.port}/hook?rto=30&cto=30")
        good = AlertTarget(f"json://127.0.0.1:{httpserver.port}/hook")
        started = time.monotonic()
        stuck, delivered = deliver([(hanging, [message]), (good, [message])], timeout=2)
        took = time.monotonic() - started
    assert delivered.sent == 1
    assert stuck.failed == 1 and "no answer within" in stuck.error
    # The target asked for 30 s of patience; the round gave it 2 (and some slack for a busy
    # machine), which is what keeps a poll from waiting on it.
    assert took < 15


def test_a_url_apprise_does_not_know_is_reported_masked() -> None:
    message = release_message(summit_release(), BUNDLED)
    target = AlertTarget("nosuchservice://user:pw-9911@host/x")
    [done] = deliver([(target, [message])], timeout=5)
    assert done.failed == 1 and done.error == "Apprise does not understand this URL"
    assert done.name == "nosuchservice://****"
    assert masked("nosuchservice://user:pw-9911@host/x") == "nosuchservice://****"


def test_masked_urls_keep_the_host_and_hide_passwords_and_tokens() -> None:
    assert masked("mailto://me:app-pass-123@mail.example.org").startswith("mailto://me:****@")
    shown = masked("tgram://123456789:ABCdefGhIJKlmnOpqrSTUvwxyz/12345")
    assert "ABCdefGhIJKlmnOpqrSTUvwxyz" not in shown


def test_error_text_loses_every_secret_part_of_the_url() -> None:
    url = "tgram://123456789:ABCdefGhIJKlmnOpqrSTUvwxyz/12345"
    said = "Telegram refused bot 123456789:ABCdefGhIJKlmnOpqrSTUvwxyz\x1b[31m (chat 12345)"
    cleaned = scrub(said, url, masked(url))
    assert "ABCdefGhIJKlmnOpqrSTUvwxyz" not in cleaned
    assert "\x1b" not in cleaned
    assert cleaned.startswith("Telegram refused bot ")
