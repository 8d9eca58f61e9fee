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
