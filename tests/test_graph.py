"""`privlint graph`: the data map as Mermaid, Graphviz DOT (rendered by the real `dot`) and JSON."""

import json
import re
import subprocess
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privlint.lint import discover, engine, render

from . import tools
from .countries import country_codes
from .conftest import AS_OF, ROOT

INVENTORIES = sorted(path for path in (ROOT / "inventories").iterdir() if path.is_dir())
RULES = ROOT / "tests/rules"
# One inventory per kind of finding drawn on the map.
MARKED = {
    "PL101": RULES / "PL101_undisclosed-recipient/fail-via-hops.yaml",
    "PL201": RULES / "PL201_missing-transfer-basis/fail-per-origin.yaml",
    "PL202": RULES / "PL202_invalid-dpf-basis/fail.yaml",
    "PL205": RULES / "PL205_misapplied-adequacy/fail.yaml",
    "PL301": RULES / "PL301_sale-claim-conflict/fail.yaml",
    "PL302": RULES / "PL302_share-claim-conflict/fail.yaml",
    "PL304": RULES / "PL304_processor-purpose-conflict/fail.yaml",
}
NASTY = """\
privlint: 1
organization: {name: "Quote \\" & <Co>", country: DE}
policy:
  recipients: [Someone Else]
  data_categories: [user]
  purposes: [essential, marketing]
systems:
  - id: end
    name: "the \\"end\\" system [main] (x) {y} `z` \\\\ back#slash"
    country: DE
    collects:
      - subjects: [customer]
        data_categories: [user.name, user.contact.email, user.contact.phone_number, user.device.cookie_id, user.location]
        origins: [EEA]
  - id: a-b
    country: GB
  - id: a.b
    country: CH
  - id: a_b
recipients:
  - id: ad.net
    name: "Ad|Net <b>#1</b>"
    country: DE
    category: advertising
    role: third_party
flows:
  - from: end
    to: a-b
    data_categories: [user.name, user.contact.email, user.contact.phone_number, user.device.cookie_id, user.location]
    purposes: [essential.service, marketing.communications.email]
  - from: a-b
    to: a.b
    data_categories: [user.name]
  - from: a.b
    to: a_b
    data_categories: [user.name]
  - from: a_b
    to: ad.net
    data_categories: [user.name]
    purposes: [marketing.advertising]
  - from: end
    to: ad.net
    data_categories: [user.name]
    purposes: [marketing.advertising]
"""


def _view(path, as_of=AS_OF):
    (target,) = discover.targets([str(path)])
    context = engine.load_context(target.name, list(target.files), as_of)
    return render.view(context, engine.run(context))


@pytest.fixture
def nasty(tmp_path):
    path = tmp_path / "nasty.yaml"
    path.write_text(NASTY, encoding="utf-8")
    return path


# -- Mermaid ----------------------------------------------------------------------------------

_NODE = re.compile(r'^\s+(\w+)(\[|\(\[)"(.*)"(\]|\]\))$')
_EDGE = re.compile(r'^\s+(\w+) (-->|==>)\|"(.*)"\| (\w+)$')


def _mermaid_parts(text):
    nodes, edges = {}, []
    for line in text.splitlines():
        if match := _NODE.match(line):
            nodes[match.group(1)] = match.group(3)
        elif match := _EDGE.match(line):
            edges.append((match.group(1), match.group(2), match.group(3), match.group(4)))
    return nodes, edges


def _assert_label_safe(label):
    # Inside a quoted label: no quote, no raw '#', '<' or '>' except our own <br/> line breaks,
    # no pipe (edge label delimiter), no backtick (markdown strings), no control characters.
    bare = label.replace("<br/>", "")
    assert '"' not in bare and "<" not in bare and ">" not in bare and "|" not in bare and "`" not in bare
    assert not re.search(r"#(?!(quot|lt|gt|amp|35|124|96|92);)", bare), label
    assert not re.search(r"[\x00-\x1f]", bare)


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda path: path.name)
def test_mermaid_for_every_example_inventory(inventory):
    text = render.mermaid(_view(inventory))
    assert text.startswith("flowchart LR\n")
    nodes, edges = _mermaid_parts(text)
    view = _view(inventory)
    assert len(nodes) >= len(view.nodes) and len(edges) == len(view.edges)
    for node_id, label in nodes.items():
        assert re.fullmatch(r"[A-Za-z0-9_]+", node_id)
        _assert_label_safe(label)
    for source, _, label, target in edges:
        assert source in nodes and target in nodes
        _assert_label_safe(label)
    assert 'subgraph legend["Legend"]' in text
    assert render.mermaid(_view(inventory)) == text  # deterministic


def test_mermaid_escapes_labels_and_sanitises_ids(nasty):
    text = render.mermaid(_view(nasty))
    nodes, edges = _mermaid_parts(text)
    ids = {render.safe_ids(["end", "a-b", "a.b", "a_b", "ad.net"])[key] for key in ("end", "a-b", "a.b", "a_b", "ad.net")}
    assert len(ids) == 5 and ids <= set(nodes)
    assert "n_end" in nodes  # `end` alone would close a subgraph in Mermaid
    for label in list(nodes.values()) + [edge[2] for edge in edges]:
        _assert_label_safe(label)
    label = nodes["n_end"]
    assert "the #quot;end#quot; system [main] (x) {y} #96;z#96; #92; back#35;slash" in label
    assert "Ad#124;Net #lt;b#gt;#35;1#lt;/b#gt;" in nodes[render.safe_ids(["ad.net"])["ad.net"]]
    # Long category lists are abridged: the first three, then how many more.
    first = next(edge for edge in edges if edge[0] == "n_end" and edge[3] != "n_ad_net")
    assert "user.name, user.contact.email, user.contact.phone_number +2" in first[2]
    assert "essential.service, marketing.communications.email" in first[2]


def test_mermaid_styles_kind_role_and_area():
    text = render.mermaid(_view(ROOT / "inventories/reference"))
    nodes, _ = _mermaid_parts(text)
    assert re.search(r'^\s+n_storefront\["', text, re.M)  # a system: rectangle
    assert re.search(r'^\s+n_stripe\(\["', text, re.M)  # a recipient: stadium
    assert "system · IE (EEA)" in nodes["n_storefront"]
    assert "processor · US" in nodes["n_stripe"] and "controller · US" in nodes["n_paypal"]
    classes = {name: set(members.split(",")) for members, name in re.findall(r"^\s+class (\S+) (\w+)$", text, re.M)}
    assert {"n_storefront", "n_order_db"} <= classes["area_eea"]
    assert {"n_stripe", "n_hubspot"} <= classes["area_elsewhere"]
    assert "n_stripe" in classes["role_processor"] and "n_paypal" in classes["role_controller"]
    assert "linkStyle" not in text  # a clean map has no flagged flow


@pytest.mark.parametrize("rule", sorted(MARKED))
def test_findings_are_drawn_on_the_mermaid_map(rule):
    view = _view(MARKED[rule])
    text = render.mermaid(view)
    nodes, edges = _mermaid_parts(text)
    flagged = [finding for finding in engine.run(_context(MARKED[rule])) if finding.rule == rule]
    assert flagged
    ids = render.safe_ids(node.id for node in view.nodes)
    for finding in flagged:
        kind, _, name = finding.entity.partition(":")
        if kind == "recipient":
            assert nodes[ids[name]].startswith(f"⚠ {rule}") or f", {rule}" in nodes[ids[name]].split("<br/>")[0]
            classes = re.findall(r"^\s+class (\S+) mark_undisclosed$", text, re.M)
            assert ids[name] in classes[0].split(",")
        else:
            index = next(i for i, edge in enumerate(view.edges) if edge.entity == finding.entity)
            assert rule in edges[index][2].split("<br/>")[0]
            assert edges[index][1] == "==>"
            color = render.MARK_COLOR["sale" if rule.startswith("PL3") else "transfer"]
            expected_color = render.MARK_COLOR[view.edges[index].mark]
            assert re.search(rf"^\s+linkStyle {index} stroke:{re.escape(expected_color)},", text, re.M)
            if rule.startswith("PL3"):
                assert expected_color == color
    for mark, label in render.MARK_LABELS.items():
        assert label.replace("'", "'") in text.replace("#quot;", '"')


def _context(path):
    (target,) = discover.targets([str(path)])
    return engine.load_context(target.name, list(target.files), AS_OF)


def test_mermaid_parses_with_mermaid_js(tmp_path, nasty):
    """The output parses and renders with the real mermaid.js in headless Chromium (npm's
    `mermaid` package, fetched by the test setup; PRIVLINT_MERMAID_JS may point at another
    dist/mermaid.min.js)."""
    import html as html_module

    chromium = tools.chromium()
    mermaid_js = tools.mermaid_js()
    for path in [nasty, *INVENTORIES, *MARKED.values()]:
        source = render.mermaid(_view(path))
        page = tmp_path / "page.html"
        page.write_text(
            f'<!DOCTYPE html><html><body><script src="{mermaid_js.as_uri()}"></script>'
            f'<pre id="src">{html_module.escape(source)}</pre><div id="out">pending</div><script>'
            "mermaid.initialize({startOnLoad:false, securityLevel:'strict'});"
            "mermaid.render('g', document.getElementById('src').textContent)"
            ".then(r => { document.getElementById('out').textContent = 'RENDERED ' + r.svg.length; })"
            ".catch(e => { document.getElementById('out').textContent = 'ERROR ' + e.message; });"
            "</script></body></html>",
            encoding="utf-8",
        )
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
        assert 'id="out">RENDERED' in result.stdout, (path, result.stdout[-800:])


# -- DOT, rendered by Graphviz ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dot_binary():
    return tools.dot()


def _render_dot(dot_binary, source, fmt="json"):
    result = subprocess.run([dot_binary, f"-T{fmt}"], input=source, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no syntax warnings either
    return result.stdout


@pytest.mark.parametrize("path", [*INVENTORIES, *MARKED.values()], ids=lambda path: path.stem if path.is_file() else path.name)
def test_dot_renders_with_graphviz(dot_binary, path):
    view = _view(path)
    layout = json.loads(_render_dot(dot_binary, render.dot(view)))
    names = {item["name"] for item in layout.get("objects", []) if "nodes" not in item}
    assert {node.id for node in view.nodes} <= names
    assert "privlint_legend" in names
    assert len(layout.get("edges", [])) == len(view.edges)
    svg = _render_dot(dot_binary, render.dot(view), "svg")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for edge in view.edges:
        for finding in edge.findings:
            if finding.rule in render.MARKS["transfer"] + render.MARKS["sale"]:
                assert "⚠ " in svg and finding.rule in svg


def test_dot_escapes_names(dot_binary, nasty):
    view = _view(nasty)
    layout = json.loads(_render_dot(dot_binary, render.dot(view)))
    labels = {item["name"]: item.get("label", "") for item in layout["objects"] if "nodes" not in item}
    assert labels["end"].startswith('the "end" system [main] (x) {y} `z` \\\\ back#slash')
    assert labels["ad.net"].startswith("⚠ PL101\\nAd|Net <b>#1</b>\\n")
    undisclosed = [item for item in layout["objects"] if item.get("name") == "ad.net"][0]
    assert undisclosed["color"] == render.MARK_COLOR["undisclosed"]


@pytest.mark.parametrize("output_format", ["mermaid", "dot"])
def test_line_separators_in_names_do_not_break_a_line_of_the_graph(tmp_path, output_format):
    """U+2028, U+2029 and U+0085 end a line for JavaScript (Mermaid's renderer) and Python's
    splitlines: in a label they split a node's declaration in two. They become spaces."""
    path = tmp_path / "separators.yaml"
    path.write_text(
        'privlint: 1\norganization: {name: Acme}\n'
        'systems:\n  - {id: app, name: "App\\u2028end\\u0085x"}\n'
        'recipients:\n  - {id: r, name: "R\\u2029 fake"}\n'
        "flows:\n  - {from: app, to: r, data_categories: [user.name]}\n"
    )
    text = getattr(render, output_format)(_view(path))
    assert text.splitlines() == text.split("\n")[:-1]
    assert "App end x" in text and "R  fake" in text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*render._UNSAFE_IN_LABELS, *render._MERMAID_ENTITIES, "\u00a0", "a", "é", "·"])
               | st.characters(), max_size=12))
def test_labels_needing_no_escape_are_written_as_they_are_and_no_others(text):
    """dot_string and mermaid_text return a label that needs no replacing unchanged, found by
    one scan in C (600,000 one-line systems' map took 4 s less); any other is escaped in full."""
    assert render.dot_string(text) == render._dot_escaped(text)
    assert render.mermaid_text(text) == text.translate(render._MERMAID_TABLE)


# -- JSON -------------------------------------------------------------------------------------


def test_json_lists_every_node_and_edge_with_attributes():
    view = _view(ROOT / "inventories/callcabinet")
    document = json.loads("".join(render.json_map(view)))
    assert list(document) == ["privlint", "inventory", "as_of", "nodes", "edges", "other_findings"]
    context = _context(ROOT / "inventories/callcabinet")
    inventory = context.inventory
    assert [node["id"] for node in document["nodes"]] == [n.id for n in sorted(inventory.systems, key=lambda n: n.id)] + [
        n.id for n in sorted(inventory.recipients, key=lambda n: n.id)
    ]
    for node in document["nodes"]:
        assert set(node) >= {"id", "kind", "name", "country", "role", "category", "area", "findings"}
    assert len(document["edges"]) == len(inventory.flows)
    for edge in document["edges"]:
        assert set(edge) >= {"from", "to", "entity", "data_categories", "purposes", "transfer_basis", "findings"}
    promo = next(edge for edge in document["edges"] if edge["entity"] == "flow:website->promo-partners")
    assert [finding["rule"] for finding in promo["findings"]] == ["PL201", "PL301"]
    assert promo["marks"] == ["transfer", "sale"] and promo["transfer_basis"] == "scc"
    hubspot = next(node for node in document["nodes"] if node["id"] == "hubspot")
    assert (hubspot["kind"], hubspot["role"], hubspot["country"], hubspot["category"], hubspot["vendor"]) == (
        "recipient", "processor", "US", "crm", "hubspot")
    all_findings = engine.run(context)
    attached = sum(len(item["findings"]) for item in document["nodes"] + document["edges"]) + len(document["other_findings"])
    assert attached == len(all_findings)


def test_json_per_origin_basis_is_ordered():
    document = json.loads("".join(render.json_map(_view(ROOT / "inventories/reference"))))
    stripe = next(edge for edge in document["edges"] if edge["to"] == "stripe")
    assert list(stripe["transfer_basis"].items()) == [("EEA", "scc"), ("UK", "idta")]
    assert stripe["origins"] == ["EEA", "UK", "US"]


# -- the command ------------------------------------------------------------------------------


def test_graph_command_formats_and_default(cli, tmp_path):
    for fmt, start in (("mermaid", "flowchart LR\n"), ("dot", "digraph privlint {\n"), ("json", "{\n")):
        result = cli("graph", "inventories/reference", "--format", fmt, "--as-of", "2026-11-01", cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(start) and result.stderr == ""
    default = cli("graph", "inventories/reference", "--as-of", "2026-11-01", cwd=ROOT)
    assert default.stdout.startswith("flowchart LR\n")
    out = tmp_path / "map.mmd"
    written = cli("graph", str(ROOT / "inventories/reference"), "--output", str(out), "--as-of", "2026-11-01")
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text().startswith("flowchart LR\n")


def test_graph_of_a_broken_inventory_exits_1_with_the_positioned_error(cli):
    result = cli("graph", "tests/rules/PL000_invalid-yaml/fail-syntax.yaml", cwd=ROOT)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("tests/rules/PL000_invalid-yaml/fail-syntax.yaml:7:20: PL000 [error] ")
    assert "Traceback" not in result.stderr


def test_graph_usage_errors_exit_2(cli, tmp_path):
    missing = cli("graph", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    bad_format = cli("graph", "inventories/reference", "--format", "png", cwd=ROOT)
    assert bad_format.returncode == 2


def test_suppressed_findings_are_not_drawn_but_listed(tmp_path):
    from .test_fmt import CANONICAL  # a PL101 on recipient:stripe, suppressed with a reason

    path = tmp_path / "inventory.yaml"
    path.write_text(CANONICAL, encoding="utf-8")
    view = _view(path)
    stripe = next(node for node in view.nodes if node.id == "stripe")
    assert [finding.rule for finding in stripe.findings] == ["PL101"] and stripe.marks == []
    assert "mark_undisclosed" not in re.sub(r"classDef.*|.*legend_mark.*", "", render.mermaid(view))
    node = next(item for item in json.loads("".join(render.json_map(view)))["nodes"] if item["id"] == "stripe")
    assert node["findings"][0]["suppressed"] == "named in the DPA annex" and node["marks"] == []


def test_json_map_is_written_an_edge_at_a_time_with_shared_origins(tmp_path):
    """Flows carrying the same origins share one sorted tuple of them, and the JSON map is
    written a node or an edge at a time: 50,000 flows of 676 origins each (a 2 MB file) made
    a 490 MB document, held as dicts and as one string (3.6 GB)."""
    codes = country_codes()
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "privlint: 1\norganization: {name: X}\n"
        f"systems:\n  - id: s\n    collects: [{{data_categories: [user], origins: [{', '.join(codes)}]}}]\n"
        "recipients:\n  - {id: r, name: R}\nflows:\n" + "  - {from: s, to: r, data_categories: [user]}\n" * 2_000
    )
    view = _view(inventory)
    assert len(view.edges) == 2_000 and len({id(edge.origins) for edge in view.edges}) == 1
    tracemalloc.start()
    try:
        written = sum(len(chunk) for chunk in render.json_map(view))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written > 5_000_000
    assert peak < written / 20, (peak, written)


def test_the_inventory_is_freed_before_the_map_is_written(monkeypatch):
    """The text of a map is made from its view alone: the inventory's documents, model and
    data map were kept until it was written (600,000 one-line systems: 1.44 GB for dot,
    1.08 GB now)."""
    import datetime as dt
    import weakref

    from privlint.lint import engine, render

    contexts = []
    load = engine.load_context
    monkeypatch.setattr(engine, "load_context", lambda *args, **kwargs: contexts.append(load(*args, **kwargs)) or contexts[-1])
    alive = []

    def dot(map_view):
        alive.append(references[0]() is not None)
        return "digraph {}\n"

    references = []
    real_view = render.view

    def view(context, findings):
        references.append(weakref.ref(context))
        contexts.clear()
        return real_view(context, findings)

    monkeypatch.setattr(render, "view", view)
    monkeypatch.setitem(render.RENDERERS, "dot", dot)
    render.graph(str(ROOT / "inventories/reference/inventory.yaml"), "dot", dt.date(2026, 11, 1))
    assert alive == [False]


def test_json_map_writes_each_finding_from_a_template(tmp_path, monkeypatch):
    """A finding on the map is written from a template, not laid out member by member: the
    JSON map of 113,000 flows with nine findings each (8.5 MB) took 30 s, 9 s more than
    `check`. The text is still json.dumps's, suppressions and other findings included."""
    from privlint.lint import report

    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "privlint: 1\norganization: {name: X, country: US}\n"
        "policy: {recipients: [Nobody], data_categories: [user.name], not_collected: [user], sells_personal_data: false,\n"
        "  shares_personal_data: false, sensitive_data: false, collects_from_children: false, transfer_mechanisms: [scc]}\n"
        "systems:\n  - {id: a, country: DE, collects: [{subjects: [customer], data_categories: [user], origins: [EEA, UK, CH]}]}\n"
        "recipients:\n  # privlint: ignore[PL101] reason: a \"quoted\" reason, é ☃\n"
        "  - {id: b, name: \"B \\u2028 <x>\", country: IN, role: processor, category: advertising}\nflows:\n"
        "  # privlint: ignore[PL204] reason: tab\there\n"
        + "  - {from: a, to: b, data_categories: [user], purposes: [marketing.advertising.third_party],"
        " transfer_basis: {EEA: dpf, UK: adequacy, CH: derogation}}\n" * 300
    )
    view = _view(inventory)
    assert all(len(edge.findings) >= 9 for edge in view.edges) and view.other_findings
    calls = []
    indented = report.indented_json
    monkeypatch.setattr(report, "indented_json", lambda *args: calls.append(1) or indented(*args))
    text = "".join(render.json_map(view))
    assert len(calls) < 8 * len(view.edges)  # was 15 a flow: 6 and one per finding
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    document = json.loads(text)
    edge = document["edges"][0]
    assert edge["findings"][0] == {
        key: getattr(view.edges[0].findings[0], key) for key in ("rule", "name", "severity", "message", "path", "line", "column")
    }
    assert {finding.get("suppressed") for finding in edge["findings"]} == {None, "tab\there"}
    assert document["nodes"][1]["findings"][0]["suppressed"] == 'a "quoted" reason, é ☃'
    assert [sorted(finding) for finding in document["other_findings"]][0][-1] == "severity"
    assert list(document["other_findings"][0])[-1] == "entity"
