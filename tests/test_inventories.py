"""The example inventories: the reference one is clean; each seed policy's inventory reports
exactly the findings its FINDINGS.md explains, and the README's table shows them.

Regenerate the README table with `python -m tests.test_inventories`.
"""

import re
from collections import Counter

import pytest

from .conftest import AS_OF, ROOT, lint, triples

INVENTORIES = sorted(path for path in (ROOT / "inventories").iterdir() if path.is_dir())
_ROW = re.compile(r"^\| (PL\d{3}) \| `([^`]+)` \| \d+ \| (\d+) \|", re.M)
START, END = "<!-- inventories-table:start -->", "<!-- inventories-table:end -->"


def documented(inventory):
    """(rule, entity, line) rows of the FINDINGS.md table ('Reported' column)."""
    text = (inventory / "FINDINGS.md").read_text()
    return sorted((rule, entity, int(line)) for rule, entity, line in _ROW.findall(text))


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda path: path.name)
def test_inventory_reports_exactly_what_its_findings_md_explains(inventory):
    assert triples(lint(inventory)) == documented(inventory)


def test_reference_inventory_is_clean_with_flows_to_the_four_vendors():
    reference = ROOT / "inventories/reference"
    assert lint(reference) == []
    text = (reference / "inventory.yaml").read_text()
    for vendor in ("stripe", "paypal", "google-analytics", "hubspot"):
        assert f"vendor: {vendor}" in text


def test_there_is_an_inventory_per_seed_policy():
    assert len([path for path in INVENTORIES if path.name != "reference"]) == 5


def test_every_seed_policy_has_an_inventory():
    seeds = ROOT.parent / "shared/seeds"  # the team's copy of the published policies, beside the repository
    if not seeds.is_dir():
        pytest.skip("the seed policies (../shared/seeds) are not beside this checkout")
    assert len(sorted(seeds.glob("*.txt"))) == len([path for path in INVENTORIES if path.name != "reference"])


def readme_table():
    from privlint.lint.loader import load

    rows = ["| inventory | organization | what privlint finds | findings |", "|---|---|---|---|"]
    for inventory in INVENTORIES:
        findings = lint(inventory, as_of=AS_OF)
        counts = Counter(finding.rule for finding in findings)
        shown = ", ".join(f"{rule}×{count}" if count > 1 else rule for rule, count in sorted(counts.items()))
        organization = load("inventory.yaml", (inventory / "inventory.yaml").read_text()).data["organization"]["name"]
        headline = re.search(r"^\*\*Headline:\*\* (.+)$", (inventory / "FINDINGS.md").read_text(), re.M).group(1)
        rows.append(
            f"| [`{inventory.name}`](inventories/{inventory.name}/FINDINGS.md) | {organization} | {headline} "
            f"| {shown or 'none (exit 0)'} |"
        )
    return "\n".join(rows)


def test_readme_table_is_current():
    readme = (ROOT / "README.md").read_text()
    current = readme[readme.index(START) + len(START):readme.index(END)].strip()
    assert current == readme_table(), "README inventories table is stale: run `python -m tests.test_inventories`"


if __name__ == "__main__":
    path = ROOT / "README.md"
    readme = path.read_text()
    head, rest = readme.split(START)
    _, tail = rest.split(END)
    path.write_text(f"{head}{START}\n{readme_table()}\n{END}{tail}")
