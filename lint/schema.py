"""Validate inventory documents against the JSON Schema in data/inventory.schema.json.

jsonschema's errors are turned into plain-English problems positioned at the offending key
or value, grouped by the entity they belong to (SPEC §3: one finding per entity and rule).
"""

from __future__ import annotations

import difflib
import json
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


@cache
def schema() -> dict:
    return json.loads(resources.files("privlint.data").joinpath("inventory.schema.json").read_text("utf-8"))


@cache
def _validator(fragment: bool):
    import jsonschema

    document_schema = dict(schema())
    if fragment:
        # A file of a directory inventory may hold any part of it; the whole is checked later.
        document_schema = {key: value for key, value in document_schema.items() if key != "required"}
    return jsonschema.Draft202012Validator(document_schema)


def validate(document: Document, fragment: bool = False) -> list[Problem]:
    if not isinstance(document.data, dict):
        shape = "empty" if document.data is None else f"a {_type_name(document.data)}"
        return [
            Problem((), 1, 1, f"the file is {shape}; an inventory is a mapping that starts with 'privlint: 1'")
        ]
    problems = [_problem(document, error) for error in _validator(fragment).iter_errors(document.data)]
    return sorted(problems, key=lambda problem: (problem.line, problem.column, problem.message))


def _problem(document: Document, error) -> Problem:
    error = _most_specific(error)
    path = tuple(error.absolute_path)
    where = _dotted(path)
    validator = error.validator
    value = error.instance
    if validator == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        allowed = sorted(error.schema.get("properties", {}))
        messages = []
        for key in extra:
            hint = difflib.get_close_matches(key, allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            messages.append(f"unknown field '{key}' in {where or 'the inventory'}{did_you_mean}")
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
    return Problem(path, line, column, f"{where or 'the inventory'}: {_explain(error, value)}")


def _most_specific(error):
    """For oneOf/anyOf, the branch error that explains most (deepest, then first)."""
    while error.context:
        error = max(error.context, key=lambda sub: (len(sub.absolute_path), -sub.relative_schema_path.__len__()))
        if error.validator not in ("oneOf", "anyOf"):
            break
    return error


def _explain(error, value: Any) -> str:
    shown = _show(value)
    validator = error.validator
    expected = error.validator_value
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(_article(kind) for kind in kinds)}, got {_type_name(value)} {shown}"
    if validator == "enum":
        return f"{shown} is not one of: {', '.join(map(str, expected))}"
    if validator == "const":
        return f"expected {_show(expected)}, got {shown}"
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
    return error.message


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
    return "string"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "...\""


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
