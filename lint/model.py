"""The inventory as objects: organization, policy, systems, recipients and flows.

Built from schema-valid documents. Every entity remembers the document and JSON path it came
from, so any rule can position a finding at the entity, or at one of its values.
Recipients are resolved against the vendor catalog here, once: inline fields override the
catalog entry, and unknown facts stay None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from . import names, reference, taxonomy
from .loader import Document, Path, gc_paused
from .names import normalize
from .wording import shown_id


@dataclass(frozen=True, slots=True)  # slots: one per entity; 20,000-flow maps exist
class Location:
    document: Document
    path: Path

    @property
    def file(self) -> str:
        return self.document.path

    def position(self, *member: str | int) -> tuple[int, int]:
        """Position of the entity, or of one of its members (the key for a mapping member)."""
        if member:
            path = self.path + member
            if isinstance(member[-1], str):
                return self.document.key_position(path)
            return self.document.position(path)
        return self.document.position(self.path)

    def at(self, *member: str | int) -> "Location":
        return Location(self.document, self.path + member)


@dataclass(slots=True)
class Collection:
    subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    origins: tuple[str, ...]


_NO_DPF: Mapping[str, bool | None] = MappingProxyType({})


@dataclass(slots=True)
class Node:
    """A system the organization runs, or an outside recipient."""

    id: str
    kind: str  # "system" | "recipient"
    location: Location
    raw: dict[str, Any]
    name: str
    country: str | None = None
    retention: str | None = None
    collects: tuple[Collection, ...] = ()
    # recipients only
    vendor: reference.Vendor | None = None
    role: str | None = None
    category: str | None = None
    # read-only, and one shared empty mapping for systems (a 10 MB file can declare 580,000)
    dpf: Mapping[str, bool | None] = field(default_factory=lambda: _NO_DPF)
    # normalized name, aliases and legal entity; the vendor's are `vendor.identities`, shared
    # by all its recipients (a vendor can list thousands of aliases)
    identities: frozenset[str] = frozenset()

    @property
    def entity(self) -> str:
        return node_entity(self.kind, self.id)

    @property
    def is_recipient(self) -> bool:
        return self.kind == "recipient"


@dataclass(slots=True, eq=False)  # each declared flow is itself: the data map keys by it
class Flow:
    source: str
    target: str
    ordinal: int | None  # among flows with the same source and target, if several
    document: Document
    index: int  # in the document's `flows`
    raw: dict[str, Any]
    data_categories: tuple[str, ...]
    purposes: tuple[str, ...]
    transfer_basis: str | dict[str, str] | None
    consideration: bool
    origins: tuple[str, ...] | None
    _entity: str | None = field(default=None, init=False, repr=False)

    @property
    def entity(self) -> str:
        """Made on first use, then kept. Not made up front: 20,000 flows' names cost 1.4 MB,
        and most flows have no finding. Kept: a flow is named in each of its findings, twice
        (the worst 10 MB file asked 2 million times for the names of 131,000 flows)."""
        if self._entity is None:
            self._entity = flow_entity(self.source, self.target, self.ordinal)
        return self._entity

    @property
    def location(self) -> Location:
        """Made when asked for: a stored Location per flow cost 2 MB at 20,000 flows."""
        return Location(self.document, ("flows", self.index))

    def basis_for(self, area: str) -> str | None:
        """The declared basis for data of legal area `area`."""
        if isinstance(self.transfer_basis, dict):
            return self.transfer_basis.get(area)
        return self.transfer_basis


@dataclass(frozen=True, slots=True)
class CategoryUse:
    """Where data categories are collected (a system's `collects`) or flow (a flow)."""

    categories: tuple[tuple[str, Path], ...]  # (known taxonomy key, member path for positions)
    verb: str  # "collects" | "sends"
    system: Node | None = None  # the system, for "collects"
    flow: Flow | None = None  # the flow, for "sends"

    @property
    def entity(self) -> str:
        return self.flow.entity if self.flow is not None else self.system.entity

    @property
    def location(self) -> Location:
        return self.flow.location if self.flow is not None else self.system.location

    def matching(self, predicate) -> list[tuple[str, Path]]:
        """The (category, member path) pairs for which `predicate(category)` holds."""
        return [(category, member) for category, member in self.categories if predicate(category)]

    @staticmethod
    def names(pairs) -> str:
        return ", ".join(dict.fromkeys(category for category, _ in pairs))


@dataclass
class Policy:
    raw: dict[str, Any]
    location: Location | None

    def get(self, name: str, default: Any = None) -> Any:
        return self.raw.get(name, default)

    @property
    def declared(self) -> bool:
        """Whether the inventory states the policy's claims at all (a `policy:` block)."""
        return self.location is not None

    def names(self, recipient: "Node") -> bool:
        """The policy names the recipient (SPEC §1 recipient identity)."""
        if not self._named.isdisjoint(recipient.identities):
            return True
        return recipient.vendor is not None and self._names_vendor(recipient.vendor)

    def _names_vendor(self, vendor: reference.Vendor) -> bool:
        """Asked once per vendor: its recipients share its identities, which can be many."""
        named = self._vendors_named.get(vendor.key)
        if named is None:
            named = self._vendors_named[vendor.key] = not self._named.isdisjoint(vendor.identities)
        return named

    @cached_property
    def _vendors_named(self) -> dict[str, bool]:
        return {}

    @cached_property
    def named_identities(self) -> tuple[str, ...]:
        """Each of the policy's recipient names normalized, in list order: normalized once, as
        a name can grow 18 times under normalization and both PL101 and PL104 ask."""
        return tuple(normalize(name) for name in self.raw.get("recipients") or ())

    @cached_property
    def _named(self) -> frozenset[str]:
        return frozenset(self.named_identities)

    def discloses(self, recipient: "Node") -> bool:
        """The policy names the recipient or discloses its category of recipients."""
        return self.names(recipient) or recipient.category in self._categories

    @cached_property
    def _categories(self) -> frozenset[str]:
        """The disclosed recipient categories, each once: rules ask about every recipient."""
        return frozenset(self.raw.get("recipient_categories") or ())

    def keys(self, name: str) -> tuple[str, ...]:
        """The known taxonomy keys of a policy list, each once (unknown ones are PL004's
        business); one tuple per list, as rules ask for every flow."""
        found = self._keys.get(name)
        if found is None:
            kind = "data_uses" if name == "purposes" else "data_categories"
            found = self._keys[name] = tuple(dict.fromkeys(_known(kind, self.raw.get(name))))
        return found

    @cached_property
    def _keys(self) -> dict[str, tuple[str, ...]]:
        return {}

    def claims_not(self, claim: str) -> bool:
        """True when the policy explicitly denies `claim` (e.g. sells_personal_data: false)."""
        return self.raw.get(claim) is False


@dataclass
class Inventory:
    """One inventory: a file, or every YAML file directly in a directory."""

    name: str
    documents: list[Document]
    organization: dict[str, Any] = field(default_factory=dict)
    policy: Policy = field(default_factory=lambda: Policy({}, None))
    systems: list[Node] = field(default_factory=list)
    recipients: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    vendors: dict[str, reference.Vendor] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Node]:
        return self.systems + self.recipients

    def category_uses(self) -> list[CategoryUse]:
        """Every place a data category is collected or flows, systems first, in file order."""
        key = (len(self.systems), len(self.flows))
        cached = self.__dict__.get("_category_uses")
        if cached is None or cached[0] != key:  # computed once the inventory is built
            cached = self.__dict__["_category_uses"] = (key, tuple(self._category_uses()))
        return list(cached[1])

    def _category_uses(self) -> list[CategoryUse]:
        uses = []
        for system in self.systems:
            members = tuple(
                (category, ("collects", index, "data_categories", position))
                for index, item in enumerate(system.raw.get("collects") or ())
                for position, category in enumerate(item.get("data_categories") or ())
                if taxonomy.is_known("data_categories", category)
            )
            if members:
                uses.append(CategoryUse(members, "collects", system=system))
        shared: dict[tuple[str, int], tuple[str, Path]] = {}  # flows repeat the same members
        lists: dict[tuple, tuple] = {}
        for flow in self.flows:
            members = tuple(
                shared.get((category, position)) or shared.setdefault(
                    (category, position), (category, ("data_categories", position))
                )
                for position, category in enumerate(flow.raw.get("data_categories") or ())
                if taxonomy.is_known("data_categories", category)
            )
            if members:
                members = lists.setdefault(members, members)  # flows repeat the same lists too
                uses.append(CategoryUse(members, "sends", flow=flow))
        return uses

    def identities_received(self) -> dict[str, bool]:
        """Each normalized identity of a declared recipient (name, alias, catalog name or legal
        entity), and whether a recipient with it receives a flow: decided once per identity, as
        a policy may name the same recipient many times and many recipients may share a name."""
        receiving = {flow.target for flow in self.flows}
        received: dict[str, bool] = {}
        vendors: dict[str, tuple[reference.Vendor, bool]] = {}  # each vendor's identities are gone through once
        for recipient in self.recipients:
            receives = recipient.id in receiving
            for identity in recipient.identities:
                received[identity] = received.get(identity, False) or receives
            if recipient.vendor is not None:
                _, vendor_receives = vendors.get(recipient.vendor.key, (None, False))
                vendors[recipient.vendor.key] = (recipient.vendor, vendor_receives or receives)
        for vendor, receives in vendors.values():
            for identity in vendor.identities:
                received[identity] = received.get(identity, False) or receives
        return received

    def nodes_in_file_order(self) -> list[Node]:
        """Systems and recipients as they appear in the files: by document, then by where their
        section starts, then by index (a node's own position is a lookup each, and a 10 MB file
        can declare 580,000 systems)."""
        order = {id(document): index for index, document in enumerate(self.documents)}
        starts: dict[tuple[int, str], tuple[int, int]] = {}

        def place(node: Node):
            document, (section, index) = node.location.document, node.location.path
            start = starts.get((id(document), section))
            if start is None:
                start = starts[(id(document), section)] = document.position((section,))
            return order[id(document)], start, index

        return sorted(self.nodes, key=place)



@gc_paused
def build(
    name: str, documents: list[Document], extra_vendors: dict | None = None, salvaged: dict | None = None
) -> Inventory:
    """The inventory of `documents`; `extra_vendors` (configuration) and each document's
    `vendors:` extend or override the built-in catalog, in that order. `salvaged` maps
    id(document) to the data to read instead of a schema-invalid document's (salvage.py);
    items it leaves out are None."""
    inventory = Inventory(name, documents)
    inventory.vendors = dict(reference.catalog())
    data_of = {id(document): (salvaged or {}).get(id(document), document.data) or {} for document in documents}
    extensions = [extra_vendors or {}] + [data_of[id(document)].get("vendors") or {} for document in documents]
    for extension in extensions:
        for key, entry in extension.items():
            base = inventory.vendors.get(key)
            merged = {**(_vendor_fields(base) if base else {}), **entry}
            inventory.vendors[key] = reference.vendor_from(key, merged)
    for document in documents:
        data = data_of[id(document)]
        if "organization" in data:
            inventory.organization = data["organization"]
        if "policy" in data:
            inventory.policy = Policy(data["policy"], Location(document, ("policy",)))
    shared: dict[tuple, tuple] = {}
    for document in documents:
        data = data_of[id(document)]
        for index, raw in enumerate(data.get("systems") or ()):
            if raw is not None:
                inventory.systems.append(_system(raw, Location(document, ("systems", index)), shared))
        for index, raw in enumerate(data.get("recipients") or ()):
            if raw is not None:
                inventory.recipients.append(_recipient(raw, Location(document, ("recipients", index)), inventory))
    flows = [
        (document, index, raw)
        for document in documents for index, raw in enumerate(data_of[id(document)].get("flows") or ())
        if raw is not None
    ]
    for (document, index, raw), ordinal in zip(flows, ordinals([(raw["from"], raw["to"]) for _, _, raw in flows])):
        inventory.flows.append(_flow(raw, ordinal, document, index, shared))
    return inventory


def ordinals(pairs: list[tuple[str, str]]) -> list[int | None]:
    """Each flow's number among the flows joining the same (from, to) pair, counting from 1 in
    file order, or None for the only flow of its pair: the `#n` of its entity (SPEC §3)."""
    totals = Counter(pairs)
    seen: Counter = Counter()
    numbers = []
    for pair in pairs:
        seen[pair] += 1
        numbers.append(seen[pair] if totals[pair] > 1 else None)
    return numbers


def node_entity(kind: str, node_id: str) -> str:
    return f"{kind}:{shown_id(node_id)}"


def flow_entity(source: str, target: str, ordinal: int | None) -> str:
    suffix = f"#{ordinal}" if ordinal else ""
    return f"flow:{shown_id(source)}->{shown_id(target)}{suffix}"


def _vendor_fields(vendor: reference.Vendor) -> dict[str, Any]:
    return {
        "name": vendor.name,
        "aliases": vendor.aliases,  # not copied: each file of a directory may override the vendor
        "legal_entity": vendor.legal_entity,
        "country": vendor.country,
        "category": vendor.category,
        "role": vendor.role,
        "dpf": dict(vendor.dpf),
    }


def _known(kind: str, keys, shared: dict | None = None) -> tuple[str, ...]:
    """Known taxonomy keys only: unknown ones are reported by PL004 and judged by no other rule.
    Equal tuples are one object through `shared` (20,000 flows list 1,300 distinct purposes)."""
    known = tuple(key for key in keys or () if taxonomy.is_known(kind, key))
    return known if shared is None else shared.setdefault(known, known)


def _collections(raw: dict, shared: dict) -> tuple[Collection, ...]:
    return tuple(
        Collection(
            subjects=_known("data_subjects", item.get("subjects"), shared),
            data_categories=_known("data_categories", item["data_categories"], shared),
            origins=tuple(item.get("origins") or ()),
        )
        for item in raw.get("collects") or ()
    )


def _system(raw: dict, location: Location, shared: dict) -> Node:
    return Node(
        id=raw["id"],
        kind="system",
        location=location,
        raw=raw,
        name=raw.get("name") or raw["id"],
        country=raw.get("country"),
        retention=raw.get("retention"),
        collects=_collections(raw, shared),
    )


def _recipient(raw: dict, location: Location, inventory: Inventory) -> Node:
    vendor = inventory.vendors.get(raw.get("vendor", ""))  # unknown keys are PL002's business
    dpf = dict(vendor.dpf) if vendor else {}
    dpf.update(raw.get("dpf") or {})
    name = raw.get("name") or (vendor.name if vendor else raw["id"])
    return Node(
        id=raw["id"],
        kind="recipient",
        location=location,
        raw=raw,
        name=name,
        country=raw.get("country") or (vendor.country if vendor else None),
        retention=raw.get("retention"),
        vendor=vendor,
        role=raw.get("role") or (vendor.role if vendor else None),
        category=raw.get("category") or (vendor.category if vendor else None),
        dpf={programme: dpf.get(programme) for programme in ("eu", "uk", "ch", "hr")},
        identities=names.identities(name, raw.get("aliases", ()), raw.get("legal_entity")),
    )


def _flow(raw: dict, ordinal: int | None, document: Document, index: int, shared: dict) -> Flow:
    return Flow(
        source=raw["from"],
        target=raw["to"],
        ordinal=ordinal,
        document=document,
        index=index,
        raw=raw,
        data_categories=_known("data_categories", raw.get("data_categories"), shared),
        purposes=_known("data_uses", raw.get("purposes"), shared),
        transfer_basis=raw.get("transfer_basis"),
        consideration=raw.get("consideration") is True,
        origins=tuple(raw["origins"]) if "origins" in raw else None,
    )


def entity_of(documents: list[Document], document: Document, path: Path) -> str:
    """The entity a value of a (possibly schema-invalid) document belongs to, for reporting."""
    if len(path) >= 2 and path[0] in ("systems", "recipients", "flows") and isinstance(path[1], int):
        item = _item(document, path[0], path[1])
        if path[0] == "flows":
            return _raw_flow_entity(documents, document, path[1]) or "file"
        node_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(node_id, str) and node_id:
            return node_entity(path[0][:-1], node_id)
        return "file"
    if len(path) >= 2 and path[0] == "policy" and isinstance(path[1], str):
        return f"policy.{path[1]}"
    return "file"


def _item(document: Document, section: str, index: int) -> Any:
    items = document.data.get(section) if isinstance(document.data, dict) else None
    return items[index] if isinstance(items, list) and index < len(items) else None


def _raw_flow_entity(documents: list[Document], document: Document, index: int) -> str | None:
    return _raw_flow_entities(documents).get((id(document), index))


def _flow_pair(item: Any):
    if isinstance(item, dict) and isinstance(item.get("from"), str) and isinstance(item.get("to"), str):
        return item["from"], item["to"]
    return None


# The entities of the last inventory's raw flows: PL001 asks once per schema problem, and a
# scan of every flow per problem made an inventory with 20,000 invalid flows take minutes.
_LAST_FLOW_ENTITIES: list = [None, (), {}]


def _raw_flow_entities(documents: list[Document]) -> dict[tuple[int, int], str]:
    """(id(document), flow index) -> flow entity, for every flow with a string from and to."""
    key = len(documents)  # the list is complete once loaded (a tuple of ids cost O(files) per call)
    if _LAST_FLOW_ENTITIES[0] is documents and _LAST_FLOW_ENTITIES[1] == key:
        return _LAST_FLOW_ENTITIES[2]
    located = []
    for document in documents:
        flows = document.data.get("flows") if isinstance(document.data, dict) else None
        for position, item in enumerate(flows if isinstance(flows, list) else ()):
            pair = _flow_pair(item)
            if pair is not None:
                located.append((id(document), position, pair))
    numbers = ordinals([pair for _, _, pair in located])
    entities = {
        (document_id, position): flow_entity(*pair, number)
        for (document_id, position, pair), number in zip(located, numbers)
    }
    _LAST_FLOW_ENTITIES[:] = [documents, key, entities]
    return entities
