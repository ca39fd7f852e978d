"""Rules that leave releases out or mark them, by a pattern in the title or the text.

Like newsboat's `ignore-article` and Miniflux's block rules: the config names a regular
expression, searched in the title, the text or both, and what to do with a release that matches
(`feeds.models.Rule`). `ignore` keeps it out of the store, and the poll counts and names it, so
that nothing vanishes without a trace; `mark` stores it with a mark already set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from feeds.models import RULE_ACTIONS, RULE_MARKS, Release, Rule
from feeds.text import body_of

__all__ = ["RuleError", "Sorted", "apply_rules", "matches", "rule_from_table", "waits_for_text"]


@dataclass(frozen=True, slots=True)
class Sorted:
    """Releases after the rules: those kept, those ignored, and the marks of the kept ones."""

    kept: tuple[Release, ...]
    ignored: tuple[Release, ...] = ()
    marks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def matches(rule: Rule, release: Release) -> bool:
    """Does every pattern of `rule` match (the title pattern the title, the text pattern the
    text, or the summary when there is no text)?"""
    if rule.title is not None and rule.title.search(release.title) is None:
        return False
    return rule.text is None or rule.text.search(body_of(release)) is not None


def waits_for_text(rules: Sequence[Rule], release: Release) -> bool:
    """Could the verdict of `rules` on `release` change once its full text replaces its
    summary? Only through a rule that searches the text and whose title pattern, if it has
    one, matches: every other rule is decided on the title alone."""
    return any(
        rule.text is not None and (rule.title is None or rule.title.search(release.title))
        for rule in rules
    )


def apply_rules(rules: Sequence[Rule], releases: Iterable[Release]) -> Sorted:
    """Sort `releases` by `rules`: a release any `ignore` rule matches is left out; a kept one
    gets the mark of every `mark` rule that matches it."""
    if not rules:
        return Sorted(tuple(releases))
    kept: list[Release] = []
    ignored: list[Release] = []
    marks: dict[str, tuple[str, ...]] = {}
    for release in releases:
        matched = [rule for rule in rules if matches(rule, release)]
        if any(rule.action == "ignore" for rule in matched):
            ignored.append(release)
            continue
        kept.append(release)
        found = tuple(dict.fromkeys(rule.mark for rule in matched))
        if found:
            marks[release.id] = found
    return Sorted(tuple(kept), tuple(ignored), marks)


class RuleError(ValueError):
    """A rule table the program cannot use; `key` is the setting at fault (None: the table)."""

    def __init__(self, key: str | None, message: str) -> None:
        self.key = key
        super().__init__(message)


_RULE_KEYS = ("action", "mark", "text", "title")


def rule_from_table(raw: object) -> Rule:
    """A `[[rules]]` (or `[[sources.rules]]`) table as a `Rule`; raises `RuleError`."""
    if not isinstance(raw, dict):
        raise RuleError(None, "each rule must be a table: [[rules]] or [[sources.rules]]")
    for key in raw:
        if key not in _RULE_KEYS:
            raise RuleError(
                key, f"unknown setting {key!r} in a rule (known: {', '.join(_RULE_KEYS)})"
            )
    action = raw.get("action")
    if action not in RULE_ACTIONS:
        choices = " or ".join(f'"{a}"' for a in RULE_ACTIONS)
        raise RuleError(
            "action" if "action" in raw else None, f"a rule's `action` must be {choices}"
        )
    title, text = _pattern(raw, "title"), _pattern(raw, "text")
    if title is None and text is None:
        raise RuleError(None, "a rule needs `title` or `text`: a regular expression to search for")
    mark = raw.get("mark")
    if action == "ignore" and mark is not None:
        raise RuleError("mark", '`mark` goes with action = "mark", not with "ignore"')
    if action == "mark" and mark not in RULE_MARKS:
        choices = ", ".join(f'"{m}"' for m in RULE_MARKS)
        raise RuleError(
            "mark" if "mark" in raw else None, f"a mark rule's `mark` must be one of {choices}"
        )
    return Rule(action=action, title=title, text=text, mark=mark or "")


def _pattern(raw: dict[str, object], key: str) -> re.Pattern[str] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise RuleError(key, f"a rule's `{key}` must be a regular expression in a string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise RuleError(key, f"a rule's `{key}` is not a regular expression: {exc}") from exc
