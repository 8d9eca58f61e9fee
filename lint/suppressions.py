"""Inline suppressions (SPEC §3):

    # privlint: ignore[PL301] reason: the ad network signed service-provider terms on 2024-05-01

on the line of an entity's first key, or on the line above it. Several rules (IDs or names)
may be listed, comma-separated. A reason is mandatory: without one the comment suppresses
nothing. Problems with suppressions are reported by PL006.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain

from .registry import lookup
from .wording import capped

# A rule list holds no '[', ']' or '#': so a search tries each '# privlint: ignore[' of a line
# against the text up to the next one only (linear, where '[^\]]*' rescanned the rest of a line
# of unclosed openings for each one). The reason is stripped in code: a lazy '.*?' before
# '\s*$' backtracked quadratically over a long run of spaces.
_COMMENT = re.compile(r"(?:^|\s)#\s*privlint:\s*ignore\[(?P<rules>[^\]\[#]*)\](?P<rest>.*)$")
_REASON = re.compile(r"^\s*reason:(?P<reason>.*)$")


@dataclass
class Suppression:
    path: str
    line: int
    column: int
    rules: list[str]  # as written
    reason: str
    entity: str | None  # the entity the comment is attached to
    used: set[str]

    def problems(self, ran: set[str]) -> list[str]:
        problems = []
        # Each name once, and ten of them at most: `ignore[PL999, PL999, …]` repeated them all.
        unknown = list(dict.fromkeys(name for name in self.rules if lookup(name) is None))
        if unknown:
            named = ", ".join(capped(unknown, "unknown rules"))
            problems.append(f"names unknown rule{'s' if len(unknown) > 1 else ''} {named}")
        if not self.reason:
            problems.append("has no reason (write `reason: …` after the rule list); it suppresses nothing")
        elif self.entity is None:
            problems.append("is not on or above the first line of a system, recipient, flow or policy field")
        else:
            idle = list(dict.fromkeys(
                name for name in self.rules if (rule := lookup(name)) and rule.id in ran and rule.id not in self.used
            ))
            if idle:
                problems.append(f"suppresses nothing: {self.entity} has no {', '.join(capped(idle, 'rules'))} finding")
        return problems


def entity_lines(inventory, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """(file, line of the entity's first key) -> entity, for the suppressible entities whose
    first line is `wanted` (a suppression comment's line or the one below it): nothing for a
    map without comments, not a table of all 20,000 flows for a map with three."""
    lines: dict[tuple[str, int], str] = {}
    if not wanted:
        return lines
    for entity in chain(inventory.nodes, inventory.flows):
        place = (entity.location.file, entity.location.position()[0])
        if place in wanted:
            lines.setdefault(place, entity.entity)
    policy = inventory.policy
    if policy.location is not None:
        for field in policy.raw:
            place = (policy.location.file, policy.location.position(field)[0])
            if place in wanted:
                lines.setdefault(place, f"policy.{field}")
    return lines


def scan(documents, inventory) -> list[Suppression]:
    """Every suppression comment, with the entity it is attached to."""
    comments = [
        (document.path, number, text, match)
        for document in documents for number, text in document.marked.items()
        if (match := _COMMENT.search(text))
    ]
    entities = entity_lines(inventory, {(path, line) for path, number, _, _ in comments for line in (number, number + 1)})
    found = []
    for path, number, text, match in comments:
        reason = _REASON.match(match.group("rest"))
        found.append(
            Suppression(
                path=path,
                line=number,
                column=text.index("#", match.start()) + 1,
                rules=[name.strip() for name in match.group("rules").split(",") if name.strip()],
                reason=reason.group("reason").strip() if reason else "",
                entity=entities.get((path, number)) or entities.get((path, number + 1)),
                used=set(),
            )
        )
    return found


def apply(context, findings: list) -> tuple[list, list[Suppression]]:
    """Mark the findings silenced by inline comments; return them and every suppression."""
    if not context.judgeable:
        return findings, []
    suppressions = scan(context.documents, context.inventory)
    by_target = {}
    for suppression in suppressions:
        if not suppression.reason or suppression.entity is None:
            continue
        for name in suppression.rules:
            rule = lookup(name)
            if rule is not None:
                by_target.setdefault((suppression.path, suppression.entity, rule.id), suppression)
    marked = []
    for finding in findings:
        suppression = by_target.get((finding.path, finding.entity, finding.rule))
        if suppression is not None and finding.suppressed is None:
            suppression.used.add(finding.rule)
            finding = finding._replace(suppressed=suppression.reason)
        marked.append(finding)
    return marked, suppressions
