"""The Markdown briefing: what an analyst sends on, written to be read as it is.

Each release appears once, under its strongest pillar (the highest score among the pillars it
carries; the taxonomy's order breaks a tie), with its other pillars named beside it. The head
says which taxonomy, which filter and which dates it covers, and how many releases marked not
relevant were left out. Text from the network is escaped so that it cannot change the layout.
A briefing is written under a new name every time: one never replaces another.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feeds import PillarSet
from state.config import data_dir
from state.export import COUNTRY_NAMES, edit_summary, evidence_sentence, md_escape
from state.records import StoredRelease, TriageState

__all__ = [
    "Briefing",
    "briefing_folder",
    "briefing_name",
    "counted",
    "strongest_pillar",
    "to_markdown",
    "write_briefing",
]

FALLBACK_TITLE = "Briefing"


def counted(count: int, noun: str = "release") -> str:
    """`1 release`, `2 releases`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True)
class Briefing:
    """What a briefing covers, as its head states it.

    `scope` is the filter in plain words ("" for everything); `not_relevant` keeps the
    releases marked not relevant, which are otherwise left out and counted.
    """

    scope: str = ""
    not_relevant: bool = False
    title: str = ""
    versions: bool = False  # an edited release says what its latest edit changed

    def keeps(self, stored: StoredRelease) -> bool:
        """Whether `stored` goes into the briefing (else it is counted as left out)."""
        return self.not_relevant or stored.triage is not TriageState.NOT_RELEVANT


def _when(stored: StoredRelease) -> str:
    return stored.release.published or stored.first_seen


def strongest_pillar(stored: StoredRelease, pillars: PillarSet) -> str | None:
    """The pillar `stored` is filed under: its highest-scored pillar, else the first in the
    taxonomy's order (a person's correction may add a pillar the classifier did not score)."""
    carried = pillars.order(stored.pillars)
    if not carried:
        return None
    scores = stored.classification.pillar_scores
    return max(carried, key=lambda p: (scores.get(p, 0.0), -carried.index(p)))


def _date_range(items: Sequence[StoredRelease]) -> str:
    days = sorted(d for d in (_when(r)[:10] for r in items) if d)
    if not days:
        return "undated"
    return days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"


def _md_link(title: str, link: str) -> str:
    if not link.lower().startswith(("http://", "https://")):
        return md_escape(title)
    safe = "".join(f"%{ord(c):02X}" if c in " ()<>" else c for c in link)
    return f"[{md_escape(title)}]({safe})"


def _md_item(
    stored: StoredRelease, pillar: str | None, pillars: PillarSet, versions: bool
) -> list[str]:
    rel = stored.release
    date = _when(stored)[:10] or "undated"
    flags = [stored.triage.label]
    if stored.starred:
        flags.append("starred")
    if not stored.summit:
        flags.append("not a summit release")  # a look-alike is never passed off as one
    line = f"- **{date}** · {md_escape(rel.source)} · {_md_link(rel.title, rel.link)}"
    lines = [f"{line} ({', '.join(flags)})"]
    others = [pillars.get(p).name for p in pillars.order(stored.pillars) if p != pillar]
    if others:
        lines.append(f"  *Also:* {md_escape(', '.join(others))}")
    sentence = evidence_sentence(stored, pillar)
    if sentence:
        lines.append(f"  > {md_escape(sentence)}")
    if stored.note.strip():
        note = " / ".join(md_escape(line) for line in stored.note.splitlines() if line.strip())
        lines.append(f"  *Analyst's note:* {note}")
    if stored.history:
        lines.append(f"  *Decided:* {md_escape(stored.history[-1].describe())}")
    if versions and stored.edited:
        head, changed = edit_summary(stored)
        lines.append(f"  *Edited:* {head}")
        lines += [f"  {line}" for line in changed]
    return lines


def _by_country(
    releases: Sequence[StoredRelease], pillar: str | None, pillars: PillarSet, versions: bool
) -> list[str]:
    lines: list[str] = []
    for country in sorted({r.release.country.upper() for r in releases}):
        lines += ["", f"### {COUNTRY_NAMES.get(country, country or 'Unknown country')}", ""]
        members = [r for r in releases if r.release.country.upper() == country]
        for stored in sorted(members, key=lambda r: (_when(r), r.id), reverse=True):
            lines += _md_item(stored, pillar, pillars, versions)
    return lines


def _head(items: Sequence[StoredRelease], left_out: int, about: Briefing, stamp: str) -> list[str]:
    parts = [counted(len(items)), f"filter: {about.scope}" if about.scope else "all releases"]
    parts += [_date_range(items)] if items else []
    lines = [" · ".join([*parts, f"prepared {stamp} UTC"])]
    if left_out:
        lines += ["", f"{counted(left_out)} marked not relevant left out."]
    return lines


def to_markdown(
    releases: Iterable[StoredRelease],
    pillars: PillarSet,
    about: Briefing = Briefing(),
    exported_at: str | None = None,
) -> str:
    """A briefing: each release once, under its strongest pillar (taxonomy order, then any
    pillar of another taxonomy that a release still carries), then by country, newest first.
    The title is `about.title`, else the taxonomy's name."""
    given = list(releases)
    items = [r for r in given if about.keeps(r)]
    stamp = (exported_at or datetime.now(UTC).isoformat(timespec="seconds"))[:16]
    title = about.title or (f"Briefing: {pillars.name}" if pillars.name else FALLBACK_TITLE)
    lines = [f"# {md_escape(title)}", ""]
    lines += _head(items, len(given) - len(items), about, stamp.replace("T", " "))
    filed: dict[str | None, list[StoredRelease]] = {}
    for stored in items:
        filed.setdefault(strongest_pillar(stored, pillars), []).append(stored)
    for pillar_id in pillars.order(p for p in filed if p is not None):
        pillar = pillars.get(pillar_id)
        heading = md_escape(pillar.name) + ("" if pillar.known else " (not in the taxonomy)")
        lines += ["", f"## {heading} ({len(filed[pillar_id])})"]
        lines += _by_country(filed[pillar_id], pillar_id, pillars, about.versions)
    if None in filed:
        lines += ["", f"## No pillar ({len(filed[None])})"]
        lines += _by_country(filed[None], None, pillars, about.versions)
    return "\n".join(lines) + "\n"


def briefing_folder(configured: Path | None = None) -> Path:
    """Where briefings go: the config's `briefings` folder, else the data folder's."""
    return configured if configured is not None else data_dir() / "briefings"


def briefing_name(now: datetime) -> str:
    """The file name of a briefing prepared at `now` (the minute)."""
    return f"briefing-{now:%Y-%m-%d-%H%M}.md"


def write_briefing(text: str, folder: Path, now: datetime) -> Path:
    """Write `text` to a new file in `folder` (made if missing) and return its path.

    The name carries the minute; a second briefing in the same minute gets `-2`, `-3`...: the
    file is created exclusively, so not even another process's briefing is replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = briefing_name(now).removesuffix(".md")
    for n in range(1, 10_000):
        path = folder / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return path
    raise FileExistsError(f"{folder}: no free name for {stem}.md")
