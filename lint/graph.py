"""The data map: nodes (systems, recipients) as a networkx directed graph of who sends to
whom, the flows between them, and what data each node holds and each flow carries (computed
once by propagation.py), with the questions rules ask of them.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import cached_property

import networkx as nx

from . import taxonomy
from .loader import Path, gc_paused
from .model import CategoryUse, Flow, Inventory, Node
from .propagation import MEMO_MAX, Bits, Propagation, Provenance

# Category -> provenance.
Holdings = dict[str, AbstractSet[Provenance]]


class _Topology(nx.DiGraph):
    """A DiGraph whose nodes and edges carry no attributes: they share one empty attribute
    dictionary (networkx's factory hooks for subclasses) instead of an empty dictionary each."""

    node_attr_dict_factory = staticmethod(lambda: _NO_ATTRIBUTES)
    edge_attr_dict_factory = staticmethod(lambda: _NO_ATTRIBUTES)


_NO_ATTRIBUTES: dict = {}


class DataMap:
    @gc_paused
    def __init__(self, inventory: Inventory):
        self.inventory = inventory
        # Topology only: the flows themselves (several may join one pair) stay in `flows`, as
        # a multigraph's per-edge dictionaries cost 9 MB at 20,000 flows.
        self.graph = _Topology()
        # Of nodes sharing an id (PL003), the first in file order is the one the map uses,
        # as PL003 reports the later ones; the graph's node order stays systems first.
        first = {node.id: node for node in reversed(inventory.nodes_in_file_order())}
        self._nodes: dict[str, Node] = {}
        for node in inventory.nodes:
            if node.id not in self._nodes:
                self._nodes[node.id] = first[node.id]
        self.graph.add_nodes_from(self._nodes)  # in one call: add_node took 1 s for 580,000 nodes
        self.flows: list[Flow] = []
        for flow in inventory.flows:
            if flow.source in self.graph and flow.target in self.graph:  # else PL002
                self.graph.add_edge(flow.source, flow.target)
                self.flows.append(flow)
        propagated = Propagation(inventory, self._nodes, self.graph, self.flows)
        self._held = propagated.held
        self._carried = propagated.carried
        self._pairs = propagated.pairs  # bit i of a provenance mask stands for _pairs[i]
        # ids of the carried tables several flows share (they live as long as the map: their
        # ids stay theirs)
        self._shared_tables = propagated.shared_tables
        self._bits_of_origin = propagated.bits_of_origin
        self._bits_of_subject = propagated.bits_of_subject
        self._provenance: dict[Flow, tuple[frozenset[str], frozenset[str]]] = {}
        self._answers: dict[Bits, tuple[frozenset[str], frozenset[str]]] = {}
        self._table_bits: dict[int, Bits] = {}  # id(a shared table) -> its personal data's mask
        self._sets: dict[frozenset[str], frozenset[str]] = {}
        self._derived: dict = {}
        self._steps: dict[str, str] = {}  # node -> the node before it on its route (path_to)
        self._heads: dict[str, tuple[str, ...]] = {}  # node -> its route's first three nodes

    # -- queries ---------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def held(self, node_id: str) -> Holdings:
        """Categories the node holds (collected or received), with their provenance."""
        return {category: self._provenance_of(bits) for category, bits in self._held.get(node_id, {}).items()}

    def carried(self, flow: Flow) -> Holdings:
        """Categories the flow carries, with the origins and subjects travelling with them."""
        return {category: self._provenance_of(bits) for category, bits in self._carried.get(flow, {}).items()}

    def categories_held(self, node_id: str):
        """The categories the node holds (collected or received)."""
        return self._held.get(node_id, {}).keys()

    def _provenance_of(self, bits: Bits) -> frozenset[Provenance]:
        """The pairs of the set bits, found in the mask's binary digits in one pass (masks can
        have thousands of bits: taking off one set bit at a time made an integer of that size
        per bit, and a mask of 10,000 set bits cost 6 ms)."""
        return frozenset(self._pairs_of(bits))

    def _pairs_of(self, bits: Bits) -> list[Provenance]:
        """The pairs of the set bits, in one pass over the mask's binary digits."""
        digits = bin(bits)
        last = len(digits) - 1  # where bit 0 is
        pairs = self._pairs
        found = []
        position = digits.find("1", 2)
        while position != -1:
            found.append(pairs[last - position])
            position = digits.find("1", position + 1)
        return found

    def origins(self, flow: Flow) -> frozenset[str]:
        """Legal areas (EEA, UK, CH) or countries of the people whose personal data the flow
        carries: one shared set for all flows that carry the same (650 origins on each of
        50,000 flows were 50,000 copies)."""
        return self._personal_provenance(flow)[0]

    def subjects(self, flow: Flow) -> frozenset[str]:
        """Data subjects whose personal data the flow carries (shared, like origins)."""
        return self._personal_provenance(flow)[1]

    def _personal_provenance(self, flow: Flow) -> tuple[frozenset[str], frozenset[str]]:
        """(origins, subjects) of the personal data the flow carries, computed once per flow."""
        found = self._provenance.get(flow)
        if found is None:
            table = self._carried.get(flow, _NO_ATTRIBUTES)
            # Flows share tables (Propagation._final_carry): each shared table's personal mask once
            bits = self._table_bits.get(id(table))
            if bits is None:
                bits = 0
                for category, provenance in table.items():
                    if _is_personal(category):
                        bits |= provenance
                if id(table) in self._shared_tables:
                    self._table_bits[id(table)] = bits
            found = self._answers.get(bits)
            if found is None:  # masks repeat, and their sets far more: one object per set
                if bits.bit_count() <= len(self._bits_of_origin) + len(self._bits_of_subject):
                    # By its set bits, when it has fewer than there are origins and subjects: a
                    # distinct narrow mask per flow ANDed with each of 650 origins' masks of
                    # 10,000 bits took 0.45 ms a flow.
                    pairs = self._pairs_of(bits)
                    origins = frozenset(origin for origin, _ in pairs if origin is not None)
                    subjects = frozenset(subject for _, subject in pairs if subject is not None)
                else:
                    # By each origin's and subject's own mask: an inventory of 650 origins has
                    # masks of 10,000 bits, and reading every pair of 10,000 masks took 19 s.
                    origins = frozenset(
                        origin for origin, mask in self._bits_of_origin.items() if origin is not None and bits & mask
                    )
                    subjects = frozenset(subject for subject, mask in self._bits_of_subject.items() if bits & mask)
                found = self._answers[bits] = (
                    self._sets.setdefault(origins, origins), self._sets.setdefault(subjects, subjects)
                )
            self._provenance[flow] = found
        return found

    def sent(self, use: CategoryUse) -> tuple[tuple[str, Path], ...]:
        """The categories a collection or flow puts into play, each with the member listing it.

        A system collects what it lists. A flow sends what its source holds under each listed
        category: the specific categories held below it (a flow listing `user` from a source
        holding `user.childrens` sends children's data), and the listed category itself where
        the source holds it only as that or a broader key, or holds nothing of it (a flow
        listing `user.location` from a source holding only `user.location.imprecise` sends
        imprecise location, not "maybe precise").

        Each category once, with the first member that puts it into play: a flow listing
        `user` a million times sends what its source holds below `user` once, not a million
        times over. One tuple, shared by the flows of one source that list the same members:
        a rule may judge it once for all of them.
        """
        flow = use.flow
        if flow is None or flow not in self._carried:
            return use.categories
        # What a flow sends depends on its source's holdings and its listed members only:
        # once per (carried table, members) for flows sharing a table (Propagation._final_carry), for the
        # rules that ask (PL303, PL305), until released.
        table = self._carried[flow]
        if id(table) not in self._shared_tables:
            return self._sent(flow, use.categories)
        memo = self.derived("sent", dict)
        key = (id(table), id(use.categories))
        found = memo.get(key)
        if found is None or found[0] is not use.categories:
            if len(memo) >= MEMO_MAX:
                memo.clear()
            found = memo[key] = (use.categories, self._sent(flow, use.categories))
        return found[1]

    def judged(self, use: CategoryUse, judge):
        """`judge(self.sent(use))`, once per tuple flows share (see sent): 100,000 flows listing
        `user` from one source holding every category under it are judged once. `judge` must depend on
        the tuple alone (and be the same function for every use of one rule)."""
        sent = self.sent(use)
        memo = self.derived(("judged", judge), dict)
        found = memo.get(id(sent))
        if found is None or found[0] is not sent:  # the id of a tuple since freed
            if len(memo) >= 256:  # only the tuples flows share come again: a few
                memo.clear()
            found = memo[id(sent)] = (sent, judge(sent))
        return found[1]

    def _sent(self, flow: Flow, categories: tuple) -> tuple[tuple[str, Path], ...]:
        listed = {category for category, _ in categories}
        held = self._held.get(flow.source, {})
        below: dict[str, list[str]] = {}
        for category in self._carried[flow]:
            if category in held:
                for general in taxonomy.ancestors(category):
                    if general in listed:
                        below.setdefault(general, []).append(category)
        sent: dict[str, Path] = {}
        for category, member in categories:
            if category in listed:
                listed.discard(category)  # its first listing: later ones send nothing more
                specific = below.get(category, ())
                if not specific or category in held or any(general in held for general in taxonomy.ancestors(category)):
                    sent.setdefault(category, member)
                for held_category in specific:
                    sent.setdefault(held_category, member)
        return tuple(sent.items())

    def derived(self, key, compute):
        """A value derived from the map, computed once per key until released (rules share
        the transfers)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def release_derived(self) -> None:
        """Forget the derived values: the rules that shared them are done."""
        self._derived.clear()

    @staticmethod
    def carries_personal_data(flow: Flow) -> bool:
        return any(taxonomy.is_personal(category) for category in flow.data_categories)

    def disclosures(self) -> list[Flow]:
        """Flows that disclose personal data to a recipient (own-system flows are not disclosures)."""
        return list(self._disclosures)

    @cached_property
    def _disclosures(self) -> tuple[Flow, ...]:
        return tuple(
            flow
            for flow in self.flows
            if self.node(flow.target).is_recipient and self.carries_personal_data(flow)
        )

    @cached_property
    def recipients_reached(self) -> dict[str, list[Flow]]:
        """Recipients that personal data reaches, with the flows that bring it."""
        reached: dict[str, list[Flow]] = {}
        for flow in self.disclosures():
            reached.setdefault(flow.target, []).append(flow)
        return reached

    def path_to(self, node_id: str) -> list[str]:
        """A shortest chain of node ids from a collecting node to `node_id`, for messages.

        Of the collecting nodes with the shortest path, the first in inventory order; of the
        equally short paths from it, the one whose every node is entered from its first
        predecessor (in the order flows into it are declared) on such a path. One breadth-first
        search from all collecting nodes at once, and each node's step back chosen once, serve
        every target: a search per target made a star of 30,000 recipients quadratic.
        """
        if node_id not in self.graph:
            raise nx.NodeNotFound(f"{node_id} is not in the data map")
        nearest, depth = self._nearest_source
        if node_id not in nearest:
            return [node_id]
        path = [node_id]
        while depth[path[-1]]:
            path.append(self._step_back(path[-1]))
        return path[::-1]

    def route(self, node_id: str, shown: int = 8) -> list[str]:
        """path_to(node_id) for a message: a route of more than `shown` nodes as its first and
        last three with the count left out between them, found without walking it (a chain
        of 10,000 systems to 10,000 recipients walked 10^8 steps)."""
        nearest, depth = self._nearest_source
        if node_id not in nearest or depth[node_id] < shown:
            return self.path_to(node_id)
        tail = [node_id]
        while len(tail) < 3:
            tail.append(self._step_back(tail[-1]))
        return [*self._head(tail[-1]), f"({depth[node_id] - 5:,} more)", *reversed(tail)]

    def _head(self, node_id: str) -> tuple[str, ...]:
        """The first three nodes of path_to(node_id), each node's found once."""
        depth = self._nearest_source[1]
        walked = []
        while node_id not in self._heads and depth[node_id] >= 3:
            walked.append(node_id)
            node_id = self._step_back(node_id)
        head = self._heads.get(node_id) or tuple(self.path_to(node_id)[:3])
        for node in walked:
            self._heads[node] = head
        return head

    def _step_back(self, node_id: str) -> str:
        step = self._steps.get(node_id)
        if step is None:
            nearest, depth = self._nearest_source
            source, level = nearest[node_id], depth[node_id] - 1
            step = self._steps[node_id] = next(
                before for before in self.graph.pred[node_id]
                if depth.get(before) == level and nearest[before] == source
            )
        return step

    @cached_property
    def _nearest_source(self) -> tuple[dict[str, int], dict[str, int]]:
        """For every node the collecting nodes reach, the index (in inventory order) of the
        first of them at the shortest distance, and that distance (a multi-source
        breadth-first search: a node's nearest source is the smallest one among its
        predecessors on the level above)."""
        sources = [node.id for node in self.inventory.nodes if node.collects and node.id in self.graph]
        nearest: dict[str, int] = {}
        for index, source in enumerate(sources):
            nearest.setdefault(source, index)
        depth = dict.fromkeys(nearest, 0)
        frontier = list(nearest)
        successors = self.graph.succ
        distance = 0
        while frontier:
            distance += 1
            level: dict[str, int] = {}
            for node_id in frontier:
                index = nearest[node_id]
                for target in successors[node_id]:
                    if target in nearest:
                        continue
                    if target not in level or index < level[target]:
                        level[target] = index
            nearest.update(level)
            depth.update(dict.fromkeys(level, distance))
            frontier = list(level)
        return nearest, depth


def _is_personal(category: str) -> bool:
    """taxonomy.is_personal, once per category (asked for every category every flow carries)."""
    found = _PERSONAL.get(category)
    if found is None:
        if len(_PERSONAL) > 100_000:  # a few hundred known keys; never without bound
            _PERSONAL.clear()
        found = _PERSONAL[category] = taxonomy.is_personal(category)
    return found


_PERSONAL: dict[str, bool] = {}
