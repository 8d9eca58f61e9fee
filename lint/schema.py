"""Validate inventory documents against the JSON Schema in data/inventory.schema.json.

jsonschema's errors are turned into plain-English problems positioned at the offending key
or value, grouped by the entity they belong to (SPEC §3: one finding per entity and rule).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .loader import Document, Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    column: int
    message: str
    # True when the problem leaves no telling which values are invalid (see salvage.py)
    blocks_rules: bool = False


@cache
def schema() -> dict:
    return json.loads(resources.files("privlint.data").joinpath("inventory.schema.json").read_text("utf-8"))


@cache
def _document_schema(fragment: bool) -> dict:
    document_schema = dict(schema())
    if fragment:
        # A file of a directory inventory may hold any part of it; the whole is checked later.
        document_schema = {key: value for key, value in document_schema.items() if key != "required"}
    return document_schema


@cache
def _validator_class():
    """Draft 2020-12 with `pattern` read as JSON Schema means it (see _pattern_keyword)."""
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern_keyword})


@cache
def _validator(fragment: bool):
    return _validator_class()(_document_schema(fragment))


def first_problem(name: str, value: Any) -> str | None:
    """The first schema problem of `value` taken as the inventory's top-level property `name`
    (the configuration's `vendors` is checked as the inventory's), worded as the inventory's
    problems are ("vendors.acme.country: ..."); None when it is valid."""
    # Without "$schema": jsonschema would pick the plain Draft 2020-12 class for it, and lose
    # the ECMA-262 `pattern` ("DE\n" passed ^[A-Z]{2}$).
    part = {**schema()["properties"][name], "$defs": schema()["$defs"]}
    errors = list(_validator_class()(part).iter_errors(value))
    if not errors:
        return None
    error = _most_specific(min(errors, key=lambda each: [str(step) for step in each.absolute_path]))
    return f"{_dotted((name, *error.absolute_path))}: {explain(error, error.instance)}"


def _pattern_keyword(validator, pattern: str, instance: Any, schema: dict):
    """jsonschema's `pattern`, read as JSON Schema means it (see _ecma_regex)."""
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma_regex(pattern: str) -> re.Pattern:
    """A schema pattern (an ECMA-262 regular expression) as Python reads it the same way: `$`
    is the end of the string, where Python's `$` also matches before a final newline (so
    "US\\n" passed ^[A-Z]{2}$, a country and an origin no rule knew, and {"EEA\\n": scc} a
    basis for no area), and `\\d` is an ASCII digit only."""
    translated = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        translated.append(char)
    return re.compile("".join(translated), re.ASCII)


def validate(document: Document, fragment: bool = False, budget: int | None = None) -> list[Problem]:
    """The document's schema problems, at most `budget` of them explained (MAX_PROBLEMS
    for an inventory: the engine passes what its earlier files left)."""
    budget = MAX_PROBLEMS if budget is None else budget
    if not isinstance(document.data, dict):
        shape = "empty" if document.data is None else f"a {_type_name(document.data)}"
        return [
            Problem((), 1, 1, f"the file is {shape}; an inventory is a mapping that starts with 'privlint: 1'")
        ]
    check = _fast_check(fragment)
    if check is not None and check(document.data):
        return []  # valid: jsonschema would report nothing, and it is much slower to say so
    if budget <= 0:  # a directory of 3,450 files of 1,000 problems each: 69 s and 1.8 GB
        return [Problem((), 1, 1, (
            f"the file does not match the schema either; privlint explains the first {MAX_PROBLEMS:,} "
            "problems of an inventory: fix those and run it again"
        ), blocks_rules=True)]
    unexplained: list[Path] = []
    problems = []
    for error, prefix in _errors(document.data, fragment, unexplained, min(budget, MAX_EXPLAINED_ITEMS)):
        if len(problems) == budget:  # 1,000,000 wrong items in one list: stop explaining
            path = prefix + tuple(error.absolute_path)
            problems.append(Problem(path, *document.position(path), (
                f"more values from here on do not match the schema either; privlint explains the "
                f"first {MAX_PROBLEMS:,} problems of an inventory: fix those and run it again"
            ), blocks_rules=True))
            break
        problems.append(_problem(document, error, prefix))
    if unexplained:
        first = unexplained[0]
        problems.append(Problem(first, *document.position(first), (
            f"{len(unexplained):,} more systems, recipients or flows from here on do not match the schema "
            f"either; privlint details the first {MAX_EXPLAINED_ITEMS:,} of an inventory: fix those and run it again"
        ), blocks_rules=True))
    return sorted(problems, key=lambda problem: (problem.line, problem.column, problem.message))


# At most this many schema problems are explained per file (each costs jsonschema an error
# object; a list of a million wrong values took gigabytes).
MAX_PROBLEMS = 1_000

# Explaining an invalid list item costs jsonschema ~10 KB and ~50 us that the paused garbage
# collector does not get back: a file of 500,000 invalid one-line items would need gigabytes.
# Past this many invalid items in a file, the rest are counted in one problem instead.
MAX_EXPLAINED_ITEMS = 1_000


def _errors(data: dict, fragment: bool, unexplained: list[Path], explainable: int):
    """jsonschema's errors for `data`, each with the path prefix its path is relative to;
    invalid list items past the first `explainable` are added to `unexplained` instead.

    The lists of systems, recipients and flows are validated item by item, and only the
    items the fast check rejects go through jsonschema: the rest of the document (with those
    lists' `items` left out of the schema) is validated whole. The errors are the ones
    validating the whole document would give, minus the work on thousands of valid items.
    """
    validator = _validator(fragment)
    items = _split_lists(fragment)
    lists = {name: item_schema for name, item_schema in items.items() if isinstance(data.get(name), list)}
    # An optional part the fast check accepts has no errors: jsonschema is not walked through
    # it (a policy listing 5,000,000 recipients, in a file invalid elsewhere, took 27 s).
    optional = _optional_checks(fragment)
    valid = {name for name, check in optional.items() if name in data and name not in lists and check(data[name])}
    if valid:
        data = {key: value for key, value in data.items() if key not in valid}
    if not lists:
        yield from ((error, ()) for error in validator.iter_errors(data))
        return
    root = validator.schema
    properties = dict(root["properties"])
    for name in lists:
        properties[name] = {key: value for key, value in properties[name].items() if key != "items"}
    # Made by the class, not validator.evolve(): evolve() picks the class the schema's "$schema"
    # names, the plain Draft 2020-12 validator, whose `pattern` is Python's ("US\n" matched).
    skeleton = _validator_class()({**root, "properties": properties})
    yield from ((error, ()) for error in skeleton.iter_errors(data))
    checks = _item_checks(fragment)
    explained = 0
    for name, item_schema in lists.items():
        fast = checks.get(name)
        item_validator = validator.evolve(schema=item_schema)
        for index, item in enumerate(data[name]):
            if fast is None or not fast(item):
                if explained >= explainable and fast is not None:  # known to be invalid
                    unexplained.append((name, index))
                    continue
                invalid = False
                for error in item_validator.iter_errors(item):  # lazily: validate() may stop early
                    invalid = True
                    yield error, (name, index)
                explained += invalid


@cache
def _item_checks(fragment: bool) -> dict[str, Any]:
    """Fast checks of the items of the lists `_split_lists` names (empty when unavailable)."""
    try:
        compiler = _Compiler(_document_schema(fragment))
        return {name: compiler.compile(item) for name, item in _split_lists(fragment).items()}
    except (_Unsupported, re.error, KeyError, TypeError, ValueError):
        return {}


@cache
def _split_lists(fragment: bool) -> dict[str, Any]:
    """Top-level lists whose items can be validated one by one: a property whose schema is a
    plain array of `items` (nothing that relates items to each other, like uniqueItems)."""
    root = _document_schema(fragment)
    found = {}
    for name, sub in (root.get("properties") or {}).items():
        if (
            isinstance(sub, dict)
            and sub.get("type") == "array"
            and isinstance(sub.get("items"), dict)
            and set(sub) <= {"type", "items", "minItems", "description", "title", "$comment"}
        ):
            found[name] = sub["items"]
    return found


# -- fast validity check -----------------------------------------------------------------------
#
# jsonschema explains errors well but takes seconds to accept a 20,000-flow inventory. The
# schema is compiled once into plain Python predicates that answer only "valid or not", with
# the same semantics as jsonschema's Draft 2020-12 keywords. A valid document (the usual case)
# is accepted on that answer alone; any other goes through jsonschema, so every problem is
# still found and worded by it. The compiler knows a fixed set of keywords: a schema using any
# other one disables the fast path rather than being judged approximately.

_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default",
    "examples", "deprecated", "readOnly", "writeOnly",
})


class _Unsupported(Exception):
    """The schema uses something the fast check does not implement."""


@cache
def _optional_checks(fragment: bool) -> dict[str, Any]:
    """Fast checks of the document's optional top-level properties, when leaving out a valid
    one cannot change the document's errors (its schema relates no property to another);
    empty when unavailable."""
    root = _document_schema(fragment)
    if set(root) - {"$defs", "$id", "$schema", "additionalProperties", "description", "properties",
                    "required", "title", "type"}:
        return {}
    required = set(root.get("required") or ())
    try:
        compiler = _Compiler(root)
        return {name: compiler.compile(sub) for name, sub in root["properties"].items() if name not in required}
    except (_Unsupported, re.error, KeyError, TypeError, ValueError):
        return {}


@cache
def _fast_check(fragment: bool):
    """A predicate equivalent to `_validator(fragment).is_valid`, or None when unavailable.

    Built from the same schema as `_validator`, without importing jsonschema: a valid
    inventory is checked without paying for that import (it matters to a pre-commit hook).
    """
    try:
        document_schema = _document_schema(fragment)
        return _Compiler(document_schema).compile(document_schema)
    except (_Unsupported, re.error, KeyError, TypeError, ValueError):
        return None


def _always(_instance) -> bool:
    return True


def _never(_instance) -> bool:
    return False


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.compiled: dict[int, Any] = {}

    def compile(self, schema) -> Any:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported(f"schema {schema!r}")
        known = self.compiled.get(id(schema))
        if known is not None:
            return known
        cell: list = []
        self.compiled[id(schema)] = lambda value: cell[0](value)  # recursion through $ref
        checks = self._keywords(schema)
        if not checks:
            check = _always
        elif len(checks) == 1:
            check = checks[0]
        else:
            checks = tuple(checks)

            def check(value):
                for each in checks:
                    if not each(value):
                        return False
                return True

        cell.append(check)
        self.compiled[id(schema)] = check
        return check

    def _keywords(self, schema: dict) -> list:
        checks = []
        unknown = set(schema) - _ANNOTATIONS - {
            "type", "enum", "const", "pattern", "minLength", "required", "properties",
            "additionalProperties", "propertyNames", "minProperties", "items", "minItems",
            "anyOf", "oneOf", "$ref",
        }
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        if "$ref" in schema:
            checks.append(self.compile(self._resolve(schema["$ref"])))
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests = tuple(_TYPES[kind] for kind in kinds)
            checks.append(lambda value: any(test(value) for test in tests))
        if "enum" in schema:
            options = list(schema["enum"])
            if all(isinstance(option, str) for option in options):
                strings = frozenset(options)
                checks.append(lambda value: isinstance(value, str) and value in strings)
            else:
                checks.append(lambda value: any(_equal(option, value) for option in options))
        if "const" in schema:
            constant = schema["const"]
            checks.append(lambda value: _equal(value, constant))
        if "pattern" in schema:
            search = _ecma_regex(schema["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        if "minLength" in schema:
            shortest = schema["minLength"]
            checks.append(lambda value: not isinstance(value, str) or len(value) >= shortest)
        object_check = self._object(schema)
        if object_check is not None:
            checks.append(object_check)
        array_check = self._array(schema)
        if array_check is not None:
            checks.append(array_check)
        if "anyOf" in schema:
            branches = tuple(self.compile(branch) for branch in schema["anyOf"])
            checks.append(lambda value: any(branch(value) for branch in branches))
        if "oneOf" in schema:
            branches = tuple(self.compile(branch) for branch in schema["oneOf"])
            checks.append(lambda value: sum(1 for branch in branches if branch(value)) == 1)
        return checks

    def _object(self, schema: dict):
        keywords = {"required", "properties", "additionalProperties", "propertyNames", "minProperties"}
        if not keywords & set(schema):
            return None
        required = tuple(schema.get("required", ()))
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        extra_check = None if extra is True or extra is False else self.compile(extra)
        closed = extra is False
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        fewest = schema.get("minProperties", 0)

        def check(value):
            if not isinstance(value, dict):
                return True
            if len(value) < fewest:
                return False
            for name in required:
                if name not in value:
                    return False
            for name, member in value.items():
                if names is not None and not names(name):
                    return False
                sub = properties.get(name)
                if sub is not None:
                    if not sub(member):
                        return False
                elif closed:
                    return False
                elif extra_check is not None and not extra_check(member):
                    return False
            return True

        return check

    def _array(self, schema: dict):
        if "items" not in schema and "minItems" not in schema:
            return None
        item = self.compile(schema.get("items", True))
        fewest = schema.get("minItems", 0)

        def check(value):
            if not isinstance(value, list):
                return True
            if len(value) < fewest:
                return False
            for member in value:
                if not item(member):
                    return False
            return True

        return check

    def _resolve(self, reference: str):
        if not reference.startswith("#"):
            raise _Unsupported(f"$ref {reference}")
        target: Any = self.root
        for part in reference[1:].split("/")[1:] if reference != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            target = target[int(part)] if isinstance(target, list) else target[part]
        return target


_TRUE, _FALSE = object(), object()


def _equal(one, two) -> bool:
    """jsonschema's `_utils.equal` (JSON equality: True is not 1), without importing it."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    return _unbool(one) == _unbool(two)


def _unbool(value):
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def _problem(document: Document, error, prefix: Path = ()) -> Problem:
    error = _most_specific(error)
    path = prefix + tuple(error.absolute_path)
    where = _dotted(path)
    validator = error.validator
    value = error.instance
    if validator == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        allowed = sorted(error.schema.get("properties", {}))
        messages = []
        for key in extra[:_MAX_LISTED]:
            hint = difflib.get_close_matches(key, allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            messages.append(f"unknown field '{_clip(key)}' in {where or 'the inventory'}{did_you_mean}")
        if len(extra) > _MAX_LISTED:  # a hostile or generated file: say how many, not all
            messages.append(f"and {len(extra) - _MAX_LISTED:,} more unknown fields")
        line, column = document.key_position(path + (extra[0],))
        allowed_text = ", ".join(allowed)
        return Problem(path + (extra[0],), line, column, "; ".join(messages) + f"; allowed: {allowed_text}")
    if validator == "required":
        missing = error.message.split("'")[1]
        line, column = document.position(path)
        return Problem(path, line, column, f"{where or 'the inventory'} is missing the required field '{missing}'")
    if validator == "anyOf" and error.schema.get("anyOf", [{}])[0].get("required"):
        options = " or ".join(f"'{option['required'][0]}'" for option in error.schema["anyOf"])
        line, column = document.position(path)
        return Problem(path, line, column, f"{where} needs {options}")
    line, column = document.key_position(path) if path and isinstance(path[-1], str) else document.position(path)
    return Problem(path, line, column, f"{where or 'the inventory'}: {explain(error, value)}")


def _fits(error) -> bool:
    """False for a complaint that the value is of the wrong kind altogether (a type error, or
    a list or mapping checked against a few allowed words)."""
    if error.validator == "type":
        return False
    return not (error.validator in ("enum", "const") and isinstance(error.instance, (dict, list)))


# At most this many unknown fields are named in one message.
_MAX_LISTED = 20


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _most_specific(error):
    """For oneOf/anyOf, the branch error that explains most: the deepest, then one from a
    branch meant for this kind of value (a mapping is better explained by the mapping
    branch's complaint than by a list of words it is not), then the first."""
    while error.context:
        error = max(
            error.context,
            key=lambda sub: (len(sub.absolute_path), _fits(sub), -sub.relative_schema_path.__len__()),
        )
        if error.validator not in ("oneOf", "anyOf"):
            break
    return error


def explain(error, value: Any) -> str:
    """One jsonschema error in plain English (a pattern is named by its description)."""
    shown = _show(value)
    validator = error.validator
    expected = error.validator_value
    got_text = got(value)
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(_article(kind) for kind in kinds)}, got {got_text}"
    if validator == "enum":
        if not shown:  # a list or mapping where one of a few words belongs
            return f"expected one of: {', '.join(map(str, expected))}; got {_article(_json_kind(value))}"
        return f"{shown} is not one of: {', '.join(map(str, expected))}"
    if validator == "const":
        return f"expected {_show(expected)}, got {got_text}"
    if validator == "pattern":
        hint = error.schema.get("description")
        return f"{shown} is not valid" + (f": expected {hint}" if hint else f" (must match {expected})")
    if validator == "minItems":
        return "must list at least one entry"
    if validator == "minLength":
        return "must not be empty"
    if validator == "minProperties":
        return "must not be empty"
    if validator == "propertyNames":
        return f"{error.message}"
    if validator == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return f"missing the required field '{missing[0] if missing else expected[0]}'"
    if validator == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(str(key) for key in value if key not in allowed)
        if extra:
            hint = difflib.get_close_matches(extra[0], allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            return f"unknown field '{_clip(extra[0])}'{did_you_mean}; allowed: {', '.join(allowed)}"
    return error.message


def got(value: Any) -> str:
    """A value as the inventory's messages name it: `null`, `list`, `string "x"`, `number 1`."""
    shown = _show(value)
    return _type_name(value) if value is None or not shown else f"{_type_name(value)} {shown}"


def _json_kind(value: Any) -> str:
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "string"


def _article(kind: str) -> str:
    return {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
            "boolean": "true or false", "null": "null", "number": "a number"}.get(kind, kind)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dt.date, dt.time)):  # TOML dates and times (a configuration)
        return "date-time" if isinstance(value, dt.datetime) else type(value).__name__
    return "string"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= 60:
        return text
    return text[:57] + ("...\"" if isinstance(value, str) else "...")  # a number has no quotes to close


def dotted(path: Path) -> str:
    """A path as messages show it: vendors.acme.aliases[0]."""
    return _dotted(path)


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
