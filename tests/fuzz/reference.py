"""Plain reference implementations the optimised engine is checked against (tests only).

`propagate` is the data map's original worklist propagation, unoptimised: strongly connected
component by component, in topological order; inside one, first give the nodes of each cycle
that passes a category on whole the union of what they will hold of it, then, in sweeps, take the pending node
first in depth-first reverse postorder, then in the opposite order, and so on (a node that
grows behind a sweep waits for the next), recompute every flow out of it into the component by
scanning everything the source holds, queue targets that grew; once the component has settled,
recompute the flows out of it from the nodes visited; flows into nodes no flow leaves are
computed once, at the fixpoint; then again, with flows' declared origins for the categories
that reached their source with no known origin. `path_to` is a plain shortest-route search: one networkx search per collecting node. `positions` reads every value's and key's position from ruamel's composed node tree.
"""

from __future__ import annotations

from collections import defaultdict, deque

import networkx as nx
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from privlint.lint import reference, taxonomy


def propagate(data_map) -> tuple[dict, dict]:
    """(held, carried) as the original algorithm computes them on `data_map`'s graph."""
    graph = data_map.graph
    held: dict = defaultdict(lambda: defaultdict(set))
    carried_by_flow: dict = {}

    declaring: dict = {}  # stage 2: flow -> categories carried as its declared origins' data

    def upstream(flow, category) -> set:
        found: set = set()
        for held_category, held_provenance in held.get(flow.source, {}).items():
            if taxonomy.covers(category, held_category) or taxonomy.covers(held_category, category):
                found |= held_provenance
        return found

    def carry(flow):
        source = held.get(flow.source, {})
        narrowed = {reference.legal_area(origin) for origin in flow.origins} if flow.origins else None
        carried: dict = {}
        for category in flow.data_categories:
            provenance: set = set()
            for held_category, held_provenance in source.items():
                if taxonomy.covers(category, held_category):
                    carried.setdefault(held_category, set()).update(held_provenance)
                elif taxonomy.covers(held_category, category):
                    provenance |= held_provenance
            if category in declaring.get(id(flow), ()):
                provenance |= {(origin, None) for origin in narrowed}
            carried.setdefault(category, set()).update(provenance)
        if narrowed is not None:
            carried = {
                category: {item for item in provenance if item[0] in narrowed}
                for category, provenance in carried.items()
            }
        return carried

    def receive(node_id, carried) -> bool:
        holdings = held[node_id]
        grew = False
        for category, provenance in carried.items():
            grew |= category not in holdings  # a new category, even with nothing known of it
            before = len(holdings[category])
            holdings[category] |= provenance
            grew |= len(holdings[category]) != before
        return grew

    # Visits in reverse postorder of a depth-first search, as the data map does: the order in
    # which categories reach a node (and so are listed) depends on it.
    order = {node: index for index, node in enumerate(reversed(list(nx.dfs_postorder_nodes(graph))))}

    # Strongly connected components, ranked by their first node in that order: a topological
    # order of the components, in which the data map settles them, one before data leaves it.
    component = {}
    for members in nx.strongly_connected_components(graph):
        for node in members:
            component[node] = min(order[member] for member in members)

    def sweep(pending: deque) -> list:
        """Settle one component; its nodes in the order first visited."""
        queued = set(pending)
        visited: list = []
        later: list = []  # grown behind the sweep: visited in the next one, the other way
        direction = 1
        while pending or later:
            if not pending:
                pending, later, direction = deque(later), [], -direction
            source = min(pending, key=lambda node: direction * order[node])
            pending.remove(source)
            queued.discard(source)
            visited.append(source)
            for flow in [flow for flow in data_map.flows if flow.source == source]:
                target = flow.target
                if not graph.succ[target] or component[target] != component[source]:
                    continue  # into a node no flow leaves (at the fixpoint) or out of the component
                carried = carry(flow)
                carried_by_flow[id(flow)] = carried
                if receive(target, carried) and target not in queued:
                    (pending if direction * order[target] > direction * order[source] else later).append(target)
                    queued.add(target)
        return list(dict.fromkeys(visited))

    def share_around_cycles(rank) -> list:
        """As the data map does before a component's sweeps, category by category, broad ones
        first: the nodes of a cycle of flows each listing the category or a key above it, and
        keeping all the cycle will hold of it through their origins, get the union of what they
        hold of it and of what the cycle's flows listing it exactly carry from keys above it,
        when one of them holds it or a flow of the cycle lists it."""
        if sum(1 for rank_of_node in component.values() if rank_of_node == rank) < 2:
            return []  # a node alone, with or without a flow to itself: no cycle to share around
        inside = [
            flow for flow in data_map.flows
            if graph.succ[flow.target] and component[flow.source] == rank and component[flow.target] == rank
        ]
        candidates = {category for flow in inside for category in flow.data_categories}
        for node, rank_of_node in component.items():
            if rank_of_node == rank and any(flow.source == node for flow in inside):
                candidates.update(held.get(node, {}))
        grown = []
        for category in sorted(candidates, key=lambda key: (key.count("."), key)):
            passing = [flow for flow in inside if any(taxonomy.covers(listed, category) for listed in flow.data_categories)]
            # Every node that will hold the category gets it now (what it holds of it comes
            # later), broad categories first: reached by a flow listing it, or from a node
            # holding it by one listing it or a key above it.
            reached = {node for node in {flow.source for flow in inside} if category in held.get(node, {})}
            reached |= {flow.target for flow in passing if category in flow.data_categories}
            while True:
                more = {flow.target for flow in passing if flow.source in reached} - reached
                if not more:
                    break
                reached |= more
            for node in reached:
                if category not in held[node]:
                    held[node][category] = set()
                    grown.append(node)
            cycles = [cycle for cycle in nx.strongly_connected_components(
                nx.DiGraph((flow.source, flow.target) for flow in passing)) if len(cycle) > 1]
            for cycle in cycles:
                within = [flow for flow in passing if flow.source in cycle and flow.target in cycle]
                keyed = any(category in held.get(node, {}) for node in cycle)
                union = set().union(*(held[node][category] for node in cycle if category in held.get(node, {})))
                for flow in within:
                    if category in flow.data_categories:
                        keyed = True
                        narrowed = {reference.legal_area(origin) for origin in flow.origins} if flow.origins else None
                        for held_category, provenance in held.get(flow.source, {}).items():
                            if held_category != category and taxonomy.covers(held_category, category):
                                union |= {item for item in provenance if narrowed is None or item[0] in narrowed}
                if not keyed or any(
                    any(origin not in {reference.legal_area(o) for o in flow.origins} for origin, _ in union)
                    for flow in within if flow.origins
                ):
                    continue
                for node in cycle:
                    if category not in held[node] or held[node][category] != union:
                        held[node][category] |= union
                        grown.append(node)
        return grown

    def settle(pending: deque) -> None:
        waiting: dict = {}
        for node in pending:
            waiting.setdefault(component[node], {})[node] = None
        while waiting:
            rank = min(waiting)
            members = waiting.pop(rank)
            members.update(dict.fromkeys(share_around_cycles(rank)))
            for source in sweep(deque(members)):
                for flow in [flow for flow in data_map.flows if flow.source == source]:
                    target = flow.target
                    if not graph.succ[target] or component[target] == rank:
                        continue
                    carried = carry(flow)
                    carried_by_flow[id(flow)] = carried
                    if receive(target, carried):
                        waiting.setdefault(component[target], {})[target] = None
        for flow in data_map.flows:
            if not graph.succ[flow.target]:
                carried_by_flow[id(flow)] = carried = carry(flow)
                receive(flow.target, carried)

    pending: deque = deque()
    for node in data_map.inventory.nodes:
        if node.id not in graph or data_map.node(node.id) is not node:
            continue
        for collection in node.collects:
            origins = collection.origins or (None,)
            subjects = collection.subjects or (None,)
            provenance = {(reference.legal_area(origin), subject) for origin in origins for subject in subjects}
            for category in collection.data_categories:
                held[node.id][category] |= provenance
        pending.append(node.id)
    nodes = list(pending)
    settle(pending)
    for flow in data_map.flows:  # stage 2: categories no collection with known origins reaches
        if flow.origins:
            unknown = {
                category for category in flow.data_categories
                if all(origin is None for origin, _ in upstream(flow, category))
            }
            if unknown:
                declaring[id(flow)] = unknown
    if declaring:
        settle(deque(nodes))
    for flow in data_map.flows:
        if id(flow) not in carried_by_flow:
            carried_by_flow[id(flow)] = carry(flow)
    return held, carried_by_flow


def path_to(data_map, node_id: str) -> list[str]:
    """The first collecting node (in inventory order) at the shortest distance, then back from
    `node_id` through the first predecessor one step closer to it, each step."""
    graph = data_map.graph
    sources = [node.id for node in data_map.inventory.nodes if node.collects and node.id in graph]
    best = None
    for source in sources:
        distance = nx.single_source_shortest_path_length(graph, source)
        if node_id in distance and (best is None or distance[node_id] < best[1][node_id]):
            best = (source, distance)
    if best is None:
        return [node_id]
    distance = best[1]
    path = [node_id]
    while distance[path[-1]]:
        path.append(next(before for before in graph.pred[path[-1]] if distance.get(before) == distance[path[-1]] - 1))
    return path[::-1]


def positions(text: str) -> tuple[dict, dict]:
    """(value positions, key positions) by JSON path, 1-based, from ruamel's node tree.

    For alias-free documents whose keys are plain strings."""
    root = YAML(typ="safe", pure=False).compose(text)
    values: dict = {}
    keys: dict = {}
    if root is None:
        return values, keys
    pending = [((), root)]
    while pending:
        path, node = pending.pop()
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            for key, value in node.value:
                assert isinstance(key, ScalarNode)
                keys[path + (key.value,)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                pending.append((path + (key.value,), value))
        elif isinstance(node, SequenceNode):
            pending.extend((path + (index,), item) for index, item in enumerate(node.value))
    return values, keys
