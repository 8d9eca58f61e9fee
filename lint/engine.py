"""The pipeline: load -> validate -> build the model and data map -> run rules -> findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path as FilePath
from typing import NamedTuple

from . import loader, model, schema
from .graph import DataMap
from .loader import Document, YamlError
from .model import Inventory, Location
from .paths import real_path
from .registry import Rule, all_rules
from .wording import bounded, shown_id


class UsageError(Exception):
    """A problem with how privlint was called (exit 2), not with an inventory."""


# Violation and Finding are named tuples: immutable as frozen dataclasses, but made in a
# fifth of the time (a frozen dataclass sets each field through object.__setattr__: 2.5 us of
# the 12 us each of a million findings cost).
class Violation(NamedTuple):
    """What a rule reports: the entity, why, and where."""

    entity: str
    message: str
    file: str
    line: int
    column: int

    @classmethod
    def at(cls, location: Location, entity: str, message: str, *member: str | int) -> "Violation":
        line, column = location.position(*member)
        return cls(entity, message, location.file, line, column)


class Finding(NamedTuple):
    rule: str
    name: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    entity: str
    # The reason of an inline `# privlint: ignore[...]` comment or a baseline that silences
    # this finding; a suppressed finding is reported as such but never fails a check.
    suppressed: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable when lines move: rule + entity + path."""
        return hashlib.sha256(f"{self.rule}|{self.entity}|{self.path}".encode()).hexdigest()[:16]


REPORT_ORDER = ("path", "line", "column", "rule", "entity", "message")


def in_report_order(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` sorted by REPORT_ORDER. One stable sort per field, the last field first, makes
    no key tuple per finding, as sorting by a tuple key would: 54,000 findings, 4.4 MB at peak."""
    ordered = list(findings)
    for name in reversed(REPORT_ORDER):
        ordered.sort(key=attrgetter(name))
    return ordered


@dataclass
class Context:
    """What rules see: the inventory's documents, load problems, model and data map."""

    name: str
    files: list[str]
    as_of: dt.date
    documents: list[Document] = field(default_factory=list)
    yaml_errors: list[tuple[str, YamlError]] = field(default_factory=list)
    schema_problems: list[tuple[Document, schema.Problem]] = field(default_factory=list)
    vendors: dict = field(default_factory=dict)  # catalog extensions from the configuration
    rules_run: set[str] = field(default_factory=set)
    suppressions: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.yaml_errors and not self.schema_problems

    @property
    def judgeable(self) -> bool:
        """The rules can judge the inventory: it is valid, or salvage.py keeps what is."""
        return self.valid or (not self.yaml_errors and self._salvaged is not None)

    @cached_property
    def _salvaged(self) -> dict[int, dict] | None:
        """id(document) -> the data rules judge of each schema-invalid document, or None."""
        from .salvage import salvage

        problems: dict[int, list] = {}
        for owner, problem in self.schema_problems:
            problems.setdefault(id(owner), []).append(problem)
        salvaged = {}
        for document in self.documents:
            if id(document) in problems:
                data = salvage(document.data, problems[id(document)])
                if data is None:
                    return None
                salvaged[id(document)] = data
        return salvaged

    @cached_property
    def inventory(self) -> Inventory:
        return model.build(self.name, self.documents, self.vendors, self._salvaged if not self.valid else None)

    @cached_property
    def data_map(self) -> DataMap:
        return DataMap(self.inventory)

    def release_derived(self) -> None:
        """Rules of one family share what they derive from the data map (PL201, PL202 and
        PL205 the transfers: 1.8 MB at 20,000 flows). Released when the next family starts,
        that family's findings reuse the memory."""
        if "data_map" in self.__dict__:  # only if built: releasing must not build it
            self.data_map.release_derived()


@dataclass(frozen=True)
class Checked:
    """What a report needs of an inventory once its rules have run."""

    name: str
    files: list[str]
    judgeable: bool

    @classmethod
    def of(cls, context: Context) -> "Checked":
        return cls(context.name, context.files, context.judgeable)


def display_path(path: FilePath) -> str:
    """Paths relative to the working directory when below it, always with '/'.

    Bytes of a name that are not UTF-8 are shown escaped (`bad\\xff.yaml`): Python keeps them
    as lone surrogates, which no report (JSON, SARIF, a file, a fingerprint) can encode."""
    try:
        shown = real_path(path).relative_to(real_path(FilePath.cwd())).as_posix()
    except (ValueError, FileNotFoundError):  # not below it, or the working directory was deleted
        shown = path.as_posix()
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def refuse_overwriting(destination: str | None, inputs, what: str) -> None:
    """A usage error when `destination` (--output, --write-baseline) is one of `inputs`, the
    files a command reads: `check inventory.yaml --output inventory.yaml` replaced the
    inventory with its report (exit 0), and a report over the configuration replaced that."""
    if not destination:
        return
    try:
        written = os.stat(destination)
    except OSError:  # not there yet (or not reachable: writing it will say why)
        return
    for path in inputs:
        try:
            same = os.path.samestat(written, os.stat(path))
        except OSError:
            continue
        if same:
            shown = display_path(FilePath(path))
            raise UsageError(
                f"{destination}: the same file as {shown}, which this command reads or writes; "
                f"write the {what} to another file"
            )


def read(path: FilePath) -> bytes:
    limit = _limit(loader.size_limit)  # a limit that is not a size is the variable's fault, not the file's
    try:
        return loader.read_bounded(path, limit)
    except loader.TooLarge as exc:
        raise UsageError(f"{display_path(path)}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{display_path(path)}: cannot read the file ({exc.strerror or exc})") from None


def load_context(
    name: str, files: list[FilePath], as_of: dt.date, vendors: dict | None = None, reader=read
) -> Context:
    """Load the inventory of `files`; `reader(path) -> bytes` lets `privlint diff` supply a git revision."""
    context = Context(name, [display_path(file) for file in files], as_of, vendors=vendors or {})
    budget = _SizeBudget(name)
    # Every file is read (and the whole inventory's size checked) before any is parsed: an
    # oversized directory inventory is refused at once, not after parsing its first files.
    raws = deque(budget.take(reader(file)) for file in files)
    values_left = budget.values()
    for shown in context.files:
        try:  # popped, so each file's bytes are freed once parsed
            document = loader.load(shown, raws.popleft(), max_values=values_left)
            context.documents.append(document)
            values_left -= document.values
        except YamlError as error:
            context.yaml_errors.append((shown, error))
            if isinstance(error, loader.TooManyValues):
                values_left = 0  # the files after it are refused at their start, unread
    if context.yaml_errors:
        return context
    fragment = len(files) > 1
    for document in context.documents:
        budget = schema.MAX_PROBLEMS - len(context.schema_problems)  # for the inventory, not each file
        for problem in schema.validate(document, fragment=fragment, budget=budget):
            context.schema_problems.append((document, problem))
    if fragment and not context.schema_problems:
        _check_merged(context)
    return context


class _SizeBudget:
    """The size limit applies to an inventory as a whole (all files of a directory)."""

    def __init__(self, name: str):
        self.name = name
        self.total = 0

    def take(self, raw: bytes) -> bytes:
        self.total += len(raw)
        limit = _limit(loader.size_limit)
        if self.total > limit:
            what = "the inventory's files total"
            raise UsageError(f"{self.name}: {loader.too_large_message(self.total, limit, what)}")
        return raw

    @staticmethod
    def values() -> int:
        """How many values the inventory's files may hold together (see loader.BYTES_PER_VALUE)."""
        return _limit(loader.value_limit)


def _limit(read) -> int:
    """A limit read by loader; a PRIVLINT_MAX_INVENTORY_MB that is not a size is a usage error."""
    try:
        return read()
    except loader.TooLarge as exc:
        raise UsageError(str(exc)) from None


def _check_merged(context: Context) -> None:
    """A directory inventory needs `privlint` and `organization` once, in one of its files;
    `policy` and each vendor it declares may be declared once."""
    first = context.documents[0]
    for key in ("privlint", "organization"):
        holders = [document for document in context.documents if key in document.data]
        if not holders:
            message = f"no file of this inventory declares '{key}'; add it to one of them"
            context.schema_problems.append((first, schema.Problem((), 1, 1, message)))
    for key in ("organization", "policy"):
        holders = [document for document in context.documents if key in document.data]
        for extra in holders[1:]:
            line, column = extra.key_position((key,))
            message = f"'{key}' is already declared in {holders[0].path}; declare it in one file only"
            context.schema_problems.append((extra, schema.Problem((key,), line, column, message)))
    # Which of two files' entries for a vendor applied depended on the files' names.
    declaring: dict[str, Document] = {}
    for document in context.documents:
        for vendor in document.data.get("vendors") or ():
            first = declaring.setdefault(vendor, document)
            if first is not document:
                line, column = document.key_position(("vendors", vendor))
                message = f"vendor '{shown_id(vendor)}' is already declared in {first.path}; declare it in one file only"
                context.schema_problems.append((document, schema.Problem(("vendors", vendor), line, column, message)))


def run(
    context: Context, rules: tuple[Rule, ...] | None = None, severities: dict[str, str] | None = None
) -> list[Finding]:
    """Run `rules` (default: all), apply inline suppressions, then check the suppressions."""
    from . import suppressions

    rules = rules if rules is not None else all_rules()
    context.rules_run = {rule.id for rule in rules}
    findings = []
    family = None
    entities: dict[str, str] = {}
    for rule in rules:
        if rule.stage == "suppressions":
            continue
        if rule.id[:3] != family:  # PL0, PL1, PL2, PL3
            family = rule.id[:3]
            context.release_derived()
        findings += _check(context, rule, severities, entities)
    if not context.valid:
        withheld = _invalid_entities(context)
        findings = [f for f in findings if not (f.entity in withheld and f.rule >= FIRST_JUDGMENT)]
    findings, context.suppressions = suppressions.apply(context, findings)
    for rule in rules:
        if rule.stage == "suppressions":
            findings += _check(context, rule, severities, entities)
    return in_report_order(findings)


# Rules from this ID on judge what an entity declares (PL000-PL004 check the declaration).
FIRST_JUDGMENT = "PL005"


def _invalid_entities(context: Context) -> set[str]:
    """Entities with a schema problem. The rules judged them on what salvage.py kept of them,
    so only their PL001-PL004 findings stand: a `collects` left out for a wrong type is not
    "collects nothing", nor an invalid `transfer_basis` "no basis"."""
    return {
        model.entity_of(context.documents, document, problem.path) for document, problem in context.schema_problems
    } - {"file"}


def _check(
    context: Context, rule: Rule, severities: dict[str, str] | None, entities: dict[str, str]
) -> list[Finding]:
    """`rule`'s findings. Rules make an entity's name afresh for each finding (a flow's name is
    not stored: see model.Flow.entity); `entities` keeps one object per name across the run, as
    an entity has several findings (54,000 findings of 20,000 flows: 2.5 MB less)."""
    if rule.stage == "model" and not context.judgeable:
        return []
    severity = (severities or {}).get(rule.id, rule.severity)
    shared = entities.setdefault
    return [
        Finding(rule.id, rule.name, severity, bounded(v.message), v.file, v.line, v.column, shared(v.entity, v.entity))
        for v in rule.check(context)
    ]
