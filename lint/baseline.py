"""Baselines: accept today's findings so a gate fails only on new ones.

A baseline file lists fingerprints (rule + entity + path), which do not change when lines
move. Findings in the baseline are reported as suppressed with reason "baseline".
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from privlint import __version__

from .engine import Finding, UsageError

REASON = "baseline"


def write(path: str, findings: list[Finding]) -> None:
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "rule": f.rule, "entity": f.entity, "path": f.path}
            for f in findings
            if not f.suppressed
        ),
        key=lambda entry: (entry["path"], entry["rule"], entry["entity"]),
    )
    document = {"privlint": __version__, "findings": entries}
    try:
        Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline ({exc.strerror or exc})") from None


def read(path: str) -> set[str]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return {entry["fingerprint"] for entry in document["findings"]}
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[...]]] 50,000 deep
        raise UsageError(
            f"{path}: not a privlint baseline (expected JSON written by --write-baseline)"
        ) from None


def apply(findings: list[Finding], known: set[str]) -> list[Finding]:
    return [
        replace(f, suppressed=REASON) if not f.suppressed and f.fingerprint in known else f for f in findings
    ]
