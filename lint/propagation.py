"""Data propagation (SPEC §1): what data each node of the data map holds and each flow carries.

Data enters at `collects`. A flow carries its listed categories from its source; the origins
and data subjects travelling with them are those under which the source holds those
categories, narrowed by the flow's `origins`. Where nothing upstream says whose data a listed
category is (no collection with known origins reaches it), the flow's `origins` say it. It runs
to a fixpoint over the whole graph, cycles included, so what reaches a node through several
hops is known there, and the result does not depend on the order anything is declared in.

The data map (graph.py) runs it once and answers the rules' questions from what it leaves:
`held`, `carried`, and the provenance pairs their bit masks stand for.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict, deque
from collections.abc import Set as AbstractSet
from functools import cached_property

import networkx as nx

from . import reference, taxonomy
from .loader import LIMIT_VARIABLE, value_limit
from .model import Flow, Inventory, Node

# (legal area or country, data subject); either may be None when the inventory does not say.
Provenance = tuple[str | None, str | None]
# Inside the map a provenance set is a bit mask over the inventory's few distinct
# (area, subject) pairs: union and narrowing are one integer operation, and a 20,000-flow
# map keeps an int per category where a frozenset of tuples would cost ten times the memory.
Bits = int


class Propagation:
    """Worklist propagation to the fixpoint (see _settle for the order of visits), in two stages.

    1. Propagate what is collected, narrowed by flows' `origins`.
    2. Where a flow lists a category that stage 1 brings to its source with no known
       origin, the flow carries it as the data of people in the origins it declares;
       propagation continues from the stage-1 fixpoint. Deciding this on a fixed result,
       not as data arrives, keeps the outcome independent of the order of visits (as data
       arrives it would first apply and then not; found by fuzzing).

    Each visit is that of the plain algorithm: pop a node, recompute every flow out of it,
    and queue each target whose holdings grew (and that sends on). What makes it fast: a flow is
    recomputed only when its source changed, since the flow was last computed, in a
    category the flow can carry (or one above or below it in the taxonomy), as otherwise
    its carried data and what the target receives are unchanged (changes mark the
    dependent flows as they happen); before a component's sweeps, the nodes of each cycle
    that passes a category on whole share what they will hold of it (_share_around_cycles); a
    flow leaving a strongly connected component is
    computed once the component has settled, and a flow into a node no flow leaves once,
    at the fixpoint; and provenance sets, and sets of a node's out-flows, are bit masks
    (see Bits).
    """

    def __init__(self, inventory: Inventory, nodes: dict[str, Node], graph: nx.DiGraph, flows: list[Flow]):
        """Propagate over `graph` (of `nodes`, by id) along `flows`, those of `inventory` whose
        ends are both declared."""
        self.inventory = inventory
        self._nodes = nodes
        self.graph = graph
        self.flows = flows
        # What the data map reads: each node's holdings and each flow's carried table
        # (category -> provenance mask), the (area, subject) pair each bit stands for, the ids
        # of tables several flows share, and the bits of each origin's and subject's pairs.
        self.held: dict[str, dict[str, Bits]] = defaultdict(dict)
        self.carried: dict[Flow, dict[str, Bits]] = {}
        self.pairs: list[Provenance] = []
        self.shared_tables: set[int] = set()
        self.bits_of_origin: dict[str | None, Bits] = {}
        self.bits_of_subject: dict[str, Bits] = {}
        # How many more (node, category) holdings the map may make (see _too_many_holdings).
        self._holdings_left = holdings_limit()
        # node -> a category its out-flows list -> the held categories below it, in the order held
        self._below: dict[str, dict[str, list[str]]] = {}
        self._rank: dict[str, dict[str, int]] = {}  # node -> held category -> insertion index
        # node -> category -> the node's out-flows whose result depends on it. Sets of a
        # node's out-flows are bit masks over its list of them in `out` below (lists and sets
        # of flow ids held 8 MB at 20,000 flows, the masks 2 MB).
        self._exact: dict[str, dict[str, int]] = {}
        self._under: dict[str, dict[str, int]] = {}  # keys: every category a flow out of the node lists
        self._dirty: dict[str, int] = {}  # node -> out-flows to recompute when next visited
        self._narrowing: dict[tuple | None, tuple] = {}  # by a flow's origins
        self._flow_keys: dict[tuple, tuple] = {}  # by a flow's origins and categories
        # flow -> listed categories it carries as its declared origins' data (stage 2)
        self._declaring: dict[Flow, frozenset[str]] = {}
        self._position_of: dict[Provenance, int] = {}  # pair -> its bit's position (see pairs)
        self._canonical: dict[Bits, Bits] = {}  # mask -> its one object
        # (source, id(keys)) -> (keys, the table its flows carry), for flows computed once
        # from final holdings, the latest few thousand (see _final_carry)
        self._final_tables: dict[tuple[str, int], tuple[tuple, dict[str, Bits]]] = {}
        self._propagate()

    def _propagate(self) -> None:
        """Stage 1 from what is collected, stage 2 from the origins flows declare, then the
        flows into nodes that send nothing on."""
        collections = self._collections()
        out, into_sinks = self._index_flows()
        self._collect(collections)
        self._component = self._components(out)
        # node -> its out-flows into its own component (a bit mask over its list in `out`)
        self._inside: dict[str, int] = {}
        for source, flows in out.items():
            rank = self._component[source]
            for position, (target, _, _) in enumerate(flows):
                if self._component.get(target) == rank:
                    self._inside[source] = self._inside.get(source, 0) | 1 << position
            self._dirty[source] = (1 << len(flows)) - 1  # every flow is computed at least once
        # Every node with a flow in `out`; a node without one has nothing to do on a visit
        # (580,000 one-line systems made a heap of 580,000 nodes for nothing).
        self._settle(list(out), out)
        self._declare_origins(out)
        out.clear()  # settled: nothing is marked any more
        self._exact, self._under, self._dirty = {}, {}, {}
        # No flow leaves these targets, so nothing above waited for them: once, at the end,
        # from final holdings, so flows of one source and the same keys carry the same table.
        received: set[tuple[str, int]] = set()  # (target, id(a shared table) it has received)
        for target, flow, keys in into_sinks:
            carried = self.carried[flow] = self._final_carry(flow, keys)
            if id(carried) in self.shared_tables:
                if (target, id(carried)) in received:
                    continue  # the same table again adds nothing
                if len(received) >= MEMO_MAX:
                    received.clear()
                received.add((target, id(carried)))
            self._receive(target, carried)
        del received
        for flow in self.flows:  # flows out of nodes that never held anything
            if flow not in self.carried:
                self.carried[flow] = self._final_carry(flow, self._keys(flow))
        self._share_masks()

    def _collections(self) -> list[tuple[str, list[tuple[tuple[str, ...], Bits]]]]:
        """The nodes of the map that collect, with their collections' (categories, provenance),
        in inventory order; registers every (origin, subject) pair a collection or a flow's
        origins names."""
        collections = []
        # Collections repeat their lists: each (origins, subjects) once (3,000 systems each naming
        # 252 origins and 15 subjects made 3,000 masks of 3,780 pairs, 5.5 s)
        made: dict[tuple[tuple[str, ...], tuple[str, ...]], Bits] = {}
        areas = _Areas()  # origin -> its legal area, each once
        self._of_origin: dict[str | None, Bits] = {}  # origin -> its pairs' bits
        self._of_subject: dict[str | None, Bits] = {}  # subject -> its pairs' bits
        for node in self.inventory.nodes:
            if not node.collects or self._nodes.get(node.id) is not node:
                continue
            masks = []
            for collection in node.collects:
                provenance = made.get((collection.origins, collection.subjects))
                if provenance is None:
                    # Each distinct pair once: a list may repeat (hostile: 100,000 x 100,000 'US').
                    origins = dict.fromkeys(map(areas.__getitem__, collection.origins)) or (None,)
                    subjects = dict.fromkeys(collection.subjects) or (None,)
                    provenance = self._product(origins, subjects)
                    if len(made) >= MEMO_MAX:
                        made.clear()
                    made[(collection.origins, collection.subjects)] = provenance
                masks.append((collection.data_categories, provenance))
            collections.append((node.id, masks))
        del made
        registered: set[tuple[str, ...]] = set()
        for flow in self.flows:
            if flow.origins and flow.origins not in registered:
                registered.add(flow.origins)
                self._bits((reference.legal_area(origin), None) for origin in flow.origins)
        del registered
        self.bits_of_origin: dict[str | None, Bits] = defaultdict(int, self._of_origin)
        self.bits_of_subject: dict[str, Bits] = defaultdict(
            int, {subject: bits for subject, bits in self._of_subject.items() if subject is not None}
        )
        del self._of_origin, self._of_subject
        return collections

    def _product(self, origins, subjects) -> Bits:
        """The mask of every (origin, subject) pair of the two (each listed once): once all its
        pairs have bits, the pairs of its origins that are pairs of its subjects, a few wide
        ORs and an AND instead of a step per pair (252 origins x 15 subjects: 3,780 steps)."""
        of_origin, of_subject = self._of_origin, self._of_subject
        by_origin = by_subject = 0
        for origin in origins:
            by_origin |= of_origin.get(origin, 0)
        for subject in subjects:
            by_subject |= of_subject.get(subject, 0)
        mask = by_origin & by_subject
        if mask.bit_count() != len(origins) * len(subjects):  # some pair is new
            mask = self._bits(itertools.product(origins, subjects))
        return mask

    def _bits(self, pairs) -> Bits:
        """The mask of `pairs`, each given a bit the first time it is seen; made in one step
        from the bits' positions (OR-ing bit by bit made an integer as wide as the mask so far
        per pair: quadratic in the pairs, 5 ms for a collection of 10,000)."""
        pairs = list(pairs)
        position_of = self._position_of
        positions = list(map(position_of.get, pairs, itertools.repeat(-1)))
        if positions and min(positions) < 0:
            new_of_origin: dict[str | None, list[int]] = defaultdict(list)
            new_of_subject: dict[str | None, list[int]] = defaultdict(list)
            for index, pair in enumerate(pairs):
                if positions[index] < 0:
                    position = position_of.get(pair)  # the list may repeat it
                    if position is None:
                        position = position_of[pair] = len(self.pairs)
                        self.pairs.append(pair)
                        new_of_origin[pair[0]].append(position)
                        new_of_subject[pair[1]].append(position)
                    positions[index] = position
            # each origin's and subject's new bits in one step (not a wide OR per pair)
            for grouped, of in ((new_of_origin, self._of_origin), (new_of_subject, self._of_subject)):
                for key, added in grouped.items():
                    of[key] = of.get(key, 0) | _mask(added)
        return _mask(positions)

    def _index_flows(self) -> tuple[dict[str, list[tuple[str, Flow, tuple]]], list[tuple[str, Flow, tuple]]]:
        """(out, into_sinks): each node's flows to nodes that send on, with the categories each
        depends on indexed in `_exact` and `_under`; and the flows into nodes no flow leaves."""
        out: dict[str, list[tuple[str, Flow, tuple]]] = {}
        into_sinks: list[tuple[str, Flow, tuple]] = []
        successors = self.graph.succ
        for flow in self.flows:
            source, target = flow.source, flow.target
            keys = self._keys(flow)
            listed = {category for category, _ in keys[2]}
            under = self._under.setdefault(source, {})
            if not successors[target]:
                # Nothing depends on when data reaches a node no flow leaves (most recipients):
                # such a flow is computed once, from its source's final holdings, not per change.
                into_sinks.append((target, flow, keys))
                for category in listed:
                    under.setdefault(category, 0)  # listed, though no flow in `out` marks it
                continue
            flows_out = out.setdefault(source, [])
            bit = 1 << len(flows_out)
            flows_out.append((target, flow, keys))
            # Which of the source's categories this flow depends on: its own and their
            # ancestors (exactly), and anything below its own (through `under`).
            exact = self._exact.setdefault(source, {})
            for category in listed.union(*(above for _, above in keys[2])):
                exact[category] = exact.get(category, 0) | bit
            for category in listed:
                under[category] = under.get(category, 0) | bit
        self._flow_keys.clear()  # each flow's keys are in `out` now: 1.2 MB less at the peak
        return out, into_sinks

    def _collect(self, collections) -> None:
        """Give each node what it collects."""
        for node_id, masks in collections:
            holdings = self.held[node_id]
            for categories, provenance in masks:
                for category in categories:
                    if category not in holdings:
                        self._index(node_id, category)
                        holdings[category] = provenance
                    else:
                        holdings[category] |= provenance

    def _share_masks(self) -> None:
        """One object per distinct mask: a 20,000-flow map holds 50,000 masks, 7,000 distinct.
        Each table once, though flows share it (a wide mask is hashed anew on every lookup)."""
        canonical = self._canonical
        shared, done = self.shared_tables, set()
        for table in (*self.held.values(), *self.carried.values()):
            if id(table) in shared:
                if id(table) in done:
                    continue
                done.add(id(table))
            for category, bits in table.items():
                table[category] = canonical.setdefault(bits, bits)

    def _declare_origins(self, out: dict) -> None:
        """Stage 2: a flow's declared origins for the listed categories that reach its source
        with no known origin, propagated on from the stage-1 fixpoint."""
        known = _mask([position for (origin, _), position in self._position_of.items() if origin is not None])
        for flow in self.flows:
            if flow.origins:
                unknown = frozenset(
                    category for category in dict.fromkeys(flow.data_categories)
                    if not self._upstream(flow.source, category) & known
                )
                if unknown:
                    self._declaring[flow] = unknown
        if not self._declaring:
            return
        pending = []
        for source, flows in out.items():
            for position, (_, flow, _) in enumerate(flows):
                if flow in self._declaring:
                    self._dirty[source] = self._dirty.get(source, 0) | 1 << position
                    pending.append(source)
        self._settle(pending, out)

    def _settle(self, pending: list[str], out: dict) -> None:
        """Run the worklist until no node's holdings grow: strongly connected component by
        component, in topological order. A component settles (see _sweep) before the flows
        leaving it are computed, once, from its nodes' final holdings; what they bring marks
        the targets pending in their own, later, components. Computed as data arrived, those
        flows were recomputed three times each, as the upstream component went round its
        cycles (20,000 flows: 55,000 flow computations, now 34,000)."""
        component = self._component
        waiting: dict[int, dict[str, None]] = {}
        for node in pending:
            waiting.setdefault(component[node], {})[node] = None
        ranks = list(waiting)
        heapq.heapify(ranks)
        while ranks:
            rank = heapq.heappop(ranks)
            members = waiting.pop(rank)
            members.update(dict.fromkeys(self._share_around_cycles(rank, out)))
            for source in self._sweep(list(members), out, rank):
                for target in self._run(source, out[source], ~self._inside.get(source, 0)):
                    if target in out:
                        rank = component[target]
                        if rank not in waiting:
                            waiting[rank] = {}
                            heapq.heappush(ranks, rank)
                        waiting[rank][target] = None

    def _share_around_cycles(self, rank: int, out: dict) -> list[str]:
        """Before a component's sweeps: where flows pass a category on around a cycle (each
        listing it or a key above it, and keeping through their `origins` all the cycle holds
        of it), every node of the cycle will hold it, with the union of what they hold of it and
        of what the cycle's flows listing it exactly make of the keys above it (a flow listing
        `user.contact.email` from a node holding `user.contact` sends the latter as the
        former); give it to them now. The sweeps would carry it one hop each, a sweep of the
        whole component per hop when the ring is declared against the visiting order. Broad
        categories go first, so what a key above brings has been shared; before that, the
        nodes that will hold a category are given it (_give_key). Stage 2 gives no category
        anew, and its cycles have shared. Returns the nodes that grew."""
        members = self._members.get(rank)
        if members is None or self._declaring:
            return []
        listing, inside_flows, _ = self._listing(members, out)
        candidates = set(listing)
        for node in members:
            candidates.update(self.held.get(node, ()))
        cycles_of: dict[tuple[str, ...], list] = {}  # the same listed keys make the same cycles
        successors_of: dict[tuple[str, ...], dict] = {}  # ... and the same successors
        grown: dict[str, None] = {}
        for category in sorted(candidates, key=_broad_first):
            keys = tuple(key for key in (*taxonomy.ancestors(category), category) if key in listing)
            if not keys:
                continue
            flows = [listing[key] for key in keys]
            exact = listing[category] if keys[-1] == category else []
            successors = successors_of.get(keys)
            if successors is None:
                successors = successors_of[keys] = _successors(flows)
            given = self._give_key(category, members, successors, exact)
            for node in given:
                grown[node] = None
            cycles = cycles_of.get(keys)
            if cycles is None:
                cycles = cycles_of[keys] = _cycles(members, flows, inside_flows)
            if cycles:
                for node in self._share_one(category, cycles, flows, exact, set(given)):
                    grown[node] = None
        return list(grown)

    def _carry_along(self, rank: int, out: dict) -> list[str]:
        """When a component's sweeps keep turning back: carry each category along its own flows
        (_pass_on), broad ones first. In stage 2, only what flows declare origins for (and the
        keys below it, which draw on it) has anything new to carry. Returns the nodes that grew."""
        members = self._members.get(rank)
        if members is None:
            return []
        listing, _, declared = self._listing(members, out)
        if self._declaring:
            candidates = {category for category in listing if {category, *taxonomy.ancestors(category)} & declared}
        else:
            candidates = set(listing)
            for node in members:
                candidates.update(self.held.get(node, ()))
        grown: dict[str, None] = {}
        for category in sorted(candidates, key=_broad_first):
            keys = tuple(key for key in (*taxonomy.ancestors(category), category) if key in listing)
            if keys:
                exact = listing[category] if keys[-1] == category else []
                for node in self._pass_on(category, [listing[key] for key in keys], exact):
                    grown[node] = None
        return list(grown)

    def _listing(self, members: list[str], out: dict) -> tuple[dict[str, list], int, set[str]]:
        """(category -> the flows inside the component listing it: source, target, what the
        flow keeps (None: all), the flow, flat (a tuple per flow cost 5 MB at the peak of the
        20,000-flow benchmark); how many flows are inside it; the categories its flows declare
        origins for (stage 2))."""
        listing: dict[str, list] = defaultdict(list)
        inside_flows = 0
        declared: set[str] = set()
        for source in members:
            inside = self._inside.get(source, 0)
            for position, (target, flow, (_, allowed, listed)) in enumerate(out[source]):
                if inside >> position & 1:
                    inside_flows += 1
                    declared.update(self._declaring.get(flow, ()))
                    for category, _ in listed:
                        listing[category].extend((source, target, allowed, flow))
        return listing, inside_flows, declared

    def _give_key(self, category: str, members: list[str], successors: dict, exact: list) -> list[str]:
        """Give the category, with nothing known of it yet, to the nodes of the component that
        will hold it: those a flow listing it reaches, and those flows listing it or a key
        above it reach from a node holding it. All a component's nodes will hold is then theirs
        before its sweeps, in one order that does not depend on how its data went round."""
        reached = {node for node in members if category in self.held.get(node, ())}
        reached.update(exact[1::4])
        frontier = list(reached)
        while frontier:
            for target in successors.get(frontier.pop(), ()):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
        given = []
        for node in members:
            if node in reached and category not in self.held[node]:
                self._index(node, category)
                self.held[node][category] = 0
                given.append(node)
        return given

    def _pass_on(self, category: str, flows: list[list], exact: list) -> list[str]:
        """Carry what the component's nodes hold of the category along its flows (those listing
        it or a key above it) until it settles, visiting first in the order of a depth-first
        search of those flows, not of the whole map (see _sweep): against an order fixed by
        flows carrying other data, the category's own path zig-zags and each sweep carries it
        one hop. The search follows, from each node, the flows that keep the most of what the
        component holds of the category first, for the same reason: flows keeping only other
        origins would otherwise fix the order. Returns the nodes that grew."""
        out: dict[str, list] = defaultdict(list)  # source -> flat target, keeps, lists it exactly
        for listed in flows:
            is_exact = listed is exact
            for source, target, allowed in zip(listed[0::4], listed[1::4], listed[2::4]):
                out[source].extend((target, allowed, is_exact))
        # Stage 2: the origins a flow listing the category declares for it (see _carry)
        declares: dict[tuple[str, str], Bits] = {}
        for source, target, flow in zip(exact[0::4], exact[1::4], exact[3::4]):
            if category in self._declaring.get(flow, ()):
                declares[(source, target)] = declares.get((source, target), 0) | self._narrowed(flow.origins or None)[0]
        value = {node: self.held[node][category] for node in _nodes(flows) if category in self.held.get(node, ())}
        above = {source: self._made_of_keys_above(source, category, None) for source in exact[0::4]}
        in_play = 0
        for mask in (*value.values(), *above.values(), *declares.values()):
            in_play |= mask
        # A worklist: a node is visited again only when what it holds grew, so the category
        # settles here in at most (bits in play + 1) visits a node, however often the
        # component's data went round. Two fixed passes left the rest to the sweeps, whose
        # turns grew with the component (a 20,000-flow map that is one cycle: 4.9x the time and
        # 4.1x the calls of a quarter of it).
        order = _depth_first_order(out, in_play)
        pending = deque(order)
        queued = set(order)
        while pending:
            source = pending.popleft()
            queued.discard(source)
            held = value.get(source)
            if held is None:
                if source not in above:
                    continue  # holds none of it, nor makes it of a key above
                held = 0
            edges = out.get(source, ())
            for target, allowed, is_exact in zip(edges[0::3], edges[1::3], edges[2::3]):
                mask = held | above[source] if is_exact else held
                if allowed is not None:
                    mask &= allowed
                if is_exact and declares:
                    mask |= declares.get((source, target), 0)
                if not mask:
                    continue  # nothing to bring (the target may not hold the category)
                before = value[target]
                if before | mask != before:
                    value[target] = before | mask
                    if target in out and target not in queued:
                        queued.add(target)
                        pending.append(target)
        grown = []
        for node, mask in value.items():
            if mask != self.held[node][category]:
                self.held[node][category] = self._canonical.setdefault(mask, mask) if mask > _SMALL else mask
                self._changed(node, category)
                grown.append(node)
        return grown

    def _share_one(
        self, category: str, cycles: list, flows: list[list], exact: list, given: AbstractSet[str] = frozenset()
    ) -> list[str]:
        """For one category: give the nodes of each of `cycles` (of `flows`, those passing the
        category on; `exact` those listing it) what they will all hold of it (see
        _share_around_cycles), unless a flow of the cycle keeps less, or no node of the cycle
        holds it and no flow of it lists it (then none will through it); the nodes that grew."""
        cycle_of = {node: index for index, cycle in enumerate(cycles) for node in cycle}
        unions: list[Bits | None] = []
        keyed: list[bool] = []
        for cycle in cycles:
            union = 0
            holds = False
            for node in cycle:
                mask = self.held.get(node, {}).get(category)
                if mask is not None:
                    holds = True
                    union |= mask
            unions.append(union)
            keyed.append(holds)
        for source, target, allowed in zip(exact[0::4], exact[1::4], exact[2::4]):
            index = cycle_of.get(source)
            if index is not None and cycle_of.get(target) == index:
                keyed[index] = True
                unions[index] |= self._made_of_keys_above(source, category, allowed)
        for listed in flows:
            for source, target, allowed in zip(listed[0::4], listed[1::4], listed[2::4]):
                index = cycle_of.get(source)
                if allowed is not None and index is not None and cycle_of.get(target) == index:
                    union = unions[index]
                    if union is not None and union & allowed != union:
                        unions[index] = None  # a flow of the cycle narrows what it holds
        grown = []
        for cycle, union, holds in zip(cycles, unions, keyed):
            if union is None or not holds:
                continue
            if union > _SMALL:
                union = self._canonical.setdefault(union, union)
            for node in cycle:  # the one object, as shared masks are (see _receive)
                holdings = self.held[node]
                existing = holdings.get(category)
                if existing is None:
                    self._index(node, category)
                elif existing == union:
                    continue
                elif node not in given:  # given it just now, the node has marked its flows
                    self._changed(node, category)
                holdings[category] = union
                grown.append(node)
        return grown

    def _made_of_keys_above(self, node_id: str, category: str, allowed: Bits | None) -> Bits:
        """What a flow listing `category` out of the node carries as it from the keys above it."""
        held = self.held.get(node_id, {})
        bits = 0
        for ancestor in taxonomy.ancestors(category):
            bits |= held.get(ancestor, 0)
        return bits if allowed is None else bits & allowed

    def _run(self, source: str, flows: list, allowed: int) -> list[str]:
        """Compute the source's marked out-flows among `allowed` (a mask over `flows`), in
        order, each jumped to straight (a node with 40,000 out-flows revisited for a few of
        them must not cost 40,000 steps); the targets that grew."""
        dirty = self._dirty
        grown = []
        position = 0
        while True:
            ahead = (dirty.get(source, 0) & allowed) >> position  # read anew: a flow back marks more
            if not ahead:
                return grown
            position += (ahead & -ahead).bit_length() - 1
            dirty[source] ^= 1 << position
            target, flow, keys = flows[position]
            position += 1
            carried = self._carry(flow, keys)
            self.carried[flow] = carried
            if self._receive(target, carried):
                grown.append(target)

    def _sweep(self, pending: list[str], out: dict, component: int) -> dict[str, None]:
        """Settle one component through the flows inside it, in sweeps: the first visits its
        pending nodes in reverse postorder of a depth-first search (a node before the nodes it
        sends to, except around cycles), the next in the opposite order, and so on; a node
        that grows behind a sweep waits for the next one. Data then travels a chain or ring in
        one sweep, and what comes back along a cycle travels on in the next, whichever way the
        flows were declared (a FIFO, or sweeps in one direction, took a visit per hop). A
        component whose data keeps coming back (after 3 sweeps, 6, 12, ...) has each category
        carried along its own flows (_carry_along). Returns the nodes visited, in order."""
        order = self._order
        direction = 1
        turns, next_stop = 0, 3
        heap = [(order[node], node) for node in pending]
        queued = set(pending)
        visited: dict[str, None] = {}
        later: list[str] = []
        heapq.heapify(heap)
        inside = self._inside
        while heap or later:
            if not heap:
                direction = -direction
                turns += 1
                if turns == next_stop:
                    next_stop *= 2
                    for node in self._carry_along(component, out):
                        if node not in queued:
                            queued.add(node)
                            later.append(node)
                heap, later = [(direction * order[node], node) for node in later], []
                heapq.heapify(heap)
            rank, source = heapq.heappop(heap)
            queued.discard(source)
            visited[source] = None
            for target in self._run(source, out[source], inside.get(source, 0)):
                if target not in queued:
                    queued.add(target)
                    place = direction * order[target]
                    if place > rank:
                        heapq.heappush(heap, (place, target))
                    else:
                        later.append(target)
        return visited

    def _components(self, out: dict) -> dict[str, int]:
        """Each sending node's strongly connected component, as the place in `_order` of its
        first node: a topological order of the components (a component's first node comes
        before every node it sends to outside it). A cycle runs through sending nodes only, so
        their graph has the map's cycles, without the map's nodes that send nothing (580,000
        one-line systems took 1.8 s to split into components)."""
        sending = nx.DiGraph()
        sending.add_nodes_from(out)
        sending.add_edges_from(
            (source, target) for source, flows in out.items() for target, _, _ in flows if target in out
        )
        order = self._order
        component = {}
        self._members: dict[int, list[str]] = {}  # rank -> the nodes of a component of several
        for members in nx.strongly_connected_components(sending):
            rank = min(order[node] for node in members)
            for node in members:
                component[node] = rank
            if len(members) > 1:
                self._members[rank] = sorted(members, key=order.__getitem__)
        return component

    @cached_property
    def _order(self) -> dict[str, int]:
        """Each node that takes part in a flow: its place in reverse postorder of a depth-first
        search of the graph, searched as networkx's dfs_postorder_nodes does (successors in the
        order added). A node in no flow is left out: no visit asks for it, and searching from
        each of 580,000 one-line systems took 0.8 s."""
        in_flows = {flow.source for flow in self.flows} | {flow.target for flow in self.flows}
        successors = self.graph.succ
        postorder: list[str] = []
        visited: set[str] = set()
        for start in self.graph:
            if start in visited or start not in in_flows:
                continue
            visited.add(start)
            stack = [(start, iter(successors[start]))]
            while stack:
                parent, children = stack[-1]
                for child in children:
                    if child not in visited:
                        visited.add(child)
                        stack.append((child, iter(successors[child])))
                        break
                else:
                    stack.pop()
                    postorder.append(parent)
        return {node: index for index, node in enumerate(reversed(postorder))}

    def _upstream(self, node_id: str, category: str) -> Bits:
        """Provenance of what the node holds that a flow listing `category` draws on: the
        category, the held categories it covers, and those that cover it."""
        held = self.held.get(node_id, {})
        bits = 0
        for held_category in self._below.get(node_id, {}).get(category, ()):
            bits |= held[held_category]
        for covering in (category, *taxonomy.ancestors(category)):
            bits |= held.get(covering, 0)
        return bits

    def _keys(self, flow: Flow) -> tuple:
        """Per flow: what its `origins` add and keep, and its categories (each once) with their
        ancestors; one tuple shared by the flows that declare the same origins and categories."""
        origins = flow.origins or None
        found = self._flow_keys.get((origins, flow.data_categories))
        if found is None:
            listed = tuple(taxonomy.lineage(category) for category in dict.fromkeys(flow.data_categories))
            found = self._flow_keys[(origins, flow.data_categories)] = (*self._narrowed(origins), listed)
        return found

    def _narrowed(self, origins: tuple[str, ...] | None) -> tuple[Bits, Bits]:
        """(the bits a flow declaring `origins` adds, the bits it keeps), once per `origins`."""
        narrowing = self._narrowing.get(origins)
        if narrowing is None:
            position_of = self._position_of
            declared = 0  # (origin, unknown subject) for each origin the flow declares
            allowed = None  # all: the flow carries its source's masks themselves
            if origins:
                narrowed = {reference.legal_area(origin) for origin in origins}
                declared = _mask([position_of[(origin, None)] for origin in narrowed])
                allowed = 0
                for origin in narrowed:
                    allowed |= self.bits_of_origin[origin]
            narrowing = self._narrowing[origins] = (declared, allowed)
        return narrowing

    def _index(self, node_id: str, category: str) -> None:
        """Record a category newly held by a node: its rank, and under each of its ancestors
        that a flow out of the node lists (a node no flow leaves needs neither: 6 in 7 of the
        ancestor entries of a 20,000-flow map were never read)."""
        listed = self._under.get(node_id)
        if listed:
            # Holdings that are passed on are the work (see holdings_limit); what a node no
            # flow leaves receives is a table its flows share.
            self._holdings_left -= 1
            if self._holdings_left < 0:
                raise _too_many_holdings(self.inventory.name)
            rank = self._rank.setdefault(node_id, {})
            rank[category] = len(rank)
            below = self._below.setdefault(node_id, {})
            for ancestor in taxonomy.ancestors(category):
                if ancestor in listed:
                    below.setdefault(ancestor, []).append(category)
        self._changed(node_id, category)

    def _changed(self, node_id: str, category: str) -> None:
        """The node's holdings of `category` changed: mark the out-flows that depend on it."""
        exact = self._exact.get(node_id)
        if exact is None:
            return  # no flow out of this node (or flows not indexed yet: all are computed)
        marks = self._dirty.get(node_id, 0) | exact.get(category, 0)
        under = self._under[node_id]
        for ancestor in taxonomy.ancestors(category):
            marks |= under.get(ancestor, 0)
        self._dirty[node_id] = marks

    def _carry(self, flow: Flow, keys: tuple) -> dict[str, Bits]:
        held = self.held.get(flow.source, {})
        declared, allowed, listed = keys
        below = self._below.get(flow.source, {}) if held else {}
        declaring = self._declaring.get(flow, ())
        carried: dict[str, Bits] = {}
        for category, above in listed:
            # Held categories `category` covers (itself, its descendants), in the order held.
            covered = below.get(category, ())
            if category in held:
                if covered:
                    rank = self._rank[flow.source]
                    mine = rank[category]
                    covered = [item for item in covered if rank[item] < mine] + [category] + [
                        item for item in covered if rank[item] > mine
                    ]
                else:
                    covered = (category,)
            for held_category in covered:
                mask = held[held_category] if allowed is None else held[held_category] & allowed
                before = carried.get(held_category)
                carried[held_category] = mask if before is None else before | mask
            # Provenance of held categories that cover `category` (its ancestors), and in
            # stage 2 the origins the flow declares, if nothing upstream knows them.
            provenance = declared if category in declaring else 0
            for ancestor in above:
                mask = held.get(ancestor)
                if mask is not None:
                    if allowed is not None:
                        mask &= allowed
                    provenance = provenance | mask if provenance else mask
            before = carried.get(category)
            carried[category] = provenance if before is None else before | provenance
        # One object per distinct mask from the start: a mask is as wide as the inventory has
        # (origin, subject) pairs, and 10,000 pairs made every flow's masks 1.4 KB each (12,000
        # flows of 85 categories held 1.6 GB until _share_masks ran at the end).
        canonical = self._canonical
        for category, mask in carried.items():
            if mask > _SMALL:
                carried[category] = canonical.setdefault(mask, mask)
        if len(canonical) > _CANONICAL_MAX:
            # Masks that only grow along a cycle are each new once: 3,000 nodes of distinct
            # origins around a ring made 9 million masks of 3,000 bits, all kept here (1.5 GB+).
            # Forgetting them only forgoes sharing with masks made before.
            canonical.clear()
        return carried

    def _final_carry(self, flow: Flow, keys: tuple) -> dict[str, Bits]:
        """_carry for a flow computed once, from its source's final holdings: flows of one
        source with the same keys (`_keys` shares them) carry one table, not one each (100,000
        flows listing `user` from a source holding all 81 categories under it: 100,000 tables of
        83 masks). The latest few thousand (source, keys) are remembered: in a realistic map
        nearly every flow's are its own, and remembering all of them cost 2 MB at the peak.
        Not for a flow that declares origins for a category (stage 2): that is the flow's own."""
        if flow in self._declaring:
            return self._carry(flow, keys)
        tables = self._final_tables
        found = tables.get((flow.source, id(keys)))
        if found is None or found[0] is not keys:
            if len(tables) >= MEMO_MAX:
                tables.clear()
            found = tables[(flow.source, id(keys))] = (keys, self._carry(flow, keys))
        else:
            self.shared_tables.add(id(found[1]))
        return found[1]

    def _receive(self, node_id: str, carried: dict[str, Bits]) -> bool:
        holdings = self.held[node_id]
        grew = False
        for category, provenance in carried.items():
            existing = holdings.get(category)
            if existing is None:  # a new category grows the node even with nothing known of it
                self._index(node_id, category)
                holdings[category] = provenance
                grew = True
                continue
            if provenance is existing:  # the same mask, shared: nothing new
                continue
            union = existing | provenance
            if union != existing:
                holdings[category] = union
                grew = True
                self._changed(node_id, category)
        return grew




def _mask(positions: list[int]) -> Bits:
    """The mask with the bits at `positions` set, made in one step: its binary digits, set
    without a Python step per bit, read as one integer (a few ORs for a few bits)."""
    if len(positions) < 16:
        mask = 0
        for position in positions:
            mask |= 1 << position
        return mask
    digits = bytearray(b"0") * (max(positions) + 1)
    deque(map(digits.__setitem__, positions, itertools.repeat(ord("1"))), 0)
    digits.reverse()
    return int(digits, 2)


class _Areas(dict):
    """origin -> reference.legal_area(origin), each asked once."""

    def __missing__(self, origin: str) -> str | None:
        area = self[origin] = reference.legal_area(origin)
        return area

def _broad_first(category: str) -> tuple[int, str]:
    return category.count("."), category


def _cycles(members: list[str], flows: list[list], inside_flows: int) -> list[set[str]]:
    """The cycles (strongly connected sets of several nodes) of `flows` (flat lists of source,
    target, keeps, flow) inside a component of `members` with `inside_flows` flows. When
    they are all of the component's flows, the component is the one cycle: no graph to build
    (thousands of small components, each asked about dozens of categories)."""
    passing = set()
    for listed in flows:
        passing.update(listed[3::4])
    if len(passing) == inside_flows:
        return [set(members)]
    pairs = [pair for listed in flows for pair in zip(listed[0::4], listed[1::4])]
    # A node on a cycle sends to and receives from one: peel off the others first, a few
    # times (not until none is left: a chain loses two flows a round), so that most categories
    # of most small components need no graph (in the 20,000-flow benchmark, 56 of 272 do).
    for _ in range(3):
        sources = {source for source, _ in pairs}
        targets = {target for _, target in pairs}
        kept = [(source, target) for source, target in pairs if source in targets and target in sources]
        if not kept:
            return []
        if len(kept) == len(pairs):
            break
        pairs = kept
    return [cycle for cycle in nx.strongly_connected_components(nx.DiGraph(pairs)) if len(cycle) > 1]


def _nodes(flows: list[list]) -> dict[str, None]:
    """The sources and targets of `flows` (flat lists of source, target, keeps, flow), in order."""
    nodes: dict[str, None] = {}
    for listed in flows:
        for source, target in zip(listed[0::4], listed[1::4]):
            nodes[source] = nodes[target] = None
    return nodes


def _successors(flows: list[list]) -> dict[str, list[str]]:
    """Each source's targets among `flows` (flat lists of source, target, keeps, flow)."""
    successors: dict[str, list[str]] = {}
    for listed in flows:
        for source, target in zip(listed[0::4], listed[1::4]):
            successors.setdefault(source, []).append(target)
    return successors


def _depth_first_order(out: dict[str, list], in_play: Bits) -> list[str]:
    """The nodes of `out` (source -> flat target, keeps, lists it exactly) in reverse postorder
    of a depth-first search from each in turn, in order, following from each node first the
    flows that keep everything, then those that keep more of `in_play`."""
    nodes: dict[str, None] = {}
    first: dict[str, list[str]] = {}
    for source, edges in out.items():
        nodes[source] = None
        keeping, narrowing = [], []
        for target, allowed in zip(edges[0::3], edges[1::3]):
            nodes.setdefault(target)
            if allowed is None:
                keeping.append(target)
            else:
                narrowing.append((-(allowed & in_play).bit_count(), target))
        narrowing.sort(key=lambda pair: pair[0])  # stable: declared order among equals
        first[source] = keeping + [target for _, target in narrowing]
    postorder = []
    seen = set()
    for start in nodes:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(first.get(start, ())))]
        while stack:
            node, ahead = stack[-1]
            for target in ahead:
                if target not in seen:
                    seen.add(target)
                    stack.append((target, iter(first.get(target, ()))))
                    break
            else:
                stack.pop()
                postorder.append(node)
    postorder.reverse()
    return postorder


def holdings_limit() -> int:
    """How many (node, category) holdings the data map may make at nodes that pass data on:
    one per four values the inventory may hold (655,360 at the 10 MB limit). Each costs
    propagation a few microseconds, and a flow listing `user` carries every category its
    source holds: a ring of 150,000 systems (10 MB) passing all 82 keys around would hold 12
    million, and took minutes and gigabytes. Generated maps of 45,000 flows (10 MB) make
    under 100,000."""
    return value_limit() // 4


def _too_many_holdings(name: str) -> Exception:
    from .engine import UsageError

    return UsageError(
        f"{name}: the data map would hold more than {holdings_limit():,} categories at systems and "
        "recipients that pass them on (each category reaching each node counts once), more than "
        "privlint works through; list narrower categories than `user` on the flows that pass "
        f"everything on, split the inventory, or set {LIMIT_VARIABLE} to raise the limit"
    )


# Masks up to here are a machine word or two: sharing them saves less than looking them up costs.
_SMALL = 1 << 60
# Entries a memo of what flows share keeps before it starts over: sharing pays where many
# flows repeat a few, and a memo of every flow of a realistic map only adds to its peak.
MEMO_MAX = 4_096
_CANONICAL_MAX = 20_000
