"""`privlint check --format html`: one self-contained HTML file.

The report holds a summary, then for each inventory its data map as inline SVG, the claims of
its policy and its findings. Nothing is loaded from anywhere: no script, no stylesheet, font or
image from outside, no link that leaves the page. Every finding links to the element of the
map (or the policy claim) it is about, and names its path:line:col.

The map is laid out here, without any JavaScript: systems in the left column(s) — a system
that only receives from other systems sits one column to the right of them — and recipients
in the rightmost column(s). Each node has one "port" per incoming flow on its left side; the
flow's label (categories, purposes, basis) is written in a lane just left of that port, so
labels never overlap however many flows there are.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from privlint import __version__

from . import render
from .engine import in_report_order
from .registry import SEVERITIES
from .render import MapEdge, MapNode, MapView
from .wording import visible


def escape(text: str) -> str:
    """Text for the page: HTML-escaped, and control characters other than tab and newline
    (NUL, ESC, which HTML cannot carry) shown as escapes."""
    return html.escape(visible(text, keep="\t\n"))

SEVERITY_COLOR = {"error": "#b91c1c", "warning": "#b45309", "info": "#1d4ed8"}

# Layout, in SVG user units (pixels).
MARGIN = 24
HEADING = 34
NODE_W = 190
NODE_MIN_H = 56
LANE_W = 290
GAP = 64
VGAP = 24
LINE_H = 14
PORT_PAD = 10
CHAR_W = 6.3  # average width of an 11px sans-serif character, for truncating labels
MAX_DETOUR_COLUMNS = 3  # columns a flow may detour through; longer flows are drawn straight
NAME_CHARS = 23  # a bold 12px name line that fits in a node


def anchor(index: int, entity: str) -> str:
    """A valid, unique HTML id for an entity of the inventory at `index`."""
    safe = re.sub(r"[^A-Za-z0-9-]", lambda match: f"_{ord(match.group()):x}_", entity)
    return f"i{index}-{safe}"


def _wrap(text: str, limit: int, max_lines: int) -> list[str]:
    """Word-wrap `text` into at most `max_lines` lines of `limit` characters (… when cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
    return [line if len(line) <= limit else line[: limit - 1] + "…" for line in lines]


def _fit(text: str, width: float) -> str:
    limit = max(4, int(width / CHAR_W))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Box:
    node: MapNode
    column: int
    x: float = 0
    y: float = 0
    h: float = NODE_MIN_H
    inputs: list[tuple[MapEdge, float, float]] = field(default_factory=list)  # edge, band top, band bottom
    outputs: list[MapEdge] = field(default_factory=list)


def _layers(map_view: MapView) -> dict[str, int]:
    """Column of each node: longest forward path among systems, then recipients after them."""
    kinds = {node.id: node.kind for node in map_view.nodes}

    def longest(ids: list[str], start: int) -> dict[str, int]:
        successors: dict[str, list[str]] = {node_id: [] for node_id in ids}
        for edge in map_view.edges:
            if edge.source in successors and edge.target in successors and edge.source != edge.target:
                successors[edge.source].append(edge.target)
        # Drop the edges that close a cycle (depth-first, in sorted order), then order topologically.
        state: dict[str, int] = {}
        order: list[str] = []
        forward: dict[str, list[str]] = {node_id: [] for node_id in ids}
        for root in sorted(ids):
            if root in state:
                continue
            stack = [(root, iter(sorted(set(successors[root]))))]
            state[root] = 1
            while stack:
                current, children = stack[-1]
                child = next(children, None)
                if child is None:
                    state[current] = 2
                    order.append(current)
                    stack.pop()
                elif state.get(child) is None:
                    forward[current].append(child)
                    state[child] = 1
                    stack.append((child, iter(sorted(set(successors[child])))))
                elif state[child] == 2:
                    forward[current].append(child)
        layer = {node_id: start for node_id in ids}
        for current in reversed(order):
            for child in forward[current]:
                layer[child] = max(layer[child], layer[current] + 1)
        return layer

    systems = [node_id for node_id, kind in kinds.items() if kind == "system"]
    recipients = [node_id for node_id, kind in kinds.items() if kind == "recipient"]
    layers = longest(systems, 0)
    first_recipient_column = max(layers.values(), default=-1) + 1
    layers.update(longest(recipients, first_recipient_column))
    return layers


def _label_lines(edge: MapEdge) -> list[str]:
    return [_fit(line, LANE_W - 2 * PORT_PAD) for line in render.edge_lines(edge)]


def layout(map_view: MapView) -> tuple[list[_Box], dict[int, float], float, float]:
    layers = _layers(map_view)
    boxes = {node.id: _Box(node, layers[node.id]) for node in map_view.nodes}
    columns: dict[int, list[_Box]] = {}
    for box in boxes.values():
        columns.setdefault(box.column, []).append(box)
    incoming: dict[str, list[MapEdge]] = {}
    for edge in map_view.edges:
        incoming.setdefault(edge.target, []).append(edge)
        boxes[edge.source].outputs.append(edge)
    rank: dict[str, float] = {}
    column_x: dict[int, float] = {}
    cursor = float(MARGIN)
    for column in sorted(columns):
        members = columns[column]
        # A lane for the labels of incoming flows, only where some node of the column has one.
        lane = LANE_W if any(incoming.get(box.node.id) for box in members) else 0
        column_x[column] = cursor + lane
        cursor += lane + NODE_W + GAP

        def barycenter(box: _Box) -> float:
            sources = [rank[edge.source] for edge in incoming.get(box.node.id, []) if edge.source in rank]
            return sum(sources) / len(sources) if sources else float("inf")

        members.sort(key=lambda box: (barycenter(box), box.node.kind != "system", box.node.id))
        y = MARGIN + HEADING
        for position, box in enumerate(members):
            edges = sorted(incoming.get(box.node.id, []), key=lambda edge: (rank.get(edge.source, 1e9), edge.entity))
            bands = []
            top = 0.0
            for edge in edges:
                height = len(_label_lines(edge)) * LINE_H + PORT_PAD + 6
                bands.append((edge, top, top + height))
                top += height
            box.h = max(NODE_MIN_H, top + 4, len(_node_text(box.node)) * LINE_H + 16)
            offset = (box.h - top) / 2
            box.x = column_x[column]
            box.y = y
            box.inputs = [(edge, y + offset + band_top, y + offset + band_bottom) for edge, band_top, band_bottom in bands]
            rank[box.node.id] = column * 10_000 + position
            y += box.h + VGAP
    width = cursor - GAP + MARGIN
    height = max((box.y + box.h for box in boxes.values()), default=MARGIN + HEADING) + MARGIN
    return list(boxes.values()), column_x, width, height


def svg_map(map_view: MapView, index: int, finding_ids: dict[str, str]) -> str:
    """The map as an inline <svg> element (no xmlns needed inside HTML)."""
    boxes, column_x, width, height = layout(map_view)
    ports: dict[str, tuple[float, float, float]] = {}  # entity -> (x, y) of the port, band top
    for box in boxes:
        for edge, top, bottom in box.inputs:
            ports[edge.entity] = (box.x, bottom - 5, top)
    out_points: dict[str, tuple[float, float]] = {}
    for box in boxes:
        edges = sorted(box.outputs, key=lambda edge: (ports[edge.entity][1], edge.entity))
        for number, edge in enumerate(edges, start=1):
            out_points[edge.entity] = (box.x + NODE_W, box.y + box.h * number / (len(edges) + 1))
    parts = ["<defs>"]
    for name, color in [("plain", render.EDGE_COLOR), *render.MARK_COLOR.items()]:
        parts.append(
            f'<marker id="arrow-{index}-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        )
    parts.append("</defs>")
    columns = sorted({box.column for box in boxes})
    for column in columns:
        kinds = {box.node.kind for box in boxes if box.column == column}
        title = "Systems" if kinds == {"system"} else "Recipients" if kinds == {"recipient"} else "Nodes"
        x = column_x[column]
        parts.append(f'<text class="heading" x="{x:.0f}" y="{MARGIN + 14}">{title}</text>')
    by_id = {box.node.id: box for box in boxes}
    stacks: dict[int, list[_Box]] = {}
    for box in sorted(boxes, key=lambda box: box.y):
        stacks.setdefault(box.column, []).append(box)
    tops = {column: [box.y for box in stack] for column, stack in stacks.items()}
    used: dict[tuple[int, float], int] = {}
    for edge in map_view.edges:
        source, target = by_id[edge.source], by_id[edge.target]
        start, port = out_points[edge.entity], ports[edge.entity]
        waypoints = []
        crossed = range(source.column + 1, target.column)
        if len(crossed) > MAX_DETOUR_COLUMNS:
            crossed = range(0)  # a very long flow is drawn straight: detours would bloat the page
        for column in crossed:  # pass between the nodes in the way
            fraction = (column - source.column) / (target.column - source.column)
            wanted = start[1] + (port[1] - start[1]) * fraction
            gap = _free_y(stacks.get(column, []), wanted, tops.get(column))
            spread = used.get((column, gap), 0)
            used[(column, gap)] = spread + 1
            waypoints.append((column_x[column] + NODE_W / 2, gap + (spread % 5 - 2) * 3))
        height = max(height, *(y + MARGIN for _, y in waypoints)) if waypoints else height
        parts.append(_svg_edge(edge, index, start, port, finding_ids, waypoints))
    for box in sorted(boxes, key=lambda box: (box.column, box.y)):
        parts.append(_svg_node(box, index, finding_ids))
    parts.append("</svg>")
    # The height is known once the edges are routed (a detour may pass below a column).
    head = (
        f'<svg class="map" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'style="width: 100%; height: auto; max-width: {width:.0f}px; min-width: {min(width, 960):.0f}px" '
        f'role="img" aria-label="{escape(f"data map of {map_view.name}")}">'
    )
    return "\n".join([head, *parts])


def _free_y(stack: list[_Box], wanted: float, tops: list[float] | None = None) -> float:
    """A y where a line can cross a column of nodes (sorted by y): `wanted` if it is clear,
    else the middle of the nearest gap between nodes (or just above the first / below the last)."""
    pad = 6
    tops = tops if tops is not None else [box.y for box in stack]
    start = max(0, bisect.bisect_right(tops, wanted) - 1) if len(stack) > 8 else 0
    for number in range(start, min(len(stack), start + 2) if len(stack) > 8 else len(stack)):
        box = stack[number]
        if box.y - pad <= wanted <= box.y + box.h + pad:
            above = stack[number - 1].y + stack[number - 1].h if number else box.y - VGAP
            below = stack[number + 1].y if number + 1 < len(stack) else box.y + box.h + VGAP
            up = (above + box.y) / 2
            down = (box.y + box.h + below) / 2
            return up if wanted - up <= down - wanted else down
    return wanted


def _link(content: str, entity: str, finding_ids: dict[str, str]) -> str:
    target = finding_ids.get(entity)
    return f'<a href="#{target}">{content}</a>' if target else content


def _svg_edge(edge: MapEdge, index: int, start, port, finding_ids, waypoints=()) -> str:
    tx, ty, band_top = port
    lane_x = tx - LANE_W
    points = [start, *waypoints, (lane_x, ty)]
    path = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        # Horizontal tangents at every point: the line leaves, crosses gaps and enters level.
        pull = max(40.0, abs(x1 - x0) * 0.45) if x1 > x0 else max(60.0, abs(x1 - x0) * 0.3)
        path += f" C{x0 + pull:.1f},{y0:.1f} {x1 - pull:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    path += f" L{tx - 1:.1f},{ty:.1f}"
    mark = edge.mark
    classes = "edge" + (f" mark-{mark}" if mark else "")
    marker = f"arrow-{index}-{mark or 'plain'}"
    title = escape(_edge_title(edge))
    lines = _label_lines(edge)
    text = []
    for number, line in enumerate(lines):
        y = band_top + PORT_PAD + 4 + number * LINE_H
        flagged = number == 0 and line.startswith(render.WARNING_SIGN)
        css = ' class="flag"' if flagged else ""
        text.append(f'<text x="{lane_x + PORT_PAD:.1f}" y="{y:.1f}"{css}>{escape(line)}</text>')
    body = (
        f'<g id="{anchor(index, edge.entity)}" class="{classes}"><title>{title}</title>'
        f'<path d="{path}" marker-end="url(#{marker})"/>' + "".join(text) + "</g>"
    )
    return _link(body, edge.entity, finding_ids)


def _edge_title(edge: MapEdge) -> str:
    lines = [
        f"{edge.entity}",
        f"data categories: {', '.join(edge.data_categories)}",
        f"purposes: {', '.join(edge.purposes) or '(none stated)'}",
    ]
    if edge.transfer_basis is not None:
        lines.append(f"transfer basis: {render.basis_text(edge.transfer_basis)}")
    if edge.origins:
        lines.append(f"data of people in: {', '.join(edge.origins)}")
    if edge.consideration:
        lines.append("for consideration")
    lines += [f"{finding.rule}: {finding.message}" for finding in render._active(edge.findings)]
    return "\n".join(lines)


def _node_text(node: MapNode) -> list[tuple[str, str]]:
    """The node's label lines with their CSS class: flag (rules drawn), name, meta."""
    lines = render.node_lines(node)
    flagged = lines[0].startswith(render.WARNING_SIGN)
    styled = []
    for number, line in enumerate(lines):
        if flagged and number == 0:
            styled.append(("flag", _fit(line, NODE_W - 16)))
        elif number == (1 if flagged else 0):
            styled.extend(("name", part) for part in _wrap(line, NAME_CHARS, 2))
        else:
            styled.append(("meta", _fit(line, NODE_W - 16)))
    return styled


def _svg_node(box: _Box, index: int, finding_ids) -> str:
    node = box.node
    classes = ["node", node.kind, f"area-{node.area.lower()}"]
    if node.kind == "recipient" and node.role in render.ROLES:
        classes.append(f"role-{node.role}")
    if "undisclosed" in node.marks:
        classes.append("mark-undisclosed")
    radius = 4 if node.kind == "system" else 16
    styled = _node_text(node)
    texts = []
    first_y = box.y + box.h / 2 - (len(styled) - 1) * LINE_H / 2 + 4
    for number, (css, shown) in enumerate(styled):
        texts.append(
            f'<text class="{css}" x="{box.x + NODE_W / 2:.1f}" y="{first_y + number * LINE_H:.1f}" '
            f'text-anchor="middle">{escape(shown)}</text>'
        )
    title_lines = [node.entity, node.name]
    if node.category:
        title_lines.append(f"category: {node.category}")
    if node.vendor:
        title_lines.append(f"vendor catalog: {node.vendor}")
    title_lines += [f"{finding.rule}: {finding.message}" for finding in render._active(node.findings)]
    body = (
        f'<g id="{anchor(index, node.entity)}" class="{" ".join(classes)}"><title>{escape(chr(10).join(title_lines))}</title>'
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{box.h:.1f}" rx="{radius}"/>'
        + "".join(texts)
        + "</g>"
    )
    return _link(body, node.entity, finding_ids)


# -- the page -------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #111827; background: #ffffff; }
header, main, footer { max-width: 1600px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
.muted { color: #4b5563; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; }
.count { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.count b { display: block; font-size: 22px; }
.sev { display: inline-block; border-radius: 4px; padding: 0 6px; color: #fff; font-size: 12px; font-weight: 600; }
.sev-error { background: #b91c1c; } .sev-warning { background: #b45309; } .sev-info { background: #1d4ed8; }
.sev-suppressed { background: #6b7280; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; }
th { background: #f9fafb; font-weight: 600; }
tr:target td { background: #fef3c7; }
td.loc { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; white-space: nowrap; }
tr.suppressed td { color: #6b7280; }
.mapbox { overflow-x: auto; border: 1px solid #e5e7eb; border-radius: 8px; background: #fcfcfd; }
svg.map { display: block; font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
svg.map text.heading { font-size: 13px; font-weight: 600; fill: #374151; }
svg.map .node rect { stroke-width: 1.5; }
svg.map .node text.name { font-weight: 600; font-size: 12px; fill: #111827; }
svg.map .node text.meta { fill: #374151; }
svg.map text.flag { font-weight: 700; }
svg.map .edge path { fill: none; stroke: #475569; stroke-width: 1.4; }
svg.map .edge text { fill: #1f2937; }
svg.map .edge.mark-transfer path { stroke: #ea580c; stroke-width: 2.6; }
svg.map .edge.mark-sale path { stroke: #be123c; stroke-width: 2.6; }
svg.map .edge.mark-transfer text.flag { fill: #ea580c; }
svg.map .edge.mark-sale text.flag { fill: #be123c; }
svg.map .node.mark-undisclosed rect { stroke: #dc2626; stroke-width: 3.5; }
svg.map .node.mark-undisclosed text.flag { fill: #dc2626; }
svg.map g:target rect, svg.map g:target path { stroke: #111827; stroke-width: 5; }
svg.map g:target text { font-weight: 700; }
svg.map a { cursor: pointer; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 8px 0 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
dl.claims { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.claims dt { font-weight: 600; } dl.claims dd { margin: 0; }
dl.claims dt:target, dl.claims dt:target + dd { background: #fef3c7; }
.notice { border-left: 4px solid #b91c1c; background: #fef2f2; padding: 8px 12px; }
footer { margin: 32px auto 24px; color: #6b7280; font-size: 12px; }
"""


def _css() -> str:
    fills = "\n".join(
        f"svg.map .node.area-{area.lower()} rect {{ fill: {render.AREA_FILL[area]}; stroke: {render.AREA_STROKE[area]}; }}"
        for area in render.AREAS
    )
    dashes = "\n".join(
        f"svg.map .node.role-{role} rect {{ stroke-dasharray: {dash}; }}"
        for role, dash in render.ROLE_DASH.items()
        if dash
    )
    # The finding mark comes after the area and role rules so that it wins.
    return _CSS.replace("svg.map .node.mark-undisclosed rect", fills + "\n" + dashes + "\nsvg.map .node.mark-undisclosed rect", 1)


def _legend(map_view: MapView) -> str:
    entries = render.legend_entries(map_view)
    items = []
    for area in entries["areas"]:
        items.append(
            _swatch(f'<rect x="1" y="1" width="26" height="14" rx="3" fill="{render.AREA_FILL[area]}" '
                    f'stroke="{render.AREA_STROKE[area]}"/>', render.AREA_LABELS[area])
        )
    items.append(_swatch('<rect x="1" y="1" width="26" height="14" rx="2" fill="#fff" stroke="#6b7280"/>', "system"))
    items.append(_swatch('<rect x="1" y="1" width="26" height="14" rx="7" fill="#fff" stroke="#6b7280"/>', "recipient"))
    for role in entries["roles"]:
        dash = render.ROLE_DASH[role]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            _swatch(f'<rect x="1" y="1" width="26" height="14" rx="7" fill="#fff" stroke="#374151" stroke-width="1.5"{dash_attr}/>',
                    role.replace("_", " "))
        )
    items.append(_swatch(f'<line x1="1" y1="8" x2="27" y2="8" stroke="{render.EDGE_COLOR}" stroke-width="1.5"/>', "flow of data"))
    for mark in entries["marks"]:
        color = render.MARK_COLOR[mark]
        shape = (
            f'<rect x="2" y="2" width="24" height="12" rx="6" fill="#fff" stroke="{color}" stroke-width="3"/>'
            if mark == "undisclosed"
            else f'<line x1="1" y1="8" x2="27" y2="8" stroke="{color}" stroke-width="3"/>'
        )
        items.append(_swatch(shape, f"{render.WARNING_SIGN} {render.MARK_LABELS[mark]}"))
    return '<ul class="legend" aria-label="legend">' + "".join(items) + "</ul>"


def _swatch(shape: str, label: str) -> str:
    return f'<li><svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true">{shape}</svg>{escape(label)}</li>'


def _claims(context, index: int) -> str:
    policy = context.inventory.policy
    if not policy.declared:
        return '<p class="muted">The inventory has no <code>policy:</code> block: there are no claims to check.</p>'
    rows = []
    for field_name, value in policy.raw.items():
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value) or "(none)"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value)
        entity = f"policy.{field_name}"
        rows.append(f'<dt id="{anchor(index, entity)}">{escape(field_name)}</dt><dd>{escape(shown)}</dd>')
    return '<dl class="claims">' + "".join(rows) + "</dl>"


def _summary_counts(findings) -> Counter:
    return Counter(finding.severity for finding in findings if not getattr(finding, "suppressed", None))


def _counts_html(counts: Counter, suppressed: int) -> str:
    cells = [
        f'<div class="count"><b style="color:{SEVERITY_COLOR[severity]}">{counts.get(severity, 0)}</b>'
        f'{severity}{"s" if counts.get(severity, 0) != 1 else ""}</div>'
        for severity in SEVERITIES
    ]
    if suppressed:
        cells.append(f'<div class="count"><b>{suppressed}</b>suppressed</div>')
    return '<div class="counts">' + "".join(cells) + "</div>"


def _row_id(index: int, number: int) -> str:
    """The id of the `number`th row (from 1) of the findings table of the inventory at `index`."""
    return f"f{index}-{number}"


def _findings_table(findings, index: int, entities_on_page: set[str]) -> Iterator[str]:
    """The findings table a row at a time."""
    if not findings:
        yield '<p class="muted">No findings.</p>'
        return
    head = "<tr><th>severity</th><th>rule</th><th>message</th><th>entity</th><th>location</th></tr>"
    yield f'<table class="findings"><thead>{head}</thead><tbody>'
    # An entity's findings are adjacent, and a table names a few rules and files: each is
    # escaped once, not per row (632,000 rows: a third of the page's time).
    shown = entity = where = None
    escaped_once: dict[str, str] = {}
    for number, finding in enumerate(findings, start=1):
        suppressed = getattr(finding, "suppressed", None)
        if finding.entity != shown:
            shown, entity = finding.entity, escape(finding.entity)
            where = f'<a href="#{anchor(index, shown)}">{entity}</a>' if shown in entities_on_page else entity
        severity = (
            '<span class="sev sev-suppressed">suppressed</span>'
            if suppressed
            else f'<span class="sev sev-{finding.severity}">{finding.severity}</span>'
        )
        message = escape(finding.message)
        if suppressed:
            message += f'<br><span class="muted">suppressed: {escape(suppressed)}</span>'
        yield (
            f'<tr id="{_row_id(index, number)}" class="finding{" suppressed" if suppressed else ""}" '
            f'data-rule="{finding.rule}" data-entity="{entity}">'
            f"<td>{severity}</td><td><b>{finding.rule}</b><br>{_escaped(finding.name, escaped_once)}</td>"
            f"<td>{message}</td><td>{where}</td>"
            f'<td class="loc">{_escaped(finding.path, escaped_once)}:{finding.line}:{finding.column}</td></tr>'
        )
    yield "</tbody></table>"


def _escaped(text: str, escaped: dict[str, str]) -> str:
    shown = escaped.get(text)
    if shown is None:
        shown = escaped[text] = escape(text)
    return shown


# Systems, recipients and flows together: a larger map is unreadable as one picture, and its
# layout and SVG would cost more than the whole check.
MAX_DRAWN = 5_000


def _inventory_section(index: int, context, findings) -> Iterator[str]:
    name = context.name
    organization = context.inventory.organization if context.valid else {}
    # `file` findings (e.g. PL006 on a stray comment) point at the section itself, or at the
    # notice that explains why an unparseable inventory has no map.
    file_anchor = "" if not context.valid else f'<span id="{anchor(index, "file")}"></span>'
    parts = [f'<section class="inventory" id="inv-{index}">{file_anchor}', f"<h2>{escape(name)}</h2>"]
    if organization.get("name"):
        facts = escape(str(organization["name"]))
        if organization.get("country"):
            facts += f" · established in {escape(str(organization['country']))}"
        parts.append(f'<p class="muted">{facts} · files: {escape(", ".join(context.files))}</p>')
    parts.append(_counts_html(_summary_counts(findings), sum(1 for f in findings if getattr(f, "suppressed", None))))
    first_row: dict[str, str] = {}
    for number, finding in enumerate(findings, start=1):
        if not getattr(finding, "suppressed", None):
            first_row.setdefault(finding.entity, _row_id(index, number))
    on_page = {"file"}
    parts.append("<h3>Data map</h3>")
    if context.valid:
        parts.append(_map(context, findings, index, first_row, on_page))
        parts.append("<h3>Policy claims</h3>")
        parts.append(_claims(context, index))
        if context.inventory.policy.declared:
            on_page |= {f"policy.{field_name}" for field_name in context.inventory.policy.raw}
    else:
        parts.append(
            f'<p class="notice" id="{anchor(index, "file")}">The data map cannot be drawn: the inventory does not '
            "parse or does not match the schema. Fix the findings below first.</p>"
        )
    parts.append("<h3>Findings</h3>")
    yield "\n".join(parts) + "\n"
    yield from _findings_table(findings, index, on_page)
    yield "\n</section>"


def _map(context, findings, index: int, first_row: dict[str, str], on_page: set[str]) -> str:
    """The inventory's data map as SVG with its legend; adds the entities drawn to `on_page`."""
    nodes, flows = len(context.inventory.nodes), len(context.inventory.flows)
    if nodes + flows > MAX_DRAWN:
        return (
            f'<p class="notice">The data map has {nodes:,} systems and recipients and {flows:,} flows, more '
            f"than the {MAX_DRAWN:,} a page can draw legibly: see it with <code>privlint graph --format dot</code> "
            "or <code>--format json</code>.</p>"
        )
    map_view = render.view(context, findings)
    on_page |= {node.entity for node in map_view.nodes} | {edge.entity for edge in map_view.edges}
    if not map_view.nodes:
        return '<p class="muted">The inventory declares no systems or recipients.</p>'
    return f'<div class="mapbox">{svg_map(map_view, index, first_row)}</div>\n' + _legend(map_view)


def html_report(findings, contexts, as_of) -> Iterator[str]:
    """The whole page for the checked inventories (their engine contexts), with their findings
    as the check reports them (already selected, baselined and suppressed), a piece at a time:
    a page of hundreds of thousands of findings is never held whole."""
    owner: dict[str, int] = {}
    for index, context in enumerate(contexts):
        for path in context.files:
            owner.setdefault(path, index)
    grouped: dict[int, list] = {index: [] for index in range(len(contexts))}
    for finding in in_report_order(findings):
        grouped.setdefault(owner.get(finding.path, 0), []).append(finding)
    counts = _summary_counts(findings)
    suppressed = sum(1 for finding in findings if getattr(finding, "suppressed", None))
    checked = f"{len(contexts)} inventor{'y' if len(contexts) == 1 else 'ies'} checked"
    overview_rows = []
    for index, context in enumerate(contexts):
        mine = _summary_counts(grouped.get(index, []))
        cells = "".join(f"<td>{mine.get(severity, 0)}</td>" for severity in SEVERITIES)
        overview_rows.append(f'<tr><td><a href="#inv-{index}">{escape(context.name)}</a></td>{cells}</tr>')
    overview = (
        "<table><thead><tr><th>inventory</th><th>errors</th><th>warnings</th><th>info</th></tr></thead>"
        f"<tbody>{''.join(overview_rows)}</tbody></table>"
    )
    verdict = "No findings." if not any(counts.values()) else f"{sum(counts.values())} finding{'s' if sum(counts.values()) != 1 else ''}."
    yield f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="privlint {__version__}">
<title>privlint report: {escape(", ".join(context.name for context in contexts))}</title>
<style>{_css()}</style>
</head>
<body>
<header>
<h1>privlint report</h1>
<p class="muted">privlint {__version__} · {checked} · dated facts judged as of {as_of.isoformat()}</p>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
<p>{verdict}</p>
{_counts_html(counts, suppressed)}
{overview}
</section>
"""
    for index, context in enumerate(contexts):
        if index:
            yield "\n"
        yield from _inventory_section(index, context, grouped.get(index, []))
    yield f"""
</main>
<footer>Generated by privlint {__version__}. Data categories, purposes and subjects use the fideslang taxonomy (CC BY 4.0).
This report is self-contained: it loads nothing from the network.</footer>
</body>
</html>
"""
