"""Rule tests as data: every folder under tests/rules/ is one rule's cases.

Each case is an inventory (`<case>.yaml`, or a `<case>/` directory inventory). `expected.yaml`
beside them maps every case to the exact findings privlint must report for it, written as
"RULE entity LINE:COLUMN" ("RULE entity FILE:LINE:COLUMN" in a directory case, the file
relative to it), with " suppressed" after a finding an inline comment silences; a passing
case maps to []. A case may also set its own `as_of` date.
"""

import datetime as dt
from pathlib import Path

import pytest

from privlint.lint.loader import load

from ..conftest import AS_OF, lint

HERE = Path(__file__).parent


def _cases():
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "expected.yaml").exists()):
        expected = load("expected.yaml", (folder / "expected.yaml").read_text()).data
        for case, spec in expected.items():
            yield pytest.param(folder, case, spec, id=f"{folder.name}/{case}")


def _parse(line):
    """(rule, entity, file or "", line, column, suppressed) of an expected finding."""
    rule, entity, position, *marks = line.split()
    assert marks in ([], ["suppressed"]), f"unknown mark in {line!r}"
    file, number, column = position.rsplit(":", 2) if position.count(":") == 2 else ("", *position.split(":"))
    return rule, entity, file, int(number), int(column), bool(marks)


def _reported(finding, case: Path):
    """A finding as _parse reads its expectation: its file relative to a directory case."""
    file = Path(finding.path).resolve()
    where = file.relative_to(case.resolve()).as_posix() if case.is_dir() else ""
    assert case.is_dir() or file == case.resolve(), f"{finding} is not in {case}"
    return finding.rule, finding.entity, where, finding.line, finding.column, bool(finding.suppressed)


@pytest.mark.parametrize("folder, case, spec", list(_cases()))
def test_rule_case(folder, case, spec):
    as_of = AS_OF
    if isinstance(spec, dict):
        as_of = dt.date.fromisoformat(spec.get("as_of", AS_OF.isoformat()))
        spec = spec.get("findings") or []
    path = folder / case
    assert path.exists(), f"{path} is listed in expected.yaml but missing"
    got = sorted(_reported(finding, path) for finding in lint(path, as_of=as_of))
    assert got == sorted(_parse(line) for line in spec)


def test_every_case_is_listed():
    for folder in (p for p in HERE.iterdir() if p.is_dir() and (p / "expected.yaml").exists()):
        listed = set(load("expected.yaml", (folder / "expected.yaml").read_text()).data)
        present = {p.name for p in folder.iterdir() if p.name != "expected.yaml" and not p.name.startswith((".", "_"))}
        assert present == listed, f"{folder.name}: cases and expected.yaml disagree"


def test_every_rule_has_failing_and_passing_cases():
    from privlint.lint.registry import all_rules

    covered = {}
    for folder in (p for p in HERE.iterdir() if p.is_dir() and (p / "expected.yaml").exists()):
        for case, spec in load("expected.yaml", (folder / "expected.yaml").read_text()).data.items():
            findings = spec.get("findings", []) if isinstance(spec, dict) else spec
            rule = folder.name.split("_")[0]
            state = covered.setdefault(rule, set())
            reported = [_parse(finding) for finding in findings or ()]
            active = [finding for finding in reported if not finding[-1]]  # not suppressed
            state.add("fail" if any(finding[0] == rule for finding in active) else "pass" if not active else "other")
    missing = [rule.id for rule in all_rules() if not {"fail", "pass"} <= covered.get(rule.id, set())]
    assert not missing, f"rules without both a failing and a passing case: {missing}"
