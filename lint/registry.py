"""Rule discovery: every module in `privlint.rules` named `plNNN_<name>` is one rule.

A rule module holds its user documentation as its docstring (what it does / why it matters /
example / fix, in Markdown) and declares:

    ID = "PL101"
    NAME = "undisclosed-recipient"
    SEVERITY = "error"              # error | warning | info
    SUMMARY = "one line"
    STAGE = "model"                 # optional: "document" rules also run on unparseable input
    def check(context): ...         # yields Violation objects
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

SEVERITIES = ("error", "warning", "info")  # most severe first
# `--fail-on`: the least severe finding that fails a run (exit 1), or never.
FAIL_ON = (*SEVERITIES, "never")
_RANK = {severity: len(SEVERITIES) - index for index, severity in enumerate(SEVERITIES)}
_MODULE_NAME = re.compile(r"^pl\d{3}_\w+$")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    stage: str
    module: ModuleType

    @property
    def docs(self) -> str:
        return (self.module.__doc__ or "").strip()

    def check(self, context):
        return self.module.check(context)


@cache
def all_rules() -> tuple[Rule, ...]:
    from privlint import rules as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if not _MODULE_NAME.match(info.name):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.append(
            Rule(
                id=module.ID,
                name=module.NAME,
                severity=module.SEVERITY,
                summary=module.SUMMARY,
                stage=getattr(module, "STAGE", "model"),
                module=module,
            )
        )
    return tuple(sorted(found, key=lambda rule: rule.id))


def lookup(reference: str) -> Rule | None:
    """A rule by ID (case-insensitive) or kebab-case name."""
    return _by_reference().get(reference.strip().lower())


@cache  # a suppression comment may name millions of rules
def _by_reference() -> dict[str, Rule]:
    return {key: rule for rule in all_rules() for key in (rule.id.lower(), rule.name)}


def fails(findings, fail_on: str | None) -> bool:
    """Whether a finding that is not suppressed is at or above `fail_on` (SPEC §4, exit 1)."""
    threshold = _RANK.get(fail_on)
    return threshold is not None and any(
        _RANK[finding.severity] >= threshold for finding in findings if not finding.suppressed
    )
