"""Which inventories a command line names (SPEC §1).

A file argument is one inventory. A directory argument is one inventory made of the `*.yaml`
and `*.yml` files directly in it; with `recursive`, every directory below it that holds such
files is an inventory of its own. Hidden files and directories (`.privlint.yaml`,
`.pre-commit-config.yaml`, `.github/`) hold tools' settings, not the data map: a directory's
are not read (a hidden file named on the command line is).

`privlint check --changed-files` (the pre-commit hook) reads its file arguments as *changed
files* instead, and lints the inventory each belongs to: see `changed_targets`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .engine import UsageError, display_path
from .paths import real_path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Target:
    name: str
    files: tuple[Path, ...]


def is_hidden(name: str) -> bool:
    """A hidden file or directory: tools' settings, no part of a directory inventory."""
    return name.startswith(".")


def yaml_files(directory: Path) -> list[Path]:
    """The `*.yaml` and `*.yml` files directly in `directory`, hidden ones aside (`check .`
    next to `.privlint.yaml` failed on the configuration's keys). One that cannot be read as a
    file (a broken symlink, a FIFO, a socket, a device) is an error, not a silent skip: a
    directory inventory with a dangling `flows.yaml` link passed as if it had no flows."""
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise UsageError(f"{display_path(directory)}: cannot read the directory ({exc.strerror or exc})") from None
    return [
        entry for entry in entries
        if entry.suffix in YAML_SUFFIXES and not is_hidden(entry.name) and _is_inventory_file(entry)
    ]


def _is_inventory_file(entry: Path) -> bool:
    """Whether `entry`, named like YAML in a directory being read, is a file to read (else a
    directory, which is not part of this inventory); a usage error when it is neither."""
    is_file = _is_file(entry)
    if is_file or entry.is_dir():
        return is_file
    # Named as found (display_path would name a link's target).
    shown = f"{display_path(entry.parent)}/{os.fsencode(entry.name).decode('utf-8', 'backslashreplace')}"
    if not entry.exists():
        raise UsageError(f"{shown}: a symbolic link that leads nowhere (broken, or a loop)")
    raise UsageError(f"{shown}: not a regular file (a FIFO, socket or device); an inventory file must be one")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as exc:  # e.g. a symlink into a directory privlint may not search
        raise UsageError(f"{display_path(path)}: cannot access ({exc.strerror or exc})") from None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as exc:  # a changed file in a directory privlint may not search
        raise UsageError(f"{display_path(path)}: cannot access ({exc.strerror or exc})") from None


def require_working_directory(raw: str) -> None:
    """A relative path needs the working directory: once it is deleted, resolving one raised
    FileNotFoundError from deep inside pathlib (an internal error)."""
    if os.path.isabs(raw):
        return
    try:
        os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            f"{raw}: a relative path, but the working directory no longer exists; "
            "run privlint from an existing directory, or give an absolute path"
        ) from None


def targets(paths: list[str], recursive: bool = False) -> list[Target]:
    found: list[Target] = []
    for raw in paths:
        require_working_directory(raw)
        path = Path(raw)
        try:
            exists = path.exists()
        except OSError as exc:  # e.g. a path under a directory privlint may not search
            raise UsageError(f"{raw}: cannot access ({exc.strerror or exc})") from None
        if not exists:
            if path.is_symlink():
                raise UsageError(f"{raw}: a symbolic link that leads nowhere (broken, or a loop)")
            raise UsageError(f"{raw}: no such file or directory")
        if _is_file(path):
            found.append(Target(display_path(path), (path,)))
            continue
        if not path.is_dir():
            raise UsageError(f"{raw}: not a file or directory")
        directories = walk(path) if recursive else [path]
        before = len(found)
        for directory in directories:
            files = yaml_files(directory)
            if files:
                found.append(Target(display_path(directory), tuple(files)))
        if len(found) == before:
            where = "in or below" if recursive else "directly in"
            raise UsageError(f"{raw}: no *.yaml or *.yml inventory files {where} this directory")
    return _unique(found)


def _unique(found: list[Target]) -> list[Target]:
    """Each inventory once, in order of first mention."""
    unique: dict[tuple[Path, ...], Target] = {}
    # The same target named many times (each changed file of a directory inventory) is
    # resolved once.
    for target in {id(target): target for target in found}.values():
        unique.setdefault(tuple(real_path(file) for file in target.files), target)
    return list(unique.values())


def walk(root: Path) -> list[Path]:
    """Directories below `root`, sorted, hidden ones aside, following no symlinks (so no
    loops). A directory that cannot be read is an error, not a silent skip: it may hold an
    inventory."""

    def unreadable(error: OSError):
        where = display_path(Path(error.filename)) if error.filename else display_path(root)
        raise UsageError(f"{where}: cannot read the directory ({error.strerror or error})")

    directories = []
    # os.walk, depth-first and top-down like it, but with a stack: Python 3.11's os.walk
    # recurses once per level, so a tree 1,000 directories deep was an internal error
    # (RecursionError) where the shell and git handle it.
    stack = [os.fspath(root)]
    while stack:
        current = stack.pop()
        subdirectories = _subdirectories(current, unreadable)
        if subdirectories is None:
            continue
        directories.append(Path(current))
        below = [os.path.join(current, name) for name in sorted(subdirectories) if not is_hidden(name)]
        stack.extend(path for path in reversed(below) if not os.path.islink(path))
    return directories


def _subdirectories(directory: str, unreadable) -> list[str] | None:
    """Names of the directories in `directory` (symlinks to directories too, as os.walk lists
    them), or None when it cannot be read and `unreadable(error)` returns."""
    try:
        with os.scandir(directory) as entries:
            return [entry.name for entry in entries if _entry_is_dir(entry)]
    except OSError as error:
        unreadable(error)
        return None


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: an entry that cannot be inspected is not a directory
        return False


# --------------------------------------------------------------------------- changed files

# Top-level keys that only an inventory file has; `privlint` marks the file that declares one.
INVENTORY_KEYS = frozenset({"privlint", "organization", "policy", "systems", "recipients", "flows", "vendors"})
_TOP_LEVEL_KEY = re.compile(r"^[\"']?([A-Za-z_][\w-]*)[\"']?[ \t]*:", re.M)


@dataclass(frozen=True)
class Role:
    """What a YAML file is to privlint, judged from its top-level keys."""

    declares: bool  # a top-level `privlint:` key: the file declares an inventory
    fragment: bool  # other inventory keys (systems, flows, ...) but no `privlint:`
    broken: bool  # not readable as YAML (keys were then read from column-0 `key:` lines)


# A file's role is read from its event stream, which costs time per event, not per byte:
# 10 MB of `junk: [{a},{a},…]` is 10 million events (~6 s), and a changed file's directory may
# hold several such files. The exact reads of one run share this many events; a file read past
# them is judged from its column-0 `key:` lines, like a file that is not YAML.
ROLE_EVENT_BUDGET = 2_000_000


class RoleBudget:
    """The events left for exact reads of top-level keys in one run."""

    def __init__(self):
        self.left = ROLE_EVENT_BUDGET


def top_level_keys(source: str | bytes, budget: RoleBudget) -> set[str] | None:
    """The top-level keys of a YAML document, read from its event stream without building any
    value, up to `privlint:` (which decides a file's role); None when `budget` runs out first.
    Raises what the parser raises for text that is not YAML."""
    from ruamel.yaml import events as ev

    from .loader import events

    starts, ends = (ev.MappingStartEvent, ev.SequenceStartEvent), (ev.MappingEndEvent, ev.SequenceEndEvent)
    nodes = (ev.ScalarEvent, ev.AliasEvent, *starts)
    if budget.left <= 0:
        return None
    keys: set[str] = set()
    depth = 0  # collections open
    members = 0  # nodes met directly in the top-level mapping: keys and values alternate
    for event in events(source):
        budget.left -= 1
        if budget.left < 0:
            return None
        kind = type(event)
        if kind in ends:
            depth -= 1
            if depth == 0:
                return keys  # the end of the document's top-level collection
            continue
        if kind not in nodes:
            continue  # the stream's and the document's own events
        if depth == 0 and kind is not ev.MappingStartEvent:
            return keys  # the document is not a mapping: no keys
        if depth == 1:
            if members % 2 == 0 and kind is ev.ScalarEvent:
                keys.add(event.value)
                if event.value == "privlint":
                    return keys
            members += 1
        if kind in starts:
            depth += 1
    return keys


def file_role(path: Path, budget: RoleBudget | None = None) -> Role:
    from .loader import TooLarge, decode, read_bounded, size_limit

    budget = budget or RoleBudget()
    try:
        raw = read_bounded(path, size_limit())
    except TooLarge:
        # Too big to parse just to learn its role: its top-level keys near the top decide,
        # and `check` then refuses the file with the size message.
        try:
            with open(path, "rb") as handle:
                head = handle.read(1 << 20).decode("utf-8", "replace")
        except OSError:
            return Role(False, False, True)
        keys = set(_TOP_LEVEL_KEY.findall(head))
        return Role("privlint" in keys, "privlint" not in keys and bool(keys & INVENTORY_KEYS), False)
    except OSError:
        return Role(False, False, True)
    try:
        keys, broken = top_level_keys(decode(raw), budget), False
    except Exception:  # not UTF-8 (YamlError) or not YAML (the parser's errors)
        keys, broken = None, True
    if keys is None:  # past the budget (or not YAML): judged from its column-0 `key:` lines
        keys = set(_TOP_LEVEL_KEY.findall(raw.decode("utf-8", "replace")))
    declares = "privlint" in keys
    return Role(declares, not declares and bool(keys & INVENTORY_KEYS), broken)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read (and reported) like any other file


def changed_targets(
    paths: list[str], configured: list[Target] | None = None, recursive: bool = False
) -> list[Target]:
    """The inventories to lint when `paths` are files that changed (pre-commit, lint-staged).

    With configured inventories (`inventories` in the configuration), a changed file selects
    each configured inventory that contains it, and a file in none of them is skipped: the hook
    lints exactly what `privlint check` with no arguments would, limited to what changed.

    Otherwise each YAML file F, in directory D, is judged from the top-level keys of the YAML
    files directly in D (a file "declares" an inventory with a `privlint:` key; a "fragment"
    has inventory keys such as `systems:` or `flows:` but no `privlint:`):

    1. D holds a file that declares and a fragment: D is a directory inventory, and it is
       linted as a whole, once, whichever of its YAML files changed (or was deleted);
    2. otherwise F declares `privlint:` itself: F is linted alone, as `privlint check F` does;
    3. otherwise F cannot be read as YAML and D holds a file that declares or a fragment: F is
       linted alone, so its parse error is reported;
    4. otherwise F is not an inventory (`.github/workflows/*.yml`, a YAML file next to a
       single-file inventory, a fragment with no inventory beside it) and is skipped without
       a finding; so is a hidden F (`.pre-commit-config.yaml`), even one that does not parse.

    Files that are not `*.yaml` / `*.yml` are skipped; directory arguments work as in `targets`
    (with `recursive`).
    """
    found: list[Target] = []
    for raw in paths:
        require_working_directory(raw)
    if configured is not None:
        owners: dict[Path, list[Target]] = {}
        for target in configured:
            for file in target.files:
                owners.setdefault(real_path(file), []).append(target)
        for raw in paths:
            path = Path(raw)
            if _is_dir(path):
                found.extend(targets([raw], recursive=recursive))
            else:
                found.extend(owners.get(real_path(path), []))
        return _unique(found)
    roles: dict[Path, Role] = {}
    budget = RoleBudget()

    def role(file: Path) -> Role:
        key = real_path(file)
        if key not in roles:
            roles[key] = file_role(file, budget)
        return roles[key]

    # A directory is judged once, however many of its files changed: judged per file, 3,000
    # changed files of a 10,000-file directory inventory listed and sorted it 3,000 times and
    # made 3,000 targets of 10,000 files each to resolve (over 60 s and 870 MB).
    directories: dict[Path, tuple[Target | None, bool, bool]] = {}

    def directory(parent: Path) -> tuple[Target | None, bool, bool]:
        """The inventory `parent` is (or None), whether a file in it declares one, and whether
        one is a fragment."""
        key = real_path(parent)
        if key not in directories:
            siblings = yaml_files(parent)
            # The smallest first: the budget of exact reads goes to inventories before big data files.
            judged = [role(file) for file in sorted(siblings, key=_size)]
            declaring = any(judged_role.declares for judged_role in judged)
            fragments = any(judged_role.fragment for judged_role in judged)
            inventory = Target(display_path(parent), tuple(siblings)) if declaring and fragments else None
            directories[key] = (inventory, declaring, fragments)
        return directories[key]

    for raw in paths:
        path = Path(raw)
        if _is_dir(path):
            found.extend(targets([raw], recursive=recursive))
            continue
        if path.suffix not in YAML_SUFFIXES or is_hidden(path.name) or not path.parent.is_dir():
            continue  # a hidden file (`.pre-commit-config.yaml`) is tools' settings
        inventory, declaring, fragments = directory(path.parent)
        if inventory is not None:
            found.append(inventory)
        elif path.is_file() and (role(path).declares or (role(path).broken and (declaring or fragments))):
            found.append(Target(display_path(path), (path,)))
    return _unique(found)
