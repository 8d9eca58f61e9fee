"""Render findings: text for people, JSON for tools (SPEC §4). Output order is deterministic."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Iterator

from privlint import __version__

from .engine import Finding
from .registry import SEVERITIES
from .wording import visible

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_RESET = "\x1b[0m"


def summary(findings: list[Finding]) -> dict[str, int]:
    """Counts per severity of the findings that are not suppressed."""
    counts = Counter(finding.severity for finding in findings if not finding.suppressed)
    return {severity: counts.get(severity, 0) for severity in SEVERITIES}


def text(findings: list[Finding], inventories: int, color: bool = False) -> str:
    return "".join(text_chunks(findings, inventories, color))


def text_chunks(findings: list[Finding], inventories: int, color: bool = False) -> Iterator[str]:
    """The text report a line at a time."""
    for finding in findings:
        if finding.suppressed:
            continue
        severity = f"[{finding.severity}]"
        if color:
            severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
        yield finding_line(finding, severity) + "\n"
    yield summary_line(findings, inventories) + "\n"


def finding_line(finding: Finding, severity: str | None = None) -> str:
    """`path:line:col: RULE [severity] message (entity)` (SPEC §4), with control characters
    shown escaped: a name holding a newline or an ESC sequence cannot forge a line or drive
    the terminal. `severity`: the bracketed severity as shown (coloured)."""
    return (
        f"{visible(finding.path)}:{finding.line}:{finding.column}: {finding.rule} "
        f"{severity or f'[{finding.severity}]'} {visible(finding.message)} ({visible(finding.entity)})"
    )


def summary_line(findings: list[Finding], inventories: int) -> str:
    """The text report's last line, from counts: findings per severity, inventories checked,
    findings suppressed."""
    counts = summary(findings)
    suppressed = sum(1 for finding in findings if finding.suppressed)
    checked = f"{inventories} inventor{'y' if inventories == 1 else 'ies'} checked"
    if suppressed:
        checked += f", {suppressed} suppressed"
    if any(counts.values()):
        parts = [f"{count} {severity}{'s' if count != 1 else ''}" for severity, count in counts.items() if count]
        return f"Found {', '.join(parts)} ({checked})."
    return f"No findings ({checked})."


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
    return "".join(json_chunks(findings))


def json_chunks(findings: list[Finding]) -> Iterator[str]:
    head = {"privlint": __version__, "summary": summary(findings), "findings": []}
    return streamed_json(head, findings, depth=2, render=_json_finding)


def _json_finding(finding: Finding) -> str:
    """`indented_json(as_dict(finding), 2)`, from a template: only the values are encoded. A
    dict per finding, laid out member by member, took 7.5 µs a finding (1.2 million
    findings: 9.3 s of the report's CPU)."""
    string = json_string
    suppressed = f',{_MEMBER}"suppressed": {indented_json({"reason": finding.suppressed}, 3)}' if finding.suppressed else ""
    return (
        f'{{{_MEMBER}"rule": {string(finding.rule)},{_MEMBER}"name": {string(finding.name)},'
        f'{_MEMBER}"severity": {string(finding.severity)},{_MEMBER}"message": {string(finding.message)},'
        f'{_MEMBER}"path": {string(finding.path)},{_MEMBER}"line": {int.__repr__(finding.line)},'
        f'{_MEMBER}"column": {int.__repr__(finding.column)},{_MEMBER}"entity": {string(finding.entity)},'
        f'{_MEMBER}"fingerprint": {string(finding.fingerprint)}{suppressed}\n    }}'
    )


_MEMBER = "\n      "  # a new member of a finding's object, two levels deep in the report


def streamed_json(skeleton: dict, items: Iterable, depth: int, render=None) -> Iterator[str]:
    """`json.dumps(document, indent=2) + "\\n"` a chunk at a time, where the document is
    `skeleton` with `items` in the empty list that ends it (nothing but closing brackets after
    it), `depth` levels deep; `render(item)` may lay items out otherwise. A report of 700,000
    findings is never held whole: not as dicts, not as json's chunk list, not as a string."""
    return streamed_json_lists(skeleton, [items], depth, render)


def streamed_json_lists(skeleton: dict, lists: list[Iterable], depth: int, render=None) -> Iterator[str]:
    """streamed_json for a skeleton whose last len(lists) members are empty lists, all
    `depth` levels deep, each filled with the items of its iterable in `lists`."""
    render = render or (lambda item: indented_json(item, depth))
    text = json.dumps(skeleton, indent=2, ensure_ascii=False)
    # The empty lists, found from the end: only brackets, commas and keys come after them,
    # while an earlier value may itself contain "[]".
    cuts = [len(text)]
    for _ in lists:
        cuts.insert(0, text.rindex("[]", 0, cuts[0]))
    written = 0
    for cut, items in zip(cuts, lists):
        yield text[written:cut] + "["
        empty = True
        for item in items:
            yield ("\n" if empty else ",\n") + "  " * depth + render(item)
            empty = False
        yield "]" if empty else "\n" + "  " * (depth - 1) + "]"
        written = cut + 2
    yield text[written:] + "\n"


def indented_json(value, depth: int) -> str:
    """`json.dumps(value, indent=2)` as it appears `depth` levels deep. Not json.dumps itself:
    with an indent, json's encoder is Python closures that form a reference cycle per call,
    which the CLI's paused garbage collector would keep (gigabytes over 700,000 findings)."""
    if isinstance(value, tuple):
        return _indented_shared(value, depth)
    inner = "  " * (depth + 1)
    # Scalars are written in place, not by a call each (a 600,000-node map is 10 million).
    if isinstance(value, dict) and value:
        members = [
            f"{inner}{_scalar(key)}: "
            + (_scalar(member) if type(member) in _SCALARS else indented_json(member, depth + 1))
            for key, member in value.items()
        ]
    elif isinstance(value, list) and value:
        members = [
            inner + (_scalar(member) if type(member) in _SCALARS else indented_json(member, depth + 1))
            for member in value
        ]
    else:
        return _scalar(value)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(members) + "\n" + "  " * depth + closing


@functools.lru_cache(maxsize=64)
def _indented_shared(value: tuple, depth: int) -> str:
    """A tuple (of hashable items) as json.dumps writes a list: rendered once for the many
    items that share it (the data map gives all flows that carry the same origins one tuple:
    50,000 flows of 676 origins took 20 s to write out one origin at a time)."""
    return indented_json(list(value), depth)


_SCALARS = frozenset({str, int, float, bool, type(None)})
_encode = json.JSONEncoder(ensure_ascii=False).encode
json_string = json.encoder.encode_basestring  # what that encoder does with a str


def _scalar(value) -> str:
    """json.dumps of a scalar or empty container; strings, null, booleans and integers (most
    of a report) without the encoder's dispatch, which took half of writing 600,000 map
    nodes. Floats (NaN, Infinity) and empty lists and mappings go through it."""
    kind = type(value)
    if kind is str:
        return json_string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)  # as json's encoder writes an int
    return _encode(value)
