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
