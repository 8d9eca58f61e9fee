"""GitHub Actions workflow commands (`privlint check --format github`).

One annotation per finding that is not suppressed, then a plain summary line:

    ::error file=inventory.yaml,line=42,col=5,title=PL101 undisclosed-recipient::message (recipient:hubspot)

error -> `::error`, warning -> `::warning`, info -> `::notice`. Escaping follows the runner's
rules (actions/toolkit `command.ts`): in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
in property values `:` and `,` also become `%3A` and `%2C`. Other control characters are shown
as escapes (`\\x1b`), as in the text report.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from .engine import Finding, in_report_order
from .report import summary_line
from .wording import visible

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    # Other control characters have no escape of the runner's and would reach the log raw
    # (ESC sequences drive a terminal viewing it): they are shown as escapes (`\x1b`).
    return visible(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    # A line or column is digits, which need no escape; the file and title are escaped once
    # each (a run names a few files and rules: escaping them per finding was half the time).
    return (
        f"::{COMMANDS[finding.severity]} file={_escaped_property(finding.path)},line={finding.line},"
        f"col={finding.column},title={_escaped_property(f'{finding.rule} {finding.name}')}"
        f"::{escape_data(f'{finding.message} ({finding.entity})')}"
    )


@functools.lru_cache(maxsize=1024)
def _escaped_property(value: str) -> str:
    return escape_property(value)


def github_report(findings: list[Finding], inventories: int) -> Iterator[str]:
    """The annotations a line at a time, then the text report's summary line."""
    for finding in in_report_order(findings):
        if not finding.suppressed:
            yield annotation(finding) + "\n"
    yield summary_line(findings, inventories) + "\n"
