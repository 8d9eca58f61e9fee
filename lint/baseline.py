"""Baselines: accept today's findings so a gate fails only on new ones.

A baseline file lists fingerprints (rule + entity + path), which do not change when lines
move. Findings in the baseline are reported as suppressed with reason "baseline".
"""

from __future__ import annotations

import json

from privlint import __version__

from .engine import Finding, UsageError

REASON = "baseline"
# A file that does not parse is never accepted: nothing else in it can be judged, and its
# fingerprint (rule, "file", path) does not change with the error, so a baseline written
# while a file was broken passed it, broken in any way, for ever.
NEVER_ACCEPTED = frozenset({"PL000"})


def write(path: str, findings: list[Finding]) -> None:
    """One entry a line, so a baseline reads well in a review and as many entries as possible
    fit in what `read` accepts. A baseline `read` would refuse is not written: a usage error."""
    from .loader import LIMIT_VARIABLE, limit_text, never_waiting, no_reader, size_text

    # Sorted as plain tuples, and each line written from a template with json's own string
    # encoder: a dict, a key tuple and json.dumps per entry took 3.9 s for 632,000 findings
    # (then refused as too large), 1.6 s now. Entries equal in (path, rule, entity) have
    # equal fingerprints: the order is the same as by those three alone.
    entries = sorted(
        (f.path, f.rule, f.entity, f.fingerprint)
        for f in findings
        if not f.suppressed and f.rule not in NEVER_ACCEPTED
    )
    head, tail = f'{{"privlint": "{__version__}", "findings": [', "]}\n"
    # The size is counted line by line, and lines are kept only while it is within the limit:
    # 1.2 million findings (a 10 MB inventory) made a 137 MB text, then refused, at a peak of
    # 1.1 GB. ASCII: json.dumps escapes the rest, so characters are bytes.
    limit = _size_limit()
    lines: list[str] = []
    size = len(head) + len(tail)
    for inventory_path, rule, entity, fingerprint in entries:
        line = (
            f'{{"fingerprint": {_string(fingerprint)}, "rule": {_string(rule)}, "entity": {_string(entity)}, '
            f'"path": {_string(inventory_path)}}}'
        )
        size += len(line) + 2  # and "\n" before the first, ",\n" before each other, "\n" after the last
        if size <= limit:
            lines.append(line)
        elif lines:
            lines = []
    if size > limit:
        raise UsageError(
            f"{path}: {len(entries):,} findings make a baseline of {size_text(size, limit)}, more than the "
            f"{limit_text(limit)} privlint reads for one; fix or suppress some of them first, or raise "
            f"{LIMIT_VARIABLE} (the baseline may be {BASELINE_SIZE_FACTOR} times the inventory size limit)"
        )
    text = head + ("\n" + ",\n".join(lines) + "\n" if lines else "") + tail
    try:
        with open(path, "w", encoding="ascii", opener=never_waiting) as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline ({no_reader(exc)})") from None


_string = json.encoder.encode_basestring_ascii  # what json.dumps does with a str


# A baseline may be this many times the inventory size limit: 20 MB, some 200,000 entries of
# about 100 bytes. Without a limit, `--baseline /dev/zero` read until memory ran out (3.8 GB,
# then an error); at 200 MB, `{"findings": [{},{},…]}` made 66 million objects (16 s, 5.4 GB)
# before it could be told apart from a baseline, at 20 MB 7 million (0.6 s, 570 MB).
BASELINE_SIZE_FACTOR = 2


def _size_limit() -> int:
    from .loader import TooLarge, size_limit

    try:
        return BASELINE_SIZE_FACTOR * size_limit()
    except TooLarge as exc:  # the variable is not a size
        raise UsageError(str(exc)) from None


def read(path: str) -> set[str]:
    from .loader import LIMIT_VARIABLE, TooLarge, limit_text, read_bounded

    limit = _size_limit()
    try:
        raw = read_bounded(path, limit)
    except TooLarge:
        raise UsageError(
            f"{path}: the baseline is larger than the {limit_text(limit)} privlint reads for one "
            f"({BASELINE_SIZE_FACTOR} times the inventory size limit; {LIMIT_VARIABLE} raises both)"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    try:
        entries = json.loads(raw.decode("utf-8"))["findings"]
        if isinstance(entries, list) and all(
            type(entry) is dict and type(entry.get("fingerprint")) is str for entry in entries
        ):
            return {entry["fingerprint"] for entry in entries}
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[...]]] 50,000 deep
        pass
    # Also when a fingerprint is not a string: such a baseline accepts nothing, silently.
    raise UsageError(f"{path}: not a privlint baseline (expected JSON written by --write-baseline)")


def apply(findings: list[Finding], known: set[str]) -> list[Finding]:
    return [
        f._replace(suppressed=REASON) if not f.suppressed and f.rule not in NEVER_ACCEPTED and f.fingerprint in known
        else f
        for f in findings
    ]
