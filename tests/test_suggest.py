"""'Did you mean …?' suggestions: closest name, remembered, and bounded work."""

from privlint.lint import suggest
from privlint.lint.suggest import Suggester


def test_suggests_the_closest_candidate():
    closest = Suggester({"storefront", "stripe", "paypal"})
    assert closest("strpie") == " (did you mean 'stripe'?)"
    assert closest("zzzzzz") == ""


def test_stops_suggesting_once_the_comparison_budget_is_spent(monkeypatch):
    monkeypatch.setattr(suggest, "MAX_WORK", 200)
    closest = Suggester({"stripe", "paypal"})
    # 'paypal' is ruled out by the quick bounds (12), 'stripe' compared in full: 12 + 10 x 6
    # pairs of equal letters
    assert closest("strpie") == " (did you mean 'stripe'?)"
    assert closest("paypl") == " (did you mean 'paypal'?)"  # 11 + 10 x 8, then 11: 186 in all
    assert closest("stripee") == ""  # a third lookup would pass the budget
    assert closest("strpie") == " (did you mean 'stripe'?)"  # remembered, costs nothing


def test_names_too_long_to_be_typos_are_neither_suggested_nor_matched():
    long_name = "s" * (suggest.MAX_TYPO_LENGTH + 1)
    closest = Suggester({long_name, "stripe"})
    assert closest(long_name + "x") == ""
    assert closest.candidates == ["stripe"]


def test_a_taxonomy_key_cut_short_is_completed_before_spelling_is_compared():
    from privlint.lint import taxonomy

    fuzzy = Suggester(taxonomy.keys("data_categories"), cutoff=0.6).closest
    assert taxonomy.suggest("data_categories", "user.health", fuzzy) == "user.health_and_medical"
    assert taxonomy.suggest("data_categories", "user.contact.emial", fuzzy) == "user.contact.email"
    assert taxonomy.suggest("data_categories", "user.contact.zzzzzzzzzzzzzzzz", fuzzy) == "user.contact"


def _comparisons(monkeypatch, inventory: str, rule_id: str) -> int:
    """How many candidates `rule_id` compares a wrong name with, checking `inventory`."""
    import datetime as dt
    import difflib

    from privlint.lint import engine, loader
    from privlint.lint.registry import lookup

    calls = [0]
    set_seq1 = difflib.SequenceMatcher.set_seq1
    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1",
                        lambda self, a: calls.__setitem__(0, calls[0] + 1) or set_seq1(self, a))
    context = engine.Context("inventory.yaml", ["inventory.yaml"], dt.date(2026, 11, 1))
    context.documents.append(loader.load("inventory.yaml", inventory.encode()))
    assert list(lookup(rule_id).check(context))
    return calls[0]


def test_the_matchers_of_a_rule_share_one_budget(monkeypatch):
    """PL004's three matchers (kinds of key) and PL002's two (ids, vendor keys) each had a
    budget: five spent budgets took 6 s of a 12 s check. Each rule's share one, and a lookup
    after it is spent compares nothing (each compared a candidate: 1.2 s of 87,000 flows)."""
    monkeypatch.setattr(suggest, "MAX_WORK", 20_000)
    # One budget allows 700 to 1,100 comparisons here; a budget per matcher allowed 2,600 to PL004
    # and 3,200 to PL002 (and one more for each lookup after they were spent).
    bound = 1_500
    systems = "".join(f"  - {{id: system-{i}, collects: [{{subjects: [custmer{i}], data_categories: [user.name]}}]}}\n" for i in range(300))
    recipients = "".join(f"  - {{id: recipient-{i}, vendor: strpe{i}}}\n" for i in range(300))
    flows = "".join(f"  - {{from: systen-{i}, to: recipiemt-{i}, data_categories: [user.contact.emial{i}], "
                    f"purposes: [marketing.advertisin{i}]}}\n" for i in range(300))
    inventory = f"privlint: 1\norganization: {{name: X}}\nsystems:\n{systems}recipients:\n{recipients}flows:\n{flows}"
    assert _comparisons(monkeypatch, inventory, "PL004") <= bound
    assert _comparisons(monkeypatch, inventory, "PL002") <= bound
