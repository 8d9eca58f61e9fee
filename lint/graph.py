"""The data map: nodes (systems, recipients) and flows as a networkx multigraph, with what
data each node holds and each flow carries, computed once for all rules.

Propagation (SPEC §1): data enters at `collects`. A flow carries its listed categories from
its source; the origins and data subjects travelling with them are those under which the
source holds those categories, narrowed by the flow's `origins`. It runs to a fixpoint over
the whole graph, cycles included, so what reaches a node through several hops is known there.
"""

from __future__ import annotations

from collections import defaultdict, deque
from functools import cached_property

import networkx as nx

from . import reference, taxonomy
from .model import Flow, Inventory, Node

# (legal area or country, data subject); either may be None when the inventory does not say.
Provenance = tuple[str | None, str | None]
Holdings = dict[str, set[Provenance]]


class DataMap:
    def __init__(self, inventory: Inventory):
        self.inventory = inventory
        self.graph = nx.MultiDiGraph()
        for node in inventory.nodes:
            if node.id not in self.graph:
                self.graph.add_node(node.id, node=node)
        self.flows: list[Flow] = []
        for flow in inventory.flows:
            if flow.source in self.graph and flow.target in self.graph:  # else PL002
                self.graph.add_edge(flow.source, flow.target, key=len(self.flows), flow=flow)
                self.flows.append(flow)
        self._held: dict[str, Holdings] = defaultdict(lambda: defaultdict(set))
        self._carried: dict[int, Holdings] = {}
        self._propagate()

    # -- queries ---------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        return self.graph.nodes[node_id]["node"]

    def held(self, node_id: str) -> Holdings:
        """Categories the node holds (collected or received), with their provenance."""
        return self._held.get(node_id, {})

    def carried(self, flow: Flow) -> Holdings:
        """Categories the flow carries, with the origins and subjects travelling with them."""
        return self._carried.get(id(flow), {})

    def origins(self, flow: Flow) -> set[str]:
        """Legal areas (EEA, UK, CH) or countries of the people whose personal data the flow carries."""
        return self._personal_provenance(flow, 0)

    def subjects(self, flow: Flow) -> set[str]:
        """Data subjects whose personal data the flow carries."""
        return self._personal_provenance(flow, 1)

    def _personal_provenance(self, flow: Flow, part: int) -> set[str]:
        return {
            item[part]
            for category, provenance in self.carried(flow).items()
            if taxonomy.is_personal(category)
            for item in provenance
            if item[part] is not None
        }

    @staticmethod
    def carries_personal_data(flow: Flow) -> bool:
        return any(taxonomy.is_personal(category) for category in flow.data_categories)

    def disclosures(self) -> list[Flow]:
        """Flows that disclose personal data to a recipient (own-system flows are not disclosures)."""
        return [
            flow
            for flow in self.flows
            if self.node(flow.target).is_recipient and self.carries_personal_data(flow)
        ]

    @cached_property
    def recipients_reached(self) -> dict[str, list[Flow]]:
        """Recipients that personal data reaches, with the flows that bring it."""
        reached: dict[str, list[Flow]] = {}
        for flow in self.disclosures():
            reached.setdefault(flow.target, []).append(flow)
        return reached

    def path_to(self, node_id: str) -> list[str]:
        """A shortest chain of node ids from a collecting node to `node_id`, for messages."""
        sources = [node.id for node in self.inventory.nodes if node.collects and node.id in self.graph]
        best: list[str] | None = None
        for source in sources:
            try:
                path = nx.shortest_path(self.graph, source, node_id)
            except nx.NetworkXNoPath:
                continue
            if best is None or len(path) < len(best):
                best = path
        return best or [node_id]

    # -- propagation -----------------------------------------------------------------------

    def _propagate(self) -> None:
        pending: deque[str] = deque()
        for node in self.inventory.nodes:
            if node.id not in self.graph or self.node(node.id) is not node:
                continue
            for collection in node.collects:
                origins = collection.origins or (None,)
                subjects = collection.subjects or (None,)
                provenance = {
                    (reference.legal_area(origin), subject) for origin in origins for subject in subjects
                }
                for category in collection.data_categories:
                    self._held[node.id][category] |= provenance
            pending.append(node.id)
        queued = set(pending)
        while pending:
            source = pending.popleft()
            queued.discard(source)
            for _, target, data in self.graph.out_edges(source, data=True):
                flow = data["flow"]
                carried = self._carry(flow)
                self._carried[id(flow)] = carried
                if self._receive(target, carried) and target not in queued:
                    pending.append(target)
                    queued.add(target)
        for flow in self.flows:  # flows out of nodes that never held anything
            if id(flow) not in self._carried:
                self._carried[id(flow)] = self._carry(flow)

    def _carry(self, flow: Flow) -> Holdings:
        held = self._held.get(flow.source, {})
        narrowed = {reference.legal_area(origin) for origin in flow.origins} if flow.origins else None
        carried: Holdings = {}
        for category in flow.data_categories:
            provenance: set[Provenance] = set()
            for held_category, held_provenance in held.items():
                if taxonomy.covers(category, held_category):
                    carried.setdefault(held_category, set()).update(held_provenance)
                elif taxonomy.covers(held_category, category):
                    provenance |= held_provenance
            if provenance or category not in carried:
                if not provenance and narrowed:
                    # Nothing known upstream: the flow's own `origins` is all that is known.
                    provenance = {(origin, None) for origin in narrowed}
                carried.setdefault(category, set()).update(provenance)
        if narrowed is not None:
            carried = {
                category: {item for item in provenance if item[0] in narrowed}
                for category, provenance in carried.items()
            }
        return carried

    def _receive(self, node_id: str, carried: Holdings) -> bool:
        holdings = self._held[node_id]
        grew = False
        for category, provenance in carried.items():
            before = len(holdings[category])
            holdings[category] |= provenance
            grew |= len(holdings[category]) != before
        return grew
