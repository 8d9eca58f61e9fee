"""What rule messages tell the reader, beyond rule, entity and line (tests/rules/*/ cover those)."""

from privlint.lint import reference

from ..conftest import ROOT, lint

IDLE_SOURCE = """\
privlint: 1
organization: {name: Acme, country: US}
policy: {recipients: [], data_categories: [user], purposes: [essential]}
systems:
  - {id: idle, name: Idle}
recipients:
  - {id: shadow, name: Shadow Co, country: US, category: analytics, role: processor}
flows:
  - {from: idle, to: shadow, data_categories: [user.contact.email], purposes: [essential.service]}
"""


def test_pl101_names_the_route_even_when_no_collecting_system_reaches_the_recipient(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(IDLE_SOURCE)
    [finding] = [finding for finding in lint(path) if finding.rule == "PL101"]
    assert "reaches Shadow Co (idle -> shadow)" in finding.message


def test_pl101_abridges_a_long_route(tmp_path):
    systems = "".join(f"  - {{id: s{index}}}\n" for index in range(1, 20))
    flows = "".join(f"  - {{from: s{index}, to: s{index + 1}, data_categories: [user.name]}}\n" for index in range(20))
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "privlint: 1\norganization: {name: Acme}\npolicy: {recipients: [], data_categories: [user]}\n"
        "systems:\n  - {id: s0, collects: [{data_categories: [user.name]}]}\n" + systems
        + "recipients:\n  - {id: s20, name: Far Away}\n" + "flows:\n" + flows
    )
    [finding] = [finding for finding in lint(path) if finding.rule == "PL101"]
    assert "(s0 -> s1 -> s2 -> (15 more) -> s18 -> s19 -> s20)" in finding.message


DPF_CASE = "tests/rules/PL202_invalid-dpf-basis/pass-after-programme.yaml"


def test_pl202_names_the_dpf_programme_as_the_reference_data_does(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text((ROOT / DPF_CASE).read_text().replace("uk: true", "uk: false"))
    [finding] = [finding for finding in lint(path) if finding.rule == "PL202"]
    assert finding.message == (
        "the dpf basis is not valid: UK data: CRM Cloud is not certified under the UK Extension to the EU-U.S. DPF"
    )


def test_a_dpf_programme_whose_start_is_unverified_certifies_no_one_and_pl202_says_why(monkeypatch):
    """A programme whose start date is unverified is not known to be in force: the recipient
    counted as not certified where adequacy was judged (PL201, PL205), while PL202 found nothing
    wrong with a dpf basis, as its reasons left out an unknown start. One list of reasons now
    serves both."""
    programme_start = reference.programme_start
    monkeypatch.setattr(reference, "programme_start", lambda name: None if name == "uk" else programme_start(name))
    findings = lint(ROOT / DPF_CASE)
    [finding] = [finding for finding in findings if finding.rule == "PL202"]
    assert (finding.entity, finding.line) == ("flow:shop->crm", 29)
    assert finding.message.endswith("the UK Extension to the EU-U.S. DPF's start date is not verified in privlint's reference data")


def _messages(case, rule):
    return {finding.entity: finding.message for finding in lint(ROOT / "tests/rules" / case) if finding.rule == rule}


def test_pl201_tells_a_missing_basis_from_one_that_is_no_tool_for_the_origin():
    messages = _messages("PL201_missing-transfer-basis/fail-per-origin.yaml", "PL201")
    assert messages["flow:shop->crm"].startswith(
        "restricted transfer to CRM Cloud Inc. (US): UK data: 'scc' is not a transfer tool for UK data; "
    )
    assert messages["flow:shop->mailer"].startswith(
        "restricted transfer to Mailer (IN): EEA data has no transfer basis; UK data has no transfer basis; "
    )


def test_pl301_names_the_role_and_says_no_role_is_not_a_service_provider():
    [message] = _messages("PL301_sale-claim-conflict/fail-no-role.yaml", "PL301").values()
    assert "goes to Pixel Co (role: no role (not a service provider))" in message
    assert "goes to Google Analytics (role: third_party)" in _messages("PL301_sale-claim-conflict/fail.yaml", "PL301")["flow:web->ga"]


def test_pl303_tells_a_sensitive_category_from_a_broad_one_that_may_include_it():
    broad = _messages("PL303_sensitive-data-claim-conflict/fail-broad-key.yaml", "PL303")["system:billing"]
    exact = _messages("PL303_sensitive-data-claim-conflict/fail.yaml", "PL303")["system:checkout"]
    assert broad.endswith("collects user.financial (may include financial account or card numbers)")
    assert exact.endswith("collects user.financial.credit_card (financial account or card numbers)")


def test_pl105_names_the_denial_each_category_contradicts():
    messages = _messages("PL105_contradicted-non-collection/fail.yaml", "PL105")
    assert messages["system:app"] == (
        "the policy says user.biometric is not collected, but system:app collects user.biometric.fingerprint"
    )
    assert messages["system:hris"].startswith("the policy says user.criminal_history is not collected, but ")


def test_pl104_tells_a_name_that_matches_nothing_from_a_recipient_that_receives_nothing():
    [message] = _messages("PL104_stale-disclosure/fail.yaml", "PL104").values()
    assert message.endswith(
        "'Mailchimp' matches no declared recipient; 'Zendesk, Inc.' receives nothing in the inventory"
    )


def test_pl004_names_the_kind_of_each_unknown_key_and_the_closest_known_one():
    messages = _messages("PL004_unknown-taxonomy-key/fail.yaml", "PL004")
    assert messages["system:shop"] == (
        "unknown data category 'user.contact.emial' (did you mean 'user.contact.email'?); "
        "unknown data subject 'customers' (did you mean 'customer'?)"
    )
    assert messages["flow:shop->shop"] == "unknown purpose 'essential.servce' (did you mean 'essential.service'?)"


def test_pl002_suggests_the_closest_catalog_vendor():
    messages = _messages("PL002_unknown-reference/fail.yaml", "PL002")
    assert messages["recipient:payments"].endswith("is not in the vendor catalog (did you mean 'stripe'?)")


def test_pl101_names_the_recipient_category_the_policy_could_disclose():
    [message] = _messages("PL101_undisclosed-recipient/fail-via-hops.yaml", "PL101").values()
    assert "nor discloses its category 'advertising';" in message


def test_pl004_lists_ten_unknown_keys_whole_and_counts_the_rest_past_ten(tmp_path):
    def message(count):
        keys = ", ".join(f"user.nope{index}" for index in range(count))
        path = tmp_path / f"inventory{count}.yaml"
        path.write_text(f"privlint: 1\norganization: {{name: Acme}}\nsystems:\n  - {{id: s, collects: [{{data_categories: [{keys}]}}]}}\n")
        [finding] = [finding for finding in lint(path) if finding.rule == "PL004"]
        return finding.message

    assert "more unknown keys" not in message(10)
    assert message(11).endswith("; and 1 more unknown keys")


def test_pl104_counts_the_stale_recipients_past_ten(tmp_path):
    names = ", ".join(f"Vendor {index}" for index in range(11))
    path = tmp_path / "inventory.yaml"
    path.write_text(f"privlint: 1\norganization: {{name: Acme}}\npolicy: {{recipients: [{names}]}}\n")
    [finding] = [finding for finding in lint(path) if finding.rule == "PL104"]
    assert finding.message.endswith("; and 1 more recipients")


def test_pl106_counts_the_contradictions_past_ten(tmp_path):
    keys = ", ".join(["user.name", "user.contact.email", "user.contact.phone_number", "user.contact.fax_number",
                      "user.contact.address", "user.biometric", "user.criminal_history", "user.location.precise",
                      "user.financial.credit_card", "user.device.cookie_id", "user.account.username"])
    path = tmp_path / "inventory.yaml"
    path.write_text(f"privlint: 1\norganization: {{name: Acme}}\npolicy: {{data_categories: [{keys}], not_collected: [{keys}]}}\n")
    [finding] = [finding for finding in lint(path) if finding.rule == "PL106"]
    assert finding.message.endswith("; and 1 more contradictions")
