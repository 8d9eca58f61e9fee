"""What the rules can still judge of a schema-invalid inventory.

A schema problem is a PL001 finding; it should not hide every other finding (a mistyped
`retention` on one system says nothing about where another system's data goes). So the model
is built from the data without the values the problems are about: an invalid field is left
out of its system, recipient, flow, policy or organization, and an item that has no usable
identity (a system or recipient without a string `id`, a flow without string `from` and `to`)
is left out whole. Positions are unchanged: items keep their index, fields their path.
Nothing is salvaged from a file that is not a mapping, that declares a format version
privlint does not read, or whose invalid items were too many to explain one by one.
"""

from __future__ import annotations

from typing import Any

from .schema import Problem

# The fields that identify an item of each list: without them, the item is left out.
IDENTITY = {"systems": ("id",), "recipients": ("id",), "flows": ("from", "to")}


def salvage(data: Any, problems: list[Problem]) -> dict | None:
    """`data` without what `problems` are about, or None if nothing can be judged."""
    if not isinstance(data, dict) or any(problem.blocks_rules for problem in problems):
        return None
    if not problems:
        return data
    sections: set[str] = set()  # top-level keys left out
    fields: dict[tuple, set[str]] = {}  # (key,) or (list, index) -> fields left out
    for problem in problems:
        path = problem.path
        if not path:
            continue  # about the inventory as a whole (a missing key): nothing to leave out
        head = path[0]
        if head == "privlint":
            return None  # a format version privlint does not read
        if len(path) == 1 or head not in (*IDENTITY, "policy", "organization", "vendors"):
            sections.add(head)  # a whole section, or an unknown top-level key
        elif head in IDENTITY:
            if len(path) > 2:  # a field of an item (the item itself is judged by its identity)
                fields.setdefault(path[:2], set()).add(path[2])
        else:  # a field of the policy or the organization, an entry of the vendor catalog
            fields.setdefault((head,), set()).add(path[1])
    salvaged = {key: value for key, value in data.items() if key not in sections}
    for key in ("policy", "organization", "vendors"):
        if isinstance(salvaged.get(key), dict) and (key,) in fields:
            salvaged[key] = _without(salvaged[key], fields[(key,)])
    for section, identity in IDENTITY.items():
        items = salvaged.get(section)
        if isinstance(items, list):
            salvaged[section] = [
                _item(item, identity, fields.get((section, index), ())) for index, item in enumerate(items)
            ]
    return salvaged


def _item(item: Any, identity: tuple[str, ...], invalid) -> dict | None:
    """The item without its invalid fields; None (left out) when it has no usable identity."""
    if not isinstance(item, dict) or not all(isinstance(item.get(key), str) and item[key] for key in identity):
        return None
    return _without(item, set(invalid) - set(identity)) if invalid else item


def _without(mapping: dict, keys) -> dict:
    return {key: value for key, value in mapping.items() if key not in keys}
