"""Rich `Text` built from release data. Feed text is always plain `Text`, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from feeds import Match, PillarSet, body_of, one_line
from state import StoredRelease
from tui.themes import pillar_style
from tui.view import STATE_LABELS, TRIAGE_KEYS

SUMMIT_STYLE = "bold reverse"
UNDERLINE = Style(underline=True)  # the evidence for a decision, in its colour
# What the classifier found against a decision ("G7", "energy security"): struck through and
# dim, never underlined like the evidence for it.
AGAINST_STYLE = "dim strike"
# The reader shows the latest lines of a release's history (exports carry all of it).
HISTORY_SHOWN = 8


def pillar_badges(stored: StoredRelease, pillars: PillarSet) -> Text:
    badges = Text()
    for pillar_id in pillars.order(stored.pillars):
        pillar = pillars.get(pillar_id)
        if badges:
            badges.append(" ")
        badges.append(pillar.badge, style=pillar_style(pillar))
    return badges


def pillar_marks(stored: StoredRelease, pillars: PillarSet) -> Text:
    """One letter per pillar of the taxonomy, each in its own place, blank where it does not
    apply: the list's pillars when it has no room for badges."""
    marks = Text()
    for pillar, mark in zip(pillars, mark_letters(pillars), strict=True):
        if pillar.id in stored.pillars:
            marks.append(mark, style=pillar_style(pillar))
        else:
            marks.append(" ")
    return marks


def mark_letters(pillars: PillarSet) -> list[str]:
    """A letter per pillar from its badge, the first one no earlier pillar took (CLI C, COM O)."""
    taken: set[str] = set()
    letters = []
    for pillar in pillars:
        badge = pillar.badge or pillar.id
        letter = next((c for c in badge if c.isalnum() and c not in taken), badge[:1] or "?")
        taken.add(letter)
        letters.append(letter)
    return letters


def triage_cell(stored: StoredRelease) -> Text:
    """Star, triage state and the summit mark: three cells, the last one ◆ for a summit release."""
    star = "*" if stored.starred else " "
    cell = Text(f"{star}{TRIAGE_KEYS[stored.triage]}")
    cell.append("◆" if stored.summit else " ", style="bold")
    return cell


NOTE_MARK = "✎"
COUNTERPART_MARK = "⇄"


def first_cell(
    stored: StoredRelease, *, marked: bool, unsaved: bool, saving: bool, counterparts: bool
) -> Text:
    """The first cell of a list line, the most pressing first: `!` its last decision is not
    saved, `…` being saved, `▌` marked, ✎ it has a note, ⇄ other governments or languages
    published the same event."""
    if unsaved:
        return Text("!", style="bold reverse")
    if saving:
        return Text("…", style="dim")
    if marked:
        return Text("▌", style="bold")
    if stored.note:
        return Text(NOTE_MARK, style="bold")
    return Text(COUNTERPART_MARK if counterparts else " ")


EDITED_MARK = "± "  # before the title of a release its publisher changed


def title_cell(stored: StoredRelease) -> Text:
    title, style = stored.release.title or "(untitled)", "" if stored.read else "bold"
    if stored.edited:
        return Text.assemble((EDITED_MARK, "dim"), title, style=style)
    return Text(title, style=style)


def reader_header(stored: StoredRelease, pillars: PillarSet) -> Text:
    r = stored.release
    out = Text()
    out.append(r.title or "(untitled)", style="bold")
    out.append("\n")
    language = r.language or stored.classification.language
    # The publisher's own label ("Comunicado") where a listing gives one.
    parts = (r.source, r.release_type, r.country, r.published[:10], language)
    meta = " · ".join(x for x in parts if x)
    out.append(meta, style="dim")
    if stored.edited:
        out.append(
            f"\n{EDITED_MARK}edited {stored.changed_at[:16].replace('T', ' ')} UTC", style="dim"
        )
        out.append(" (V: what changed)", style="dim italic")
    if r.link:
        out.append("\n")
        out.append_text(link_text(r.link))
    out.append("\n")
    out.append_text(triage_line(stored))
    out.append("\n\n")
    out.append_text(_decisions(stored, pillars))
    return out


def link_text(link: str) -> Text:
    """The link, clickable where the terminal knows hyperlinks (OSC 8); shown as it is
    elsewhere. Cleaned first: a link from the network never carries an escape sequence."""
    clean = one_line(link)
    return Text(clean, style=Style(underline=True, link=clean or None))


def triage_line(stored: StoredRelease) -> Text:
    """The person's decisions on the release: state, star, read, and the note."""
    out = Text()
    out.append("Triage: ", style="bold")
    out.append(STATE_LABELS[stored.triage])
    if stored.starred:
        out.append(" · * starred")
    out.append(" · read" if stored.read else " · unread")
    if stored.note:
        out.append("\nNote: ", style="bold")
        out.append(stored.note)
    return out


def _decisions(stored: StoredRelease, pillars: PillarSet) -> Text:
    c = stored.classification
    out = Text()
    verdict = "yes" if stored.summit else "no"
    out.append("Summit: ", style="bold")
    out.append(f"{verdict} ({c.summit_score:.2f})")
    if stored.correction.summit is not None:
        out.append("  corrected", style="italic")
    summit_evidence = c.evidence.get("summit")
    if summit_evidence and summit_evidence.sentence:
        out.append("\n  “")
        out.append(summit_evidence.sentence)
        out.append("”")
    against = _against_terms(stored, pillars)
    if against:
        out.append("\nAgainst: ", style="bold")
        for index, (decision, phrases) in enumerate(against.items()):
            if index:
                out.append("; ")
            out.append(f"{decision}: ")
            out.append(", ".join(phrases), style=AGAINST_STYLE)
    out.append("\nPillars: ", style="bold")
    if not stored.pillars:
        out.append("none")
    for index, pillar_id in enumerate(pillars.order(stored.pillars)):
        pillar = pillars.get(pillar_id)
        if index:
            out.append(", ")
        score = c.pillar_scores.get(pillar_id, 0.0)
        out.append(pillar.name, style=pillar_style(pillar))
        out.append(f" {score:.2f}")
        if not pillar.known:
            out.append(" (not in this taxonomy: summitwatch reclassify)", style="italic")
        if pillar_id in stored.correction.pillars_added:
            out.append(" (added by a person)", style="italic")
    if stored.history:
        out.append("\nHistory:", style="bold")
        for line in stored.history[-HISTORY_SHOWN:]:
            out.append(f"\n  {line.describe()}")
    return out


def highlighted(
    text: str, matches: dict[str, list[Match]], pillars: PillarSet, against: Sequence[Match] = ()
) -> Text:
    """`text` with the evidence terms of each pillar (and the summit) in their colour, and
    the terms found against a decision struck through."""
    out = Text(text)
    for key, found in matches.items():
        style = Style.parse(SUMMIT_STYLE) if key == "summit" else pillar_style(pillars.get(key))
        for match in found:
            if 0 <= match.start < match.end <= len(text):
                out.stylize(style + UNDERLINE, match.start, match.end)
    for match in against:
        if 0 <= match.start < match.end <= len(text):
            out.stylize(AGAINST_STYLE, match.start, match.end)
    return out


def against_matches(stored: StoredRelease, field: str) -> list[Match]:
    """Every term found against a decision (the summit's or a pillar's) in one field."""
    evidence = stored.classification.evidence.values()
    return [m for e in evidence for m in e.against if m.field == field]


def _against_terms(stored: StoredRelease, pillars: PillarSet) -> dict[str, list[str]]:
    """By decision (the summit, then each pillar by its name, in taxonomy order): the distinct
    passages found against it, as the release writes them."""
    r = stored.release
    sources = {"title": r.title, "text": body_of(r)}
    evidence = stored.classification.evidence
    found: dict[str, list[str]] = {}
    for key in ("summit", *pillars.order(k for k in evidence if k != "summit")):
        against = evidence[key].against if key in evidence else ()
        phrases = dict.fromkeys(
            sources.get(m.field, "")[m.start : m.end] or m.term for m in against
        )
        if phrases:
            found["summit" if key == "summit" else pillars.get(key).name] = list(phrases)
    return found


def evidence_matches(
    stored: StoredRelease, field: str, pillars: PillarSet
) -> dict[str, list[Match]]:
    keys = ["summit", *pillars.order(stored.pillars)]
    evidence = stored.classification.evidence
    return {
        key: [m for m in evidence[key].matches if m.field == field]
        for key in keys
        if key in evidence
    }


def body_text(stored: StoredRelease, pillars: PillarSet) -> Text:
    r = stored.release
    body = body_of(r)
    if not body:
        return Text("(this release has no text; open the link with o)", style="dim italic")
    return highlighted(
        body,
        evidence_matches(stored, "text", pillars),
        pillars,
        against_matches(stored, "text"),
    )


def event_lines(members: Sequence[StoredRelease]) -> Text:
    """The other releases of the same event, under the decisions (v shows them side by side)."""
    out = Text("\nSame event elsewhere (v: side by side):", style="bold")
    for member in members:
        r = member.release
        language = r.language or member.classification.language
        out.append(f"\n  • {r.source} · {language} · ")
        out.append(r.title)
    return out
