"""JUnit XML output (`privlint check --format junit`) for CI test reports (GitLab, Jenkins, …).

One `<testsuite>` per inventory; in it one `<testcase>` per selected rule, classname = the
inventory path, name = "PL101 undisclosed-recipient". A rule with findings (not suppressed)
is a `<failure>` whose type is the highest severity, whose message counts them, and whose body
lists each as `path:line:col: PL101 [error] message (entity)`. Suppressed findings never fail a
case: they are listed in the case's `<system-out>` with their reason. A rule that could not run
because the inventory did not load (PL000/PL001) is `<skipped>`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from .engine import Checked, Finding, in_report_order
from .registry import SEVERITIES, Rule

# Characters XML 1.0 cannot carry, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TOTALS = ("tests", "failures", "errors", "skipped")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


# The report is written a finding at a time (a failure may list hundreds of thousands), so it
# is serialized here rather than by ElementTree, with ElementTree's escaping and its
# ET.indent layout: the bytes are what ET.tostring of the indented tree wrote.
def _text(text: str) -> str:
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(
        f' {key}="'
        + _text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")
        + '"'
        for key, value in attributes.items()
    )


def _line(finding: Finding) -> str:
    return (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} [{finding.severity}] "
        f"{finding.message} ({finding.entity})"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _outcome(inventory: Checked, rule: Rule, findings: list[Finding]) -> str:
    if any(not finding.suppressed for finding in findings):
        return "failed"
    if rule.stage == "model" and not inventory.judgeable:
        return "skipped"
    return "passed"


def _lines(findings: Iterable[Finding], prefix=lambda finding: "") -> Iterator[str]:
    """Element text: the findings' lines, escaped, joined by newlines."""
    separator = ""
    for finding in findings:
        yield separator + _text(prefix(finding) + _line(finding))
        separator = "\n"


def _testcase(inventory: Checked, rule: Rule, findings: list[Finding], outcome: str) -> Iterator[str]:
    opening = "    <testcase" + _attributes({"classname": inventory.name, "name": f"{rule.id} {rule.name}", "time": "0"})
    active = [finding for finding in findings if not finding.suppressed]
    suppressed = [finding for finding in findings if finding.suppressed]
    if outcome == "passed" and not suppressed:
        yield opening + " />\n"
        return
    yield opening + ">\n"
    if outcome == "failed":
        worst = min((finding.severity for finding in active), key=SEVERITIES.index)
        counts = ", ".join(
            _plural(count, severity)
            for severity in SEVERITIES
            if (count := sum(1 for finding in active if finding.severity == severity))
        )
        yield "      <failure" + _attributes({"type": worst, "message": f"{counts}: {rule.summary}"}) + ">"
        yield from _lines(active)
        yield "</failure>\n"
    elif outcome == "skipped":
        message = "not run: the inventory could not be loaded (see PL000/PL001)"
        yield "      <skipped" + _attributes({"message": message}) + " />\n"
    if suppressed:
        yield "      <system-out>"
        yield from _lines(suppressed, lambda finding: f"suppressed ({finding.suppressed}): ")
        yield "</system-out>\n"
    yield "    </testcase>\n"


def junit_report(findings: list[Finding], inventories: Iterable[Checked], rules: Iterable[Rule]) -> Iterator[str]:
    inventories = list(inventories)
    rules = sorted(rules, key=lambda rule: rule.id)
    owner = {}
    for position, inventory in enumerate(inventories):
        for path in inventory.files:
            owner.setdefault(path, position)
    grouped: dict[tuple[int, str], list[Finding]] = defaultdict(list)
    for finding in in_report_order(findings):
        grouped[(owner.get(finding.path, 0), finding.rule)].append(finding)

    # The counts head each suite and the whole report, so outcomes are known first.
    outcomes = [
        [_outcome(inventory, rule, grouped.get((position, rule.id), [])) for rule in rules]
        for position, inventory in enumerate(inventories)
    ]
    suite_counts = [
        {"tests": len(mine), "failures": mine.count("failed"), "errors": 0, "skipped": mine.count("skipped")}
        for mine in outcomes
    ]
    totals = {key: sum(counts[key] for counts in suite_counts) for key in _TOTALS}
    opening = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites' + _attributes(
        {"name": "privlint", **{key: str(value) for key, value in totals.items()}, "time": "0"}
    )
    if not inventories:
        yield opening + " />\n"
        return
    yield opening + ">\n"
    for position, inventory in enumerate(inventories):
        suite = "  <testsuite" + _attributes(
            {"name": inventory.name, **{key: str(value) for key, value in suite_counts[position].items()}, "time": "0"}
        )
        if not rules:
            yield suite + " />\n"
            continue
        yield suite + ">\n"
        for rule, outcome in zip(rules, outcomes[position]):
            yield from _testcase(inventory, rule, grouped.get((position, rule.id), []), outcome)
        yield "  </testsuite>\n"
    yield "</testsuites>\n"
