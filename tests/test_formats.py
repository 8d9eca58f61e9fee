"""Report formats for CI: SARIF (GitHub code scanning), JUnit XML, GitHub annotations, and
suppressed findings in JSON — through the real console script."""

import datetime as dt
import json
import re
import shutil
import tracemalloc

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privlint.lint.registry import all_rules

from . import tools
from .conftest import ROOT

SALE = ROOT / "tests/rules/PL301_sale-claim-conflict/fail.yaml"  # PL301 at lines 28 (web->ga) and 32
VENDORED_SCHEMA = ROOT / "tests/data/sarif-schema-2.1.0.json"
SHARED_SCHEMA = ROOT.parent / "shared/schemas/sarif-schema-2.1.0.json"
AS_OF = ("--as-of", "2026-11-01")
SUPPRESSION = "  # privlint: ignore[PL301] reason: GA runs under service-provider terms since 2024-05-01\n"


def _sarif_schema():
    return json.loads((SHARED_SCHEMA if SHARED_SCHEMA.exists() else VENDORED_SCHEMA).read_text())


@pytest.fixture
def project(tmp_path):
    """A git work tree with a subdirectory inventory: one PL301 suppressed inline, one not."""
    (tmp_path / ".git").mkdir()
    inventories = tmp_path / "inventories"
    inventories.mkdir()
    lines = SALE.read_text().splitlines(keepends=True)
    lines.insert(27, SUPPRESSION)  # above `- from: web` / `to: ga`
    (inventories / "shop.yaml").write_text("".join(lines))
    return tmp_path


def sarif(cli, *args, cwd):
    result = cli("check", "--format", "sarif", *AS_OF, *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(result.stdout)


# -- SARIF -------------------------------------------------------------------------------

def test_vendored_sarif_schema_is_the_shared_one():
    if not SHARED_SCHEMA.exists():
        pytest.skip("../shared/schemas is not beside this checkout")
    assert VENDORED_SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


@pytest.mark.parametrize("inventory", ["inventories/calisone", "inventories/reference", str(SALE)])
def test_sarif_is_valid_against_the_official_schema(cli, inventory):
    _, log = sarif(cli, inventory, cwd=ROOT)
    jsonschema.Draft7Validator(_sarif_schema()).validate(log)


def test_sarif_follows_github_code_scanning_rules(cli, project):
    result, log = sarif(cli, "inventories/shop.yaml", cwd=project)
    assert result.returncode == 1
    jsonschema.Draft7Validator(_sarif_schema()).validate(log)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("privlint", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.id for rule in all_rules()]  # all rules, not only those hit
    anchors = set(re.findall(r"^## (PL\d{3}) ([a-z-]+)$", (ROOT / "docs/rules.md").read_text(), flags=re.M))
    for rule, descriptor in zip(all_rules(), rules):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] and "**" not in descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == rule.docs and descriptor["help"]["text"]
        anchor = descriptor["helpUri"].split("#")[1]
        assert descriptor["helpUri"].startswith("https://github.com/privlint/privlint/blob/main/docs/rules.md#")
        assert anchor == f"{rule.id.lower()}-{rule.name}" and (rule.id, rule.name) in anchors
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity]
        assert descriptor["defaultConfiguration"]["level"] == level
        assert float(descriptor["properties"]["security-severity"]) > 0
        assert "privacy" in descriptor["properties"]["tags"]
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("PL301", 29), ("PL301", 33)]
    for result_ in results:
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
        assert result_["level"] == "error" and result_["message"]["text"]
        location = result_["locations"][0]["physicalLocation"]
        # relative to the repository root, no "./", with %SRCROOT%
        assert location["artifactLocation"] == {"uri": "inventories/shop.yaml", "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert re.fullmatch(r"[0-9a-f]{16}", result_["partialFingerprints"]["privlint/v1"])
    suppressed, active = results
    assert suppressed["suppressions"] == [{
        "kind": "inSource", "status": "accepted",
        "justification": "GA runs under service-provider terms since 2024-05-01"}]
    assert "suppressions" not in active


def test_sarif_uris_are_relative_to_the_repository_root_from_a_subdirectory(cli, project):
    _, log = sarif(cli, "shop.yaml", cwd=project / "inventories")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"inventories/shop.yaml"}


def test_sarif_baseline_findings_are_external_suppressions(cli, project):
    assert cli("check", "--write-baseline", "baseline.json", "inventories", cwd=project).returncode == 0
    _, log = sarif(cli, "--baseline", "baseline.json", "inventories", cwd=project)
    kinds = [r["suppressions"][0]["kind"] for r in log["runs"][0]["results"]]
    assert kinds == ["inSource", "external"]
    assert log["runs"][0]["results"][1]["suppressions"][0]["justification"] == "baseline"


def test_sarif_is_deterministic_and_written_with_output(cli, project, tmp_path):
    first = cli("check", "--format", "sarif", *AS_OF, "inventories", cwd=project).stdout
    second = cli("check", "--format", "sarif", *AS_OF, "inventories", cwd=project).stdout
    assert first == second
    result = cli("check", "--format", "sarif", *AS_OF, "--output", "out.sarif", "inventories", cwd=project)
    assert result.returncode == 1 and result.stdout == ""
    assert (project / "out.sarif").read_text() == first
    assert str(project) not in first  # no absolute paths: same bytes on any machine


def test_sarif_results_are_written_without_the_encoder_per_result(monkeypatch, tmp_path):
    """Each result is written from a template (1.2 million results: 15 s of CPU encoding
    their dicts; 5 s from the template), byte for byte what json's compact encoder writes of
    it: a suppressed result, control characters, quotes and non-ASCII text included."""
    from privlint.lint import engine, sarif

    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        'privlint: 1\norganization: {name: X}\npolicy: {recipients: ["Z\\u2028\\"é"], sells_personal_data: false}\n'
        'systems:\n  - {id: s, collects: [{data_categories: [user.name]}]}\n'
        "  # privlint: ignore[PL005] reason: a \"quoted\" <reason>\n  - {id: t}\n"
        'recipients:\n  - {id: r, name: "R\\x1b\\t☃", role: third_party, category: advertising}\nflows:\n'
        + "  - {from: s, to: r, data_categories: [user.name], purposes: [marketing.advertising]}\n" * 40
    )
    context = engine.load_context("inventory.yaml", [inventory], dt.date(2026, 11, 1))
    findings = engine.in_report_order(engine.run(context))
    calls = [0]
    compact = sarif._compact
    monkeypatch.setattr(sarif, "_compact", lambda value: calls.__setitem__(0, calls[0] + 1) or compact(value))
    lines = "".join(sarif.sarif_chunks(findings)).split("\n")
    results = [line.strip().rstrip(",") for line in lines if line.startswith('        {"ruleId":')]
    assert len(results) == len(findings) > 120
    assert calls[0] <= 2  # the file's location, the suppressed finding's suppression
    for line in results:
        assert compact(json.loads(line)) == line
    assert any('"suppressions":[{"kind":"inSource"' in line for line in results)
    assert any("\\u001b\\t☃" in line for line in results) and any('\u2028\\"é' in line for line in results)


# -- JUnit -------------------------------------------------------------------------------

def test_junit_one_suite_per_inventory_one_case_per_rule(cli, project):
    junitparser = pytest.importorskip("junitparser")
    shutil.copytree(ROOT / "inventories/reference", project / "clean")
    result = cli("check", "--format", "junit", *AS_OF, "--output", "report.xml", "inventories", "clean", cwd=project)
    assert result.returncode == 1 and result.stdout == ""
    xml = junitparser.JUnitXml.fromfile(str(project / "report.xml"))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"inventories", "clean"}
    rules = all_rules()
    for name, suite in suites.items():
        cases = list(suite)
        assert [case.name for case in cases] == [f"{rule.id} {rule.name}" for rule in rules]
        assert {case.classname for case in cases} == {name}
        assert suite.tests == len(rules) and suite.errors == 0 and suite.skipped == 0
    assert suites["clean"].failures == 0
    assert suites["inventories"].failures == 1  # PL301: one finding failing, one suppressed
    [failed] = [case for case in suites["inventories"] if not case.is_passed]
    assert failed.name == "PL301 sale-claim-conflict"
    [failure] = failed.result
    assert failure.type == "error" and failure.message.startswith("1 error: ")
    assert failure.text.startswith("inventories/shop.yaml:33:5: PL301 [error] ")
    assert "flow:web->partner" in failure.text and "flow:web->ga" not in failure.text
    assert "suppressed (GA runs under service-provider terms" in failed.system_out
    assert xml.tests == 2 * len(rules) and xml.failures == 1


def test_junit_skips_model_rules_when_the_inventory_does_not_load(cli, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: [x\n")
    result = cli("check", "--format", "junit", "--select", "PL000,PL101", cwd=tmp_path)
    assert result.returncode == 1
    [suite] = junitparser.JUnitXml.fromstring(result.stdout)
    outcomes = {case.name: type(case.result[0]).__name__ if case.result else "Passed" for case in suite}
    assert outcomes == {  # PL000 and PL001 are checked whatever is selected
        "PL000 invalid-yaml": "Failure", "PL001 schema-violation": "Passed", "PL101 undisclosed-recipient": "Skipped"}
    assert (suite.tests, suite.failures, suite.skipped) == (3, 1, 1)


# -- GitHub annotations ------------------------------------------------------------------

def test_github_annotations_one_per_unsuppressed_finding(cli, project):
    result = cli("check", "--format", "github", *AS_OF, "inventories", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    prefix = "::error file=inventories/shop.yaml,line=33,col=5,title=PL301 sale-claim-conflict::"
    assert lines[0].startswith(prefix + "the policy says personal data is not sold")
    assert lines[0].endswith("(flow:web->partner)")
    assert lines[1] == "Found 1 error (1 inventory checked, 1 suppressed)."


def test_github_annotation_escaping_and_levels():
    from privlint.lint.annotations import annotation, escape_data, escape_property
    from privlint.lint.engine import Finding

    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    finding = Finding("PL104", "stale-disclosure", "info", "names 'X, Inc.'\nnowhere 5%", "dir,x/a:b.yaml", 3, 7,
                      "policy.recipients")
    assert annotation(finding) == (
        "::notice file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=PL104 stale-disclosure::"
        "names 'X, Inc.'%0Anowhere 5%25 (policy.recipients)"
    )
    warning = Finding("PL103", "undisclosed-purpose", "warning", "m", "a.yaml", 1, 1, "flow:a->b")
    assert annotation(warning).startswith("::warning file=a.yaml,")


def test_github_annotations_escape_each_file_and_title_once():
    """A run names a few files and rules: escaping them for every annotation was half the
    time of the report (632,000 findings: 3.5 s of CPU; 1.9 s). Measured by behaviour, not by
    counting a helper: a file and a title that cost work to escape (control characters, each
    written as an escape) may add work per distinct name, not per annotation."""
    from privlint.lint import annotations
    from privlint.lint.engine import Finding

    def report(mark):
        findings = [Finding("PL103", f"undisclosed-purpose{mark}", "warning", f"m{number}", f"a{number % 2}{mark}.yaml",
                            number, 1, f"flow:a->b#{number}") for number in range(1, 2001)]
        return lambda: list(annotations.github_report(findings, 1))

    heavy = "\x1b" * 10
    plain, marked = tools.python_calls(report("")), tools.python_calls(report(heavy))
    # about 30 more (3 names x 10 escapes); escaping the file or title per annotation: 20,000
    assert marked - plain < 2000, (plain, marked)
    lines, escaped = report(heavy)(), "\\x1b" * 10
    assert len(lines) == 2001 and lines[1999] == (f"::warning file=a1{escaped}.yaml,line=1999,col=1,"
                                                  f"title=PL103 undisclosed-purpose{escaped}::m1999 (flow:a->b#1999)\n")
    assert report("")()[999] == "::warning file=a0.yaml,line=2000,col=1,title=PL103 undisclosed-purpose::m2000 (flow:a->b#2000)\n"


# -- JSON --------------------------------------------------------------------------------

def test_json_marks_only_suppressed_findings(cli, project):
    report = json.loads(cli("check", "--format", "json", *AS_OF, "inventories", cwd=project).stdout)
    suppressed, active = report["findings"]
    assert suppressed["suppressed"] == {"reason": "GA runs under service-provider terms since 2024-05-01"}
    assert list(suppressed)[-1] == "suppressed"
    assert list(active) == ["rule", "name", "severity", "message", "path", "line", "column", "entity", "fingerprint"]
    assert report["summary"] == {"error": 1, "warning": 0, "info": 0}


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_TEXT, _TEXT, _TEXT, _TEXT, st.integers(0, 10**6), st.integers(0, 10**6), st.none() | _TEXT.filter(bool))
def test_json_findings_are_written_from_a_template_as_json_dumps_writes(message, path, entity, name, line, column, reason):
    """A finding of the JSON report is written from a template (7.5 µs a finding as a dict
    laid out member by member; 1.2 million findings: 9.3 s of CPU, 3.7 s from the
    template), byte for byte json.dumps(indent=2) of its dict at its depth."""
    from privlint.lint import report
    from privlint.lint.engine import Finding

    finding = Finding("PL101", name, "warning", message, path, line, column, entity, reason)
    assert report._json_finding(finding) == report.indented_json(report.as_dict(finding), 2)


def test_the_json_report_lays_out_only_suppressions_member_by_member(monkeypatch, project):
    from privlint.lint import engine, report

    context = engine.load_context("shop", [project / "inventories/shop.yaml"], dt.date(2026, 11, 1))
    findings = engine.run(context) * 100
    calls = [0]
    indented = report.indented_json
    monkeypatch.setattr(report, "indented_json", lambda *args: calls.__setitem__(0, calls[0] + 1) or indented(*args))
    document = json.loads("".join(report.json_chunks(findings)))
    # at most one per suppressed finding (its reason), none per active one: a bound, so that
    # writing suppressions from a template too (no call) still passes; laid out per finding: 200
    assert len(document["findings"]) == 200 and calls[0] <= 100

@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github"])
def test_every_format_writes_to_output_exactly_what_it_prints(cli, project, output_format):
    printed = cli("check", "--format", output_format, *AS_OF, "inventories", cwd=project)
    written = cli("check", "--format", output_format, *AS_OF, "--output", "report.out", "inventories", cwd=project)
    assert printed.returncode == written.returncode == 1
    assert written.stdout == "" and (project / "report.out").read_text() == printed.stdout


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.dictionaries(st.text(max_size=5).filter(lambda key: key != "results"), _JSON, max_size=3),
       st.lists(_JSON, max_size=4), st.booleans())
def test_streamed_json_is_exactly_what_json_dumps_writes(head, items, nested):
    """JSON and SARIF reports are written an item at a time (a report of 700,000 findings
    would otherwise hold several copies in memory), byte for byte json.dumps(indent=2)."""
    from privlint.lint.report import streamed_json

    def document(results):
        run = {**head, "results": results}
        return {"version": 1, "runs": [run]} if nested else run

    streamed = "".join(streamed_json(document([]), iter(items), depth=4 if nested else 2))
    assert streamed == json.dumps(document(items), indent=2, ensure_ascii=False) + "\n"
    compact = "".join(streamed_json(document([]), iter(items), depth=4 if nested else 2, render=json.dumps))
    assert json.loads(compact) == json.loads(streamed)  # SARIF: one compact result per line


# -- large reports -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def long_findings(tmp_path_factory):
    """An inventory with five findings of ~700 characters per flow (their messages name a
    recipient of 9,000 characters, cut to the message limit), and too many flows to draw: the
    findings are most of any report of it."""
    from privlint.lint import engine
    from privlint.lint.html import MAX_DRAWN

    inventory = tmp_path_factory.mktemp("long-findings") / "inventory.yaml"
    inventory.write_text(
        "privlint: 1\norganization: {name: X}\n"
        "policy: {recipients: [Z], data_categories: [user.name], purposes: [essential], "
        "sells_personal_data: false, shares_personal_data: false, transfer_mechanisms: [scc]}\n"
        "systems:\n  - id: s\n    collects: [{data_categories: [user], origins: [EEA, UK, CH], subjects: [employee]}]\n"
        f"recipients:\n  - {{id: r, name: {'N' * 9_000}}}\nflows:\n"
        + "  - {from: s, to: r, data_categories: [user], purposes: [marketing.advertising.third_party], consideration: true}\n"
        * MAX_DRAWN
    )
    context = engine.load_context("inventory.yaml", [inventory], dt.date(2026, 11, 1))
    return context, engine.in_report_order(engine.run(context))


@pytest.mark.parametrize("output_format", ["text", "junit", "github", "html"])
def test_reports_are_rendered_a_piece_at_a_time(long_findings, output_format):
    """A report is written as it is made: rendering holds a small part of it at any time, not
    the page, the XML tree or the text report (450,000 findings of 1,000 characters made
    `--format html` 3 GB, junit and github 2.4 GB, three times what the findings take).
    JSON and SARIF: test_streamed_json_is_exactly_what_json_dumps_writes."""
    from privlint.lint import engine, report
    from privlint.lint.annotations import github_report
    from privlint.lint.html import html_report
    from privlint.lint.junit import junit_report
    from privlint.lint.registry import all_rules

    context, findings = long_findings
    renderers = {
        "text": lambda: report.text_chunks(findings, 1),
        "junit": lambda: junit_report(findings, [engine.Checked.of(context)], all_rules()),
        "github": lambda: github_report(findings, 1),
        "html": lambda: html_report(findings, [context], dt.date(2026, 11, 1)),
    }
    tracemalloc.start()
    try:
        written = sum(len(chunk) for chunk in renderers[output_format]())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(findings) > 20_000 and written > 15_000_000
    # Sorting the findings again takes a key per finding: a tenth of their report here.
    assert peak < written / 5, (peak, written)


def test_junit_is_what_elementtree_writes_for_hostile_text(tmp_path, cli):
    """The JUnit report is serialized a finding at a time; its bytes are ElementTree's for the
    same tree, and characters XML 1.0 cannot carry are replaced."""
    import xml.etree.ElementTree as ET

    (tmp_path / "inventory.yaml").write_text(
        'privlint: 1\norganization: {name: "A & B"}\n'
        "policy: {recipients: [Z], sells_personal_data: false, shares_personal_data: false}\n"
        'systems:\n  - {id: s1, name: "tab\\there \\x01\\x0b\\x1f <&> \\"q\\" \\u2028 \\ufffe", '
        "collects: [{data_categories: [user.name], origins: [EEA]}]}\n"
        'recipients:\n  - {id: r1, name: "R\\x07 & <b>\\u0085 \\"q\\" ]]>", country: US, category: advertising, role: third_party}\n'
        "flows:\n"
        "  # privlint: ignore[PL302] reason: a <reason> & \"quoted\" ]]>\n"
        "  - {from: s1, to: r1, data_categories: [user.name], purposes: [marketing.advertising.third_party], transfer_basis: dpf}\n"
    )
    result = cli("check", "--format", "junit", *AS_OF, "inventory.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    tree = ET.fromstring(result.stdout.encode())
    ET.indent(tree)
    assert result.stdout == '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="unicode") + "\n"
    assert "R\ufffd &amp; &lt;b&gt;\x85" in result.stdout and "<system-out>suppressed (a &lt;reason&gt;" in result.stdout


@pytest.mark.parametrize("value", [
    "a", "\u2028\"\\\x00é☃", None, True, False, 0, -5, 10**100, 1.5, float("nan"), float("-inf"), -0.0, [], {},
    {"a": [1, None, {"b": [True, "x", 2.5]}], "c": {}, "d": []}, [[], [{}], [1, [2, [3]]]],
])
def test_reports_write_json_as_json_dumps_does(value):
    """Reports write JSON with their own indenting writer (json's, with an indent, leaves a
    reference cycle per call); its fast paths for strings, null, booleans and integers
    write what json.dumps writes."""
    from privlint.lint.report import indented_json

    for depth in range(3):
        assert indented_json(value, depth) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def test_a_map_is_written_as_json_without_the_encoder_per_value(monkeypatch):
    """600,000 nodes: 10 million values, half the time spent in json's encoder dispatching
    on each value's type (8.6 s; 4.8 s without it)."""
    import datetime as dt

    from privlint.lint import engine, render, report

    calls = [0]
    encode = report._encode
    monkeypatch.setattr(report, "_encode", lambda value: calls.__setitem__(0, calls[0] + 1) or encode(value))
    path = ROOT / "inventories/calisone/inventory.yaml"
    context = engine.load_context(str(path), [path], dt.date(2026, 11, 1))
    text = "".join(render.json_map(render.view(context, engine.run(context))))
    def scalars(value):
        if isinstance(value, dict):
            return sum(scalars(item) for item in value.values())
        if isinstance(value, list):
            return sum(scalars(item) for item in value)
        return 1

    written = scalars(json.loads(text))
    assert written > 100 and calls[0] <= written // 5  # empty lists and mappings only
