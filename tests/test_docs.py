"""Documentation that users and CI rely on stays true."""

import re

import pytest

from privlint.lint import schema
from privlint.lint.docs import reference_page
from privlint.lint.loader import load
from privlint.lint.registry import all_rules

from .conftest import ROOT


def test_docs_rules_md_is_generated_and_current():
    assert (ROOT / "docs/rules.md").read_text() == reference_page(), (
        "docs/rules.md is stale: run `python -m privlint.lint.docs > docs/rules.md`"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_every_rule_is_documented_ruff_style_and_cites_law(rule):
    docs = rule.docs
    assert docs.startswith(f"## {rule.id} {rule.name}")
    for section in ("**What it does.**", "**Example**", "**Fix.**"):
        assert section in docs, f"{rule.id} lacks {section}"
    assert "**Why is this bad?**" in docs
    if rule.id >= "PL100":
        assert re.search(r"Art\. \d+|§\s?\d+|Guidelines|CFR", docs), f"{rule.id} cites no law"
    assert rule.severity in ("error", "warning", "info")
    assert re.fullmatch(r"PL\d{3}", rule.id) and re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


def test_rule_ids_and_names_are_unique():
    rules = all_rules()
    assert len({rule.id for rule in rules}) == len({rule.name for rule in rules}) == len(rules)


def _code_blocks(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    commands = [block.strip() for block in _code_blocks(readme, "sh")]
    install_and_run, install_and_test = commands[0], commands[1]
    assert "pip install ." in install_and_run and "privlint check inventories/" in install_and_run
    assert 'pip install ".[test]"' in install_and_test and install_and_test.endswith("pytest")
    ci = (ROOT / ".ci/run").read_text()
    assert 'pip install --quiet ".[test]"' in ci and "python -m pytest" in ci


def test_readme_inventory_example_is_schema_valid():
    readme = (ROOT / "README.md").read_text()
    example = next(block for block in _code_blocks(readme, "yaml") if block.startswith("privlint: 1"))
    assert schema.validate(load("README.md", example)) == []
