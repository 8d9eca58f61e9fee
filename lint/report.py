"""Render findings: text for people, JSON for tools (SPEC §4). Output order is deterministic."""

from __future__ import annotations

import json
from collections import Counter

from privlint import __version__

from .engine import Finding
from .registry import SEVERITIES

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_RESET = "\x1b[0m"


def summary(findings: list[Finding]) -> dict[str, int]:
    """Counts per severity of the findings that are not suppressed."""
    counts = Counter(finding.severity for finding in findings if not finding.suppressed)
    return {severity: counts.get(severity, 0) for severity in SEVERITIES}


def text(findings: list[Finding], inventories: int, color: bool = False) -> str:
    lines = []
    suppressed = sum(1 for finding in findings if finding.suppressed)
    findings = [finding for finding in findings if not finding.suppressed]
    for finding in findings:
        severity = f"[{finding.severity}]"
        if color:
            severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
        lines.append(
            f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} {severity} "
            f"{finding.message} ({finding.entity})"
        )
    counts = summary(findings)
    checked = f"{inventories} inventor{'y' if inventories == 1 else 'ies'} checked"
    if suppressed:
        checked += f", {suppressed} suppressed"
    if findings:
        parts = [f"{count} {severity}{'s' if count != 1 else ''}" for severity, count in counts.items() if count]
        lines.append(f"Found {', '.join(parts)} ({checked}).")
    else:
        lines.append(f"No findings ({checked}).")
    return "\n".join(lines) + "\n"


def as_dict(finding: Finding) -> dict:
    entry = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "entity": finding.entity,
        "fingerprint": finding.fingerprint,
    }
    if finding.suppressed:
        entry["suppressed"] = {"reason": finding.suppressed}
    return entry


def json_report(findings: list[Finding]) -> str:
    document = {
        "privlint": __version__,
        "summary": summary(findings),
        "findings": [as_dict(finding) for finding in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
