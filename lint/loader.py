"""Read one YAML file into plain Python data, remembering where every value came from.

The check path never needs ruamel's round-trip objects, so values are built straight from
the parser's event stream: plain dicts, lists, str, int, float, bool and None. Building from
events (instead of composing a node tree) keeps the loader iterative, so 20,000-deep nesting
cannot overflow the Python stack, and lets it enforce the inventory's YAML rules itself:

* YAML 1.2 core schema for plain scalars (`country: NO` is the string "NO", dates stay strings);
* no tags beyond the core ones, so nothing can construct an object;
* duplicate mapping keys are an error, positioned at the repeated key;
* aliases may not expand the document beyond twice its size (billion laughs).

Positions are 1-based (line, column), recorded for every value and, for every mapping member,
also for its key; `Document.position(path)` answers by JSON path. They are stored compactly
(one array of 32-bit slots, a run per mapping or list) because a 20,000-flow inventory has a
quarter of a million values: per-value path tuples cost more memory than the data itself.
"""

from __future__ import annotations

import bisect
import codecs
import errno
import functools
import gc
import io
import os
import re
from array import array
from itertools import islice
from operator import indexOf
from typing import Any

Path = tuple[str | int, ...]
Position = tuple[int, int]

# An inventory needs 6-8 levels. Building is iterative, but later steps walk values
# recursively (jsonschema's messages repr them, reports json.dumps them): 100 levels keep
# every such walk far below Python's recursion limit (1,000 frames). At 1,000 levels a
# 990-deep list under organization.name overflowed it.
MAX_DEPTH = 100
# Aliases may repeat anchored content, but what they stand for, written out, may at most
# double a document's characters (plus a small allowance). The work after parsing is per
# expanded value, so a larger factor would let a 10 MB file of `- *flow` lines stand for a
# million flows. It is counted in characters, not values: an alias of a list of 85 category
# names stands for 85 values that each cost a rule's attention, and a file's cheapest values
# (`a,`) must not pay for them.
MAX_ALIAS_EXPANSION_FACTOR = 1
ALIAS_EXPANSION_ALLOWANCE = 100_000
# No name, id or description needs more characters. A value's cost is paid again wherever it
# is shown or compared: a million-character name, aliased into 5,000 flows, is named in
# 5,000 findings (the messages are cut to a size, but each is built first).
MAX_SCALAR_CHARACTERS = 10_000

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:null|Null|NULL|~|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


# The most an inventory (one file, or all files of a directory inventory) may weigh. What a
# check costs depends on what the bytes declare: the 20,000-flow benchmark inventory is 4.4 MB
# and a 10 MB one (45,000 flows) checks in ~5 s and ~200 MB, but 10 MB of one-line systems
# (`- {id: s1}`) are 580,000 entities with a finding each: ~16 s and ~1.2 GB. Anything bigger
# is refused up front, with a clear message and exit 2, rather than risking a CI runner's
# memory. The environment variable PRIVLINT_MAX_INVENTORY_MB raises (or lowers) the limit.
MAX_INVENTORY_MB = 10
LIMIT_VARIABLE = "PRIVLINT_MAX_INVENTORY_MB"
# What reading costs is per value, and the bytes bound the values only loosely: 10 MB of
# `[a,a,a,…]` or `[{a},{a},…]` are 5 or 10 million YAML events, 20 to 70 s to read for one
# finding. An inventory may hold one value per BYTES_PER_VALUE bytes of the size limit:
# 2.6 million at 10 MB, where 10 MB of realistic flows hold 1 million and 10 MB of one-line
# systems 2.3 million. (A value is a key, a scalar, an item, or a list or mapping.)
BYTES_PER_VALUE = 4


class TooLarge(Exception):
    """An inventory is bigger than privlint reads (see MAX_INVENTORY_MB), or the limit is
    set to something that is not a size."""


def size_limit(variable: str = LIMIT_VARIABLE, default_mb: float = MAX_INVENTORY_MB) -> int:
    """A size limit in bytes: the environment `variable` in megabytes, else `default_mb`
    (by default the inventory limit: PRIVLINT_MAX_INVENTORY_MB, else MAX_INVENTORY_MB)."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return int(default_mb * 2**20)
    try:
        limit = float(raw)
    except ValueError:
        limit = -1.0
    if not 0 < limit < 2**40:  # also refuses nan and inf
        raise TooLarge(f"{variable}={raw!r} is not a size in megabytes (e.g. 64)")
    if int(limit * 2**20) < 1:  # 0.0000001 was a limit of 0 bytes, shown as "0 MB"
        raise TooLarge(f"{variable}={raw!r} is less than one byte; give a size in megabytes (e.g. 64)")
    return int(limit * 2**20)


def too_large_message(size: str | int, limit: int, what: str = "the file is") -> str:
    if isinstance(size, int):
        size = size_text(size, limit)
    return (
        f"{what} {size}, more than the {limit_text(limit)} privlint reads for one inventory; "
        f"split it into several inventories, or set {LIMIT_VARIABLE} to raise the limit"
    )


def limit_text(limit: int) -> str:
    """A size limit as messages show it: in MB, or in bytes when that is under 0.01 MB (a
    limit of 1 byte was "9.53674e-07 MB")."""
    return f"{limit / 2**20:g} MB" if limit >= 2**20 // 100 else f"{limit:,} byte{'s' if limit != 1 else ''}"


def size_text(size: int, limit: int) -> str:
    """A size in the unit `limit` is shown in: not "0.0 MB, more than the 1,048 bytes"."""
    return megabytes(size) if limit >= 2**20 // 100 else f"{size:,} bytes"


def value_limit() -> int:
    """How many values an inventory (all its files together) may hold."""
    return size_limit() // BYTES_PER_VALUE


def too_many_values_message(limit: int) -> str:
    return (
        f"the inventory holds more than {limit:,} YAML values (keys, values and list items, all "
        f"its files together), more than privlint reads: one per {BYTES_PER_VALUE} bytes of its "
        f"{limit * BYTES_PER_VALUE / 2**20:g} MB size limit; remove what the inventory does not need, "
        f"or set {LIMIT_VARIABLE} to raise the limit"
    )


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


_READ_PIECE = 1 << 20


def never_waiting(path, flags: int) -> int:
    """An opener for open() that does not wait for the other end of a FIFO: opening one to
    read waited for a writer (`--baseline fifo` hung), to write, for a reader (`--output
    fifo` hung). Read with no writer, it is empty; written with no reader, it is an error
    (ENXIO). The descriptor then blocks as usual, so a pipe that has its other end works."""
    descriptor = os.open(path, flags | os.O_NONBLOCK, 0o666)
    os.set_blocking(descriptor, True)
    return descriptor


def no_reader(error: OSError) -> str:
    """The reason of a failed write, for a message."""
    if error.errno == errno.ENXIO:
        return "a FIFO that no process reads"
    return error.strerror or str(error)


def read_bounded(path, limit: int) -> bytes:
    """The bytes of `path`, refusing (TooLarge) anything over `limit` without reading it all."""
    with open(path, "rb", opener=never_waiting) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(too_large_message(size, limit))
        # A read allocates what it asks for before reading anything, and the limit may be set
        # to terabytes: a 3 KB file under PRIVLINT_MAX_INVENTORY_MB=100000 ran out of memory.
        # So the file's own size is asked for, then pieces while more comes (a size of 0 may
        # hide a stream: /proc, a pipe; and a file may grow while it is read).
        pieces = [handle.read(size + 1)]
        total = len(pieces[0])
        while total <= limit and pieces[-1]:
            pieces.append(handle.read(min(_READ_PIECE, limit + 1 - total)))
            total += len(pieces[-1])
        data = pieces[0] if len(pieces) == 2 and not pieces[1] else b"".join(pieces)
    if len(data) > limit:
        raise TooLarge(too_large_message(f"over {limit_text(limit)}", limit))
    return data


class YamlError(Exception):
    """The file cannot be read as an inventory document; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class TooManyValues(YamlError):
    """The file takes the inventory past its value limit (see BYTES_PER_VALUE)."""


class Document:
    """One parsed file: its plain data, and where every value (and mapping key) came from.

    Positions are kept compactly in one array of 32-bit slots, a run per mapping or list:
    the container's own position, then the (key, value) slots of its members in insertion
    order (a mapping) or the slot of each item (a list). A member's value slot holds its
    position, or for a mapping or list the index of that container's run, so `position(path)`
    walks the data and the runs side by side: no per-value path tuple is stored, and no table
    finds a container's run. A value reached through an alias is flagged, and everything
    below it is positioned at the alias.
    """

    __slots__ = ("path", "data", "marked", "_positions", "_wide", "_root", "_key_index")

    def __init__(self, path: str, data: Any, positions: array | None = None, wide: array | None = None,
                 root: int | None = None, marked: dict[int, str] | None = None):
        self.path = path
        self.data = data
        self._positions = positions if positions is not None else array("I")
        self._wide = wide if wide is not None else array("Q")  # positions too large for a slot
        self._root = root  # the slot of the document's value
        self._key_index: dict[int, dict[str, int]] = {}  # run -> key -> member number, for large mappings
        # Lines mentioning "privlint:" (suppression comments), by number: the text is not kept.
        self.marked = marked if marked is not None else {}

    @property
    def values(self) -> int:
        """How many values the document holds (one position slot each), as counted against
        the inventory's value limit."""
        return len(self._positions)

    def position(self, path: Path) -> Position:
        """Where the value at `path` starts, or its nearest enclosing value."""
        slot = self._root
        if slot is None:
            return (1, 1)
        node = self.data
        for part in path:
            member = self._member(node, slot, part)
            if member is None:
                break
            slot, node = self._positions[member + 1], node[part]
        return self._unpack(slot)

    def key_position(self, path: Path) -> Position:
        """Where the key of the member at `path` is, else where its value is."""
        slot = self._root
        if not path or slot is None:
            return self.position(path)
        node = self.data
        for part in path[:-1]:
            member = self._member(node, slot, part)
            if member is None:
                return self.position(path)
            slot, node = self._positions[member + 1], node[part]
        member = self._member(node, slot, path[-1]) if type(node) is dict else None
        return self._unpack(self._positions[member]) if member is not None else self.position(path)

    @property
    def positions(self) -> dict[Path, Position]:
        """Every recorded value position by JSON path (materialised; for inspection)."""
        return self._materialise(keys=False)

    @property
    def key_positions(self) -> dict[Path, Position]:
        """Every recorded mapping-key position by JSON path (materialised; for inspection)."""
        return self._materialise(keys=True)

    def _member(self, node: Any, slot: int, part: Any) -> int | None:
        """The index of the member's first slot (its key's, in a mapping; so its value's slot
        is the next) in the run `slot` refers to, or None: no such member, or `node` has no
        run of its own (a scalar, or a value reached through an alias)."""
        if not slot & _RUN:
            return None
        run = slot ^ _RUN
        if type(node) is dict:
            try:
                if part not in node:
                    return None
            except TypeError:  # an unhashable path part names nothing
                return None
            if len(node) <= _LINEAR_KEYS:
                return run + 1 + 2 * indexOf(node, part)  # a scan in C: `part in node` held
            index = self._key_index.get(run)
            if index is None:
                index = self._key_index[run] = {key: number for number, key in enumerate(node)}
            return run + 1 + 2 * index[part]
        if type(node) is list and isinstance(part, int) and 0 <= part < len(node):
            return run + part  # an item has no key slot: its value's is the next
        return None

    def _unpack(self, slot: int) -> Position:
        if slot & _RUN:
            slot = self._positions[slot ^ _RUN]  # a container's own position
        return _unpack(slot, self._wide)

    def _materialise(self, keys: bool) -> dict[Path, Position]:
        found: dict[Path, Position] = {}
        if self._root is None:
            return found
        if not keys:
            found[()] = self._unpack(self._root)
        pending = [((), self.data, self._root)]
        while pending:
            here, node, slot = pending.pop()
            members = node.items() if type(node) is dict else enumerate(node) if type(node) is list else ()
            for part, child in members:
                path = here + (part,)
                member = self._member(node, slot, part)
                if member is None:  # inside an aliased value: positioned at the alias
                    if not keys:
                        found[path] = self._unpack(slot)
                    pending.append((path, child, slot))
                    continue
                if keys and type(node) is dict:
                    found[path] = self._unpack(self._positions[member])
                if not keys:
                    found[path] = self._unpack(self._positions[member + 1])
                pending.append((path, child, self._positions[member + 1]))
        return found


def marked_lines(text: str, marker: str) -> dict[int, str]:
    """The lines of `text` that contain `marker`, by 1-based number (lines as str.splitlines()
    gives them): the candidate suppression comments, found without splitting a large file."""
    found: dict[int, str] = {}
    number, line_start = 1, 0
    position = text.find(marker)
    while position >= 0:
        for line_break in _LINE_BREAK.finditer(text, line_start, position):
            number += 1
            line_start = line_break.end()
        line_end = _LINE_BREAK.search(text, position)
        end = line_end.start() if line_end else len(text)
        found[number] = text[line_start:end]
        position = text.find(marker, end)
    return found


# Where str.splitlines() breaks a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# The text privlint looks for in comments (see suppressions.py).
SUPPRESSION_MARKER = "privlint:"


_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)


def decode(raw: bytes) -> str:
    """UTF-8 with an optional BOM; anything else is a positioned error."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        for bom, encoding in _OTHER_BOMS:
            if raw.startswith(bom):
                message = f"the file is {encoding} (it starts with a {encoding} byte order mark); save it as UTF-8"
                raise YamlError(message) from None
        # The offset counts from after the BOM, which the codec has stripped (`exc.object`):
        # read in `raw`, it named a byte 3 places before the wrong one, and its position.
        decoded = exc.object
        before = decoded[: exc.start]
        line = before.count(b"\n") + 1
        # In characters, as every other position (the bytes before it are valid UTF-8): counted
        # in bytes, "名前: \xff" put it at column 9, not 5.
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1
        raise YamlError(
            f"the file is not valid UTF-8 (byte 0x{decoded[exc.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        raise YamlError("the file contains a NUL byte; it looks binary, not YAML", line, column)
    return text


def gc_paused(function):
    """Run `function` with the cyclic garbage collector paused.

    Loading, the model and the data map build large acyclic structures: a collector pass
    over a heap of millions of objects finds nothing to free and costs a large share of a big
    inventory's check. Reference counting still frees everything as usual.
    """

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@gc_paused
def load(path: str, source: str | bytes, max_values: int | None = None) -> Document:
    """Parse `source`, the content of `path`, into a Document, or raise YamlError (also when
    it holds more than `max_values` values: see BYTES_PER_VALUE).

    `source` is the text, or the file's raw bytes, checked as decode() checks them and then
    parsed as they are: libyaml reads UTF-8 bytes, and from text it makes a UTF-8 copy, so a
    large file was in memory twice while its data was built.
    """
    text = decode(source) if isinstance(source, bytes) else source
    refuse_unicode_line_breaks(text)
    marked = marked_lines(text, SUPPRESSION_MARKER)
    del text  # a large file's text is not kept while its data is built
    if isinstance(source, bytes) and source.startswith(codecs.BOM_UTF8):
        source = source[len(codecs.BOM_UTF8):]
    builder = _Builder()
    if marked:
        builder.spans = []
    try:
        builder.run(source, max_values)
    except YamlError:
        raise
    except RecursionError:
        raise YamlError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except MemoryError:
        raise YamlError("the document is too large to load in the memory available") from None
    except Exception as exc:  # ruamel's scanner/parser errors, normalised below
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        raise _from_ruamel(exc, text) from None
    if builder.spans:
        marked = _outside_scalars(marked, builder.spans)
    return Document(path, builder.result, builder.positions, builder.wide, builder.root, marked)


def _outside_scalars(marked: dict[int, str], spans: list[tuple[int, int, int, int]]) -> dict[int, str]:
    """`marked` with the parts of its lines inside quoted or block scalars blanked out: a
    value that reads `"AdNet # privlint: ignore[PL101] reason: …"` suppressed a finding. Each
    span is (first line, column, last line, column after its end), lines 1-based, columns
    0-based; blanks keep every other character's column."""
    lines = dict(marked)
    numbers = sorted(lines)
    for first, start, last, end in spans:
        for number in numbers[bisect.bisect_left(numbers, first):bisect.bisect_right(numbers, last)]:
            text = lines[number]
            begin = start if number == first else 0
            stop = end if number == last else len(text)
            lines[number] = text[:begin] + " " * len(text[begin:stop]) + text[stop:]
    return {number: text for number, text in lines.items() if SUPPRESSION_MARKER in text}


# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR end a line in YAML 1.1 (libyaml, which reads
# inventories for `check`) and are text in YAML 1.2 (what an inventory is, and what `fmt`
# reads): the same file meant two things, and its positions were lines no editor shows.
_UNICODE_LINE_BREAK_NAMES = {
    "\x85": "U+0085 NEXT LINE", "\u2028": "U+2028 LINE SEPARATOR", "\u2029": "U+2029 PARAGRAPH SEPARATOR",
}


def refuse_unicode_line_breaks(text: str) -> None:
    # str.find per character: a regex character class scans 4 MB in 40 ms, find in under 1.
    offsets = [offset for offset in map(text.find, _UNICODE_LINE_BREAK_NAMES) if offset >= 0]
    if not offsets:
        return
    offset = min(offsets)
    character = text[offset]
    # The lines before it end at \n, \r\n or \r, as libyaml counts them
    line = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset) + 1
    column = offset - max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
    escape = character.encode("unicode_escape").decode("ascii")
    raise YamlError(
        f"a raw {_UNICODE_LINE_BREAK_NAMES[character]}, which YAML 1.1 reads as a line break and YAML 1.2 "
        f'as text; write it as an escape in a double-quoted string ("{escape}"), or remove it',
        line,
        column,
    )


def _from_ruamel(exc: Exception, text: str = "") -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context and problem else problem or "unreadable YAML"
    if mark is None and isinstance(getattr(exc, "position", None), int) and getattr(exc, "reason", None):
        # A reader error (a character YAML does not allow): libyaml gives a UTF-8 byte offset.
        character = getattr(exc, "character", None)
        shown = f"#x{character:04x}" if isinstance(character, int) else "a character"
        return YamlError(
            f"invalid YAML: unacceptable character {shown}: {exc.reason}", *_byte_position(text, exc.position)
        )
    if mark is None:
        return YamlError(f"invalid YAML: {message}")
    position = _within_text(text, (mark.line + 1, mark.column + 1))
    start = getattr(exc, "context_mark", None)
    if context and _LEFT_OPEN.search(context) and start is not None and start.line + 1 != position[0]:
        # A quote or bracket left open is noticed where the file (or the next key) ends, maybe
        # thousands of lines below it: the message says where what was left open starts.
        message = f"{context} that starts at line {start.line + 1}, column {start.column + 1}, {problem}"
    return YamlError(f"invalid YAML: {message}", *position)


_LEFT_OPEN = re.compile(r"quoted scalar|flow (sequence|mapping)")


def _within_text(text: str, position: Position) -> Position:
    """`position`, or the end of the last line when it lies past it.

    At the end of the stream libyaml moves its mark to the start of a line after the last one
    (a file cut inside a flow collection or a quoted value), a line editors and code scanning
    do not show. The error is about the end of the text, so it is shown there.
    """
    line, _ = position
    if not text or line <= 1:
        return position
    breaks, previous, last = 0, None, None
    for breaks, match in enumerate(_YAML_BREAK.finditer(text), start=1):
        previous, last = last, match
    if last is not None and last.end() == len(text):
        # The text ends with a break: its last line is the one that break closes.
        lines, line_end, before = breaks, last.start(), previous
    else:
        lines, line_end, before = breaks + 1, len(text), last
    if line <= lines:
        return position
    line_start = before.end() if before is not None else 0
    return (lines, line_end - line_start + 1)


def _byte_position(text: str, offset: int) -> Position:
    """The (line, column) of UTF-8 byte `offset` in `text`, counting line breaks as libyaml does."""
    before = text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "replace")
    breaks = list(_YAML_BREAK.finditer(before))
    line_start = breaks[-1].end() if breaks else 0
    return (len(breaks) + 1, len(before) - line_start + 1)


_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def events(source: str | bytes):
    """The parser's event stream: libyaml's (ruamel.yaml.clib) when installed, else ruamel's own.

    The C parser is driven directly on the text or UTF-8 bytes: same events and marks as
    YAML().parse, without a StringIO copy and without a YAML object kept alive by its cycles.
    """
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - depends on the installed wheel
        from ruamel.yaml import YAML

        text = source.decode("utf-8") if isinstance(source, bytes) else source
        return YAML(typ="safe", pure=True).parse(io.StringIO(text))
    return iter(CParser(source).get_event, None)  # None after the stream's end


# A slot of the positions array is 32 bits. With bit 31 set, it is the index of a container's
# run. Else it is a position: line << 10 | column (both 1-based) when that stays below bit 29,
# or, with bit 29 set, the index of the position in the document's table of wide ones (line
# << 32 | column). Bit 30 flags a value reached through an alias. A 20,000-flow file has
# 400,000 slots: 64-bit ones, and a table finding each of its 76,000 containers' runs, cost
# 4.2 MB; these slots 1.9 MB.
_RUN = 1 << 31
_ALIAS = 1 << 30
_WIDE = 1 << 29
_COLUMN_BITS = 10
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1
_WIDE_LINE_MAX = (1 << 31) - 1
_WIDE_COLUMN_MAX = (1 << 32) - 1
# Mappings up to this size find a key's slot by scanning; larger ones build an index once.
_LINEAR_KEYS = 16


def _unpack(slot: int, wide: array) -> Position:
    """The position a slot that is not a run holds."""
    slot &= ~_ALIAS
    if slot & _WIDE:
        packed = wide[slot ^ _WIDE]
        return (packed >> 32, packed & _WIDE_COLUMN_MAX)
    return (slot >> _COLUMN_BITS, slot & _COLUMN_MASK)


class _Frame:
    """An open mapping or sequence: its value, position record and pending key."""

    __slots__ = ("is_map", "value", "record", "key", "anchor", "start", "slot", "begin", "flow", "expanded")

    def __init__(self, is_map, value, record, anchor, start, slot, begin, flow):
        self.is_map = is_map
        self.value = value
        self.record = record
        self.key = _NO_KEY
        self.anchor = anchor
        self.start = start  # the container's own position
        self.slot = slot  # its slot in the enclosing container's record, -1 at the root
        self.begin = begin  # the character where it starts
        self.flow = flow  # in flow style ([...] or {...}), so its end event ends it
        self.expanded = 0  # the characters that aliases inside it stand for


_NO_KEY = object()


class _Builder:
    def __init__(self):
        self.result: Any = None
        self.root: int | None = None
        # Every container's positions, one run each, written when the container closes.
        self.positions = array("I")
        self.wide = array("Q")
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.documents = 0
        self.expanded = 0
        self.expansion_limit = 0
        # One object per distinct string: inventories repeat ids and taxonomy keys a lot.
        self.strings: dict[str, str] = {}
        # Where quoted and block scalars mentioning the suppression marker lie, when asked
        # for: such text is not a comment (see _outside_scalars).
        self.spans: list[tuple[int, int, int, int]] | None = None

    def run(self, source: str | bytes, max_values: int | None = None) -> None:
        from ruamel.yaml import events as ev

        scalar_event, alias_event = ev.ScalarEvent, ev.AliasEvent
        mapping_start, sequence_start = ev.MappingStartEvent, ev.SequenceStartEvent
        mapping_end, sequence_end = ev.MappingEndEvent, ev.SequenceEndEvent
        document_start = ev.DocumentStartEvent
        stack = self.stack
        strings = self.strings
        resolve = self._resolve
        self.expansion_limit = MAX_ALIAS_EXPANSION_FACTOR * len(source) + ALIAS_EXPANSION_ALLOWANCE
        # Where the last value read ends: a block container's own end comes only at the next
        # token, after any comments, which an alias to it does not stand for.
        last_end = 0
        stream = events(source)
        # A value is one slot of the positions array and about one event: counted by islice,
        # not in this loop, where it would cost every event.
        spans = self.spans
        for event in stream if max_values is None else islice(stream, max_values):
            kind = type(event)
            if kind is scalar_event:
                if spans is not None and SUPPRESSION_MARKER in event.value:
                    start, end = event.start_mark, event.end_mark
                    spans.append((start.line + 1, start.column, end.line + 1, end.column))
                # The common case, inlined: a plain or quoted scalar as a key or a value.
                if event.ctag is None and event.anchor is None:
                    value = event.value
                    length = len(value)
                    if length > MAX_SCALAR_CHARACTERS:
                        raise _too_long(event)
                    if event.implicit[0]:
                        first = value[:1]
                        if not first or first in _MAYBE_NOT_STRING:
                            value = _plain_scalar(value)
                            if type(value) is str and len(value) < 64:  # 'from', 'to', 'functional'
                                value = strings.setdefault(value, value)
                        elif len(value) < 64:
                            value = strings.setdefault(value, value)
                    elif len(value) < 64:
                        value = strings.setdefault(value, value)
                    mark = event.start_mark
                    last_end = mark.index + length
                    column = mark.column + 1
                    packed = (mark.line + 1) << _COLUMN_BITS | column
                    if column > _COLUMN_MASK or packed >= _WIDE:
                        packed = self._wide_slot(mark.line + 1, column)
                    if stack:
                        frame = stack[-1]
                        if frame.is_map:
                            if frame.key is _NO_KEY:
                                self._key(frame, value, packed)
                                continue
                            frame.value[frame.key] = value
                            frame.key = _NO_KEY
                        else:
                            frame.value.append(value)
                        frame.record.append(packed)
                    else:
                        self.root = packed
                        self.result = value
                    continue
                last_end = event.end_mark.index
                self._scalar(event, resolve(event))
            elif kind is mapping_start or kind is sequence_start:
                self._open(event, kind is mapping_start)
            elif kind is mapping_end or kind is sequence_end:
                frame = stack.pop()
                if frame.flow:
                    last_end = event.end_mark.index
                run = _RUN | len(self.positions)
                self.positions.append(frame.start)
                self.positions.extend(frame.record)
                if stack:
                    stack[-1].record[frame.slot] = run
                else:
                    self.root = run
                if frame.anchor is not None:
                    written_out = last_end - frame.begin + frame.expanded
                    self.anchors[frame.anchor] = (frame.value, written_out)
                self._attach(frame.value, frame.expanded)
            elif kind is alias_event:
                last_end = event.end_mark.index
                self._alias(event)
            elif kind is document_start:
                self.documents += 1
                if self.documents > 1:
                    raise YamlError(
                        "the file holds several YAML documents ('---'); an inventory file is one "
                        "document: split it into several files in one directory",
                        *_pos(event.start_mark),
                    )
        if max_values is not None:
            more = next(stream, None)
            if more is not None and (stack or type(more) not in (ev.DocumentEndEvent, ev.StreamEndEvent)):
                raise TooManyValues(too_many_values_message(value_limit()), *_pos(more.start_mark))

    def _open(self, event, is_map: bool) -> None:
        self._check_tag(event, "map" if is_map else "seq")
        if len(self.stack) >= MAX_DEPTH:
            raise YamlError(
                f"the document is nested more than {MAX_DEPTH} levels deep; "
                "an inventory needs only a few levels",
                *_pos(event.start_mark),
            )
        if self.stack and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
            raise YamlError(
                "a mapping key must be a plain value, not a list or mapping", *_pos(event.start_mark)
            )
        start = self._pack(event.start_mark)
        slot = -1
        if self.stack:  # the container's slot there becomes its run's index when it closes
            self.stack[-1].record.append(0)
            slot = len(self.stack[-1].record) - 1
        value: dict | list = {} if is_map else []
        begin, flow = event.start_mark.index, bool(event.flow_style)
        self.stack.append(_Frame(is_map, value, array("I"), event.anchor, start, slot, begin, flow))

    def _pack(self, mark) -> int:
        column = mark.column + 1
        slot = (mark.line + 1) << _COLUMN_BITS | column
        if column > _COLUMN_MASK or slot >= _WIDE:
            return self._wide_slot(mark.line + 1, column)
        return slot

    def _wide_slot(self, line: int, column: int) -> int:
        if len(self.wide) >= _WIDE:  # pragma: no cover - half a billion long lines
            raise YamlError("the document is too large to load in the memory available")
        self.wide.append(min(line, _WIDE_LINE_MAX) << 32 | min(column, _WIDE_COLUMN_MAX))
        return _WIDE | len(self.wide) - 1

    def _record(self, packed: int) -> None:
        """Record the position of the value about to be attached to the open container."""
        if self.stack:
            self.stack[-1].record.append(packed)
        else:
            self.root = packed

    def _scalar(self, event, value: Any) -> None:
        start = self._pack(event.start_mark)
        if self.stack and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
            self._key(self.stack[-1], value, start)
        else:
            self._record(start)
            self._attach(value, 0)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, event.end_mark.index - event.start_mark.index)

    def _alias(self, event) -> None:
        start = self._pack(event.start_mark)
        if event.anchor not in self.anchors:
            # A collection's anchor is recorded when it closes: an alias inside it (`a: &a [*a]`)
            # was said to refer to "no anchor defined before it", with the anchor in plain sight.
            if any(frame.anchor == event.anchor for frame in self.stack):
                raise YamlError(
                    f"alias *{event.anchor} is inside the value its anchor &{event.anchor} names; "
                    "a value cannot contain itself",
                    *_unpack(start, self.wide),
                )
            raise YamlError(f"alias *{event.anchor} refers to no anchor defined before it", *_unpack(start, self.wide))
        value, written_out = self.anchors[event.anchor]
        self.expanded += written_out
        if self.expanded > self.expansion_limit:
            raise YamlError(
                "aliases expand this document far beyond its size (a 'billion laughs' pattern); "
                "write the values out instead of nesting aliases",
                *_unpack(start, self.wide),
            )
        if self.stack and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise YamlError("a mapping key must be a plain value, not a list or mapping", *_unpack(start, self.wide))
            self._key(self.stack[-1], value, start)
            return
        # Positions inside an aliased structure point at the alias: that is where the reader looks.
        self._record(start | _ALIAS)
        self._attach(value, written_out)

    def _key(self, frame: _Frame, key: Any, start: int) -> None:
        if isinstance(key, float) or key is None or isinstance(key, bool):
            key = _plain_text(key)
        if isinstance(key, int):
            key = str(key)
        if key in frame.value:
            first = _unpack(frame.record[2 * list(frame.value).index(key)], self.wide)
            raise YamlError(
                f"duplicate key '{key}' (first defined at line {first[0]}); "
                "YAML keys must be unique within a mapping: remove or merge one of them",
                *_unpack(start, self.wide),
            )
        frame.key = key
        frame.record.append(start)

    def _attach(self, value: Any, expanded: int) -> None:
        """Attach a value to the open container; `expanded`: the characters aliases in it stand for."""
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        frame.expanded += expanded
        if frame.is_map:
            frame.value[frame.key] = value
            frame.key = _NO_KEY
        else:
            frame.value.append(value)

    def _check_tag(self, event, expected: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == _CORE + expected:
            return
        raise YamlError(_tag_message(tag), *_pos(event.start_mark))

    def _resolve(self, event) -> Any:
        value: str = event.value
        if len(value) > MAX_SCALAR_CHARACTERS:
            raise _too_long(event)
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


# A plain scalar starting with anything else is a string under the YAML 1.2 core schema.
_MAYBE_NOT_STRING = frozenset("-+.0123456789nNtTfF~")


def _too_long(event) -> YamlError:
    return YamlError(
        f"a value of {len(event.value):,} characters; a value in an inventory has at most "
        f"{MAX_SCALAR_CHARACTERS:,}: shorten it",
        *_pos(event.start_mark),
    )


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    return (
        f"the tag {shown} is not allowed: an inventory holds plain data only "
        "(strings, numbers, booleans, lists, mappings); remove the tag"
    )


# Python refuses to convert decimal text of more digits (sys.get_int_max_str_digits), and to
# print an int of more: such a scalar stays text, as no message or report could show it as a
# number. Hexadecimal and octal text converts whatever its length, so it is judged by the
# decimal size of its value: 4,000 hex digits are an int of 4,817 decimal digits.
_MAX_INT_DIGITS = 4_300
_MAX_PRINTABLE_INT = 10**_MAX_INT_DIGITS  # the least int of more decimal digits


def _plain_scalar(value: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value[0] in "tT"
    if _INT.match(value):
        if value.startswith(("0o", "0x")):  # at most MAX_SCALAR_CHARACTERS digits: cheap
            number = int(value, 0)
            return number if number < _MAX_PRINTABLE_INT else value
        if len(value.lstrip("+-")) > _MAX_INT_DIGITS:
            return value
        return int(value, 10)
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
