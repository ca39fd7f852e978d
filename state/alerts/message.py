"""The text of an alert: one release, or several at once.

A message is Markdown written to read as plain text as well, because Apprise passes the body
on unchanged to targets that take text (a JSON webhook, ntfy) and renders it for the others
(mail, Matrix, Slack). Feed text is hostile: control characters and escape sequences are
removed, titles are kept to one line, and Markdown's special characters are escaped so that a
title cannot add links or layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feeds import PillarSet, one_line
from state.export import COUNTRY_NAMES, edit_summary, evidence_sentence, md_escape
from state.records import StoredRelease

__all__ = ["BATCH_AFTER", "AlertMessage", "batch_message", "messages_for", "release_message"]

# More releases than this for one target at once (a first poll) become one message.
BATCH_AFTER = 5
TITLE_LIMIT = 160
SENTENCE_LIMIT = 600
CHANGES_SHOWN = 5  # changed passages an edit alert lists


@dataclass(frozen=True, slots=True)
class AlertMessage:
    title: str  # one line: a mail's subject, a push notification's title
    body: str  # Markdown that reads as plain text


def short(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` cleaned onto one line and cut to `limit` characters."""
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def government(stored: StoredRelease) -> str:
    country = stored.release.country.upper()
    return COUNTRY_NAMES.get(country, country or "unknown government")


def bare_link(link: str) -> str:
    """An http(s) link as it may stand alone in text and Markdown, or "" for anything else."""
    link = one_line(link)
    if not link.lower().startswith(("http://", "https://")):
        return ""
    return "".join(f"%{ord(c):02X}" if c in " <>()[]" else c for c in link)


def _date(stored: StoredRelease) -> str:
    return (stored.release.published or stored.first_seen)[:10] or "undated"


def _decision(stored: StoredRelease, pillars: PillarSet) -> str:
    names = ", ".join(pillars.get(p).name for p in pillars.order(stored.pillars)) or "none"
    summit = "summit release" if stored.summit else "not a summit release"
    return f"Decision: {summit} · Pillars: {names}"


def _evidence(stored: StoredRelease, limit: int = SENTENCE_LIMIT) -> str:
    sentence = evidence_sentence(stored, "summit" if stored.summit else None)
    return md_escape(short(sentence, limit)) if sentence else ""


def release_message(
    stored: StoredRelease, pillars: PillarSet, *, edited: bool = False
) -> AlertMessage:
    """Title, government, date, summit decision and pillars (named as the taxonomy `pillars`
    names them), evidence sentence, link; for an edit, when the release was first seen and
    when its text changed."""
    r = stored.release
    paragraphs = [
        f"{government(stored)} · {md_escape(short(r.source, 80))} · {_date(stored)}",
        _decision(stored, pillars),
    ]
    sentence = _evidence(stored)
    if sentence:
        paragraphs.append(f"> {sentence}")
    link = bare_link(r.link)
    if link:
        paragraphs.append(link)
    kind = "Summit release" if stored.summit else "Release"
    if edited:
        kind = "Edited after publication"
        head, changed = edit_summary(stored, CHANGES_SHOWN)
        paragraphs.insert(2, "\n".join([head, *changed]))
    # Escaped too: Markdown targets (Slack, Matrix) may render the title as Markdown.
    title = f"{kind} · {government(stored)}: {md_escape(short(r.title or '(untitled)'))}"
    return AlertMessage(title, "\n\n".join(paragraphs))


def batch_message(releases: Sequence[StoredRelease], *, edited: bool = False) -> AlertMessage:
    """Many releases at once: one message, a few lines each."""
    summit = sum(1 for r in releases if r.summit)
    lines = []
    for stored in releases:
        r = stored.release
        lines.append(f"- {_date(stored)} · {government(stored)} · {md_escape(short(r.title))}")
        sentence = _evidence(stored, 300)
        if sentence:
            lines.append(f"  > {sentence}")
        link = bare_link(r.link)
        if link:
            lines.append(f"  {link}")
    what = "releases edited after publication" if edited else "new releases"
    title = f"summitwatch: {len(releases)} {what} ({summit} summit)"
    return AlertMessage(title, "\n".join(lines))


def messages_for(
    releases: Sequence[StoredRelease], pillars: PillarSet, *, edited: bool = False
) -> list[AlertMessage]:
    """One message a release, or one for them all when there are more than BATCH_AFTER;
    pillars are named as the taxonomy `pillars` names them."""
    if not releases:
        return []
    if len(releases) > BATCH_AFTER:
        return [batch_message(releases, edited=edited)]
    return [release_message(r, pillars, edited=edited) for r in releases]
