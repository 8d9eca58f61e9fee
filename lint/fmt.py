"""`privlint fmt`: canonical formatting of inventory files that keeps every comment and value.

Formatting is three steps, then a proof:

1. **Key order.** Mappings are put in canonical key order — top level: privlint, organization,
   policy, systems, recipients, flows, vendors; inside an entity: `id` first, then the order of
   the JSON Schema's properties. Keys the schema does not know keep their relative order after
   the known ones. Reordering works on the text, moving each key with its whole block: the
   comment lines directly above a key travel with it (they describe it; at every level, but
   those above the file's first key are its header), end-of-line comments stay on their line,
   and a `# privlint: ignore[...]` comment on an entity's first line stays on its (new) first
   line.
2. **Indentation** through a ruamel.yaml round trip (YAML 1.2): 2 spaces for mappings,
   sequences indented by 2 with their dash. Scalars keep their quoting and flow collections
   their style; a one-line double-quoted scalar keeps its text, escapes included, and a
   control or format character (a bidi control, a zero-width space) is never written raw
   into a double-quoted scalar.
3. **Comment lines** are indented like the line they stand above.

The result is then proved safe: it must parse to exactly the same data as the original (with
privlint's own loader) and hold exactly the same comments, each attached to the same key (see
_attachments), so a suppression never changes the entity it names. If reordering cannot be proved safe
(e.g. an alias would come before its anchor) the file is formatted without reordering; if even
that fails (ruamel drops comments inside a multi-line flow list) the file is refused, never
written. Files are written atomically (a temporary file in the same directory, then
os.replace), keep their newline style and UTF-8 BOM, and are never written when unchanged.
"""

from __future__ import annotations

import bisect
import functools
import io
import math
import os
import re
import stat
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import loader
from .loader import YamlError
from .wording import visible

# The most `privlint fmt` formats in one file. Its round trip through ruamel.yaml's pure-Python
# round-trip loader and dumper costs 50-70 microseconds of CPU per value (scalar or collection):
# the 20,000-flow benchmark (4.4 MB, 300,000 values) took 32 s and 590 MB. So a file over 1 MB,
# or holding more than 100,000 values per MB of that limit (500 KB of `[a,a,…]` is 250,000), is
# refused with exit 2 rather than left to run for minutes in a pre-commit hook. Real
# inventories are a few KB to a few hundred KB; PRIVLINT_MAX_FMT_MB raises (or lowers) both.
MAX_FMT_MB = 1
MAX_FMT_VALUES_PER_MB = 100_000
FMT_LIMIT_VARIABLE = "PRIVLINT_MAX_FMT_MB"

# The most one `privlint fmt` run formats, all its files together (several PATHs, a directory,
# --recursive), per MB of the limit above. Each file under the limit was not enough: six 0.95 MB
# files took 33 s, 20,000 one-system files ~80 s. Measured on 2 cores: a 0.95 MB file 5 s;
# 500 files of 2 KB (1 MB) 8.8 s; 1,000 one-system files 3.2 s (~3 ms a file); 500 files of
# flow-style systems, 0.9 MB and 180,000 values, 23 s (~130 us a value). So a run holds at most
# 1 MB, 35,000 values and 500 files (~10 s at worst), checked before any file is formatted.
MAX_RUN_VALUES_PER_MB = 35_000
MAX_RUN_FILES_PER_MB = 500

TOP_LEVEL = ("privlint", "organization", "policy", "systems", "recipients", "flows", "vendors")
BASIS_ORDER = ("EEA", "UK", "CH")
BOM = "\ufeff"


class FormatError(Exception):
    """The file cannot be formatted safely; carries a 1-based position like a finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "PL000"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


# -- the schema's key order -----------------------------------------------------------------


def _schema() -> dict:
    from .schema import schema

    return schema()


def _resolve(node: dict | None) -> dict | None:
    """Follow a local $ref; for oneOf/anyOf, the branch that describes a mapping."""
    if not isinstance(node, dict):
        return None
    root = _schema()
    seen = 0
    while "$ref" in node and seen < 10:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None
        target = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    for combinator in ("oneOf", "anyOf"):
        if "properties" not in node and "additionalProperties" not in node and combinator in node:
            for branch in node[combinator]:
                resolved = _resolve(branch)
                if resolved and (resolved.get("type") == "object" or "properties" in resolved):
                    return resolved
    return node


def _key_order(node: dict | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if node is _schema():
        return TOP_LEVEL
    keys = list(node.get("properties") or ())
    names = node.get("propertyNames") or {}
    if not keys and names.get("pattern") == "^(EEA|UK|CH)$":
        keys = list(BASIS_ORDER)
    if "id" in keys:
        keys.remove("id")
        keys.insert(0, "id")
    return tuple(keys)


def _child_schema(node: dict | None, key) -> dict | None:
    if node is None:
        return None
    if isinstance(key, int):
        return _resolve(node.get("items"))
    properties = node.get("properties") or {}
    if key in properties:
        return _resolve(properties[key])
    extra = node.get("additionalProperties")
    return _resolve(extra) if isinstance(extra, dict) else None


# -- a light tree of the document, with positions -------------------------------------------


@dataclass
class _Node:
    kind: str  # map | seq | scalar | alias
    flow: bool
    start: tuple[int, int]  # 0-based line, column
    end: tuple[int, int]
    entries: list = field(default_factory=list)  # map: (key, key start, value node); seq: nodes
    plain_keys: bool = True


@dataclass
class _Anchor:
    """Where a mapping key or a sequence item starts, and which one it is."""

    line: int
    column: int
    ident: int  # the same number for the same key path in every document scanned with one table
    item: bool  # a sequence item (else a mapping key)
    parent: int  # the ident of the collection it belongs to
    last: bool = False  # the last entry of that collection


@dataclass
class _Scan:
    root: _Node | None
    spans: list  # every scalar's ((line, column), (line, column))
    anchors: list  # _Anchor, in document order
    line_starts: list  # (line, column) of every node that starts a line (after indentation and dashes)


def _tree(text: str, paths: dict | None = None, limit: int | None = None) -> _Scan:
    """One pass over the document's events: its node tree, every scalar's span, where each key
    and item starts, and which nodes start a line. Keys and items are numbered through `paths`
    ((parent number, key or index) -> number), so two texts scanned with the same table give
    the same number to the same key path. More than `limit` values is loader.TooLarge."""
    from ruamel.yaml import events as ev

    paths = {} if paths is None else paths
    root = None
    # [node, pending key or None, key start, number, entries seen, its last key or item]
    stack: list[list] = []
    spans = []
    anchors: list[_Anchor] = []
    line_starts = []
    lines = text.split("\n")
    lead: dict[int, int] = {}
    nodes = (ev.ScalarEvent, ev.AliasEvent, ev.MappingStartEvent, ev.SequenceStartEvent)
    values = 0  # scalars, aliases and collections

    def ident(parent: int, key) -> int:
        return paths.setdefault((parent, key), len(paths) + 1)

    def attach(node: _Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        frame = stack[-1]
        parent = frame[0]
        if parent.kind == "seq":
            parent.entries.append(node)
        elif frame[1] is _NO_KEY:
            if node.kind != "scalar":
                parent.plain_keys = False
                frame[1], frame[2] = None, node.start
            else:
                frame[1], frame[2] = node, node.start
        else:
            parent.entries.append((frame[1], frame[2], node))
            frame[1] = _NO_KEY

    for event in loader.events(text):  # libyaml driven directly: no Python generator per event
        kind = type(event)
        start = (event.start_mark.line, event.start_mark.column)
        end = (event.end_mark.line, event.end_mark.column)
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            frame = stack.pop()
            node = frame[0]
            node.end = end
            if frame[5] is not None:
                frame[5].last = True
            attach(node)
            continue
        if kind not in nodes:
            continue  # the stream's and documents' own events
        values += 1
        if limit is not None and values > limit:
            raise loader.TooLarge(f"holds more than {limit:,} values")
        if start[0] < len(lines) and start[1] <= _lead(lines, start[0], lead):
            line_starts.append(start)
        entry = None
        if stack:
            frame = stack[-1]
            if frame[0].kind == "seq" or frame[1] is _NO_KEY:
                if frame[0].kind == "seq":
                    key = frame[4]
                else:  # a mapping key: named by its text (a complex key by its place)
                    key = ("key", event.value) if kind is ev.ScalarEvent else ("complex", frame[4])
                frame[4] += 1
                entry = _Anchor(start[0], start[1], ident(frame[3], key), frame[0].kind == "seq", frame[3])
                anchors.append(entry)
                frame[5] = entry
        if kind is ev.ScalarEvent:
            spans.append((start, end))
            node = _Node("scalar", False, start, end)
            node.entries = [event.value]
            attach(node)
        elif kind is ev.AliasEvent:
            attach(_Node("alias", False, start, end))
        elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
            node = _Node("map" if kind is ev.MappingStartEvent else "seq", bool(event.flow_style), start, end)
            # A collection is numbered like the key or item it is the value of.
            number = entry.ident if entry else stack[-1][5].ident if stack else 0
            stack.append([node, _NO_KEY, None, number, 0, None])
    return _Scan(root, spans, anchors, line_starts)


_NO_KEY = object()
_INDENT_AND_DASHES = re.compile(r"[\s-]*")
_INDENT = re.compile(r"\s*")


def _lead(lines: list[str], number: int, cache: dict[int, int], pattern=_INDENT_AND_DASHES) -> int:
    """How many characters of the start of a line match `pattern` (by default indentation and
    dashes: a node at that column or before starts the line). Measured once per line, where
    slicing the line at each of its 250,000 nodes cost 250,000 copies of it."""
    if number not in cache:
        cache[number] = pattern.match(lines[number]).end()
    return cache[number]


def _last_line(node: _Node) -> int:
    """The last line holding text of `node` (0-based)."""
    if node.kind in ("scalar", "alias") or node.flow:
        line, column = node.end
        if column == 0 and line > node.start[0]:
            return line - 1
        return line
    if not node.entries:
        return node.start[0]
    last = node.entries[-1]
    return _last_line(last[2] if node.kind == "map" else last)


# -- comments ---------------------------------------------------------------------------------


def _covered(spans, line_count: int) -> dict[int, list[tuple[int, float]]]:
    """Per line, the column intervals that belong to scalars (where '#' is not a comment), in
    order (scalars do not overlap)."""
    covered: dict[int, list[tuple[int, float]]] = {}
    for (start_line, start_col), (end_line, end_col) in spans:
        if start_line == end_line:
            covered.setdefault(start_line, []).append((start_col, end_col))
            continue
        covered.setdefault(start_line, []).append((start_col, math.inf))
        for line in range(start_line + 1, min(end_line, line_count)):
            covered.setdefault(line, []).append((0, math.inf))
        covered.setdefault(end_line, []).append((0, end_col))
    for intervals in covered.values():
        intervals.sort()
    return covered


def _comment_column(text: str, intervals) -> int | None:
    """Where the comment of a line starts, given its scalars' column intervals in order: one
    walk along both (a line of 50,000 quoted `"a #"` is 50,000 '#' against 50,000 scalars)."""
    inside = 0
    for match in re.finditer("#", text):
        position = match.start()
        if position > 0 and text[position - 1] not in " \t":
            continue
        while inside < len(intervals) and intervals[inside][1] <= position:
            inside += 1
        if inside < len(intervals) and intervals[inside][0] <= position:
            continue
        return position
    return None


def comments(text: str, scan: _Scan | None = None) -> list[tuple[int, int, str]]:
    """Every comment of a YAML text: (0-based line, column, text from '#'), in order."""
    spans = (scan or _tree(text)).spans
    lines = text.split("\n")
    covered = _covered(spans, len(lines))
    found = []
    for number, line in enumerate(lines):
        if "#" not in line:
            continue
        column = _comment_column(line, covered.get(number, ()))
        if column is not None:
            found.append((number, column, line[column:].rstrip()))
    return found


def _attachments(text: str, scan: _Scan) -> list[tuple[str, int | tuple, int | None]]:
    """Each comment of `text` with what it is attached to: (comment, attachment, alternative).

    A comment line belongs to the key or item on the next line that starts at its indentation
    or deeper — on a `- ` line to the item, whose first key is the alternative (the comment of
    a key that became its entity's first key stands above the dash). A comment line indented
    deeper than what follows closes the entry above it at its indentation, or the collection
    when that entry is the last. Comment lines above the document's first key are the file's
    header (that key is the alternative: a key moved to the top keeps its comments). An
    end-of-line comment belongs to the first key on its line, a `privlint:` comment on a `- `
    line to the item: it suppresses findings of the entity that line starts."""
    lines = text.split("\n")
    indents: dict[int, int] = {}
    anchors = scan.anchors
    found = []
    following = 0  # the first anchor after the comment
    stack: list[_Anchor] = []  # the anchors a comment can close: increasing columns
    columns: list[int] = []
    for line, column, comment in comments(text, scan):
        while following < len(anchors) and (anchors[following].line, anchors[following].column) < (line, column):
            entry = anchors[following]
            while columns and columns[-1] >= entry.column:
                stack.pop()
                columns.pop()
            stack.append(entry)
            columns.append(entry.column)
            following += 1
        here = following
        while here > 0 and anchors[here - 1].line == line:
            here -= 1
        alternative = None
        if here < following:  # at the end of a line holding keys or items
            on_line = anchors[here:following]
            dash = lines[line][: on_line[0].column].strip()
            if not (dash and "privlint:" in comment):
                on_line = [entry for entry in on_line if not entry.item] or on_line
            attachment = on_line[0].ident
        elif lines[line][:column].strip():  # after the end of a multi-line value
            attachment = anchors[following - 1].ident if following else ("header",)
        elif following == 0 or (following < len(anchors) and anchors[following].column >= column):
            below = anchors[following] if following < len(anchors) else None
            after = anchors[following + 1] if following + 1 < len(anchors) else None
            if following == 0:
                attachment, alternative = ("header",), below.ident if below else None
            else:
                attachment = below.ident
                dashed = below.column > _lead(lines, below.line, indents, _INDENT)
                if dashed and after and after.line == below.line:
                    alternative = after.ident
        else:
            closes = bisect.bisect_right(columns, column) - 1
            if closes < 0:
                attachment = ("end", 0)
            else:
                entry = stack[closes]
                attachment = ("end", entry.parent) if entry.last else ("after", entry.ident)
        found.append((comment.strip(), attachment, alternative))
    return found


def _same_attachments(before: list, after: list) -> bool:
    """Every comment of `before` is in `after`, attached to the same key (or, where `after`
    offers an alternative, to that)."""
    wanted = Counter((comment, attachment) for comment, attachment, _ in before)
    held = Counter((comment, attachment) for comment, attachment, _ in after)
    if wanted == held:
        return True
    if sum(wanted.values()) != sum(held.values()):
        return False
    alternatives = {(comment, attachment): alternative for comment, attachment, alternative in after}
    instead = Counter()
    for (comment, attachment), count in (held - wanted).items():
        alternative = alternatives[comment, attachment]
        if alternative is None:
            return False
        instead[comment, alternative] += count
    return wanted - held == instead


# -- step 1: key order, on the text -----------------------------------------------------------


class _Reorderer:
    def __init__(self, text: str, scan: _Scan):
        self.lines = text.split("\n")
        self.root, spans = scan.root, scan.spans
        self.covered = _covered(spans, len(self.lines))
        self.replacements: list[tuple[int, int, list[str]]] = []  # (first, last line, new lines)

    def run(self) -> str:
        if self.root is None:
            return "\n".join(self.lines)
        new_lines = self._render(self.root, _schema(), 0, len(self.lines) - 1, top=True)
        return "\n".join(new_lines)

    # Rendering works on line ranges: a node's lines are copied, except where a descendant
    # mapping is reordered, whose lines are replaced by the reordered ones.

    def _render(self, node: _Node, schema: dict | None, first: int, last: int, top: bool = False) -> list[str]:
        plan = self._plan(node, schema, first, last, top)
        if plan is None:
            return self._copy_children(node, schema, first, last)
        return plan

    def _copy_children(self, node: _Node, schema: dict | None, first: int, last: int) -> list[str]:
        """Lines first..last, with every child block mapping rendered recursively."""
        out: list[str] = []
        cursor = first
        for child, child_schema, key_line in self._children(node, schema):
            if child.kind not in ("map", "seq") or (child.flow and child.kind == "seq"):
                continue
            child_first, child_last = child.start[0], _last_line(child)
            if child.kind == "map" and not child.flow and key_line is not None and key_line < child_first:
                child_first = key_line + 1  # the comments above its first key are its own
            if child_first < cursor or child_last > last:
                continue
            if child.kind == "map" and child.flow:
                replaced = self._flow_map(child, child_schema)
                if replaced is None:
                    continue
                out.extend(self.lines[cursor:child_first])
                out.extend(replaced)
                cursor = child_last + 1
                continue
            out.extend(self.lines[cursor:child_first])
            out.extend(self._render(child, child_schema, child_first, child_last))
            cursor = child_last + 1
        out.extend(self.lines[cursor : last + 1])
        return out

    def _children(self, node: _Node, schema: dict | None):
        """Each child of `node` with its schema and the line of its key (None in a sequence)."""
        if node.kind == "map":
            for key, key_start, value in node.entries:
                yield value, _child_schema(schema, key.entries[0]) if key is not None else None, key_start[0]
        elif node.kind == "seq":
            for value in node.entries:
                yield value, _child_schema(schema, 0), None

    def _order(self, node: _Node, schema: dict | None) -> list[int] | None:
        """The canonical order of the entries of `node` (indexes), or None when unchanged."""
        order_keys = _key_order(schema)
        if not order_keys or not node.plain_keys or any(key is None for key, _, _ in node.entries):
            return None
        rank = {key: position for position, key in enumerate(order_keys)}
        keys = [key.entries[0] for key, _, _ in node.entries]
        order = sorted(range(len(keys)), key=lambda index: (rank.get(keys[index], len(rank)), index))
        return None if order == list(range(len(keys))) else order

    def _plan(self, node: _Node, schema: dict | None, first: int, last: int, top: bool) -> list[str] | None:
        if node.kind != "map" or node.flow or not node.entries:
            return None
        order = self._order(node, schema)
        if order is None:
            return None
        column = node.entries[0][1][1]
        key_lines = [key_start[0] for _, key_start, _ in node.entries]
        if any(key_start[1] != column for _, key_start, _ in node.entries):
            return None  # not a plain block mapping
        value_ends = [max(key_lines[index], _last_line(value)) for index, (_, _, value) in enumerate(node.entries)]
        # Where each entry's block starts: its key line, or the comment lines above it.
        starts = []
        for index, key_line in enumerate(key_lines):
            floor = value_ends[index - 1] + 1 if index else first
            for gap in range(floor, key_line):
                if not self._is_blank_or_comment(gap):
                    return None  # something unexpected between entries: leave the mapping alone
            start = key_line
            if index or not top:  # the top's first comments are the file's header: they stay
                while start - 1 >= floor and (self._is_blank(start - 1) or self._is_comment(start - 1, column)):
                    start -= 1
                if index == 0:  # blank lines above the first key stay above the mapping
                    while start < key_line and self._is_blank(start):
                        start += 1
            starts.append(start)
        blocks = []
        for index in range(len(node.entries)):
            end = starts[index + 1] - 1 if index + 1 < len(node.entries) else value_ends[index]
            lines = self._render_entry(node, schema, index, starts[index], end)
            blocks.append(lines)
        # The first key line may carry a prefix (a sequence dash); the new first entry gets it.
        prefix = self.lines[key_lines[0]][:column]
        head = self.lines[first : starts[0]]
        tail = self.lines[value_ends[-1] + 1 : last + 1]
        out = list(head)
        # A suppression at the end of an entity's first line (a `- ` line) stays on that line.
        old_first_comment = self._eol_privlint_comment(key_lines[0]) if prefix.strip() else None
        for position, index in enumerate(order):
            block = list(blocks[index])
            key_offset = key_lines[index] - starts[index]
            if position == 0:
                while key_offset > 0 and not block[0].strip():  # no blank line at the top
                    block.pop(0)
                    key_offset -= 1
            key_text = block[key_offset]
            body = key_text[column:]
            if position == 0 and old_first_comment and index != 0 and _comment_column(
                body, self._intervals(key_lines[index], column)
            ) is None:
                body = body.rstrip() + "  " + old_first_comment
            if index == 0 and position != 0 and old_first_comment:
                body = body[: body.rfind(old_first_comment)].rstrip()
            block[key_offset] = (prefix if position == 0 else " " * column) + body
            if position == 0 and index != 0 and prefix.strip():
                # Comments that moved above a sequence item's first line: indent them like its dash.
                dash_indent = " " * (len(prefix) - len(prefix.lstrip()))
                for number in range(key_offset):
                    if block[number].strip():
                        block[number] = dash_indent + block[number].lstrip()
            out.extend(block)
        out.extend(tail)
        return out

    def _render_entry(self, node: _Node, schema: dict | None, index: int, start: int, end: int) -> list[str]:
        key, _, value = node.entries[index]
        child_schema = _child_schema(schema, key.entries[0])
        if value.kind == "map" and not value.flow:
            key_line, value_last = node.entries[index][1][0], _last_line(value)
            if start <= key_line and value_last <= end and value.start[0] > key_line:
                # The lines below the key are the mapping's: comments above its first key move with it.
                return (
                    self.lines[start : key_line + 1]
                    + self._render(value, child_schema, key_line + 1, value_last)
                    + self.lines[value_last + 1 : end + 1]
                )
        if value.kind == "map" and value.flow:
            replaced = self._flow_map(value, child_schema)
            if replaced is not None and value.start[0] == value.end[0]:
                line = value.start[0]
                return self.lines[start:line] + replaced + self.lines[line + 1 : end + 1]
        if value.kind == "seq" and not value.flow:
            value_first, value_last = value.start[0], _last_line(value)
            if start <= value_first and value_last <= end:
                return (
                    self.lines[start:value_first]
                    + self._copy_children(value, child_schema, value_first, value_last)
                    + self.lines[value_last + 1 : end + 1]
                )
        return self.lines[start : end + 1]

    def _flow_map(self, node: _Node, schema: dict | None) -> list[str] | None:
        """The line of a one-line flow mapping without comments, its keys reordered."""
        if node.start[0] != node.end[0] or not node.entries:
            return None
        line = self.lines[node.start[0]]
        if _comment_column(line[node.start[1] : node.end[1]], ()) is not None:
            return None
        rebuilt = self._flow_text(node, schema, line)
        if rebuilt is None:
            return None
        return [line[: node.start[1]] + rebuilt + line[node.end[1] :]]

    def _flow_text(self, node: _Node, schema: dict | None, line: str) -> str | None:
        """The text of a one-line flow mapping, nested flow mappings included, reordered."""
        if not node.plain_keys or any(key is None for key, _, _ in node.entries):
            return None
        pieces = []
        for key, key_start, value in node.entries:
            if value.start[0] != node.start[0] or value.end[0] != node.start[0]:
                return None
            value_text = line[value.start[1] : value.end[1]]
            if value.kind == "map" and value.flow and value.entries:
                value_text = self._flow_text(value, _child_schema(schema, key.entries[0]), line) or value_text
            pieces.append(line[key_start[1] : value.start[1]] + value_text)
        order = self._order(node, schema) or list(range(len(pieces)))
        return "{" + ", ".join(pieces[index] for index in order) + "}"

    # -- line predicates --

    def _intervals(self, line: int, column: int = 0):
        return [(low - column, high - column) for low, high in self.covered.get(line, ())]

    def _is_blank(self, line: int) -> bool:
        return not self.lines[line].strip()

    def _is_comment(self, line: int, max_indent: int | None = None) -> bool:
        text = self.lines[line]
        stripped = text.lstrip()
        if not stripped.startswith("#"):
            return False
        indent = len(text) - len(stripped)
        if any(low <= indent < high for low, high in self.covered.get(line, ())):
            return False
        return max_indent is None or indent <= max_indent

    def _is_blank_or_comment(self, line: int) -> bool:
        return self._is_blank(line) or self._is_comment(line)

    def _eol_privlint_comment(self, key_line: int) -> str | None:
        """A `# privlint: ...` comment at the end of an entity's first line (a suppression)."""
        text = self.lines[key_line]
        column = _comment_column(text, self.covered.get(key_line, ()))
        if column is None or column == len(text) - len(text.lstrip()):
            return None
        comment = text[column:].rstrip()
        return comment if "privlint:" in comment else None


def reorder(text: str, scan: _Scan | None = None) -> str:
    """`text` with its mappings in canonical key order (comments moved with their keys);
    `scan` is `_tree(text)` when the caller has it."""
    return _Reorderer(text, scan or _tree(text)).run()


# -- step 2 and 3: indentation ----------------------------------------------------------------


def _round_trip(text: str) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    stripped = [line.strip() for line in text.split("\n")]
    first_content = next((line for line in stripped if line and not line.startswith("#")), "")
    if first_content == "---" or first_content.startswith("--- "):
        yaml.explicit_start = True
    yaml.Emitter = _emitter()
    data = yaml.load(text)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _invisible(text: str) -> bool:
    """Whether `text` holds a control or format character (category Cc or Cf: the bidi
    controls U+202A-U+202E and U+2066-U+2069, zero-width spaces and joiners, U+FEFF, ...)."""
    return not text.isascii() and any(unicodedata.category(character) in ("Cc", "Cf") for character in text)


@functools.lru_cache(maxsize=1)
def _emitter():
    """ruamel.yaml's round-trip emitter, except that a double-quoted scalar holding a control
    or format character is written with escapes only: ruamel writes every character from
    U+00A0 up raw, so `"\\u202e"` became a raw, invisible RIGHT-TO-LEFT OVERRIDE in the file
    ("Trojan Source"). Such a scalar then has all its non-ASCII characters escaped; where the
    original text can be kept, _keep_double_quoted puts it back."""
    from ruamel.yaml.emitter import RoundTripEmitter

    class Emitter(RoundTripEmitter):
        def write_double_quoted(self, text, split=True):
            if not _invisible(text):
                return super().write_double_quoted(text, split)
            allow_unicode, self.allow_unicode = self.allow_unicode, False
            try:
                return super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = allow_unicode

    return Emitter


def _keep_double_quoted(source: str, candidate: str) -> str:
    """`candidate` (the round trip of `source`) with each one-line double-quoted scalar written
    as it is in `source` where its value is the same: ruamel.yaml re-escapes them (`"\\x07"`
    became `"\\a"`, `"\\U0001F600"` the raw emoji), changing bytes of a value it did not change.
    The round trip keeps the order of the nodes, so the scalars of the two texts pair up."""
    if '"' not in source:
        return candidate
    before, after = _scalar_events(source), _scalar_events(candidate)
    if len(before) != len(after):
        return candidate
    source_lines, lines = source.split("\n"), candidate.split("\n")
    edits: dict[int, list[tuple[int, int, str]]] = {}
    for old, new in zip(before, after):
        if old.value != new.value:
            return candidate  # not the same nodes: leave the candidate to the proof
        if old.style != '"' or new.style != '"':
            continue
        old_line, new_line = old.start_mark.line, new.start_mark.line
        if old.end_mark.line != old_line or new.end_mark.line != new_line:
            continue
        original = source_lines[old_line][old.start_mark.column : old.end_mark.column]
        if lines[new_line][new.start_mark.column : new.end_mark.column] != original:
            edits.setdefault(new_line, []).append((new.start_mark.column, new.end_mark.column, original))
    comment_columns = {number: column for number, column, _ in comments(candidate)} if edits else {}
    for number, replacements in edits.items():
        line = lines[number]
        for start, end, original in sorted(replacements, reverse=True):
            line = line[:start] + original + line[end:]
        column = comment_columns.get(number)
        if column is not None:
            # The comment stays at the column ruamel.yaml gave it: pushed right by the escapes
            # put back, it moved again on every run, and `fmt --check` never passed.
            column += len(line) - len(lines[number])
            line = _comment_at(line, column, comment_columns[number])
        lines[number] = line
    return "\n".join(lines)


def _comment_at(line: str, column: int, wanted: int) -> str:
    """`line`, whose end-of-line comment starts at `column`, with the spaces before the comment
    changed so it starts at `wanted`, or as near as one space before it allows."""
    code = line[:column].rstrip(" ")
    return code + " " * max(1, wanted - len(code)) + line[column:]


def _continuations(spans) -> set[int]:
    """Lines that continue a multi-line scalar (their indentation is part of the value)."""
    lines: set[int] = set()
    for (start_line, _), (end_line, end_col) in spans:
        last = end_line if end_col > 0 else end_line - 1
        lines.update(range(start_line + 1, last + 1))
    return lines


def _indent_comment_lines(before: _Scan, after: str, after_scan: _Scan) -> str:
    """Re-indent whole-line comments of `after` (ruamel's output for the text scanned in
    `before`) the way their surrounding lines were re-indented: a comment at the column of a
    key or item goes to the new column of that level. Where nothing was re-indented, comments
    stay as they were."""
    old_starts, new_starts = before.line_starts, after_scan.line_starts
    if len(old_starts) != len(new_starts):
        return after
    votes: dict[int, Counter] = {}
    for (_, old), (_, new) in zip(old_starts, new_starts):
        votes.setdefault(old, Counter())[new] += 1
    mapping = {old: counter.most_common(1)[0][0] for old, counter in votes.items()}
    if all(old == new for old, new in mapping.items()):
        return after
    lines = after.split("\n")
    continuations = _continuations(after_scan.spans)
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        if number in continuations or not stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent in mapping:
            new_indent = mapping[indent]
        else:
            lower = [old for old in mapping if old < indent]
            new_indent = mapping[max(lower)] + indent - max(lower) if lower else indent
        lines[number] = " " * max(0, new_indent) + stripped.rstrip()
    return "\n".join(lines)


# -- the whole ---------------------------------------------------------------------------------


def _normalised(value):
    """Data for comparison: NaN equal to itself."""
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def _proved(data, comments_before: list, formatted: str, paths: dict, path: str) -> bool:
    """`formatted`, parsed afresh, holds `data` (the original's) and the original's comments,
    each attached to the same key (`comments_before`, numbered through `paths`)."""
    try:
        after = loader.load(path, formatted).data
    except YamlError:
        return False
    if _normalised(data) != _normalised(after):
        return False
    return _same_attachments(comments_before, _attachments(formatted, _tree(formatted, paths)))


def format_text(text: str, path: str = "<text>") -> str:
    """The canonical form of an inventory file's text ('\\n' newlines, no BOM)."""
    # A YamlError (positioned) when it does not parse, or holds a raw U+2028 (which libyaml,
    # for `check`, and ruamel's round trip, YAML 1.2, would read differently).
    document = loader.load(path, text)
    if document.data is None and all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n")):
        return text  # no YAML content, only comments or nothing: nothing to format
    # The original is scanned once, for reordering, re-indenting and the proof alike.
    paths: dict = {}  # one numbering of key paths for the original and every candidate
    limit = round(loader.size_limit(FMT_LIMIT_VARIABLE, MAX_FMT_MB) * MAX_FMT_VALUES_PER_MB / 2**20)
    scan = _tree(text, paths, limit)  # loader.TooLarge past the limit: before any round trip
    comments_before = _attachments(text, scan)
    attempts = []
    refused = None  # the last candidate that was not proved: what the refusal explains
    position = (1, 1)  # where ruamel.yaml stopped reading the file itself, when it did
    for reordering in (True, False):
        try:
            source = reorder(text, scan) if reordering else text
            source_scan = scan if source == text else _tree(source)
            try:
                rendered = _round_trip(source)
            except Exception as exc:
                mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
                if source == text and mark is not None:  # a reordered text has other lines
                    position = (mark.line + 1, mark.column + 1)
                raise
            candidate = _keep_double_quoted(source, _indent_comment_lines(source_scan, rendered, _tree(rendered)))
        except Exception as exc:  # ruamel's own errors: try the next way, then refuse
            problem = getattr(exc, "problem", None)  # "found character '\\t' that cannot start any token"
            attempts.append(problem if isinstance(problem, str) and problem else
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            continue
        if _proved(document.data, comments_before, candidate, paths, path):
            return candidate
        refused = candidate
        if source == text:
            break  # the second way would be the same text again
    if refused is None:  # ruamel.yaml failed both ways: no candidate to prove at all
        raise FormatError(
            f"ruamel.yaml, which privlint fmt formats with, cannot read or write this file ({attempts[-1]}); "
            "format it by hand",
            *position,
        )
    raise _unproved(text, scan, comments_before, refused, paths)


def _unproved(text: str, scan: _Scan, comments_before: list, candidate: str, paths: dict) -> FormatError:
    """Why `candidate` could not be proved: the first value it changes, or the first comment it
    loses or moves, at that place in `text`. (One fixed message blamed comments inside
    multi-line flow collections for every refusal, at 1:1.)"""
    try:
        values_after = [event.value for event in _scalar_events(candidate)]
    except Exception:  # the candidate does not parse: no value to point at
        values_after = None
    events_before = _scalar_events(text)
    if values_after is not None and len(values_after) == len(events_before):
        for event, value in zip(events_before, values_after):
            if event.value != value:
                return FormatError(
                    "cannot be formatted without changing this value (ruamel.yaml would write "
                    f"{_quoted(event.value)} as {_quoted(value)}); format it by hand",
                    event.start_mark.line + 1, event.start_mark.column + 1,
                )
    placed = comments(text, scan)  # in the order of comments_before, with their places
    lost = Counter(comment.strip() for _, _, comment in placed) - Counter(
        comment.strip() for _, _, comment in comments(candidate)
    )
    for line, column, comment in placed:
        if lost[comment.strip()]:
            return FormatError(
                f"cannot be formatted without losing the comment {_quoted(comment)}: ruamel.yaml "
                f"{_drop_cause(text, scan, line, column)}; format that part by hand",
                line + 1, column + 1,
            )
    held = Counter()
    for comment, attachment, alternative in _attachments(candidate, _tree(candidate, paths)):
        held[comment, attachment] += 1
        if alternative is not None:
            held[comment, alternative] += 1
    for (line, column, comment), (stripped, attachment, _) in zip(placed, comments_before):
        if held[stripped, attachment]:
            held[stripped, attachment] -= 1
            continue
        return FormatError(
            f"cannot be formatted without moving the comment {_quoted(comment)} away from what it "
            "stands beside (ruamel.yaml would attach it to another key); format that part by hand",
            line + 1, column + 1,
        )
    return FormatError("cannot be formatted without changing a value or losing a comment; format it by hand")


def _scalar_events(text: str) -> list:
    from ruamel.yaml import events as ev

    return [event for event in loader.events(text) if type(event) is ev.ScalarEvent]


def _quoted(text: str, limit: int = 60) -> str:
    """A comment or value for a message: control characters escaped, a long one cut."""
    text = text.strip() if text.startswith("#") else text
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "`" + visible(text) + "`"


def _drop_cause(text: str, scan: _Scan, line: int, column: int) -> str:
    """Why ruamel.yaml drops the comment at (line, column), 0-based, as far as it is known."""

    def inside_flow(node: _Node | None) -> bool:
        if node is None or node.kind not in ("map", "seq"):
            return False
        if node.flow and node.start[0] != node.end[0] and node.start <= (line, column) < node.end:
            return True
        children = node.entries if node.kind == "seq" else [value for _, _, value in node.entries]
        return any(inside_flow(child) for child in children)

    if inside_flow(scan.root):
        return "drops comments inside multi-line flow collections such as `[a, # note` ... `b]`"
    before = [entry.strip() for entry in text.split("\n")[:line] if entry.strip() and not entry.lstrip().startswith("#")]
    if before and (before[-1] == "..." or before[-1].startswith(("... ", "...\t"))):
        return "drops comments after the document end marker `...`"
    return "would drop it"


@dataclass
class Source:
    text: str  # with '\n' newlines, without BOM
    newline: str
    bom: bool


def read_source(raw: bytes) -> Source:
    text = loader.decode(raw)  # strips a BOM; invalid UTF-8 is a positioned YamlError
    bom = raw.startswith(b"\xef\xbb\xbf")
    match = re.search(r"\r\n|\r|\n", text)
    newline = match.group() if match else "\n"
    return Source(text.replace("\r\n", "\n").replace("\r", "\n"), newline, bom)


def encode(text: str, source: Source) -> bytes:
    if source.newline != "\n":
        text = text.replace("\n", source.newline)
    return ((BOM if source.bom else "") + text).encode("utf-8")


def format_bytes(raw: bytes, path: str = "<bytes>") -> bytes:
    """The formatted content of a file, in its own newline style and BOM."""
    source = read_source(raw)
    return encode(format_text(source.text, path), source)


def write_atomically(path: Path, content: bytes) -> None:
    """Replace `path` with `content` so that readers only ever see the old or the new file."""
    target = Path(os.path.realpath(path))  # write through a symlink, keep the link
    directory = target.parent
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".privlint-fmt", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def check_run(files: list[Path], named: str) -> None:
    """Refuse (UsageError) a run of more than one file whose files together are over the run
    budget (MAX_RUN_*): before any is formatted, so a refused run writes nothing. `named`
    is how the run's PATHs are shown. A single file has its own limit (format_file)."""
    from .engine import UsageError

    if len(files) < 2:
        return
    try:
        limit = loader.size_limit(FMT_LIMIT_VARIABLE, MAX_FMT_MB)
    except loader.TooLarge as exc:
        raise UsageError(str(exc)) from None
    scale = limit / 2**20
    most_files = max(1, round(MAX_RUN_FILES_PER_MB * scale))
    most_values = max(1, round(MAX_RUN_VALUES_PER_MB * scale))

    def refuse(what: str) -> UsageError:
        return UsageError(
            f"{named}: {what}; privlint fmt formats at most {limit / 2**20:.3g} MB, {most_values:,} values "
            f"and {most_files:,} files in one run (about 10 s): pass fewer files or directories per "
            f"run, or set {FMT_LIMIT_VARIABLE} (default {MAX_FMT_MB}) to raise the limit"
        )

    if len(files) > most_files:
        raise refuse(f"the run holds {len(files):,} files")
    sizes = []
    for file in files:
        try:
            sizes.append(os.stat(file).st_size)
        except OSError:  # format_file reports it
            sizes.append(0)
    if sum(sizes) > limit:
        raise refuse(f"the run's {len(files):,} files hold {sum(sizes) / 2**20:.3g} MB")
    values = 0
    for file in files:  # at most `limit` bytes in all: counting them costs ~0.5 s per MB
        values += _count_values(file, limit, most_values - values)
        if values > most_values:
            raise refuse(f"the run's {len(files):,} files hold more than {most_values:,} values")


def _count_values(path: Path, limit: int, most: int) -> int:
    """How many values (scalars, aliases and collections, as _tree counts them) the file
    holds, counted up to `most` + 1; 0 for a file that cannot be read or parsed (format_file
    reports it, positioned)."""
    from ruamel.yaml import events as ev

    nodes = (ev.ScalarEvent, ev.AliasEvent, ev.MappingStartEvent, ev.SequenceStartEvent)
    values = 0
    try:
        for event in loader.events(loader.decode(loader.read_bounded(path, limit))):
            if isinstance(event, nodes):
                values += 1
                if values > most:
                    break
    except Exception:  # OSError, TooLarge, YamlError, or ruamel's syntax errors
        return 0
    return values


@dataclass
class Result:
    path: str
    changed: bool = False
    error: FormatError | YamlError | None = None
    diff: str = ""


def format_file(path: Path, shown: str, check: bool, want_diff: bool = False) -> Result:
    from .engine import UsageError, read

    def too_large(what: str) -> UsageError:
        return UsageError(
            f"{shown}: the file {what}, more than privlint fmt formats (its ruamel.yaml round trip "
            f"costs about 6 s per MB); format it by hand, or set {FMT_LIMIT_VARIABLE} (default "
            f"{MAX_FMT_MB}; {MAX_FMT_VALUES_PER_MB:,} values per MB) to raise the limit"
        )

    try:
        limit = loader.size_limit(FMT_LIMIT_VARIABLE, MAX_FMT_MB)
    except loader.TooLarge as exc:
        raise UsageError(str(exc)) from None
    raw = read(path)
    if len(raw) > limit:
        raise too_large(f"is {loader.megabytes(len(raw))}")
    result = Result(shown)
    try:
        formatted = format_bytes(raw, shown)
    except (YamlError, FormatError) as error:
        result.error = error
        return result
    except loader.TooLarge as exc:
        raise too_large(str(exc)) from None
    result.changed = formatted != raw
    if result.changed and want_diff:
        import difflib

        before = read_source(raw).text.splitlines(keepends=True)
        after = read_source(formatted).text.splitlines(keepends=True)
        result.diff = "".join(difflib.unified_diff(before, after, f"a/{shown}", f"b/{shown}"))
    if result.changed and not check:
        try:
            write_atomically(path, formatted)
        except OSError as exc:
            result.error = FormatError(f"cannot write the file ({exc.strerror or exc}); it was left unchanged")
    return result
