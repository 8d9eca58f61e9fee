"""Read one YAML file into plain Python data, remembering where every value came from.

The check path never needs ruamel's round-trip objects, so values are built straight from
the parser's event stream: plain dicts, lists, str, int, float, bool and None. Building from
events (instead of composing a node tree) keeps the loader iterative, so 20,000-deep nesting
cannot overflow the Python stack, and lets it enforce the inventory's YAML rules itself:

* YAML 1.2 core schema for plain scalars (`country: NO` is the string "NO", dates stay strings);
* no tags beyond the core ones, so nothing can construct an object;
* duplicate mapping keys are an error, positioned at the repeated key;
* aliases may not expand the document beyond a small multiple of its size (billion laughs).

Positions are 1-based (line, column), recorded for every value under its JSON path, and for
every mapping member also the position of its key.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]
Position = tuple[int, int]

MAX_DEPTH = 1000
# Aliases may repeat anchored content, but a document may not grow beyond this factor of its
# own events (plus a small allowance) when they are expanded.
MAX_ALIAS_EXPANSION_FACTOR = 10
ALIAS_EXPANSION_ALLOWANCE = 10_000

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:null|Null|NULL|~|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class YamlError(Exception):
    """The file cannot be read as an inventory document; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    path: str
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    key_positions: dict[Path, Position] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def position(self, path: Path) -> Position:
        """Where the value at `path` starts, or its nearest enclosing value."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def key_position(self, path: Path) -> Position:
        """Where the key of the member at `path` is, else where its value is."""
        return self.key_positions.get(path) or self.position(path)


def decode(raw: bytes) -> str:
    """UTF-8 with an optional BOM; anything else is a positioned error."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlError("the file contains a NUL byte; it looks binary, not YAML", line, 1)
    return text


def load(path: str, text: str) -> Document:
    """Parse `text` (the content of `path`) into a Document, or raise YamlError."""
    builder = _Builder(path)
    try:
        builder.run(text)
    except YamlError:
        raise
    except RecursionError:
        raise YamlError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except Exception as exc:  # ruamel's scanner/parser errors, normalised below
        raise _from_ruamel(exc) from None
    doc = Document(path, builder.result, builder.positions, builder.key_positions)
    doc.lines = text.splitlines()
    return doc


def _from_ruamel(exc: Exception) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context and problem else problem or "unreadable YAML"
    if mark is None:
        return YamlError(f"invalid YAML: {message}")
    return YamlError(f"invalid YAML: {message}", mark.line + 1, mark.column + 1)


def _events(text: str):
    from ruamel.yaml import YAML

    try:  # libyaml-backed parser when present; identical events and marks
        return YAML(typ="safe", pure=False).parse(io.StringIO(text))
    except Exception:  # pragma: no cover - depends on the installed wheel
        return YAML(typ="safe", pure=True).parse(io.StringIO(text))


class _Frame:
    __slots__ = ("kind", "value", "path", "key", "key_pos", "anchor", "start", "size")

    def __init__(self, kind, value, path, anchor, start):
        self.kind = kind
        self.value = value
        self.path = path
        self.key = _NO_KEY
        self.key_pos = None
        self.anchor = anchor
        self.start = start
        self.size = 1


_NO_KEY = object()


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.result: Any = None
        self.positions: dict[Path, Position] = {}
        self.key_positions: dict[Path, Position] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.documents = 0
        self.events = 0
        self.expanded = 0

    def run(self, text: str) -> None:
        from ruamel.yaml import events as ev

        for event in _events(text):
            self.events += 1
            kind = type(event)
            if kind is ev.ScalarEvent:
                self._scalar(event)
            elif kind is ev.MappingStartEvent:
                self._open(event, "map", {})
            elif kind is ev.SequenceStartEvent:
                self._open(event, "seq", [])
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                frame = self.stack.pop()
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (frame.value, frame.size)
                self._attach(frame.value, frame.start, frame.size)
            elif kind is ev.AliasEvent:
                self._alias(event)
            elif kind is ev.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise YamlError(
                        "the file holds several YAML documents ('---'); an inventory file is one "
                        "document: split it into several files in one directory",
                        *_pos(event.start_mark),
                    )

    def _here(self) -> Path:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.kind == "seq":
            return frame.path + (len(frame.value),)
        return frame.path + (frame.key,)

    def _open(self, event, kind: str, value) -> None:
        self._check_tag(event, "map" if kind == "map" else "seq")
        if len(self.stack) >= MAX_DEPTH:
            raise YamlError(
                f"the document is nested more than {MAX_DEPTH} levels deep; "
                "an inventory needs only a few levels",
                *_pos(event.start_mark),
            )
        if self.stack and self.stack[-1].kind == "map" and self.stack[-1].key is _NO_KEY:
            raise YamlError(
                "a mapping key must be a plain value, not a list or mapping", *_pos(event.start_mark)
            )
        path = self._here()
        start = _pos(event.start_mark)
        self.positions[path] = start
        self.stack.append(_Frame(kind, value, path, event.anchor, start))

    def _scalar(self, event) -> None:
        value = self._resolve(event)
        start = _pos(event.start_mark)
        if self.stack and self.stack[-1].kind == "map" and self.stack[-1].key is _NO_KEY:
            self._key(value, start)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            return
        self.positions[self._here()] = start
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._attach(value, start, 1)

    def _alias(self, event) -> None:
        start = _pos(event.start_mark)
        if event.anchor not in self.anchors:
            raise YamlError(f"alias *{event.anchor} refers to no anchor defined before it", *start)
        value, size = self.anchors[event.anchor]
        self.expanded += size
        limit = MAX_ALIAS_EXPANSION_FACTOR * self.events + ALIAS_EXPANSION_ALLOWANCE
        if self.expanded > limit:
            raise YamlError(
                "aliases expand this document far beyond its size (a 'billion laughs' pattern); "
                "write the values out instead of nesting aliases",
                *start,
            )
        if self.stack and self.stack[-1].kind == "map" and self.stack[-1].key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise YamlError("a mapping key must be a plain value, not a list or mapping", *start)
            self._key(value, start)
            return
        self._record_alias(self._here(), value, start)
        self._attach(value, start, size)

    def _record_alias(self, path: Path, value: Any, start: Position) -> None:
        # Positions inside an aliased structure point at the alias: that is where the reader looks.
        pending = [(path, value)]
        while pending:
            here, item = pending.pop()
            self.positions[here] = start
            if isinstance(item, dict):
                pending.extend((here + (k,), v) for k, v in item.items())
            elif isinstance(item, list):
                pending.extend((here + (i,), v) for i, v in enumerate(item))

    def _key(self, key: Any, start: Position) -> None:
        frame = self.stack[-1]
        if isinstance(key, float) or key is None or isinstance(key, bool):
            key = _plain_text(key)
        if isinstance(key, int):
            key = str(key)
        if key in frame.value:
            first = self.key_positions.get(frame.path + (key,), start)
            raise YamlError(
                f"duplicate key '{key}' (first defined at line {first[0]}); "
                "YAML keys must be unique within a mapping: remove or merge one of them",
                *start,
            )
        frame.key = key
        frame.key_pos = start
        self.key_positions[frame.path + (key,)] = start

    def _attach(self, value: Any, start: Position, size: int) -> None:
        if not self.stack:
            self.result = value
            self.positions.setdefault((), start)
            return
        frame = self.stack[-1]
        frame.size += size
        if frame.kind == "seq":
            frame.value.append(value)
        else:
            frame.value[frame.key] = value
            frame.key = _NO_KEY

    def _check_tag(self, event, expected: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == _CORE + expected:
            return
        raise YamlError(_tag_message(tag), *_pos(event.start_mark))

    def _resolve(self, event) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value  # quoted or block scalar: always a string
            return _plain_scalar(value)
        if tag == _CORE + "str":
            return value
        if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
            resolved = _plain_scalar(value)
            expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[tag[len(_CORE):]]
            if type(resolved) is expected or (expected is float and type(resolved) is int):
                return expected(resolved) if expected is float else resolved
            raise YamlError(f"'{value}' is not a valid !!{tag[len(_CORE):]}", *_pos(event.start_mark))
        raise YamlError(_tag_message(tag), *_pos(event.start_mark))


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    return (
        f"the tag {shown} is not allowed: an inventory holds plain data only "
        "(strings, numbers, booleans, lists, mappings); remove the tag"
    )


def _plain_scalar(value: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value[0] in "tT"
    if _INT.match(value):
        try:
            if value.startswith(("0o", "0x")):
                return int(value, 0)
            return int(value, 10)
        except ValueError:  # more digits than Python converts: keep the text
            return value
    if _FLOAT.match(value):
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        return float(value)
    return value


def _plain_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _pos(mark) -> Position:
    return (mark.line + 1, mark.column + 1)
