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
    long_name = "s" * (suggest.MAX_NAME_LENGTH + 1)
    closest = Suggester({long_name, "stripe"})
    assert closest(long_name + "x") == ""
    assert closest.candidates == ["stripe"]


def test_a_taxonomy_key_cut_short_is_completed_before_spelling_is_compared():
    from privlint.lint import taxonomy

    fuzzy = Suggester(taxonomy.keys("data_categories"), cutoff=0.6).closest
    assert taxonomy.suggest("data_categories", "user.health", fuzzy) == "user.health_and_medical"
    assert taxonomy.suggest("data_categories", "user.contact.emial", fuzzy) == "user.contact.email"
    assert taxonomy.suggest("data_categories", "user.contact.zzzzzzzzzzzzzzzz", fuzzy) == "user.contact"
