"""Property-based fuzzing of the loader and the whole pipeline (hypothesis).

CI runs a small, derandomized number of examples per property (the whole module stays well
under a minute). A long, randomized run:

    PRIVLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/fuzz -q --hypothesis-show-statistics

Properties: the loader turns any text into data or a positioned YamlError; its positions
match ruamel's own node marks; the fast schema check agrees with jsonschema; the pipeline
never raises on random valid-shaped inventories or on mutated example inventories (byte
flips, truncation, deleted and duplicated lines, swapped value types), every finding is
positioned inside its file, output is the same twice; and the optimised data map equals
the original propagation algorithm.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from privlint.lint import engine, loader, report, schema
from privlint.lint.graph import DataMap
from privlint.lint.sarif import sarif_report

from . import reference
from .strategies import inventories, plain_data, render, yaml_soup

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 1)
LONG = int(os.environ.get("PRIVLINT_FUZZ_EXAMPLES", "0") or 0)


def fuzz(ci_examples: int):
    """CI: `ci_examples`, derandomized (stable). Long run: PRIVLINT_FUZZ_EXAMPLES, random."""
    return settings(
        max_examples=LONG or ci_examples,
        derandomize=not LONG,
        deadline=None,
        database=None if not LONG else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def check(texts: dict[str, bytes]):
    """Findings for an inventory of in-memory files, as the CLI computes them."""
    files = [Path(name) for name in texts]
    context = engine.load_context("fuzz", files, AS_OF, reader=lambda path: texts[path.name])
    return context, engine.run(context)


def assert_well_formed(texts: dict[str, bytes], findings) -> None:
    lines = {name: max(1, raw.count(b"\n") + raw.count(b"\r") + 1) for name, raw in texts.items()}
    for finding in findings:
        assert finding.path in lines, finding
        assert 1 <= finding.line <= lines[finding.path] + 1, finding
        assert finding.column >= 1, finding
        assert finding.message and "\n" not in finding.message, finding
    for rendered in (report.text(findings, 1), report.json_report(findings), sarif_report(findings)):
        assert isinstance(rendered, str)
    json.loads(report.json_report(findings))


# -- the loader ----------------------------------------------------------------------------


@fuzz(300)
@given(st.one_of(yaml_soup, st.text(max_size=80)))
def test_loader_turns_any_text_into_data_or_a_positioned_error(text):
    try:
        document = loader.load("x.yaml", text)
    except loader.YamlError as error:
        assert error.line >= 1 and error.column >= 1 and error.message
        return
    document.position(())
    for path in list(document.positions)[:50]:
        assert document.position(path) >= (1, 1)
        document.key_position(path)


@fuzz(200)
@given(st.binary(max_size=200))
def test_decode_accepts_utf8_or_gives_a_positioned_error(raw):
    try:
        text = loader.decode(raw)
    except loader.YamlError as error:
        assert error.line >= 1 and error.column >= 1
        return
    try:
        loader.load("x.yaml", text)
    except loader.YamlError as error:
        assert error.line >= 1 and error.column >= 1


@fuzz(300)
@given(st.one_of(yaml_soup, st.text(max_size=80)), st.booleans())
@example(".nan", False)  # a long run's find: NaN is not equal to itself, so data is compared by repr
def test_loader_reads_raw_bytes_as_it_reads_their_text(text, bom):
    """The check path parses a file's bytes (one copy in memory): the same data, positions,
    suppression lines and errors as parsing its decoded text. Data is compared by its repr,
    which tells 1 from 1.0 and True and holds for NaN, where == does neither."""
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    outcomes = []
    for source in (raw, lambda: loader.decode(raw)):
        try:
            document = loader.load("x.yaml", source if isinstance(source, bytes) else source())
        except loader.YamlError as error:
            outcomes.append(("error", error.message, error.line, error.column))
            continue
        outcomes.append((repr(document.data), document.positions, document.key_positions, document.marked))
    assert outcomes[0] == outcomes[1], text


@fuzz(200)
@given(plain_data.filter(lambda data: isinstance(data, (dict, list))), st.sampled_from(["block", "flow", "json"]))
def test_loader_values_and_positions_match_ruamel(data, style):
    text = render(data, style)
    document = loader.load("x.yaml", text)
    assert document.data == data
    values, keys = reference.positions(text)
    for path, position in values.items():
        assert document.position(path) == position, (path, text)
    for path, position in keys.items():
        assert document.key_position(path) == position, (path, text)
    lines = dict(enumerate(text.splitlines(), start=1))
    assert document.marked == {number: line for number, line in lines.items() if "privlint:" in line}


# -- the schema ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.sampled_from(
        ["", "x", "US", "NO", "EEA", "scc", "user.name", "P1Y", "2024-01-01", "web"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(
        st.sampled_from(["id", "name", "from", "to", "EEA", "XX", "data_categories", "dpf", "eu"]), children,
        max_size=3)),
    max_leaves=8,
)


def _replace_somewhere(data, path: list[int], value):
    """Put `value` at a place in `data` chosen by the integers of `path`."""
    node = data
    for step in path:
        if isinstance(node, dict):
            children = list(node.items())
        else:
            children = list(enumerate(node)) if isinstance(node, list) else []
        if not children:
            break
        key, child = children[step % len(children)]
        if not isinstance(child, (dict, list)) or step % 3 == 0:
            node[key] = value
            return data
        node = child
    if isinstance(node, dict):
        node["extra"] = value
    elif isinstance(node, list):
        node.append(value)
    return data


@fuzz(300)
@given(inventories(), st.lists(st.integers(0, 50), max_size=5), JSON_VALUES, st.booleans())
def test_fast_schema_check_agrees_with_jsonschema(inventory, path, value, fragment):
    data = _replace_somewhere(inventory, path, value) if path else inventory
    assert schema._fast_check(fragment)(data) == schema._validator(fragment).is_valid(data)


# -- the pipeline --------------------------------------------------------------------------


@fuzz(120)
@given(inventories(), st.sampled_from(["block", "json"]))
def test_pipeline_on_random_inventories(inventory, style):
    texts = {"inventory.yaml": render(inventory, style).encode()}
    context, findings = check(texts)
    assert_well_formed(texts, findings)
    assert check(texts)[1] == findings  # the same twice
    if context.valid:
        data_map = context.data_map
        held, carried = reference.propagate(data_map)
        for node in data_map.graph.nodes:
            expected = held.get(node, {})
            assert list(data_map.held(node)) == list(expected)
            assert {k: set(v) for k, v in data_map.held(node).items()} == {k: set(v) for k, v in expected.items()}
        for flow in data_map.flows:
            assert list(data_map.carried(flow)) == list(carried[id(flow)])
            assert {k: set(v) for k, v in data_map.carried(flow).items()} == carried[id(flow)]
        for node in data_map.graph.nodes:
            assert data_map.path_to(node) == reference.path_to(data_map, node)


@fuzz(60)
@given(st.lists(inventories(max_nodes=4, max_flows=5), min_size=2, max_size=3))
def test_pipeline_on_directory_inventories(parts):
    texts = {}
    for index, part in enumerate(parts):
        if index:
            part.pop("privlint")
            part.pop("organization")
            part.pop("policy", None)
        texts[f"part{index}.yaml"] = render(part, "block").encode()
    context, findings = check(texts)
    assert_well_formed(texts, findings)
    assert check(texts)[1] == findings


EXAMPLES = sorted((ROOT / "inventories").glob("*/inventory.yaml")) + sorted(
    (ROOT / "tests" / "rules").glob("PL*/fail*.yaml")
)


def _mutate(raw: bytes, kind: str, where: int, what: int) -> bytes:
    lines = raw.split(b"\n")
    line = where % max(1, len(lines))
    if kind == "flip":
        position = where % max(1, len(raw))
        return raw[:position] + bytes([raw[position] ^ (1 << (what % 8))]) + raw[position + 1:] if raw else raw
    if kind == "truncate":
        return raw[: where % (len(raw) + 1)]
    if kind == "delete-line":
        return b"\n".join(lines[:line] + lines[line + 1:])
    if kind == "duplicate-line":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if kind == "indent":
        return b"\n".join(lines[:line] + [b" " * (what % 5) + lines[line]] + lines[line + 1:])
    replacement = [b"[]", b"{}", b"1", b"~", b"NO", b"true", b"[a, b]", b"{x: 1}", b"'\xc3'", b"*x", b"&x y"][what % 11]
    swapped = re.sub(rb":( ).*$", b": " + replacement, lines[line], count=1)
    return b"\n".join(lines[:line] + [swapped] + lines[line + 1:])


MUTATIONS = ["flip", "truncate", "delete-line", "duplicate-line", "indent", "swap-value"]


@fuzz(150)
@given(
    st.sampled_from(EXAMPLES),
    st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_pipeline_on_mutated_example_inventories(example, mutations):
    raw = example.read_bytes()
    for kind, where, what in mutations:
        raw = _mutate(raw, kind, where, what)
    texts = {"inventory.yaml": raw}
    _, findings = check(texts)
    assert_well_formed(texts, findings)


def test_examples_exist():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", EXAMPLES[:6], ids=lambda path: path.parent.name)
def test_data_map_matches_the_reference_on_examples(example):
    texts = {"inventory.yaml": example.read_bytes()}
    context, _ = check(texts)
    assert context.valid
    data_map = DataMap(context.inventory)
    held, carried = reference.propagate(data_map)
    for flow in data_map.flows:
        assert {k: set(v) for k, v in data_map.carried(flow).items()} == carried[id(flow)]


@fuzz(80)
@given(inventories())
def test_findings_do_not_depend_on_the_yaml_style(inventory):
    """The same data written in block style, flow style or as JSON gives the same findings
    (rule, entity, message); only positions may differ, in messages too."""
    results = set()
    for style in ("block", "flow", "json"):
        _, findings = check({"inventory.yaml": render(inventory, style).encode()})
        results.add(tuple(sorted((f.rule, f.entity, _POSITIONS.sub("#", f.message)) for f in findings)))
    assert len(results) == 1


_POSITIONS = re.compile(r"(?<=\.yaml:)\d+|(?<=line )\d+")  # where a message cites a line
_ROUTES = re.compile(r"\([^()]* -> [^()]*\)")  # where a message cites a route: (web -> crm -> ads)


def _unique_ids_and_pairs(inventory) -> bool:
    ids = [node["id"] for node in inventory["systems"] + inventory["recipients"]]
    pairs = [(flow["from"], flow["to"]) for flow in inventory["flows"]]
    return len(ids) == len(set(ids)) and len(pairs) == len(set(pairs))


@fuzz(60)
@given(inventories().filter(_unique_ids_and_pairs), st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_declaration_order(inventory, shuffler):
    """Reordering systems, recipients and flows (ids and pairs unique, so no entity depends on
    order) changes no finding: propagation reaches the same fixpoint whatever the order. Only
    which of several equally short routes a message cites may change (the first collecting
    system in declaration order is the documented tie-break)."""
    def findings():
        _, found = check({"inventory.yaml": render(inventory, "json").encode()})
        return sorted((f.rule, f.entity, _ROUTES.sub("(route)", _POSITIONS.sub("#", f.message))) for f in found)

    before = findings()
    for section in ("systems", "recipients", "flows"):
        shuffler.shuffle(inventory[section])
    assert findings() == before


@fuzz(300)
@given(st.lists(st.sampled_from(["privlint:", "# ", "x", "\n", "\r", "\r\n", "\x0c", "\x85", "\u2028"]), max_size=40).map("".join))
def test_marked_lines_are_the_lines_splitlines_gives(text):
    """Suppression comments are found without keeping the text: by the same line numbers and
    line texts as str.splitlines(), whatever the line breaks."""
    lines = dict(enumerate(text.splitlines(), start=1))
    assert loader.marked_lines(text, "privlint:") == {
        number: line for number, line in lines.items() if "privlint:" in line
    }
