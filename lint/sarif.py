"""SARIF 2.1.0 output (`privlint check --format sarif`) for GitHub code scanning and other viewers.

The log passes the OASIS SARIF 2.1.0 JSON Schema and GitHub's ingestion rules:

* every artifact `uri` is relative (no `./`) to `%SRCROOT%`, the root of the git work tree
  that holds the working directory (or the working directory itself outside git), so alerts
  land on the right file even when privlint runs from a subdirectory; a file outside that
  root gets an absolute `file://` URI;
* regions have `startLine` and `startColumn` >= 1;
* `tool.driver.rules` lists every rule (not only those with results), each with
  `shortDescription`, `fullDescription`, `help` (text and Markdown), `helpUri`,
  `defaultConfiguration.level` and `properties` (`tags`, `security-severity`);
* each result has `partialFingerprints["privlint/v1"]` = the finding's fingerprint (rule +
  entity + path, stable when lines move), so alerts are tracked across commits;
* suppressed findings are kept, with `suppressions`: `inSource` for an inline
  `# privlint: ignore[...]` comment, `external` for a baseline, and the reason as justification.

No absolute path or timestamp is written, so the same inventory gives the same bytes anywhere.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from privlint import __version__

from .engine import Finding, in_report_order
from .paths import real_path
from .report import json_string, streamed_json
from .registry import Rule, all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/privlint/privlint"
DOCS_URI = "https://github.com/privlint/privlint/blob/main/docs/rules.md"
FINGERPRINT_KEY = "privlint/v1"
SRCROOT = "%SRCROOT%"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub shows security-severity > 6.9 as high, 4.0-6.9 as medium, 0.1-3.9 as low.
SECURITY_SEVERITY = {"error": "7.0", "warning": "4.0", "info": "1.0"}
_AREAS = {"PL0": "inventory", "PL1": "disclosure", "PL2": "transfers", "PL3": "claims"}


def source_root(start: Path | None = None) -> Path:
    """The git work tree holding `start` (default: the working directory), else `start`."""
    start = real_path(start or _working_directory())
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def _working_directory() -> Path:
    try:
        return Path.cwd()
    except FileNotFoundError:  # deleted: findings name their files by absolute paths
        return Path("/")


@functools.lru_cache(maxsize=1024)  # findings share a handful of files; resolving costs a stat per part
def artifact_location(path: str, root: Path) -> dict:
    absolute = real_path(_working_directory() / path)
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}


def _plain(markdown: str) -> str:
    """Rule docs as plain text: heading marks outside code blocks and bold marks dropped."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            line = re.sub(r"^#+\s+", "", line).replace("**", "")
        lines.append(line)
    return "\n".join(lines)


def _what_it_does(rule: Rule) -> str:
    match = re.search(r"\*\*What it does\.\*\*\s*(.*?)(?:\n\s*\n|$)", rule.docs, flags=re.S)
    paragraph = match.group(1) if match else rule.summary
    return " ".join(paragraph.split())


def help_uri(rule: Rule) -> str:
    return f"{DOCS_URI}#{rule.id.lower()}-{rule.name}"


def descriptor(rule: Rule, severity: str) -> dict:
    area = _AREAS.get(rule.id[:3])
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(rule)},
        "help": {"text": _plain(rule.docs), "markdown": rule.docs},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["privacy", "compliance", "security", *([area] if area else [])],
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": "very-high",
        },
    }


def suppression(finding: Finding) -> dict:
    from .baseline import REASON

    kind = "external" if finding.suppressed == REASON else "inSource"
    return {"kind": kind, "status": "accepted", "justification": finding.suppressed}


def result(finding: Finding, index: int, root: Path) -> str:
    """The finding's result as `_compact` writes it, from a template: only the values are
    encoded. Building the result's nested dicts and encoding them took 10 µs a finding,
    two thirds of writing a log of 1.2 million results (33 s)."""
    entity = json_string(finding.entity)
    suppressions = f',"suppressions":[{_compact(suppression(finding))}]' if finding.suppressed else ""
    return (
        f'{{"ruleId":{json_string(finding.rule)},"ruleIndex":{index},"level":{json_string(LEVELS[finding.severity])},'
        f'"message":{{"text":{json_string(f"{finding.message} ({finding.entity})")}}},'
        f'"locations":[{{"physicalLocation":{{"artifactLocation":{_location(finding.path, root)},'
        f'"region":{{"startLine":{max(finding.line, 1)},"startColumn":{max(finding.column, 1)}}}}},'
        f'"logicalLocations":[{{"fullyQualifiedName":{entity},"kind":"member"}}]}}],'
        f'"partialFingerprints":{{{json_string(FINGERPRINT_KEY)}:{json_string(finding.fingerprint)}}},'
        f'"properties":{{"entity":{entity},"severity":{json_string(finding.severity)}}}{suppressions}}}'
    )


@functools.lru_cache(maxsize=1024)
def _location(path: str, root: Path) -> str:
    return _compact(artifact_location(path, root))


def sarif_log(findings: list[Finding], severities: dict[str, str] | None = None) -> tuple[dict, Iterator[str]]:
    """The SARIF log of `findings` with its results list empty, and the results to go there,
    each as compact JSON; `severities` overrides rules' default levels (configuration)."""
    rules = all_rules()
    index = {rule.id: position for position, rule in enumerate(rules)}
    root = source_root()
    overrides = severities or {}
    ordered = in_report_order(findings)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "privlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [descriptor(rule, overrides.get(rule.id, rule.severity)) for rule in rules],
                    }
                },
                "originalUriBaseIds": {
                    SRCROOT: {
                        "description": {
                            "text": "The root of the git work tree privlint ran in (else its working directory)."
                        }
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
            }
        ],
    }, (result(finding, index[finding.rule], root) for finding in ordered)


def sarif_report(findings: list[Finding], severities: dict[str, str] | None = None) -> str:
    return "".join(sarif_chunks(findings, severities))


def sarif_chunks(findings: list[Finding], severities: dict[str, str] | None = None) -> Iterator[str]:
    """The SARIF log written a result at a time (see report.streamed_json), one result per
    line: json's C encoder renders only compact JSON, and a log may hold 500,000 results."""
    skeleton, results = sarif_log(findings, severities)
    return streamed_json(skeleton, results, depth=4, render=str)


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
