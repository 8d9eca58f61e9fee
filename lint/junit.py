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
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Iterable, Protocol

from .engine import Finding
from .registry import SEVERITIES, Rule

# Characters XML 1.0 cannot carry, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Inventory(Protocol):
    name: str
    files: list[str]

    @property
    def valid(self) -> bool: ...


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _line(finding: Finding) -> str:
    return (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} [{finding.severity}] "
        f"{finding.message} ({finding.entity})"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _testcase(inventory: Inventory, rule: Rule, findings: list[Finding]) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", {"classname": _clean(inventory.name), "name": f"{rule.id} {rule.name}", "time": "0"})
    active = [finding for finding in findings if not finding.suppressed]
    suppressed = [finding for finding in findings if finding.suppressed]
    outcome = "passed"
    if active:
        worst = min((finding.severity for finding in active), key=SEVERITIES.index)
        counts = ", ".join(
            _plural(count, severity)
            for severity in SEVERITIES
            if (count := sum(1 for finding in active if finding.severity == severity))
        )
        failure = ET.SubElement(case, "failure", {"type": worst, "message": _clean(f"{counts}: {rule.summary}")})
        failure.text = _clean("\n".join(_line(finding) for finding in active))
        outcome = "failed"
    elif rule.stage == "model" and not inventory.judgeable:
        ET.SubElement(case, "skipped", {"message": "not run: the inventory could not be loaded (see PL000/PL001)"})
        outcome = "skipped"
    if suppressed:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(
            "\n".join(f"suppressed ({finding.suppressed}): {_line(finding)}" for finding in suppressed)
        )
    return case, outcome


def junit_report(findings: list[Finding], inventories: Iterable[Inventory], rules: Iterable[Rule]) -> str:
    inventories = list(inventories)
    rules = sorted(rules, key=lambda rule: rule.id)
    owner = {}
    for position, inventory in enumerate(inventories):
        for path in inventory.files:
            owner.setdefault(path, position)
    grouped: dict[tuple[int, str], list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=lambda finding: finding.sort_key):
        grouped[(owner.get(finding.path, 0), finding.rule)].append(finding)

    root = ET.Element("testsuites", {"name": "privlint"})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for position, inventory in enumerate(inventories):
        suite = ET.SubElement(root, "testsuite", {"name": _clean(inventory.name)})
        counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
        for rule in rules:
            case, outcome = _testcase(inventory, rule, grouped.get((position, rule.id), []))
            suite.append(case)
            counts["tests"] += 1
            if outcome == "failed":
                counts["failures"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
        suite.attrib.update({key: str(value) for key, value in counts.items()})
        suite.set("time", "0")
        for key, value in counts.items():
            totals[key] += value
    root.attrib.update({key: str(value) for key, value in totals.items()})
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
