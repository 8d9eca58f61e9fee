"""The data map for people and tools: Mermaid, Graphviz DOT and JSON (`privlint graph`).

`view()` turns a checked inventory into a neutral description of the map — nodes with their
kind, role and country, edges with the categories and purposes they carry — with the findings
that concern each entity. The renderers below only format that view, so the three formats and
the HTML report (lint/html.py) always agree. Everything is sorted: the same inventory gives
byte-identical output.

Three kinds of finding are drawn onto the map:

* undisclosed recipients (PL101) on the recipient node;
* restricted transfers without a valid basis (PL201, PL202, PL205) on the flow;
* sale or sharing in conflict with the policy's claims (PL301, PL302, PL304) on the flow.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from privlint import __version__

from . import reference
from .engine import in_report_order
from .model import node_entity
from .report import finding_line, indented_json, json_string, streamed_json_lists

# -- what is drawn --------------------------------------------------------------------------

MARKS = {
    "undisclosed": ("PL101",),
    "transfer": ("PL201", "PL202", "PL205"),
    "sale": ("PL301", "PL302", "PL304"),
}
MARK_LABELS = {
    "undisclosed": "undisclosed recipient (PL101)",
    "transfer": "restricted transfer without a valid basis (PL201, PL202, PL205)",
    "sale": "sale or sharing against the policy's claims (PL301, PL302, PL304)",
}

AREAS = ("EEA", "UK", "CH", "elsewhere", "unknown")
AREA_LABELS = {
    "EEA": "EEA",
    "UK": "United Kingdom",
    "CH": "Switzerland",
    "elsewhere": "elsewhere (third country)",
    "unknown": "country not stated",
}
AREA_FILL = {
    "EEA": "#dbeafe",
    "UK": "#ede9fe",
    "CH": "#ccfbf1",
    "elsewhere": "#fef9c3",
    "unknown": "#f3f4f6",
}
AREA_STROKE = {
    "EEA": "#1d4ed8",
    "UK": "#6d28d9",
    "CH": "#0f766e",
    "elsewhere": "#a16207",
    "unknown": "#6b7280",
}
ROLES = ("processor", "controller", "joint_controller", "third_party")
ROLE_DASH = {  # SVG/CSS stroke-dasharray; a processor's border is solid
    "processor": None,
    "controller": "6 3",
    "joint_controller": "2 3",
    "third_party": "10 4 2 4",
}
ROLE_DOT_STYLE = {"processor": "solid", "controller": "dashed", "joint_controller": "dotted", "third_party": "bold"}
EDGE_COLOR = "#475569"
MARK_COLOR = {"undisclosed": "#dc2626", "transfer": "#ea580c", "sale": "#be123c"}
WARNING_SIGN = "\u26a0"

ABRIDGE_AFTER = 3


@dataclass
class MapNode:
    id: str
    kind: str  # system | recipient
    name: str
    country: str | None
    area: str  # one of AREAS
    role: str | None
    category: str | None
    vendor: str | None
    findings: list = field(default_factory=list)

    @property
    def entity(self) -> str:
        return node_entity(self.kind, self.id)

    @property
    def marks(self) -> list[str]:
        return _marks(self.findings)


@dataclass
class MapEdge:
    source: str
    target: str
    entity: str
    data_categories: tuple[str, ...]
    purposes: tuple[str, ...]
    transfer_basis: str | dict[str, str] | None
    consideration: bool
    origins: tuple[str, ...]
    findings: list = field(default_factory=list)

    @property
    def marks(self) -> list[str]:
        return _marks(self.findings)

    @property
    def mark(self) -> str | None:
        """The mark that colours the edge: a sale/share conflict outranks a transfer problem."""
        marks = self.marks
        return "sale" if "sale" in marks else marks[0] if marks else None


@dataclass
class MapView:
    name: str
    as_of: str
    nodes: list[MapNode]
    edges: list[MapEdge]
    other_findings: list  # findings about the policy, a file, or nothing drawn

    @property
    def systems(self) -> list[MapNode]:
        return [node for node in self.nodes if node.kind == "system"]

    @property
    def recipients(self) -> list[MapNode]:
        return [node for node in self.nodes if node.kind == "recipient"]



def _active(findings) -> list:
    return [finding for finding in findings if not getattr(finding, "suppressed", None)]


def _marks(findings) -> list[str]:
    rules = {finding.rule for finding in _active(findings)}
    return [mark for mark, ids in MARKS.items() if rules.intersection(ids)]


def area_of(country: str | None) -> str:
    """EEA, UK, CH, elsewhere (another country) or unknown (no country stated)."""
    if not country:
        return "unknown"
    area = reference.legal_area(country)
    return area if area in ("EEA", "UK", "CH") else "elsewhere"


def view(context, findings) -> MapView:
    """The map of a schema-valid inventory with the findings about its entities."""
    data_map = context.data_map
    by_entity: dict[str, list] = {}
    for finding in in_report_order(findings):
        by_entity.setdefault(finding.entity, []).append(finding)
    nodes = []
    for node_id in data_map.graph.nodes:
        node = data_map.node(node_id)
        nodes.append(
            MapNode(
                id=node.id,
                kind=node.kind,
                name=node.name,
                country=node.country,
                area=area_of(node.country),
                role=node.role,
                category=node.category,
                vendor=node.vendor.key if node.vendor else None,
                findings=by_entity.get(node.entity, []),
            )
        )
    nodes.sort(key=lambda node: (node.kind != "system", node.id))
    sorted_origins: dict[frozenset[str], tuple[str, ...]] = {}  # one tuple per set, shared by its flows

    def origins_of(flow) -> tuple[str, ...]:
        carried = data_map.origins(flow)
        if carried not in sorted_origins:
            sorted_origins[carried] = tuple(sorted(carried))
        return sorted_origins[carried]

    edges = [
        MapEdge(
            source=flow.source,
            target=flow.target,
            entity=flow.entity,
            data_categories=tuple(flow.raw.get("data_categories") or ()),
            purposes=tuple(flow.raw.get("purposes") or ()),
            transfer_basis=flow.transfer_basis,
            consideration=flow.consideration,
            origins=origins_of(flow),
            findings=by_entity.get(flow.entity, []),
        )
        for flow in data_map.flows
    ]
    edges.sort(key=lambda edge: (edge.source, edge.target))  # stable: parallel flows stay in #n order
    drawn = {node.entity for node in nodes} | {edge.entity for edge in edges}
    others = [finding for entity, items in sorted(by_entity.items()) if entity not in drawn for finding in items]
    return MapView(context.name, context.as_of.isoformat(), nodes, edges, others)


# -- shared wording -------------------------------------------------------------------------


def abridge(items, keep: int = ABRIDGE_AFTER) -> str:
    """'a, b, c +2' for five items: the first `keep`, then how many more."""
    items = list(items)
    shown = ", ".join(items[:keep])
    return f"{shown} +{len(items) - keep}" if len(items) > keep else shown


def basis_text(basis) -> str:
    if basis is None:
        return ""
    if isinstance(basis, dict):
        return ", ".join(f"{area}: {value}" for area, value in _basis_items(basis))
    return str(basis)


def _basis_items(basis: dict) -> list[tuple[str, str]]:
    order = {"EEA": 0, "UK": 1, "CH": 2}
    return sorted(basis.items(), key=lambda item: (order.get(item[0], 3), item[0]))


def node_lines(node: MapNode) -> list[str]:
    """The node's label: its name, then what it is and where."""
    if node.kind == "system":
        what = "system"
    else:
        what = node.role.replace("_", " ") if node.role else "role not stated"
    if node.country is None:
        where = "country not stated"
    elif node.area in ("EEA", "UK") and node.country != node.area:
        where = f"{node.country} ({node.area})"
    else:
        where = node.country
    lines = [node.name, f"{what} · {where}"]
    flagged = _active_rules(node.findings, ("undisclosed",))
    if flagged:
        lines.insert(0, f"{WARNING_SIGN} {', '.join(flagged)}")
    return lines


def edge_lines(edge: MapEdge) -> list[str]:
    """The edge's label: categories (abridged), purposes (abridged), basis; flagged rules first."""
    lines = [abridge(edge.data_categories)]
    if edge.purposes:
        lines.append(abridge(edge.purposes))
    extras = []
    if edge.transfer_basis is not None:
        extras.append(f"basis {basis_text(edge.transfer_basis)}")
    if edge.consideration:
        extras.append("for consideration")
    if extras:
        lines.append("; ".join(extras))
    flagged = _active_rules(edge.findings, ("transfer", "sale"))
    if flagged:
        lines.insert(0, f"{WARNING_SIGN} {', '.join(flagged)}")
    return lines


def _active_rules(findings, marks) -> list[str]:
    wanted = {rule for mark in marks for rule in MARKS[mark]}
    return sorted({finding.rule for finding in _active(findings) if finding.rule in wanted})


def legend_entries(map_view: MapView) -> dict[str, list[str]]:
    """What the legend explains: the areas and roles that occur, and every kind of mark."""
    areas = [area for area in AREAS if any(node.area == area for node in map_view.nodes)]
    roles = [role for role in ROLES if any(node.role == role for node in map_view.recipients)]
    return {"areas": areas, "roles": roles, "marks": list(MARKS)}


# Control characters, the line and paragraph separators and the bidirectional controls: raw
# in a label, they end a line of the graph's text for some readers of it (U+2028 for
# JavaScript, U+0085 for Python), drive the terminal it is printed on, or show the label in
# another order than it has. They become spaces.
# None of them is printable (str.isprintable), so a printable label skips replacing them.
_UNSAFE_IN_LABELS = [
    chr(code) for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
]

# -- Mermaid --------------------------------------------------------------------------------

_MERMAID_ENTITIES = {
    '"': "#quot;",
    "#": "#35;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
    "\\": "#92;",
}


# One str.translate: a Python step per character made 600,000 labels seconds of work.
_MERMAID_TABLE = str.maketrans({**{character: " " for character in _UNSAFE_IN_LABELS}, **_MERMAID_ENTITIES})


_MERMAID_SPECIAL = re.compile("[" + re.escape("".join(_MERMAID_ENTITIES)) + "]")


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for the characters Mermaid or
    the HTML it renders to would interpret; control characters become spaces."""
    if text.isprintable() and _MERMAID_SPECIAL.search(text) is None:
        return text  # nothing to replace: a scan in C, 4 times quicker than translate
    return text.translate(_MERMAID_TABLE)


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def safe_ids(ids, prefix: str = "n_") -> dict[str, str]:
    """Map inventory ids to identifiers made of [A-Za-z0-9_] only, unique and stable."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    next_number: dict[str, int] = {}  # per base: where to go on looking (not from 2 each time)
    for original in sorted(ids):
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", original)
        candidate, number = base, next_number.get(base, 2)
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        next_number[base] = number
        taken.add(candidate)
        result[original] = candidate
    return result


def _mermaid_style(props: dict[str, str | None]) -> str:
    return ",".join(f"{key}:{value}" for key, value in props.items() if value is not None)


def mermaid(map_view: MapView) -> str:
    ids = safe_ids(node.id for node in map_view.nodes)
    lines = ["flowchart LR", f"  %% privlint {__version__} data map of {_comment(map_view.name)}, as of {map_view.as_of}"]

    def block(title_id: str, title: str, nodes: list[MapNode]) -> None:
        if not nodes:
            return
        lines.append(f'  subgraph {title_id}["{mermaid_text(title)}"]')
        for node in nodes:
            opening, closing = ("[", "]") if node.kind == "system" else ("([", "])")
            lines.append(f"    {ids[node.id]}{opening}{_mermaid_label(node_lines(node))}{closing}")
        lines.append("  end")

    block("systems", "Systems", map_view.systems)
    block("recipients", "Recipients", map_view.recipients)
    link_styles = []
    for index, edge in enumerate(map_view.edges):
        arrow = "==>" if edge.mark else "-->"
        lines.append(f"  {ids[edge.source]} {arrow}|{_mermaid_label(edge_lines(edge))}| {ids[edge.target]}")
        if edge.mark:
            color = MARK_COLOR[edge.mark]
            link_styles.append(f"  linkStyle {index} stroke:{color},stroke-width:3px,color:{color}")
    legend = legend_entries(map_view)
    lines.append('  subgraph legend["Legend"]')
    lines.append("    direction TB")
    legend_start = len(lines)
    for area in legend["areas"]:
        lines.append(f'    legend_area_{area.lower()}["{mermaid_text(AREA_LABELS[area])}"]')
    lines.append('    legend_system["system (rectangle)"]')
    lines.append('    legend_recipient(["recipient (rounded)"])')
    for role in legend["roles"]:
        lines.append(f'    legend_role_{role}(["{mermaid_text(_role_legend(role))}"])')
    for mark in legend["marks"]:
        lines.append(f'    legend_mark_{mark}["{mermaid_text(WARNING_SIGN + " " + MARK_LABELS[mark])}"]')
    # Invisible links: stack the legend vertically and place it right of the map (they come
    # after the flows, so the flows' linkStyle indexes stay 0..n-1).
    legend_ids = [line.split("[")[0].split("(")[0].strip() for line in lines[legend_start:]]
    lines.append("    " + " ~~~ ".join(legend_ids))
    lines.append("  end")
    anchor_block = "recipients" if map_view.recipients else "systems" if map_view.systems else None
    if anchor_block:
        lines.append(f"  {anchor_block} ~~~ legend")
    lines.extend(link_styles)
    # Class definitions: later ones win where they overlap, so the finding marks come last.
    for area in AREAS:
        props = {"fill": AREA_FILL[area], "stroke": AREA_STROKE[area], "color": "#111827"}
        lines.append(f"  classDef area_{area.lower()} {_mermaid_style(props)}")
    for role in ROLES:
        dash = ROLE_DASH[role]
        props = {"stroke-width": "2px", "stroke-dasharray": dash}
        lines.append(f"  classDef role_{role} {_mermaid_style(props)}")
    lines.append("  classDef legend_plain fill:#ffffff,stroke:#9ca3af,color:#111827")
    for mark in MARKS:
        lines.append(f"  classDef mark_{mark} stroke:{MARK_COLOR[mark]},stroke-width:3px,color:{MARK_COLOR[mark]}")
    assignments: dict[str, list[str]] = {}
    for node in map_view.nodes:
        classes = [f"area_{node.area.lower()}"]
        if node.kind == "recipient" and node.role in ROLES:
            classes.append(f"role_{node.role}")
        classes += [f"mark_{mark}" for mark in node.marks if mark == "undisclosed"]
        for name in classes:
            assignments.setdefault(name, []).append(ids[node.id])
    for area in legend["areas"]:
        assignments.setdefault(f"area_{area.lower()}", []).append(f"legend_area_{area.lower()}")
    assignments.setdefault("legend_plain", []).extend(["legend_system", "legend_recipient"])
    for role in legend["roles"]:
        assignments.setdefault("legend_plain", []).append(f"legend_role_{role}")
        assignments.setdefault(f"role_{role}", []).append(f"legend_role_{role}")
    for mark in legend["marks"]:
        assignments.setdefault("legend_plain", []).append(f"legend_mark_{mark}")
        assignments.setdefault(f"mark_{mark}", []).append(f"legend_mark_{mark}")
    for name in sorted(assignments, key=_class_order):
        lines.append(f"  class {','.join(assignments[name])} {name}")
    return "\n".join(lines) + "\n"


def _class_order(name: str) -> tuple[int, str]:
    rank = {"area": 0, "legend": 1, "role": 2, "mark": 3}
    return rank.get(name.split("_")[0], 4), name


def _role_legend(role: str) -> str:
    border = {
        "processor": "solid border",
        "controller": "dashed border",
        "joint_controller": "dotted border",
        "third_party": "dash-dot border",
    }[role]
    return f"{role.replace('_', ' ')} ({border})"


def _comment(text: str) -> str:
    return " ".join(text.split())


# -- Graphviz DOT ---------------------------------------------------------------------------


_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_CONTROL_TO_SPACE = str.maketrans(dict.fromkeys(_UNSAFE_IN_LABELS, " "))


def dot_string(text: str) -> str:
    """A DOT double-quoted string; newlines in `text` become centred line breaks. (Made in C
    steps: a Python step per character took 17 s for 600,000 one-line systems' labels.)"""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'  # nothing to escape, as for most ids, names and colours
    return _dot_escaped(text)


def _dot_escaped(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if "\n" in escaped or "\r" in escaped:
        escaped = _LINE_BREAKS.sub(r"\\n", escaped)
    return '"' + escaped.translate(_CONTROL_TO_SPACE) + '"'


def _dot_attrs(attrs: dict[str, str | float | None]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            parts.append(f"{key}={value}")  # an HTML-like label
        elif isinstance(value, (int, float)):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={dot_string(str(value))}")
    return "[" + ", ".join(parts) + "]"


_FONT = "Helvetica,Arial,sans-serif"


def dot(map_view: MapView) -> str:
    title = f"privlint data map: {map_view.name} (as of {map_view.as_of})"
    lines = [
        "digraph privlint {",
        f"  graph {_dot_attrs({'rankdir': 'LR', 'fontname': _FONT, 'label': title, 'labelloc': 't', 'labeljust': 'l', 'nodesep': 0.35, 'ranksep': 1.4, 'charset': 'UTF-8'})};",
        f"  node {_dot_attrs({'shape': 'box', 'fontname': _FONT, 'fontsize': 11, 'margin': '0.15,0.08'})};",
        f"  edge {_dot_attrs({'fontname': _FONT, 'fontsize': 9, 'color': EDGE_COLOR, 'fontcolor': '#1f2937'})};",
    ]
    for cluster, title_text, nodes in (
        ("cluster_systems", "Systems", map_view.systems),
        ("cluster_recipients", "Recipients", map_view.recipients),
    ):
        if not nodes:
            continue
        lines.append(f"  subgraph {cluster} {{")
        lines.append(f"    graph {_dot_attrs({'label': title_text, 'style': 'rounded,dashed', 'color': '#94a3b8'})};")
        for node in nodes:
            lines.append(f"    {dot_string(node.id)} {_dot_attrs(_dot_node(node))};")
        lines.append("  }")
    for edge in map_view.edges:
        attrs = {"label": "\n".join(edge_lines(edge)), "tooltip": edge.entity}
        if edge.mark:
            color = MARK_COLOR[edge.mark]
            attrs.update({"color": color, "fontcolor": color, "penwidth": 2.5})
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)} {_dot_attrs(attrs)};")
    lines.append("  subgraph cluster_legend {")
    lines.append(f"    graph {_dot_attrs({'label': 'Legend', 'style': 'rounded', 'color': '#cbd5e1'})};")
    lines.append(f"    privlint_legend {_dot_attrs({'shape': 'plain', 'label': _dot_legend(map_view)})};")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: MapNode) -> dict:
    style = ["filled"]
    if node.kind == "recipient":
        style.append("rounded")
        if node.role in ROLE_DOT_STYLE and ROLE_DOT_STYLE[node.role] != "solid":
            style.append(ROLE_DOT_STYLE[node.role])
    attrs = {
        "label": "\n".join(node_lines(node)),
        "style": ",".join(style),
        "fillcolor": AREA_FILL[node.area],
        "color": AREA_STROKE[node.area],
        "tooltip": node.entity,
    }
    if "undisclosed" in node.marks:
        attrs.update({"color": MARK_COLOR["undisclosed"], "penwidth": 3, "fontcolor": MARK_COLOR["undisclosed"]})
    return attrs


def _dot_legend(map_view: MapView) -> str:
    legend = legend_entries(map_view)
    rows = []
    for area in legend["areas"]:
        rows.append(
            f'<TR><TD BGCOLOR="{AREA_FILL[area]}" WIDTH="24"> </TD>'
            f'<TD ALIGN="LEFT">{html.escape(AREA_LABELS[area])}</TD></TR>'
        )
    rows.append('<TR><TD>▭</TD><TD ALIGN="LEFT">system: square corners; recipient: rounded</TD></TR>')
    for role in legend["roles"]:
        border = {"processor": "solid", "controller": "dashed", "joint_controller": "dotted", "third_party": "bold"}[role]
        rows.append(f'<TR><TD>{border}</TD><TD ALIGN="LEFT">{html.escape(role.replace("_", " "))} (border)</TD></TR>')
    for mark in legend["marks"]:
        color = MARK_COLOR[mark]
        sample = WARNING_SIGN if mark == "undisclosed" else "\u2501\u2501 " + WARNING_SIGN
        rows.append(
            f'<TR><TD><FONT COLOR="{color}">{sample}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{color}">{html.escape(MARK_LABELS[mark])}</FONT></TD></TR>'
        )
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


# -- JSON -----------------------------------------------------------------------------------


def _finding_json(finding, depth: int, entity: bool = False) -> str:
    """A finding on the map as json.dumps(indent=2) lays it out `depth` levels deep: rule, name,
    severity, message, path, line, column, then its suppression's reason when it has one and
    its entity when `entity`. From a template, only the values encoded: laid out member by
    member, the map's JSON of 113,000 flows with nine findings each took 30 s, 9 more than
    `check` of the same file."""
    member = ",\n" + "  " * (depth + 1)
    string = json_string
    suppressed = f'{member}"suppressed": {string(finding.suppressed)}' if getattr(finding, "suppressed", None) else ""
    named = f'{member}"entity": {string(finding.entity)}' if entity else ""
    return (
        f'{{{member[1:]}"rule": {string(finding.rule)}{member}"name": {string(finding.name)}'
        f'{member}"severity": {string(finding.severity)}{member}"message": {string(finding.message)}'
        f'{member}"path": {string(finding.path)}{member}"line": {int.__repr__(finding.line)}'
        f'{member}"column": {int.__repr__(finding.column)}{suppressed}{named}\n{"  " * depth}}}'
    )


def _with_findings(item: dict, findings, depth: int) -> str:
    """`item` as indented_json lays it out `depth` levels deep, with a last member "findings"
    listing `findings`, each written by _finding_json."""
    text = indented_json({**item, "findings": []}, depth)
    if not findings:
        return text
    closing = "\n" + "  " * depth + "}"
    indent = "  " * (depth + 2)
    listed = ",\n".join(indent + _finding_json(finding, depth + 2) for finding in findings)
    return text[: -len(closing) - 2] + "[\n" + listed + "\n" + "  " * (depth + 1) + "]" + closing


def _node_dict(node: MapNode) -> dict:
    return {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "country": node.country,
        "area": node.area,
        "role": node.role,
        "category": node.category,
        "vendor": node.vendor,
        "marks": node.marks,
    }


def _edge_dict(edge: MapEdge) -> dict:
    return {
        "from": edge.source,
        "to": edge.target,
        "entity": edge.entity,
        "data_categories": list(edge.data_categories),
        "purposes": list(edge.purposes),
        "transfer_basis": dict(_basis_items(edge.transfer_basis))
        if isinstance(edge.transfer_basis, dict)
        else edge.transfer_basis,
        "consideration": edge.consideration,
        "origins": edge.origins,  # shared by the flows that carry the same: written once
        "marks": edge.marks,
    }


def json_map(map_view: MapView) -> Iterator[str]:
    """The map as JSON, a node or an edge at a time: 50,000 edges of 650 origins each are
    half a gigabyte of text, never held whole (nor as dicts)."""
    skeleton = {
        "privlint": __version__,
        "inventory": map_view.name,
        "as_of": map_view.as_of,
        "nodes": [],
        "edges": [],
        "other_findings": [],
    }
    return streamed_json_lists(
        skeleton,
        [
            (_with_findings(_node_dict(node), node.findings, 2) for node in map_view.nodes),
            (_with_findings(_edge_dict(edge), edge.findings, 2) for edge in map_view.edges),
            (_finding_json(finding, 2, entity=True) for finding in map_view.other_findings),
        ],
        depth=2,
        render=str,  # each item is written already
    )


RENDERERS = {"mermaid": mermaid, "dot": dot, "json": json_map}


class Unmappable(Exception):
    """The inventory does not parse or match the schema: there is no map to draw."""


def graph(
    path: str | None, output_format: str, as_of, config_path: str | None = None, output: str | None = None
) -> str | Iterator[str]:
    """`privlint graph`: the map of the inventory at `path` in `output_format`, with the
    findings `privlint check` reports under the same configuration (vendors, severities);
    `output`, where it will be written, may not be a file that is read."""
    from . import config, discover, engine

    settings = config.load(config_path)
    path = path or (settings.inventories[0] if settings.inventories else "inventory.yaml")
    (target,) = discover.targets([path])[:1]
    engine.refuse_overwriting(output, [*target.files, *filter(None, [settings.path])], "map")
    context = engine.load_context(target.name, list(target.files), as_of, settings.vendors)
    findings = engine.run(context, None, settings.severity)
    if not context.valid:
        lines = [finding_line(finding) for finding in findings if finding.rule in ("PL000", "PL001")]
        lines.append("privlint: the data map cannot be drawn until the inventory parses and matches the schema")
        raise Unmappable("\n".join(lines) + "\n")
    map_view = view(context, findings)
    # The view holds all that is drawn: the inventory's documents, model and data map are
    # freed before the text is made (600,000 one-line systems: 1.44 GB peak for dot).
    del context, findings
    return RENDERERS[output_format](map_view)
