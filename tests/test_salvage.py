"""What the rules still judge of a schema-invalid inventory (lint/salvage.py)."""

from privlint.lint.salvage import salvage
from privlint.lint.schema import Problem


def problem(*path, blocks_rules=False):
    return Problem(tuple(path), 1, 1, "…", blocks_rules=blocks_rules)


DATA = {
    "privlint": 1,
    "organization": {"name": "Acme", "country": "usa"},
    "policy": {"recipients": "Stripe", "purposes": ["essential"]},
    "systems": [{"id": "web", "retention": "two years", "name": "Web"}, {"name": "no id"}, "not a mapping"],
    "recipients": [{"id": "x", "role": "vendor"}],
    "flows": [{"from": "web", "to": "x", "transfer_basis": "sccs", "data_categories": ["user"]}, {"from": 3, "to": "x"}],
    "vendors": {"acme": {"name": 3}, "other": {"name": "Other"}},
    "notes": "an unknown key",
}


def test_invalid_fields_are_left_out_and_items_without_an_identity_too():
    problems = [
        problem("organization", "country"), problem("policy", "recipients"),
        problem("systems", 0, "retention"), problem("systems", 1), problem("systems", 2),
        problem("recipients", 0, "role"), problem("flows", 0, "transfer_basis"), problem("flows", 1, "from"),
        problem("vendors", "acme", "name"), problem("notes"),
    ]
    kept = salvage(DATA, problems)
    assert kept["organization"] == {"name": "Acme"}
    assert kept["policy"] == {"purposes": ["essential"]}
    assert kept["systems"] == [{"id": "web", "name": "Web"}, None, None]  # indices, so positions, kept
    assert kept["recipients"] == [{"id": "x"}]
    assert kept["flows"] == [{"from": "web", "to": "x", "data_categories": ["user"]}, None]
    assert kept["vendors"] == {"other": {"name": "Other"}}
    assert "notes" not in kept
    assert DATA["systems"][0]["retention"] == "two years"  # the document itself is untouched


def test_a_problem_with_an_item_keeps_it_when_its_identity_is_usable():
    data = {"privlint": 1, "flows": [{"from": "web", "to": "x"}]}  # data_categories missing
    assert salvage(data, [problem("flows", 0)]) == data


def test_nothing_is_salvaged_when_nothing_can_be_told_apart():
    assert salvage(["a", "list"], [problem()]) is None
    assert salvage({"privlint": 2}, [problem("privlint")]) is None  # a format privlint does not read
    assert salvage(DATA, [problem("systems", 1500, blocks_rules=True)]) is None  # too many to explain


def test_a_valid_document_is_its_own_data():
    assert salvage(DATA, []) is DATA
