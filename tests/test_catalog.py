"""Reference data: every dated fact is sourced or unknown, and unknown is never assumed true."""

import datetime as dt

import pytest

from privlint.lint import reference, taxonomy
from privlint.lint.loader import load

from .conftest import ROOT, lint, triples

SPEC_KEYS = {
    "stripe", "paypal", "google-analytics", "google-ads", "google-adsense", "microsoft-advertising", "hubspot",
    "quickbooks", "mailchimp", "salesforce", "segment", "twilio", "aws", "meta-pixel", "zendesk", "shopify",
}
CATEGORIES = set(load("s", (ROOT / "data/inventory.schema.json").read_text()).data["$defs"]["recipient"]
                 ["properties"]["category"]["enum"])


def _facts(entry):
    yield "legal_entity", entry["legal_entity"]
    yield "country", entry["country"]
    for programme in ("eu", "uk", "ch", "hr"):
        yield f"dpf.{programme}", entry["dpf"][programme]


def test_catalog_covers_every_spec_vendor():
    raw = load("vendors.yaml", (ROOT / "data/vendors.yaml").read_text()).data
    assert set(raw) == SPEC_KEYS


@pytest.mark.parametrize("key", sorted(SPEC_KEYS))
def test_every_fact_is_sourced_or_unknown(key):
    entry = load("vendors.yaml", (ROOT / "data/vendors.yaml").read_text()).data[key]
    assert entry["name"] and entry["category"] in CATEGORIES
    assert entry["role"] in ("processor", "controller", "joint_controller", "third_party")
    for name, fact in _facts(entry):
        if fact["value"] is None:
            assert not fact.get("verified_on"), f"{key}.{name}: an unknown fact has no verification date"
        else:
            assert fact["source"].startswith("https://"), f"{key}.{name} has no source"
            assert dt.date.fromisoformat(str(fact["verified_on"])), f"{key}.{name} has no verified_on"


def test_unknown_dpf_status_is_not_certified():
    paypal = reference.catalog()["paypal"]
    assert paypal.dpf["eu"] is None  # not verified in the shipped data
    assert reference.fact({"value": True, "source": "https://x"}) is None  # no verified_on: unknown


def test_adequacy_entries_are_sourced_and_dated():
    table = load("adequacy.yaml", (ROOT / "data/adequacy.yaml").read_text()).data
    for area in ("EEA", "UK", "CH"):
        for entry in table[area]["adequate"]:
            if entry.get("verified_on"):
                assert entry["source"].startswith("https://") and entry.get("in_force"), entry
    assert {p: str(table["programmes"][p]["in_force"]) for p in ("eu", "uk", "ch")} == {
        "eu": "2023-07-10", "uk": "2023-10-12", "ch": "2024-09-15"}


@pytest.mark.parametrize("area, country, adequate", [
    ("EEA", "JP", True), ("EEA", "GB", True), ("EEA", "CH", True), ("EEA", "IN", False), ("EEA", "US", False),
    ("UK", "DE", True), ("UK", "JP", True), ("UK", "IN", False), ("CH", "GB", True), ("CH", "FR", True),
])
def test_adequacy_table(area, country, adequate):
    from privlint.lint.model import Node
    from privlint.lint.transfers import adequate as is_adequate

    node = Node(id="r", kind="recipient", location=None, raw={}, name="R", country=country, dpf={})
    assert is_adequate(area, node, dt.date(2026, 11, 1)) is adequate


def test_sensitive_map_uses_known_taxonomy_keys():
    for key, concept in reference.sensitive_keys():
        assert taxonomy.is_known("data_categories", key), (key, concept)
    concepts = {concept for _, concept in reference.sensitive_keys()}
    for needed in ("government ids", "precise geolocation", "genetic data", "criminal history"):
        assert needed in concepts


def test_transfer_tools_are_sourced_and_scc_alone_does_not_cover_uk_data():
    table = load("transfer_tools.yaml", (ROOT / "data/transfer_tools.yaml").read_text()).data
    for area in ("EEA", "UK", "CH"):
        assert table[area]["source"].startswith("https://") and table[area]["verified_on"], area
    assert reference.transfer_tools("EEA") == {"scc", "bcr", "derogation"}
    assert reference.transfer_tools("UK") == {"idta", "uk_addendum", "bcr", "derogation"}
    assert reference.transfer_tools("CH") == {"scc", "bcr", "derogation"}


def test_an_unverified_transfer_tool_is_no_tool(monkeypatch):
    data = reference._data

    def unverified_uk(name):
        table = data(name)
        return {**table, "UK": {**table["UK"], "verified_on": None}} if name == "transfer_tools.yaml" else table

    monkeypatch.setattr(reference, "_data", unverified_uk)
    reference.transfer_tools.cache_clear()
    try:
        assert reference.transfer_tools("UK") == frozenset()
        assert reference.transfer_tools("EEA") == {"scc", "bcr", "derogation"}
    finally:
        reference.transfer_tools.cache_clear()


def test_the_purposes_the_ccpa_rules_name_are_known_taxonomy_keys():
    for key in (taxonomy.CROSS_CONTEXT_ADVERTISING, taxonomy.LEGAL_OBLIGATION):
        assert taxonomy.is_known("data_uses", key), key


def test_inventory_vendors_extend_and_override_the_catalog(tmp_path):
    (tmp_path / "inventory.yaml").write_text(
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        "policy: {recipients: [Acme CRM, PayPal], data_categories: [user], purposes: [essential]}\n"
        "vendors:\n"
        "  acme-crm: {name: Acme CRM, country: DE, category: crm, role: processor}\n"
        "  paypal: {name: PayPal, country: LU, dpf: {eu: false}}\n"
        "systems:\n  - id: shop\n    collects:\n"
        "      - {subjects: [customer], data_categories: [user.name], origins: [EEA]}\n"
        "recipients:\n  - {id: crm, vendor: acme-crm}\n  - {id: pp, vendor: paypal}\n"
        "flows:\n"
        "  - {from: shop, to: crm, data_categories: [user.name], purposes: [essential]}\n"
        "  - {from: shop, to: pp, data_categories: [user.name], purposes: [essential.service.payment_processing]}\n"
    )
    # acme-crm exists (no PL002); PayPal overridden to Luxembourg: inside the EEA, no transfer.
    assert triples(lint(tmp_path)) == []


def test_a_vendor_declared_in_two_files_of_an_inventory_is_a_schema_violation(tmp_path):
    """Which file's entry applied depended on the files' names: exit 0 or 1 by a rename."""
    (tmp_path / "0.yaml").write_text("vendors:\n  acme: {name: Acme, country: DE}\n")
    (tmp_path / "a.yaml").write_text(
        "privlint: 1\norganization: {name: Acme}\nvendors:\n  other: {name: Other}\n  acme: {name: Acme, country: CN}\n"
    )
    found = lint(tmp_path)
    assert triples(found) == [("PL001", "file", 5)]
    assert found[0].path.endswith("a.yaml") and found[0].column == 3
    assert found[0].message.endswith("vendor 'acme' is already declared in " + str(tmp_path / "0.yaml") + "; declare it in one file only")


def test_inline_recipient_fields_override_the_catalog(tmp_path):
    base = (
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        "policy: {recipients: [Stripe], data_categories: [user], purposes: [essential]}\n"
        "systems:\n  - id: shop\n    collects:\n"
        "      - {subjects: [customer], data_categories: [user.name], origins: [EEA]}\n"
        "recipients:\n  - {id: stripe, vendor: stripe%s}\n"
        "flows:\n  - {from: shop, to: stripe, data_categories: [user.name], purposes: [essential]}\n"
    )
    (tmp_path / "inventory.yaml").write_text(base % "")
    assert triples(lint(tmp_path)) == []  # Stripe, Inc. is DPF-certified (EU) per the catalog
    (tmp_path / "inventory.yaml").write_text(base % ", dpf: {eu: false}")
    assert triples(lint(tmp_path)) == [("PL201", "flow:shop->stripe", 11)]
