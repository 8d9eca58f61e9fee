"""`privlint diff BASE_REF [PATH]`: what an inventory change does, Terraform-plan style.

The inventory is read twice: as it was at a git revision (with the real `git`: the objects at
`REF:<path>`, a file or a directory of YAML files, mapped relative to the work tree's root, so
the command works from any directory inside the repository) and as it is now in the working
tree. Both are loaded and linted the same way `privlint check` does, then compared:

* the data map, entity by entity: systems and recipients by id, flows by their entity string
  (`flow:a->b`, `flow:a->b#2`), the organization and each policy claim by key; an entity is
  added `+`, removed `-` or changed `~`, with the fields that changed (categories, purposes,
  subjects, origins, transfer bases, roles, …);
* the findings, by fingerprint (rule + entity + path): those present now but not before are
  *introduced*, those gone are *resolved*. Suppressed findings count as absent on either side.

Only introduced findings at or above `--fail-on` fail the command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from privlint import __version__

from . import discover
from .engine import Context, Finding, UsageError, display_path, in_report_order, load_context, refuse_overwriting, run
from .loader import TooLarge, size_limit, too_large_message
from .paths import real_path
from .registry import SEVERITIES, fails
from .report import finding_line
from .wording import visible

MISSING = object()


# --------------------------------------------------------------------------- git access


class Git:
    """The work tree holding `cwd`, read with the real `git` binary."""

    def __init__(self, cwd: Path | None = None):
        try:
            cwd = cwd or Path.cwd()
        except FileNotFoundError:  # git finds the work tree from the working directory
            raise UsageError(
                "the working directory no longer exists; run privlint diff from inside the git work tree"
            ) from None
        try:
            out = self._run(["rev-parse", "--show-toplevel"], cwd)
        except _GitFailed:
            raise UsageError("not inside a git work tree (privlint diff compares with a git revision)") from None
        self.root = Path(out.decode("utf-8", "surrogateescape").strip()).resolve()

    @staticmethod
    def _run(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
        try:
            result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
        except FileNotFoundError:
            raise UsageError("git is not installed or not on PATH (privlint diff needs it)") from None
        if result.returncode != 0:
            raise _GitFailed(result.stderr.decode("utf-8", "replace").strip())
        return result.stdout

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        return self._run(list(args), self.root, stdin)

    def commit(self, ref: str) -> str:
        """The commit `ref` names, or a usage error."""
        if not ref or ref.startswith("-"):
            raise UsageError(f"'{ref}' is not a git revision")
        try:
            return self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
        except _GitFailed:
            raise UsageError(f"unknown git revision '{ref}'") from None

    def object(self, commit: str, relative: str) -> tuple[str, str] | None:
        """(type, id) of the object at `relative` (posix, from the root) in `commit`, or None."""
        spec = f"{commit}:{relative}" if relative else f"{commit}^{{tree}}"
        try:
            sha = self.run("rev-parse", "--verify", "--quiet", spec).decode().strip()
        except _GitFailed:
            return None
        try:
            kind = self.run("cat-file", "-t", sha).decode().strip()
        except _GitFailed:  # named by the commit's tree, but not in the repository
            raise _missing(spec) from None
        return kind, sha

    def tree(self, tree: str, recursive: bool) -> list[tuple[str, str, bool]]:
        """(posix path below the tree, blob id, whether it is a symbolic link) of the regular
        files and symbolic links in `tree`."""
        args = ["ls-tree", "-z", *(["-r"] if recursive else []), tree]
        entries = []
        for record in self.run(*args).split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if kind == "blob" and mode in ("100644", "100755", "120000"):
                entries.append((name.decode("utf-8", "surrogateescape"), sha, mode == "120000"))
        return entries

    def follow(self, commit: str, links: list[str]) -> list[tuple[str, str]]:
        """Where each symbolic link (posix path from the root) leads in `commit`, followed
        inside the repository as the file system follows it in the working tree: ("blob",
        id) or ("tree", id); ("outside", the part of the target outside the repository); or
        ("nowhere", "") for a link that is broken, a loop, or runs through a file."""
        if not links:
            return []
        listing = "".join(f"{commit}:{link}\n" for link in links).encode("utf-8", "surrogateescape")
        out = self.run("cat-file", "--batch-check", "--follow-symlinks", stdin=listing).split(b"\n")
        results, position = [], 0
        for _ in links:
            header = out[position].decode("utf-8", "surrogateescape").split(" ")
            position += 1
            if header[0] == "symlink":  # `symlink <size>`, then the target outside the tree
                results.append(("outside", out[position].decode("utf-8", "surrogateescape")))
                position += 1
            elif header[0] in ("dangling", "loop", "notdir"):  # `<what> <size>`, then the name asked
                results.append(("nowhere", ""))
                position += 1
            elif len(header) == 3 and header[1] in ("blob", "tree"):
                results.append((header[1], header[0]))
            else:  # `<name> missing`, or an object of another type (a submodule's commit)
                results.append(("nowhere", ""))
        return results

    def blobs(self, shas: list[str], names: dict[str, Path] | None = None) -> dict[str, bytes]:
        """The content of every blob, read with one `git cat-file --batch`; a blob over the
        inventory size limit is a usage error naming it by `names`, before any is read (a
        1 GB YAML file at the revision was read whole, twice, only to be refused)."""
        if not shas:
            return {}
        unique = list(dict.fromkeys(shas))
        listing = ("\n".join(unique) + "\n").encode()
        limit = _size_limit()
        for sha, line in zip(unique, self.run("cat-file", "--batch-check", stdin=listing).splitlines()):
            header = line.split()
            if len(header) != 3:  # `<sha> missing`
                raise _missing(sha)
            if int(header[2]) > limit:
                shown = display_path(names[sha]) if names and sha in names else f"git object {sha}"
                raise UsageError(f"{shown} (at the revision): {too_large_message(int(header[2]), limit)}")
        out = self.run("cat-file", "--batch", stdin=listing)
        contents, position = {}, 0
        for sha in unique:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            if len(header) != 3:  # `<sha> missing`
                raise _missing(sha)
            size = int(header[2])
            contents[sha] = out[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return contents


class _GitFailed(Exception):
    pass


def _size_limit() -> int:
    try:
        return size_limit()
    except TooLarge as exc:  # the variable is not a size
        raise UsageError(str(exc)) from None


def _missing(name: str) -> UsageError:
    """A file of the revision whose content the repository lacks: reading it as absent made
    every finding of the inventory 'introduced' (or ended in an internal error)."""
    return UsageError(
        f"git object {name} is missing from the repository (a shallow or partial clone, or a damaged "
        "one?); fetch it (git fetch --unshallow, or git fetch of the revision) and run privlint diff again"
    )


# --------------------------------------------------------------------------- the two sides


@dataclass
class Side:
    """One inventory at one point in time, as the comparison needs it: whether it exists and
    loads there, its findings that are not suppressed, and its plan's view (`_views`)."""

    name: str
    presence: Presence
    active: list[Finding] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)


def _working_tree(path: Path, recursive: bool) -> dict[str, list[Path]]:
    if not path.exists():
        return {}
    if path.is_file():
        return {display_path(path): [path]}
    directories = discover.walk(path) if recursive else [path]
    found = {}
    for directory in directories:
        files = discover.yaml_files(directory)
        if files:
            found[display_path(directory)] = files
    return found


def _at_revision(
    git: Git, commit: str, path: Path, relative: str, recursive: bool
) -> tuple[dict[str, list[Path]], dict[Path, bytes]]:
    """The inventories at `path` (`relative` to the root, posix) in `commit`: {name: the
    working-tree paths of their files}, and the files' bytes."""
    found = git.object(commit, relative)
    if found is None:
        return {}, {}
    kind, sha = found
    if kind == "blob":
        return {display_path(path): [path]}, {path: git.blobs([sha], {sha: path})[sha]}
    if kind != "tree":
        return {}, {}
    groups: dict[str, list[tuple[Path, str]]] = {}
    entries = [(name, blob, link) for name, blob, link in git.tree(sha, recursive)
               if PurePosixPath(name).suffix in discover.YAML_SUFFIXES
               and not any(map(discover.is_hidden, PurePosixPath(name).parts))]  # as in the working tree
    targets = _links(git, commit, relative, {name: path.joinpath(*name.split("/")) for name, _, link in entries if link})
    for name, blob, link in entries:
        file = path.joinpath(*name.split("/"))
        if link:
            blob = targets[name]
            if blob is None:  # a link to a directory: not part of the inventory, as in the working tree
                continue
        groups.setdefault(display_path(file.parent), []).append((file, blob))
    contents = git.blobs(
        [blob for members in groups.values() for _, blob in members],
        {blob: file for members in groups.values() for file, blob in members},
    )
    inventories, data = {}, {}
    for name, members in groups.items():
        members.sort(key=lambda member: member[0])
        inventories[name] = [file for file, _ in members]
        data.update({file: contents[blob] for file, blob in members})
    return inventories, data


def _links(git: Git, commit: str, relative: str, links: dict[str, Path]) -> dict[str, str | None]:
    """The blob each symbolic link leads to in `commit`, or None for a link to a directory:
    what `discover.yaml_files` reads in the working tree. `links` maps each link's path below
    the tree at `relative` to its working-tree path. A link that leads nowhere is a usage
    error, as it is there; so is one that leads outside the repository, whose file git does
    not hold as it was at the revision. (Links were skipped at the revision but followed in
    the working tree: an unchanged inventory with a linked part came out as all added, and
    its findings as resolved.)"""

    def shown(name: str) -> str:  # as discover names a link: not by its target
        file = links[name]
        return f"{display_path(file.parent)}/{os.fsencode(file.name).decode('utf-8', 'backslashreplace')} (at the revision)"

    for name in links:
        if "\n" in name or "\n" in relative:  # git reads the names a line each
            raise UsageError(f"{shown(name)}: a symbolic link whose name holds a line break; privlint diff cannot follow it")
    names = list(links)
    found = dict(zip(names, git.follow(commit, [f"{relative}/{name}" if relative else name for name in names])))
    # An absolute link into the work tree leads back inside the repository: followed from its root.
    inside: dict[str, str] = {}
    for name, (kind, target) in found.items():
        if kind == "outside" and target.startswith("/"):
            try:
                inside[name] = Path(os.path.normpath(target)).relative_to(git.root).as_posix()
            except ValueError:
                pass
    for name, within in inside.items():
        found[name] = ("tree", "") if within == "." else git.follow(commit, [within])[0]
    targets: dict[str, str | None] = {}
    for name, (kind, target) in found.items():
        if kind == "blob":
            targets[name] = target
        elif kind == "tree":
            targets[name] = None
        elif kind == "outside":
            raise UsageError(
                f"{shown(name)}: a symbolic link to {visible(target)}, outside the git repository; git does not "
                "hold that file as it was at the revision, so privlint diff cannot compare it"
            )
        else:
            raise UsageError(f"{shown(name)}: a symbolic link that leads nowhere (broken, or a loop)")
    return targets


# --------------------------------------------------------------------------- data map changes


@dataclass
class FieldChange:
    """One field of an entity: items added/removed (lists), or a value before -> after."""

    field: str
    before: Any = MISSING
    after: Any = MISSING
    added: tuple = ()
    removed: tuple = ()

    @property
    def is_items(self) -> bool:
        return bool(self.added or self.removed)

    def as_dict(self) -> dict:
        entry: dict[str, Any] = {"field": self.field}
        if self.is_items:
            entry.update(added=list(self.added), removed=list(self.removed))
        if self.before is not MISSING:
            entry["before"] = self.before
        if self.after is not MISSING:
            entry["after"] = self.after
        return entry


@dataclass
class Change:
    change: str  # added | removed | changed
    entity: str
    fields: list[FieldChange]

    def as_dict(self) -> dict:
        return {"change": self.change, "entity": self.entity, "fields": [f.as_dict() for f in self.fields]}


def _node_view(node) -> dict[str, Any]:
    if node.kind == "system":
        collects = node.raw.get("collects") or []
        return {
            "name": node.name,
            "country": node.country,
            "retention": node.retention,
            "data_categories": _union(item.get("data_categories") for item in collects),
            "subjects": _union(item.get("subjects") for item in collects),
            "origins": _union(item.get("origins") for item in collects),
        }
    return {
        "name": node.name,
        "vendor": node.raw.get("vendor"),
        "category": node.category,
        "role": node.role,
        "country": node.country,
        "retention": node.retention,
        "aliases": tuple(node.raw.get("aliases") or ()),
        "dpf": {programme: value for programme, value in node.dpf.items() if value is not None} or None,
    }


def _flow_view(flow) -> dict[str, Any]:
    return {
        "data_categories": tuple(flow.raw.get("data_categories") or ()),
        "purposes": tuple(flow.raw.get("purposes") or ()),
        "transfer_basis": flow.transfer_basis,
        "consideration": flow.raw.get("consideration"),
        "origins": flow.origins,
    }


def _union(lists) -> tuple:
    return tuple(dict.fromkeys(item for items in lists for item in items or ()))


def _norm(value: Any) -> Any:
    """YAML values made comparable: lists become tuples, empty lists nothing."""
    if isinstance(value, (list, tuple)):
        return tuple(_norm(item) for item in value) or None
    if isinstance(value, dict):
        return {key: _norm(item) for key, item in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Back to JSON-able values: tuples become lists."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _views(context: Context | None) -> dict[str, dict[str, Any]]:
    """entity -> field -> value, for everything a plan shows; {} when the side cannot be built.
    Organization and policy fields are entities of their own (`policy.recipients`), with one
    field, `value`."""
    if context is None or not context.valid:
        return {}
    inventory = context.inventory
    views: dict[str, dict[str, Any]] = {}
    for key, value in inventory.organization.items():
        views[f"organization.{key}"] = {"value": _norm(value)}
    for key, value in inventory.policy.raw.items():
        views[f"policy.{key}"] = {"value": _norm(value)}
    for node in inventory.nodes:
        views.setdefault(node.entity, {k: _norm(v) for k, v in _node_view(node).items()})
    for flow in inventory.flows:
        views.setdefault(flow.entity, {k: _norm(v) for k, v in _flow_view(flow).items()})
    return views


def _section(entity: str) -> int:
    for position, prefix in enumerate(("organization.", "policy.", "system:", "recipient:", "flow:")):
        if entity.startswith(prefix):
            return position
    return 5


def _items(value: Any) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _hashable(value: Any) -> Any:
    """A hashable stand-in for a YAML value, equal exactly when the values are equal (so lists
    of 50,000 names compare by set lookups, not by scanning one list per item)."""
    if isinstance(value, dict):
        return frozenset((key, _hashable(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(item) for item in value)
    return value


def compare_fields(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Lists compare as items added and removed; anything else as before -> after. A field that
    is absent (None) on one side has no `before` / `after`."""
    changes = []
    for name in dict.fromkeys([*after, *before]):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, tuple) or isinstance(new, tuple):
            old_items, new_items = _items(old), _items(new)
            old_keys, new_keys = set(map(_hashable, old_items)), set(map(_hashable, new_items))
            added = tuple(item for item in new_items if _hashable(item) not in old_keys)
            removed = tuple(item for item in old_items if _hashable(item) not in new_keys)
            if added or removed:
                changes.append(FieldChange(name, added=_plain(added), removed=_plain(removed)))
                continue
        changes.append(
            FieldChange(
                name,
                before=MISSING if old is None else _plain(old),
                after=MISSING if new is None else _plain(new),
            )
        )
    return changes


def compare_maps(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[Change]:
    """Changes, in plan order: organization, policy, systems, recipients, flows; by entity."""
    changes = []
    for entity in sorted(set(before) | set(after), key=lambda entity: (_section(entity), entity)):
        if entity not in before:
            changes.append(Change("added", entity, compare_fields({}, after[entity])))
        elif entity not in after:
            changes.append(Change("removed", entity, compare_fields(before[entity], {})))
        else:
            fields = compare_fields(before[entity], after[entity])
            if fields:
                changes.append(Change("changed", entity, fields))
    return changes


# --------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class Presence:
    """What the report says of one side once compared: whether the inventory exists there
    and loads. (The side's Context and findings are not kept: a diff over twelve 4.4 MB
    inventories held all 24 of them, 934 MB, where `check` holds the largest one.)"""

    exists: bool
    valid: bool

    @classmethod
    def of(cls, context: Context | None) -> "Presence":
        return cls(context is not None, context is not None and context.valid)


@dataclass
class InventoryDiff:
    name: str
    base: Presence
    head: Presence
    changes: list[Change]
    introduced: list[Finding]
    resolved: list[Finding]

    @property
    def comparable(self) -> bool:
        """Both sides (where they exist) load, so their data maps can be compared."""
        return all(not side.exists or side.valid for side in (self.base, self.head))

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for change in self.changes if change.change == kind) for kind in ("added", "changed", "removed")}


@dataclass
class DiffReport:
    ref: str
    commit: str
    inventories: list[InventoryDiff]
    fail_on: str

    @property
    def introduced(self) -> list[Finding]:
        return [finding for inventory in self.inventories for finding in inventory.introduced]

    @property
    def resolved(self) -> list[Finding]:
        return [finding for inventory in self.inventories for finding in inventory.resolved]

    @property
    def failed(self) -> bool:
        return fails(self.introduced, self.fail_on)


def diff(
    ref: str,
    paths: list[str],
    as_of: dt.date,
    rules,
    *,
    severities: dict[str, str] | None = None,
    vendors: dict | None = None,
    recursive: bool = False,
    fail_on: str = "error",
    output: str | None = None,
) -> DiffReport:
    """`output`, where the report will be written, may not be a file of the working tree's
    inventories or the configuration."""
    git = Git()
    commit = git.commit(ref)
    inventories: list[InventoryDiff] = []
    seen = set()
    for raw in paths:
        path = Path(raw)  # as given, so paths read as `privlint check` shows them
        try:
            relative = real_path(path).relative_to(git.root).as_posix()
        except ValueError:
            raise UsageError(f"{raw}: outside the git work tree {git.root}") from None
        now = _working_tree(path, recursive)
        refuse_overwriting(output, [file for files in now.values() for file in files], "report")
        then, contents = _at_revision(git, commit, path, "" if relative == "." else relative, recursive)
        if not now and not then:
            raise UsageError(f"{raw}: no inventory here, neither in the working tree nor at {ref}")
        for name in sorted(set(now) | set(then)):
            if name in seen:
                continue
            seen.add(name)
            base = _side(name, then.get(name), as_of, rules, severities, vendors, reader=contents.pop)
            head = _side(name, now.get(name), as_of, rules, severities, vendors)
            inventories.append(_compare(name, base, head))
            del base, head  # freed before the next inventory is loaded: memory is the largest pair's
    return DiffReport(ref, commit, inventories, fail_on)


def _side(name, files, as_of, rules, severities, vendors, reader=None) -> Side:
    """The side of `files`. Its documents, model and data map are freed when it is made, before
    the other side is loaded: holding both sides' took a diff of two 10 MB inventories of 1.2
    million findings each to 1.8 GB."""
    if not files:
        return Side(name, Presence.of(None))
    options = {"reader": reader} if reader else {}
    context = load_context(name, list(files), as_of, vendors, **options)
    active = [finding for finding in run(context, rules, severities) if not finding.suppressed]
    return Side(name, Presence.of(context), active, _views(context))


def _compare(name: str, base: Side, head: Side) -> InventoryDiff:
    # Each fingerprint once (a SHA-256, 1.5 us): asked twice per finding, 1.2 million findings
    # a side spent 7 s of a diff's 60 on them.
    before = [finding.fingerprint for finding in base.active]
    after = [finding.fingerprint for finding in head.active]
    before_prints, after_prints = set(before), set(after)
    introduced = [finding for finding, print_ in zip(head.active, after) if print_ not in before_prints]
    resolved = [finding for finding, print_ in zip(base.active, before) if print_ not in after_prints]
    result = InventoryDiff(name, base.presence, head.presence, [], introduced, resolved)
    if result.comparable:
        result.changes = compare_maps(base.views, head.views)
    return result


# --------------------------------------------------------------------------- rendering


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


_MARK = {"added": "+", "removed": "-", "changed": "~"}
_SUMMARY_FIELDS = ("name", "vendor", "category", "role", "country")


def _joined(values) -> str:
    return ", ".join(_show(value) for value in values)


def _field_lines(item: FieldChange, name: str) -> list[str]:
    """`+ name: items`, `- name: items`, `~ name: before -> after` (or + / - for a value set or unset)."""
    if item.is_items:
        return [f"{mark} {name}: {_joined(values)}" for mark, values in (("+", item.added), ("-", item.removed)) if values]
    if item.before is MISSING:
        return [f"+ {name}: {_show(item.after)}"]
    if item.after is MISSING:
        return [f"- {name}: {_show(item.before)}"]
    return [f"~ {name}: {_show(item.before)} -> {_show(item.after)}"]


def plan_lines(change: Change) -> list[str]:
    """The change as plan lines: `+ entity`, `- entity`, `~ entity`, details indented.

    Policy and organization fields are one line each (`~ policy.sells_personal_data: true ->
    false`, `+ policy.recipients: HubSpot`). An added or removed node reads `+ recipient:id
    (name, vendor, category, role, country)` with its lists below; a changed entity lists only
    the fields that changed.
    """
    if change.entity.startswith(("policy.", "organization.")):
        return [line for item in change.fields for line in _field_lines(item, change.entity)]
    if change.change == "changed":
        return [f"~ {change.entity}"] + [
            f"    {line}" for item in change.fields for line in _field_lines(item, item.field)
        ]
    value = (lambda item: item.after) if change.change == "added" else (lambda item: item.before)
    summary = [_show(value(item)) for item in change.fields if item.field in _SUMMARY_FIELDS and not item.is_items]
    lines = [f"{_MARK[change.change]} {change.entity}" + (f"  ({', '.join(summary)})" if summary else "")]
    for item in change.fields:
        if item.is_items:
            lines.append(f"    {item.field}: {_joined(item.added or item.removed)}")
        elif item.field not in _SUMMARY_FIELDS:
            lines.append(f"    {item.field}: {_show(value(item))}")
    return lines


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _severity_counts(findings: list[Finding]) -> str:
    parts = [
        _plural(count, severity)
        for severity in SEVERITIES
        if (count := sum(1 for finding in findings if finding.severity == severity))
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _headline(report: DiffReport) -> str:
    counts = {kind: sum(inventory.counts()[kind] for inventory in report.inventories) for kind in ("added", "changed", "removed")}
    introduced, resolved = report.introduced, report.resolved
    return (
        f"Plan: {counts['added']} to add, {counts['changed']} to change, {counts['removed']} to remove. "
        f"Findings: {_plural(len(introduced), 'introduced', 'introduced')}{_severity_counts(introduced)}, "
        f"{len(resolved)} resolved."
    )


def _side_note(inventory: InventoryDiff, ref: str) -> str | None:
    if not inventory.base.exists:
        return f"new inventory: it does not exist at {ref}"
    if not inventory.head.exists:
        return "inventory removed: it no longer exists in the working tree"
    if not inventory.comparable:
        broken = [label for label, side in ((ref, inventory.base), ("the working tree", inventory.head))
                  if not side.valid]
        return f"the inventory does not load at {' and '.join(broken)} (see the PL000/PL001 findings): data map changes are not shown"
    return None


def text_report(report: DiffReport) -> Iterator[str]:
    """The report a line at a time (450,000 findings made a 300 MB text, held twice). What
    comes from the inventory or the command line is shown with its control characters
    escaped, as in `privlint check`'s text report: a name holding ESC sequences and a newline
    drove the terminal and printed a forged finding line."""
    yield f"privlint diff: {visible(report.ref)} ({report.commit[:12]}) -> working tree\n"
    for inventory in report.inventories:
        yield f"\n{visible(inventory.name)}:\n"
        note = _side_note(inventory, report.ref)
        if note:
            yield f"  ({visible(note)})\n"
        body = [line for change in inventory.changes for line in plan_lines(change)]
        for line in body or ([] if note else ["no data map changes"]):
            yield f"  {visible(line)}\n"
        for title, findings, mark in (("introduced", inventory.introduced, "+"), ("resolved", inventory.resolved, "-")):
            if findings:
                yield f"  Findings {title} ({len(findings)}):\n"
                for finding in findings:
                    yield f"    {mark} {finding_line(finding)}\n"
    yield f"\n{_headline(report)}\n"


# Markdown: for a pull-request comment. The first line is a marker a workflow can look for to
# update its previous comment instead of adding a new one.
MARKER = "<!-- privlint-diff -->"
COLLAPSE_AFTER = 10


def _cell(text: str) -> str:
    return visible(text.replace("\n", " ")).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    """An inline code span that survives any backticks, and `|` inside a table."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    body = visible(text.replace("\n", " ")).replace("|", "\\|")
    return f"{ticks}{pad}{body}{pad}{ticks}"


def _fence(lines: list[str], language: str) -> list[str]:
    """A code fence longer than any run of backticks in `lines` (found in one scan each)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _details(summary: str, body: list[str], collapse: bool) -> list[str]:
    if not collapse:
        return body
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"]


def _findings_table(findings: list[Finding]) -> list[str]:
    rows = ["| severity | rule | where | entity | message |", "|---|---|---|---|---|"]
    for finding in findings:
        rows.append(
            f"| **{finding.severity}** | {finding.rule} {finding.name} | {_code(f'{finding.path}:{finding.line}')} "
            f"| {_code(finding.entity)} | {_cell(finding.message)} |"
        )
    return rows


# GitHub refuses comments longer than 65,536 characters; stay well below.
COMMENT_LIMIT = 60_000


def markdown_report(report: DiffReport, limit: int = COMMENT_LIMIT) -> str:
    """The report as a pull-request comment. When it would exceed `limit` characters, the plan
    and the finding tables are cut (saying how much is left out) until it fits."""
    rows = sum(len(inventory.introduced) + len(inventory.resolved) for inventory in report.inventories)
    # A finding's row is over 30 characters: past limit / 30 of them, the whole report cannot
    # fit, and rendering it anyway (450,000 rows) only to cut it cost gigabytes.
    rendered = _markdown(report, None) if rows * 30 <= limit else None
    cap = 400
    while (rendered is None or len(rendered) > limit) and cap >= 1:
        rendered = _markdown(report, cap)
        cap //= 2
    return rendered


def _cut(lines: list[str], cap: int | None, what: str) -> list[str]:
    if cap is None or len(lines) <= cap:
        return lines
    return [*lines[:cap], f"… {len(lines) - cap} more {what} not shown: run privlint diff locally for all of them"]


def _markdown(report: DiffReport, cap: int | None) -> str:
    introduced = report.introduced
    verdict = (
        f"**{_plural(len(introduced), 'finding')} introduced**{_severity_counts(introduced)}"
        if introduced
        else "**No findings introduced**"
    )
    lines = [
        MARKER,
        f"### privlint diff against {_code(report.ref)}",
        "",
        f"{verdict} · {len(report.resolved)} resolved · compared with {_code(report.commit[:12])}",
    ]
    if report.failed:
        lines += ["", f"This change introduces findings at or above `{report.fail_on}`: the check fails."]
    for inventory in report.inventories:
        counts = inventory.counts()
        lines += [
            "",
            f"#### {_code(inventory.name)}: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed",
        ]
        note = _side_note(inventory, report.ref)
        if note:
            lines += ["", f"_{note}_"]
        # Escaped: a value's newline would start a forged line of the plan inside the fence.
        body = _cut([visible(line) for change in inventory.changes for line in plan_lines(change)], cap, "lines")
        if body:
            lines += [""] + _details(
                f"Data map changes ({len(inventory.changes)})", _fence(body, "diff"), len(inventory.changes) > COLLAPSE_AFTER
            )
        elif not note:
            lines += ["", "No data map changes."]
        for title, findings in (("Findings introduced", inventory.introduced), ("Findings resolved", inventory.resolved)):
            if not findings:
                continue
            collapse = title.endswith("resolved") or len(findings) > COLLAPSE_AFTER
            heading = f"{title} ({len(findings)})"
            ordered = in_report_order(findings)
            ordered.sort(key=lambda f: SEVERITIES.index(f.severity))
            table = _findings_table(ordered[:cap] if cap is not None else ordered)
            if cap is not None and len(ordered) > cap:
                table += ["", f"… {len(ordered) - cap} more findings not shown: run privlint diff locally for all of them"]
            lines += [""] + (_details(heading, table, True) if collapse else [f"**{heading}**", "", *table])
    lines += ["", f"<sub>{_headline(report)} privlint {__version__}</sub>"]
    return "\n".join(lines) + "\n"


def json_report(report: DiffReport) -> Iterator[str]:
    """`json.dumps(document, indent=2)` a chunk at a time: each inventory's changes and
    findings are written an item at a time (450,000 findings: 3.4 GB held whole)."""
    from .report import as_dict, streamed_json_lists

    document = {
        "privlint": __version__,
        "base": {"ref": report.ref, "commit": report.commit},
        "summary": {
            **{kind: sum(inventory.counts()[kind] for inventory in report.inventories) for kind in ("added", "changed", "removed")},
            "introduced": {severity: sum(1 for f in report.introduced if f.severity == severity) for severity in SEVERITIES},
            "resolved": len(report.resolved),
            "failed": report.failed,
        },
        "inventories": [],
    }
    head = json.dumps(document, indent=2, ensure_ascii=False)
    cut = head.rindex("[]")
    yield head[:cut] + "["
    for index, inventory in enumerate(report.inventories):
        skeleton = {
            "name": inventory.name,
            "at_base": inventory.base.exists,
            "in_working_tree": inventory.head.exists,
            "comparable": inventory.comparable,
            "changes": [],
            "introduced": [],
            "resolved": [],
        }
        lists = [
            (change.as_dict() for change in inventory.changes),
            (as_dict(finding) for finding in inventory.introduced),
            (as_dict(finding) for finding in inventory.resolved),
        ]
        yield "\n    " if index == 0 else ",\n    "
        # The inventory as its own document, moved two levels in: no newline inside a JSON
        # string is raw, so every line break is one of the layout's.
        for chunk in streamed_json_lists(skeleton, lists, 2):
            yield chunk.removesuffix("\n").replace("\n", "\n    ")
    yield ("\n  ]" if report.inventories else "]") + head[cut + 2:] + "\n"
