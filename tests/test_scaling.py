"""No step may do work proportional to flows x flows (or nodes x sources): counted, not timed,
so these hold on any machine. Each test counts the calls of the step's inner operation on a
generated inventory and on one four times its size; the count may grow about four times."""

import datetime as dt
import itertools
import sys

import networkx as nx
import pytest

from privlint.lint import engine, graph, model, propagation

from .conftest import ROOT
from .countries import outside_the_legal_areas
from .tools import python_calls as _python_calls

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

AS_OF = dt.date(2026, 11, 1)


def _context(tmp_path, nodes, flows, break_flows=False):
    text = generate.generate(nodes, flows, seed=5)
    if break_flows:  # every flow invalid: PL001 reports each one
        text = text.replace("    data_categories: [", "    data_category: [")
    path = tmp_path / f"inventory-{nodes}-{flows}.yaml"
    path.write_text(text)
    return engine.load_context(str(path), [path], AS_OF)


def _zig_zag(size: int) -> list[int]:
    """0, size-1, 1, size-2, ...: a path that runs against the order 0, 1, 2, ... at every hop."""
    zigzag, low, high = [], 0, size - 1
    while low <= high:
        zigzag.append(low)
        low += 1
        if low <= high:
            zigzag.append(high)
            high -= 1
    return zigzag


def _count(monkeypatch, owner, name):
    calls = [0]
    original = getattr(owner, name)

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "every-flow-invalid"])
def test_whole_check_work_grows_linearly(tmp_path, broken):
    """Loading, validating, the map, every rule and the report: four times the inventory may
    cost at most 4.4 times the work. (An inventory whose 20,000 flows were all invalid once
    took eight minutes: PL001 scanned every flow to name the flow of each problem.)"""
    from privlint.lint import report

    def check(nodes, flows):
        def run():
            context = _context(tmp_path, nodes, flows, break_flows=broken)
            report.text(engine.run(context), 1)

        return run

    check(20, 100)()  # warm up: reference data, taxonomy and schema are loaded once
    small, large = _python_calls(check(60, 500)), _python_calls(check(240, 2000))
    assert large <= 4.4 * small, (small, large, large / small)


def test_propagation_recomputes_each_flow_a_bounded_number_of_times(tmp_path, monkeypatch):
    counts = []
    for factor in (1, 4):
        context = _context(tmp_path, 60 * factor, 600 * factor)
        inventory = context.inventory
        calls = _count(monkeypatch, propagation.Propagation, "_carry")
        graph.DataMap(inventory)
        monkeypatch.undo()
        counts.append(calls[0] / len(inventory.flows))
    assert counts[1] <= 6  # recomputations per flow stay small as the map grows


def test_routes_choose_each_step_back_once_for_all_recipients(tmp_path, monkeypatch):
    context = _context(tmp_path, 80, 800)
    data_map = context.data_map
    searches = _count(monkeypatch, nx, "shortest_path")
    for recipient_id in data_map.recipients_reached:
        data_map.path_to(recipient_id)
    assert searches[0] == 0  # no search per recipient: a star of 30,000 recipients was quadratic
    assert len(data_map._steps) <= data_map.graph.number_of_nodes()  # each node's step chosen once


def test_suppressions_look_up_no_entity_lines_without_comments(tmp_path, monkeypatch):
    """Every inventory's first line ('privlint: 1') is a candidate suppression line; only real
    suppression comments make the check look up where entities start."""
    from privlint.lint import suppressions

    context = _context(tmp_path, 250, 2_500)
    context.inventory, context.data_map  # noqa: B018 - built before counting
    calls = _count(monkeypatch, model.Location, "position")
    assert suppressions.apply(context, []) == ([], [])
    assert calls[0] == 0


def test_transfers_are_found_once_and_released_when_their_rules_are_done(tmp_path, monkeypatch):
    """PL201, PL202 and PL205 share one list of transfers; the PL3xx rules after them reuse
    its memory (1.8 MB at 20,000 flows) instead of adding to the check's peak."""
    from privlint.lint import transfers

    context = _context(tmp_path, 250, 2_500)
    finds = _count(monkeypatch, transfers, "_find_transfers")
    findings = engine.run(context)
    assert {"PL201", "PL202"} <= {finding.rule for finding in findings}
    assert finds[0] == 1
    transfers.transfers(context.data_map, context.as_of)
    assert finds[0] == 2  # released: asked again, found again


def test_flows_leaving_a_cycle_are_computed_once_it_has_settled(tmp_path, monkeypatch):
    """Data goes round a ring of systems before the ring is settled; the flows out of the ring
    are computed once, after that, not each time the ring's data grows (20,000 flows: 55,000
    flow computations before, 34,000 after). What the ring's nodes are given before the sweeps
    (_share_around_cycles) would settle it at once: left out here, so the data goes round."""
    ring = ["a", "b", "c", "d"]
    categories = ["user.contact.email", "user.contact.phone_number", "user.name", "user.location"]
    systems = "".join(
        f"  - id: {node}\n    collects: [{{data_categories: [{category}], origins: [EEA]}}]\n"
        for node, category in zip(ring, categories)
    ) + "  - id: warehouse\n"
    ring_flows = [(source, ring[(index + 1) % len(ring)]) for index, source in enumerate(ring)]
    leaving = [(source, "warehouse") for source in ring] + [("warehouse", "ads")]
    flows = "".join(
        f"  - {{from: {source}, to: {target}, data_categories: [user]}}\n" for source, target in ring_flows + leaving
    )
    text = (
        "privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems
        + "recipients:\n  - {id: ads, name: Ads, country: DE}\nflows:\n" + flows
    )
    path = tmp_path / "ring.yaml"
    path.write_text(text)
    context = engine.load_context(str(path), [path], AS_OF)
    computed: dict[str, int] = {}
    original = propagation.Propagation._carry

    def counting(self, flow, keys):
        computed[flow.entity] = computed.get(flow.entity, 0) + 1
        return original(self, flow, keys)

    monkeypatch.setattr(propagation.Propagation, "_carry", counting)
    monkeypatch.setattr(propagation.Propagation, "_share_around_cycles", lambda self, rank, out: [])
    data_map = graph.DataMap(context.inventory)
    assert {computed[f"flow:{source}->{target}"] for source, target in leaving} == {1}
    assert max(computed[f"flow:{source}->{target}"] for source, target in ring_flows) > 1  # the ring went round
    assert set(data_map.held("warehouse")) == {"user", *categories}


def test_a_category_listed_many_times_is_compared_with_the_denials_once(tmp_path, monkeypatch):
    """PL105 compared every listed category with every denied one: a list repeating `user`
    2,000,000 times against 85 denials took 34 s."""
    from privlint.lint import taxonomy
    from privlint.rules import pl105_contradicted_non_collection as pl105

    listed = ", ".join(["user.contact.email"] * 10_000)
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        "policy: {not_collected: [user.contact, user.name, user.location, user.financial, user.device]}\n"
        f"systems:\n  - {{id: a, collects: [{{data_categories: [{listed}]}}]}}\n"
    )
    context = engine.load_context(str(path), [path], AS_OF)
    comparisons = _count(monkeypatch, taxonomy, "covers")
    findings = list(pl105.check(context))
    assert [violation.entity for violation in findings] == ["system:a"]
    assert comparisons[0] < 100


def test_schema_problems_are_explained_up_to_a_limit_per_inventory_not_per_file(tmp_path):
    """A directory of files full of invalid items: the first 1,000 problems of the whole
    inventory are explained; the files after that get one problem each."""
    from privlint.lint import schema

    (tmp_path / "main.yaml").write_text("privlint: 1\norganization: {name: Acme}\n")
    for index in range(4):
        (tmp_path / f"part{index}.yaml").write_text("systems: [" + ",".join(["{}"] * 600) + "]\n")
    files = sorted(tmp_path.iterdir())
    context = engine.load_context("inv", files, AS_OF)
    by_file: dict[str, list] = {}
    for document, problem in context.schema_problems:
        by_file.setdefault(document.path.rsplit("/", 1)[-1], []).append(problem)
    assert [len(by_file[f"part{index}.yaml"]) for index in range(4)] == [600, 401, 1, 1]
    assert by_file["part3.yaml"][0].message.startswith("the file does not match the schema either")
    assert len(context.schema_problems) <= schema.MAX_PROBLEMS + 4


@pytest.mark.parametrize("recipient", ["Stripe", 7])
def test_a_valid_optional_part_is_not_walked_by_jsonschema_and_an_invalid_one_still_is(recipient):
    """A file invalid in one place is explained by jsonschema, but an optional part the fast
    check accepts (a policy of 5,000,000 names took 27 s) is left out of it: the problems are
    the same, and a problem inside such a part is still found."""
    import jsonschema

    from privlint.lint import loader, schema

    names = ", ".join(["Stripe"] * 2_000 + [str(recipient)])
    document = loader.load("x.yaml", f"privlint: 1\norganization: {{name: Acme, country: xx}}\npolicy: {{recipients: [{names}]}}\n")
    expected = {
        tuple(error.absolute_path)
        for error in jsonschema.Draft202012Validator(schema.schema()).iter_errors(document.data)
    }
    assert {problem.path for problem in schema.validate(document)} == expected
    assert (("policy", "recipients", 2_000) in expected) == (recipient == 7)


def test_a_flow_repeating_a_broad_category_sends_what_is_held_below_it_once(tmp_path):
    """A flow listing `user` 300,000 times from a source holding the 84 categories below it
    sent them once per listing: 25 million (category, member) pairs, 2.5 GB."""
    from privlint.lint import taxonomy

    held = ", ".join(sorted(key for key in taxonomy.keys("data_categories") if key.startswith("user.")))
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        f"systems:\n  - {{id: a, collects: [{{data_categories: [{held}]}}]}}\n"
        "recipients:\n  - {id: r, name: R, country: DE}\n"
        "flows:\n  - {from: a, to: r, data_categories: [" + ", ".join(["user"] * 10_000) + ", user.name]}\n"
    )
    context = engine.load_context(str(path), [path], AS_OF)
    use = next(use for use in context.inventory.category_uses() if use.flow is not None)
    sent = context.data_map.sent(use)
    assert len(sent) == held.count(", ") + 1
    # user.name is put into play by the first `user`, not by its own listing at the end
    assert [member for category, member in sent if category == "user.name"] == [("data_categories", 0)]


def test_every_category_against_every_denial_is_not_compared_pair_by_pair(tmp_path, monkeypatch):
    """PL105 named the denials a flow contradicts by comparing each with each category it
    lists: 85 x 85 per flow, 8 s for 10,000 flows listing every category."""
    from privlint.lint import taxonomy
    from privlint.rules import pl105_contradicted_non_collection as pl105

    every = ", ".join(sorted(taxonomy.keys("data_categories")))
    path = tmp_path / "inventory.yaml"
    path.write_text(
        f"privlint: 1\norganization: {{name: Acme, country: DE}}\npolicy: {{not_collected: [{every}]}}\n"
        f"systems:\n  - {{id: a, collects: [{{data_categories: [{every}]}}]}}\n"
    )
    context = engine.load_context(str(path), [path], AS_OF)
    comparisons = _count(monkeypatch, taxonomy, "covers")
    findings = list(pl105.check(context))
    assert [violation.entity for violation in findings] == ["system:a"]
    assert "user.contact.email" in findings[0].message
    assert comparisons[0] < 100


def test_a_recipient_named_many_times_is_looked_up_once_per_name_not_per_namesake(tmp_path):
    """PL104 went through every recipient sharing a policy name, for each time the policy
    listed it: 1,000,000 mentions of a name 100,000 recipients share took minutes."""
    from privlint.rules import pl104_stale_disclosure as pl104

    def stale_check(mentions, namesakes):
        path = tmp_path / f"inventory-{mentions}.yaml"
        path.write_text(
            "privlint: 1\norganization: {name: Acme}\n"
            f"policy: {{recipients: [{', '.join(['Acme Ads'] * mentions)}]}}\n"
            "recipients:\n" + "".join(f"  - {{id: r{index}, name: Acme Ads}}\n" for index in range(namesakes))
        )
        context = engine.load_context(str(path), [path], AS_OF)
        context.inventory  # noqa: B018 - built before counting
        return lambda: list(pl104.check(context))

    stale_check(10, 10)()  # warm up
    small, large = _python_calls(stale_check(500, 100)), _python_calls(stale_check(2_000, 400))
    assert large <= 4.4 * small, (small, large, large / small)


def test_each_policy_name_is_normalized_once_without_a_python_step_per_character(tmp_path):
    """11,000 policy names of 300 characters that each grow 18 times under compatibility
    decomposition took 11 s: PL101 and PL104 each normalized every name (past the cache's
    8,192 entries), and dropping accents took a Python step per decomposed character."""
    from privlint.lint import names

    expanding = "\ufdfa" * 300
    listed = ", ".join(f"'{expanding}{index}'" for index in range(500))
    path = tmp_path / "inventory.yaml"
    path.write_text(
        f"privlint: 1\norganization: {{name: Acme}}\npolicy: {{recipients: [{listed}]}}\n"
        "systems: [{id: s, collects: [{data_categories: [user.name]}]}]\n"
        "recipients: [{id: r, name: R}]\nflows: [{from: s, to: r, data_categories: [user.name]}]\n"
    )
    context = engine.load_context(str(path), [path], AS_OF)
    context.data_map  # noqa: B018 - built before counting: recipients' names are normalized there
    names.normalize.cache_clear()
    assert {"PL101", "PL104"} <= {finding.rule for finding in engine.run(context)}
    normalized = names.normalize.cache_info()
    assert normalized.hits + normalized.misses == 500
    assert _python_calls(lambda: names.normalize.__wrapped__(expanding + "é")) < 20


def test_a_vendor_declared_file_after_file_keeps_one_list_of_aliases(tmp_path, monkeypatch):
    """Each file of a directory inventory overrode a vendor, and each override copied the
    vendor's aliases: 3,000 files overriding a vendor of 200,000 aliases took 4 s more than
    the files or the aliases alone. A vendor declared again is now a PL001, and the model
    is built from the first declaration only."""
    from privlint.lint import reference

    (tmp_path / "a.yaml").write_text("privlint: 1\norganization: {name: Acme}\nvendors: {v: {name: V, aliases: [A, B]}}\n")
    for index in range(3):
        (tmp_path / f"b{index}.yaml").write_text("privlint: 1\nvendors: {v: {name: V}}\n")
    made = []
    make = reference.vendor_from
    monkeypatch.setattr(reference, "vendor_from", lambda key, entry: made.append(make(key, entry)) or made[-1])
    context = engine.load_context("inventory", sorted(tmp_path.iterdir()), AS_OF)
    context.inventory  # noqa: B018 - the vendors are merged as the inventory is built
    assert [problem.message.split(";")[0] for _, problem in context.schema_problems] == [
        f"vendor 'v' is already declared in {tmp_path / 'a.yaml'}"] * 3
    assert [vendor.aliases for vendor in made if vendor.key == "v"] == [("A", "B")]


def test_fmt_finds_the_comment_of_a_line_of_many_quoted_hashes_in_linear_work():
    """A line of N quoted `"a #"` is N '#' that are not comments among N scalars: finding the
    comment once compared each '#' with every scalar of the line (340 KB: 73 s)."""
    from privlint.lint import fmt

    def comments(count):
        text = "policy:\n  recipients: [" + ", ".join(['"a #"'] * count) + "]   # the end\n"
        return lambda: fmt.comments(text)

    comments(10)()
    small, large = _python_calls(comments(1000)), _python_calls(comments(4000))
    assert fmt.comments("policy:\n  recipients: [\"a #\", b]   # the end\n") == [(1, 27, "# the end")]
    assert large <= 4.4 * small, (small, large, large / small)


def test_changed_files_read_the_roles_of_big_siblings_within_a_budget(tmp_path, monkeypatch):
    """`check --changed-files inventory.yaml` judges the YAML files beside it from their
    top-level keys. Each was loaded whole: two 10 MB `junk: [{a},{a},…]` siblings took 31 s
    and 740 MB. The exact reads of a run now share a budget of events, the smallest files
    first; a file past it is judged from its column-0 `key:` lines."""
    from privlint.lint import discover, loader

    read = [0]
    real_events = loader.events

    def counting(source):
        for event in real_events(source):
            read[0] += 1
            yield event

    monkeypatch.setattr(loader, "events", counting)
    monkeypatch.setattr(discover, "ROLE_EVENT_BUDGET", 5_000, raising=False)
    (tmp_path / "inventory.yaml").write_text("privlint: 1\norganization: {name: X}\n")
    for name in ("data1.yaml", "data2.yaml"):
        (tmp_path / name).write_text("junk: [" + ",".join(["{a}"] * 50_000) + "]\n")
    monkeypatch.chdir(tmp_path)
    assert [target.name for target in discover.changed_targets(["inventory.yaml"])] == ["inventory.yaml"]
    assert read[0] <= 5_001, read[0]
    (tmp_path / "flows.yaml").write_text("# a fragment\nflows: []\n")  # now a directory inventory
    read[0] = 0
    [target] = discover.changed_targets(["inventory.yaml"])
    assert [file.name for file in target.files] == ["data1.yaml", "data2.yaml", "flows.yaml", "inventory.yaml"]
    assert read[0] <= 5_001, read[0]


@pytest.mark.parametrize(
    "narrowed, collected, every",
    [(False, "user.contact.email", 1), (True, "user.contact.email", 1), (False, "user.contact.email", 2),
     (False, "user.contact", 1), (True, "user.contact", 3)],
    ids=["plain", "origins-keeping-all", "every-other-node-collects", "collected-above-the-key-passed-on",
         "above-every-third-origins-keeping-all"],
)
def test_a_ring_zig_zagging_against_the_visiting_order_settles_in_a_few_sweeps(
    tmp_path, monkeypatch, narrowed, collected, every
):
    """Flows declared first (a chain carrying a category nobody holds) fix the depth-first
    order; the ring that carries data then runs against it at every hop (0 -> K-1 -> 1 ->
    K-2 ...). Each system collects from its own country, so every sweep grew every node by one
    hop's worth: K sweeps of K nodes (3,000 systems: 25 s; with `origins` naming every country
    on the ring's flows, 30 s). The ring's nodes are given the union of what they will hold
    before the sweeps: also when only some of them hold the category passed on yet (every
    other node collecting: 28 s), or hold a key above it (collecting `user.contact` where the
    ring lists `user.contact.email`: 25 s)."""
    size = 200  # the schema knows 219 countries outside the legal areas
    countries = outside_the_legal_areas()[:size]
    zigzag = _zig_zag(size)
    systems = "".join(
        f"  - {{id: s{index}, collects: [{{data_categories: [{collected}], origins: [{country}]}}]}}\n"
        if index % every == 0 else f"  - {{id: s{index}}}\n"
        for index, country in enumerate(countries)
    )
    chain = "".join(f"  - {{from: s{index}, to: s{index + 1}, data_categories: [user.biometric]}}\n" for index in range(size - 1))
    origins = f", origins: [{', '.join(countries)}]" if narrowed else ""
    ring = "".join(
        f"  - {{from: s{source}, to: s{target}, data_categories: [user.contact.email]{origins}}}\n"
        for source, target in zip(zigzag, zigzag[1:] + zigzag[:1])
    )
    path = tmp_path / "zigzag.yaml"
    path.write_text("privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems + "flows:\n" + chain + ring)
    context = engine.load_context(str(path), [path], AS_OF)
    computations = _count(monkeypatch, propagation.Propagation, "_carry")
    data_map = graph.DataMap(context.inventory)
    collecting = len(range(0, size, every))
    assert len({origin for origin, _ in data_map.held("s7")["user.contact.email"]}) == collecting
    assert computations[0] < 10 * size  # was about size * size / 2


@pytest.mark.parametrize(
    "shape", ["path", "path-against-flows-of-an-origin-nobody-has", "path-against-flows-of-other-data",
              "ring-one-flow-keeping-all-but-one-origin", "ring-each-flow-dropping-one"],
)
def test_data_zig_zagging_where_nothing_is_shared_settles_in_a_few_sweeps(tmp_path, monkeypatch, shape):
    """As above, but no cycle keeps all it holds: a path (the chain made one component by a
    flow back), or a ring one of whose flows (or each of whose flows) leaves out an origin.
    Each sweep carried the data one hop (3,000 systems on the path: 9 s; 5,000: 57 s; on the
    ring with one narrowing flow, 3,000: 28 s). The category is carried along its own flows,
    in their depth-first order, before the sweeps; that search follows the flows that keep
    most first, as a chain of flows of the same category keeping only an origin nobody has
    made the order otherwise (32 s), and the most of what the component holds of it: flows
    keeping more pairs, of other data only, did (2,000 systems: 12 s)."""
    size = 200  # the schema knows 219 countries outside the legal areas
    countries = outside_the_legal_areas()[:size]
    zigzag = _zig_zag(size)
    systems = "".join(
        f"  - {{id: s{index}, collects: [{{data_categories: [user.contact.email], origins: [{country}]}}]}}\n"
        for index, country in enumerate(countries)
    )
    others = outside_the_legal_areas()[size:]  # origins of other data: a system apart collects them for every subject
    ordering = {
        "path-against-flows-of-an-origin-nobody-has": f"user.contact.email], origins: [{outside_the_legal_areas()[-1]}",
        "path-against-flows-of-other-data": f"user.contact.email], origins: [{', '.join(others)}",
    }.get(shape, "user.biometric")
    if shape == "path-against-flows-of-other-data":
        from privlint.lint import taxonomy

        subjects = ", ".join(sorted(taxonomy.keys("data_subjects")))
        systems += f"  - {{id: apart, collects: [{{data_categories: [user.name], origins: [{', '.join(others)}], subjects: [{subjects}]}}]}}\n"
    chain = "".join(f"  - {{from: s{index}, to: s{index + 1}, data_categories: [{ordering}]}}\n" for index in range(size - 1))
    chain += f"  - {{from: s{size - 1}, to: s0, data_categories: [user.biometric]}}\n"
    hops = list(zip(zigzag, zigzag[1:] + zigzag[:1]))
    if shape.startswith("path"):
        hops = hops[:-1]

    def kept(hop: int) -> set[str]:
        if shape == "ring-each-flow-dropping-one" or (shape.startswith("ring") and hop == 0):
            return {country for index, country in enumerate(countries) if index != hop}
        return set(countries)

    # the path's flows keep the path's origins (and so less of all the map has than the chain)
    origins_of_path = f", origins: [{', '.join(countries)}]" if shape == "path-against-flows-of-other-data" else ""

    def origins(hop: int) -> str:
        if origins_of_path:
            return origins_of_path
        return "" if kept(hop) == set(countries) else f", origins: [{', '.join(sorted(kept(hop)))}]"

    ring = "".join(
        f"  - {{from: s{source}, to: s{target}, data_categories: [user.contact.email]{origins(hop)}}}\n"
        for hop, (source, target) in enumerate(hops)
    )
    path = tmp_path / "zigzag.yaml"
    path.write_text("privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems + "flows:\n" + chain + ring)
    context = engine.load_context(str(path), [path], AS_OF)
    computations = _count(monkeypatch, propagation.Propagation, "_carry")
    data_map = graph.DataMap(context.inventory)
    expected = {index: {country} for index, country in enumerate(countries)}  # a plain fixpoint
    grew = True
    while grew:
        grew = False
        for hop, (source, target) in enumerate(hops):
            if not expected[source] & kept(hop) <= expected[target]:
                expected[target] |= expected[source] & kept(hop)
                grew = True
    for index in range(size):
        assert {origin for origin, _ in data_map.held(f"s{index}")["user.contact.email"]} == expected[index]
    assert computations[0] < 10 * size  # was about size * size / 2


def test_declared_origins_zig_zagging_settle_in_a_few_sweeps(tmp_path, monkeypatch):
    """Stage 2 of propagation: the systems collect with no origin, and beside each hop of a
    zig-zag path runs a flow declaring the origin of its own country, so the declared origins
    go down the path against the depth-first order. Each sweep carried them one hop (6,000
    systems, 1.7 MB: 15 s); stage 2 now carries them along the category's flows first."""
    size = 200  # the schema knows 219 countries outside the legal areas
    countries = outside_the_legal_areas()[:size]
    zigzag = _zig_zag(size)
    systems = "".join(f"  - {{id: s{index}, collects: [{{data_categories: [user.contact.email]}}]}}\n" for index in range(size))
    chain = "".join(f"  - {{from: s{index}, to: s{index + 1}, data_categories: [user.biometric]}}\n" for index in range(size - 1))
    chain += f"  - {{from: s{size - 1}, to: s0, data_categories: [user.biometric]}}\n"
    path = "".join(
        f"  - {{from: s{source}, to: s{target}, data_categories: [user.contact.email], origins: [{countries[hop]}]}}\n"
        f"  - {{from: s{source}, to: s{target}, data_categories: [user.contact.email]}}\n"
        for hop, (source, target) in enumerate(zip(zigzag, zigzag[1:]))
    )
    file = tmp_path / "declared.yaml"
    file.write_text("privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems + "flows:\n" + chain + path)
    context = engine.load_context(str(file), [file], AS_OF)
    computations = _count(monkeypatch, propagation.Propagation, "_carry")
    data_map = graph.DataMap(context.inventory)
    last = zigzag[-1]  # the path's end: every origin declared on the way
    assert {origin for origin, _ in data_map.held(f"s{last}")["user.contact.email"]} == {None, *countries[:size - 1]}
    assert computations[0] < 20 * size  # was about size * size


def test_the_pass_between_inventories_walks_only_what_the_last_one_left(tmp_path, monkeypatch):
    """`check --recursive` collects cycles between inventories. A full pass walked every
    imported module's objects and every earlier finding each time: 3,000 one-system
    inventories took 26 s of their 29 in it. The collector is paused (as `main` does), so
    the youngest generation holds all that the last inventory made."""
    import gc

    from click.testing import CliRunner

    from privlint.lint import cli

    for number in range(3):
        (tmp_path / f"d{number}").mkdir()
        (tmp_path / f"d{number}" / "inventory.yaml").write_text(
            f"privlint: 1\norganization: {{name: A, country: IE}}\nsystems: [{{id: s{number}}}]\n"
        )
    generations = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: generations.append(generation) or 0)
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = CliRunner().invoke(cli.cli, ["check", "--recursive", str(tmp_path)])
    finally:
        if enabled:
            gc.enable()
    assert result.exit_code == 0, result.output
    assert generations and set(generations) == {0}


@pytest.mark.parametrize("configured", [False, True])
def test_changed_files_of_one_directory_inventory_judge_and_resolve_it_once(tmp_path, monkeypatch, configured):
    """A commit changing N files of an N-file directory inventory listed, sorted and judged
    the directory N times and resolved N targets of N files (N = 3,000 of 10,000: over
    60 s and 870 MB; configured inventories: N resolutions of the target too)."""
    from pathlib import Path

    from privlint.lint import discover

    count = 300
    (tmp_path / "a.yaml").write_text("privlint: 1\norganization: {name: A, country: IE}\n")
    for number in range(count):
        (tmp_path / f"f{number:04}.yaml").write_text(f"systems: [{{id: s{number}}}]\n")
    changed = [str(tmp_path / f"f{number:04}.yaml") for number in range(count)]
    configured_targets = discover.targets([str(tmp_path)]) if configured else None
    listings = _count(monkeypatch, discover, "yaml_files")
    resolutions = _count(monkeypatch, Path, "resolve")
    found = discover.changed_targets(changed, configured_targets)
    assert len(found) == 1 and len(found[0].files) == count + 1
    assert listings[0] <= 1
    assert resolutions[0] <= 5 * count


def test_flows_listing_a_broad_key_from_one_source_share_what_they_carry_and_send(tmp_path, monkeypatch):
    """Flows listing `user` from a source holding the 83 categories under it each carry all
    83: their table, its personal provenance and what they send (PL303, PL305) were computed
    per flow, and per rule (200,000 flows: 54 s, 1.25 GB). Flows of one source listing the
    same keys now share them: the work does not grow with the flows."""
    from privlint.lint import taxonomy
    from privlint.rules import pl303_sensitive_data_claim_conflict as pl303

    held = ", ".join(sorted(key for key in taxonomy.keys("data_categories") if key.startswith("user.")))

    def counted(flows):
        path = tmp_path / f"fanout-{flows}.yaml"
        path.write_text(
            "privlint: 1\norganization: {name: Acme, country: DE}\n"
            "policy: {sensitive_data: false, collects_from_children: false}\n"
            f"systems:\n  - {{id: a, collects: [{{data_categories: [{held}], origins: [EEA, US], subjects: [customer]}}]}}\n"
            "recipients:\n  - {id: r, name: R, country: US}\n"
            "flows:\n" + "  - {from: a, to: r, data_categories: [user]}\n" * flows
        )
        context = engine.load_context(str(path), [path], AS_OF)
        context.inventory  # noqa: B018 - built before counting
        counts = {
            "carry": _count(monkeypatch, propagation.Propagation, "_carry"),
            "sent": _count(monkeypatch, graph.DataMap, "_sent"),
            "personal": _count(monkeypatch, graph, "_is_personal"),
            "concepts": _count(monkeypatch, pl303, "_concepts"),
        }
        findings = engine.run(context)
        monkeypatch.undo()
        rules = {finding.rule for finding in findings}
        assert {"PL201", "PL303", "PL305"} <= rules
        assert sum(finding.rule == "PL303" for finding in findings) == flows + 1  # and the system
        return {name: calls[0] for name, calls in counts.items()}

    small, large = counted(100), counted(400)
    assert small == large, (small, large)  # was 4 times as much: 400 x 2 x 83 for `sent`
    assert large["carry"] == 1 and large["sent"] == 1


def test_collections_of_many_origins_and_subjects_are_masked_without_a_step_per_pair(tmp_path):
    """A collection naming 252 origins and 15 subjects has 3,780 (origin, subject) pairs; its
    mask was built by an OR per pair, each making an integer as wide as the mask so far
    (quadratic in the pairs: 3,000 such systems took 5.5 s), with a Python step per pair. The
    mask is now made from the pairs' bits in one step, and once every pair has a bit, from each
    origin's and subject's bits: four times the subjects does not make four times the work
    (each system's origins differ, so masks are not simply shared)."""
    from privlint.lint import taxonomy

    origins = outside_the_legal_areas()[:150]
    known_subjects = sorted(taxonomy.keys("data_subjects"))

    def building(subjects):
        listed = ", ".join(known_subjects[:subjects])
        systems = "".join(
            f"  - {{id: s{index}, collects: [{{data_categories: [user.name], subjects: [{listed}], "
            f"origins: [{', '.join(origins[:index] + origins[index + 1:])}]}}]}}\n"
            for index in range(60)
        )
        path = tmp_path / f"collections-{subjects}.yaml"
        path.write_text("privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems)
        inventory = engine.load_context(str(path), [path], AS_OF).inventory
        return lambda: graph.DataMap(inventory)

    building(2)()  # warm up
    small, large = _python_calls(building(3)), _python_calls(building(12))
    assert large <= 1.5 * small, (small, large, large / small)  # was 54,000 and 135,000 calls


def test_a_distinct_narrow_mask_per_flow_is_read_by_its_set_bits_not_every_origin(tmp_path):
    """Each flow narrowing a wide collection to its own two origins carries a mask of its own;
    the origins and subjects of each were found by ANDing it with every origin's mask (676
    origins of 15 subjects: 40,000 flows, 17 s). A mask with fewer set bits than there are
    origins and subjects is now read by its set bits."""
    origins = outside_the_legal_areas()[:150]
    pairs = list(itertools.islice(itertools.combinations(origins, 2), 300))
    flows = "".join(
        f"  - {{from: a, to: r, data_categories: [user.name], origins: [{first}, {second}]}}\n"
        for first, second in pairs
    )
    path = tmp_path / "narrow.yaml"
    path.write_text(
        "privlint: 1\norganization: {name: Acme, country: DE}\n"
        f"systems:\n  - {{id: a, collects: [{{data_categories: [user.name], subjects: [customer, employee], "
        f"origins: [{', '.join(origins)}]}}]}}\n"
        "recipients:\n  - {id: r, name: R, country: US}\nflows:\n" + flows
    )
    data_map = engine.load_context(str(path), [path], AS_OF).data_map
    read = [0]

    class Counting(dict):
        def items(self):
            for item in super().items():
                read[0] += 1
                yield item

    data_map._bits_of_origin = Counting(data_map._bits_of_origin)
    data_map._bits_of_subject = Counting(data_map._bits_of_subject)
    flows_of_map = data_map.flows
    assert [data_map.origins(flow) for flow in flows_of_map] == [set(pair) for pair in pairs]
    assert all(data_map.subjects(flow) == {"customer", "employee"} for flow in flows_of_map)
    assert read[0] <= len(flows_of_map)  # was (150 origins + 2 subjects) x 300 flows


def test_a_ring_passing_a_broad_key_marks_each_node_once_per_category(tmp_path, monkeypatch):
    """A ring of systems whose flows list only `user`, one of them collecting the 82 keys
    below it: every node is given each category before the sweeps (_give_key), which marks its
    flows, and then the ring's union of it (_share_one) marked them again (25,000 systems: 2 x
    2 million marks of 82 categories, 20 s). Marked once."""
    from privlint.lint import taxonomy

    held = sorted(key for key in taxonomy.keys("data_categories") if key.startswith("user."))
    size = 200
    systems = f"  - {{id: a0, collects: [{{data_categories: [{', '.join(held)}], origins: [EEA]}}]}}\n" + "".join(
        f"  - {{id: a{index}}}\n" for index in range(1, size)
    )
    flows = "".join(
        f"  - {{from: a{index}, to: a{(index + 1) % size}, data_categories: [user]}}\n" for index in range(size)
    )
    path = tmp_path / "ring.yaml"
    path.write_text("privlint: 1\norganization: {name: Acme, country: DE}\nsystems:\n" + systems + "flows:\n" + flows)
    inventory = engine.load_context(str(path), [path], AS_OF).inventory
    marks = _count(monkeypatch, propagation.Propagation, "_changed")
    data_map = graph.DataMap(inventory)
    assert set(data_map.held(f"a{size - 1}")) == {*held, "user"}
    assert marks[0] <= 1.1 * size * len(held), marks[0] / (size * len(held))  # was 2 per node and category


def test_the_findings_of_one_entity_share_one_name(tmp_path):
    """Rules name an entity afresh for each finding; a run keeps one object per name."""
    findings = engine.run(_context(tmp_path, 200, 2_000))
    by_name: dict[str, set[int]] = {}
    for finding in findings:
        by_name.setdefault(finding.entity, set()).add(id(finding.entity))
    assert len(findings) > len(by_name), "the generated inventory should give entities several findings"
    assert all(len(objects) == 1 for objects in by_name.values())


def test_the_depth_first_order_searches_only_nodes_in_flows(tmp_path):
    """580,000 one-line systems took 2.8 s of CPU to make the data map: a networkx call per
    node added, and a depth-first search from each node in no flow. The order of the nodes
    in flows is networkx's reverse postorder of the whole graph, the others are left out."""
    context = _context(tmp_path, 300, 1_500)
    inventory = context.inventory
    unused = "".join(f"  - {{id: unused-{number}}}\n" for number in range(2_000))
    path = tmp_path / "inventory.yaml"
    path.write_text(path.with_name("inventory-300-1500.yaml").read_text().replace("systems:\n", "systems:\n" + unused, 1))
    data_map = engine.load_context(str(path), [path], AS_OF).data_map
    in_flows = {flow.source for flow in inventory.flows} | {flow.target for flow in inventory.flows}
    assert data_map.graph.number_of_nodes() >= len(in_flows) + 2_000
    order = propagation.Propagation(data_map.inventory, data_map._nodes, data_map.graph, data_map.flows)._order
    assert set(order) == in_flows
    whole = [node for node in reversed(list(nx.dfs_postorder_nodes(data_map.graph))) if node in in_flows]
    assert sorted(order, key=order.__getitem__) == whole


def test_recursive_walks_a_tree_deeper_than_the_recursion_limit_resolving_each_directory_once(
    tmp_path, monkeypatch
):
    """Python 3.11's os.walk recurses once per level: `check --recursive` of a tree 1,000
    directories deep was 'internal error: RecursionError'. Below that depth, each
    Path.resolve() made a system call per directory of the path, and each inventory's files
    were resolved five times: 900 levels of one-system inventories (50 KB) took 21 s, 1,500
    levels 76 s. Each directory is now resolved once: system calls grow with the depth."""
    import os

    from click.testing import CliRunner

    from privlint.lint import cli

    depth, every = 1_100, 50
    inventory = "privlint: 1\norganization: {name: A, country: IE}\nsystems: [{id: s, country: IE}]\n"
    monkeypatch.chdir(tmp_path)
    calls = []
    lstat = os.lstat
    try:
        for level in range(1, depth + 1):  # made from inside: an absolute path of each level is long
            os.mkdir("d")
            os.chdir("d")
            if level % every == 0:
                with open("inventory.yaml", "w") as file:
                    file.write(inventory)
        os.chdir(tmp_path)
        monkeypatch.setattr(os, "lstat", lambda *args, **kwargs: calls.append(1) or lstat(*args, **kwargs))
        result = CliRunner().invoke(cli.cli, ["check", "--recursive", "--format", "json", "d"])
        monkeypatch.setattr(os, "lstat", lstat)
        assert result.exit_code == 0, result.output
        assert f'"path": "d{"/d" * (depth - 1)}/inventory.yaml"' in result.output
        assert result.output.count("inventory.yaml") == depth // every  # nothing reported, each file once
        assert len(calls) < 5 * depth  # was about 5 x 1,100 x 22 inventories = 121,000
    finally:
        _remove_deep_tree(tmp_path, "d")


def _remove_deep_tree(parent, name: str) -> None:
    """Remove a chain of directories `name/name/...` from the inside out: pytest's clean-up of
    old temporary directories (shutil.rmtree) recurses once per level, and a tree 1,100 deep
    left it printing a RecursionError at the end of every later test session."""
    import os

    os.chdir(parent)
    depth = 0
    while os.path.isdir(name):
        os.chdir(name)
        depth += 1
    for _ in range(depth):
        for entry in os.listdir("."):
            os.remove(entry)
        os.chdir("..")
        os.rmdir(name)
    os.chdir(parent)


def test_real_paths_are_those_path_resolve_gives(tmp_path, monkeypatch):
    """The per-directory resolution of real paths (paths.real_path) agrees with Path.resolve
    on symlinks, `..` after a symlink, `.`, trailing slashes and paths that do not exist, and
    with os.path.realpath on symlink loops (where resolve raised: an internal error)."""
    import os
    from pathlib import Path

    from privlint.lint import paths

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.yaml").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "up").symlink_to("..")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "file-link.yaml").symlink_to("a/b/f.yaml")
    monkeypatch.chdir(tmp_path / "a")
    for written in [
        "b/f.yaml", "../link/f.yaml", "../link/../a", "up/a/b", "up/link/..", "./b/./", "b//f.yaml", "..",
        "../loop", "../loop/x", "missing/../b", "../file-link.yaml", str(tmp_path / "link" / "f.yaml"), "/", ".",
    ]:
        # os.path.realpath is Path.resolve but for loops, where resolve raises RuntimeError
        expected = Path(os.path.realpath(written))
        if "loop" not in written:
            assert expected == Path(written).resolve()
        paths.forget_real_paths()
        assert paths.real_path(written) == expected, written
        assert paths.real_path(written) == expected, written  # and when remembered
    assert os.getcwd() == str(tmp_path / "a")


def test_diff_makes_each_finding_fingerprint_once(monkeypatch):
    """A fingerprint is a SHA-256 (1.5 us): diff asked for each finding's twice, once for the
    set of its side's and once against the other side's (1.2 million findings a side: 7 s of a
    60 s diff). Now once per finding."""
    from privlint.lint import diff
    from privlint.lint.engine import Finding

    def side(name, entities):
        findings = [Finding("PL005", "unused-node", "warning", "m", "i.yaml", 1, 1, entity) for entity in entities]
        return diff.Side(name, diff.Presence(True, True), findings)

    base, head = side("i", [f"system:s{n}" for n in range(100)]), side("i", [f"system:s{n}" for n in range(50, 160)])
    made = [0]
    fingerprint = Finding.fingerprint

    def counted(finding):
        made[0] += 1
        return fingerprint.fget(finding)

    monkeypatch.setattr(Finding, "fingerprint", property(counted))
    result = diff._compare("i", base, head)
    assert [f.entity for f in result.introduced] == [f"system:s{n}" for n in range(100, 160)]
    assert [f.entity for f in result.resolved] == [f"system:s{n}" for n in range(50)]
    assert made[0] == 100 + 110  # was twice that
