"""Bugs the fuzzing found, pinned down as plain tests."""

import datetime as dt

from privlint.lint import engine

AS_OF = dt.date(2026, 11, 1)

RECIPIENT_FIRST = """\
privlint: 1
organization: {name: Acme}
policy: {recipients: [Stripe]}
recipients:
  - {id: web, name: Web Analytics Co, country: US, category: analytics}
systems:
  - id: app
    collects:
      - data_categories: [user.name]
  - id: web
flows:
  - {from: app, to: web, data_categories: [user.name]}
"""


def test_a_duplicate_id_means_the_same_node_to_pl003_and_to_the_data_map(tmp_path):
    """Found by test_findings_do_not_depend_on_the_yaml_style: with a recipient declared (in
    the file) before a system of the same id, PL003 called the system the duplicate while the
    data map used the system (systems were always taken first), so rules judged a node PL003
    said was not the real one. The map now uses the first declaration in file order."""
    path = tmp_path / "inventory.yaml"
    path.write_text(RECIPIENT_FIRST)
    context = engine.load_context(str(path), [path], AS_OF)
    findings = engine.run(context)
    assert context.data_map.node("web").is_recipient
    duplicate = [f for f in findings if f.rule == "PL003"]
    assert [f.entity for f in duplicate] == ["system:web"]
    assert "already used by recipient 'web'" in duplicate[0].message
    assert [f.entity for f in findings if f.rule == "PL101"] == ["recipient:web"]
