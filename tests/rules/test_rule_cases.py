"""Rule tests as data: every folder under tests/rules/ is one rule's cases.

Each case is an inventory (`<case>.yaml`, or a `<case>/` directory inventory). `expected.yaml`
beside them maps every case to the exact findings privlint must report for it, written as
"RULE entity line"; a passing case maps to []. A case may also set its own `as_of` date.
"""

import datetime as dt
from pathlib import Path

import pytest

from privlint.lint.loader import load

from ..conftest import AS_OF, lint, triples

HERE = Path(__file__).parent


def _cases():
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "expected.yaml").exists()):
        expected = load("expected.yaml", (folder / "expected.yaml").read_text()).data
        for case, spec in expected.items():
            yield pytest.param(folder, case, spec, id=f"{folder.name}/{case}")


def _parse(line):
    rule, entity, number = line.split()
    return rule, entity, int(number)


@pytest.mark.parametrize("folder, case, spec", list(_cases()))
def test_rule_case(folder, case, spec):
    as_of = AS_OF
    if isinstance(spec, dict):
        as_of = dt.date.fromisoformat(spec.get("as_of", AS_OF.isoformat()))
        spec = spec.get("findings") or []
    path = folder / case
    assert path.exists(), f"{path} is listed in expected.yaml but missing"
    got = triples(lint(path, as_of=as_of))
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
            state.add("fail" if any(_parse(f)[0] == rule for f in findings or ()) else "pass" if not findings else "other")
    missing = [rule.id for rule in all_rules() if not {"fail", "pass"} <= covered.get(rule.id, set())]
    assert not missing, f"rules without both a failing and a passing case: {missing}"
