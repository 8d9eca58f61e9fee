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


DECLARED_ORIGINS = """\
privlint: 1
organization: {name: Acme}
recipients:
  - {id: web, name: Web Co}
  - {id: db, name: Db Co}
  - {id: ads, name: Acme Ads}
flows:
%s"""
FLOWS = [
    "  - {from: db, to: web, data_categories: [user]}\n",
    "  - {from: web, to: ads, data_categories: [user], origins: [EEA]}\n",
]


def test_declared_flow_origins_do_not_depend_on_the_order_of_flows(tmp_path):
    """Found by test_findings_do_not_depend_on_declaration_order (a 20,000-example run): web
    gets `user` from db with nothing known of whose data it is. A flow's declared `origins`
    were used only when nothing at all was known upstream, so whether web -> ads (origins:
    [EEA]) carried EEA data, and so PL201, depended on whether db -> web had been computed
    first; and a node gaining a category with nothing known of it was not visited again. Now
    whether anything upstream knows the origins is decided on the fixpoint of what is
    collected (stage 1), and any new category revisits the node."""
    found = []
    for flows in (FLOWS, FLOWS[::-1]):
        path = tmp_path / "inventory.yaml"
        path.write_text(DECLARED_ORIGINS % "".join(flows))
        context = engine.load_context(str(path), [path], AS_OF)
        findings = engine.run(context)
        ads = next(flow for flow in context.data_map.flows if flow.target == "ads")
        assert context.data_map.origins(ads) == {"EEA"}
        found.append(sorted((f.rule, f.entity) for f in findings if f.rule == "PL201"))
    assert found[0] == found[1] == [("PL201", "flow:web->ads")]


NARROWING = """\
privlint: 1
organization: {name: Acme, country: US}
systems:
  - id: app
    country: US
    collects:
      - {subjects: [customer], data_categories: [user.name], origins: [EEA, US]}
  - id: relay
    country: US
recipients:
  - {id: us1, name: US One, country: US, category: hosting, role: processor}
  - {id: us2, name: US Two, country: US, category: hosting, role: processor}
flows:
  - {from: app, to: us1, data_categories: [user.name], origins: [UK, US]}
  - {from: relay, to: us2, data_categories: [user.name], origins: [UK]}
"""


def test_a_flows_origins_narrow_what_is_known_and_say_what_is_not(tmp_path):
    """Found by a blind test written from SPEC ("narrowed by the flow's `origins`"): a flow
    declaring UK data from a source that holds only EEA and US people's data carried UK data
    (and so PL201). Declared origins now narrow known origins, and speak only for data whose
    origins nothing upstream knows (relay collects nothing)."""
    path = tmp_path / "inventory.yaml"
    path.write_text(NARROWING)
    context = engine.load_context(str(path), [path], AS_OF)
    findings = engine.run(context)
    us1, us2 = context.data_map.flows
    assert context.data_map.origins(us1) == {"US"}
    assert context.data_map.origins(us2) == {"UK"}
    assert [(f.rule, f.entity) for f in findings if f.rule == "PL201"] == [("PL201", "flow:relay->us2")]
