"""What rule messages tell the reader, beyond rule, entity and line (tests/rules/*/ cover those)."""

from ..conftest import lint

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
