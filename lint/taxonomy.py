"""The fideslang taxonomy of data categories, data uses (purposes) and data subjects.

Keys are dotted paths; a key covers itself and all its descendants (`user.contact` covers
`user.contact.email`). Every rule asks coverage questions through this module.
"""

from __future__ import annotations

import bisect
import json
from functools import cache
from importlib import resources

PERSONAL_ROOT = "user"
# Purposes the CCPA rules (PL301, PL302, PL304) name. Advertising across businesses'
# contexts is "sharing" (CCPA §1798.140(ah)); a disclosure to comply with the law is neither a
# sale nor sharing (§1798.145(a)(1)).
CROSS_CONTEXT_ADVERTISING = "marketing.advertising.third_party"
LEGAL_OBLIGATION = "third_party_sharing.legal_obligation"


def covers(general: str, specific: str) -> bool:
    """True when `general` is `specific` or one of its ancestors."""
    # specific == general or specific.startswith(general + "."), without building a string
    return specific.startswith(general) and (len(specific) == len(general) or specific[len(general)] == ".")


def covered_by_any(key: str, general_keys) -> bool:
    """True when one of `general_keys` covers `key`: `key` itself or one of its ancestors is
    among them (a few set lookups instead of one comparison per general key)."""
    if type(general_keys) is not tuple or len(general_keys) < 4:
        return any(covers(general, key) for general in general_keys)
    generals = _as_set(general_keys)
    if key in generals:
        return True
    for index, char in enumerate(key):
        if char == "." and key[:index] in generals:
            return True
    return False


def covering_some(general_keys, keys) -> list[str]:
    """Those of `general_keys` that cover at least one of `keys`, in their order: a set lookup
    and a binary search each, where comparing every pair cost 85 x 85 per flow."""
    listed = frozenset(keys)
    ordered = sorted(listed)

    def covers_one(general: str) -> bool:
        if general in listed:
            return True
        below = general + "."  # the first key sorting after it that could be a descendant
        index = bisect.bisect_left(ordered, below)
        return index < len(ordered) and ordered[index].startswith(below)

    return [general for general in general_keys if covers_one(general)]


# id(tuple) -> (tuple, its set): found without hashing the tuple, which costs its length on
# every call (a policy list of 100,000 keys, asked about for every flow).
_SETS: dict[int, tuple[tuple, frozenset]] = {}


def _as_set(keys: tuple) -> frozenset:
    found = _SETS.get(id(keys))
    if found is None or found[0] is not keys:
        if len(_SETS) > 256:  # a handful of policy lists in practice
            _SETS.clear()
        found = _SETS[id(keys)] = (keys, frozenset(keys))
    return found[1]


def is_personal(category: str) -> bool:
    """Categories under `user` are personal data (SPEC §1)."""
    return covers(PERSONAL_ROOT, category)


def ancestors(key: str) -> tuple[str, ...]:
    """The keys that strictly cover `key`, broadest first: 'a', 'a.b' for 'a.b.c'."""
    return lineage(key)[1]


def lineage(key: str) -> tuple[str, tuple[str, ...]]:
    """(key, its ancestors): one tuple per key, however many flows list it."""
    found = _LINEAGE.get(key)
    if found is None:
        if len(_LINEAGE) > 100_000:  # a few hundred known keys; never without bound
            _LINEAGE.clear()
        found = _LINEAGE[key] = (key, tuple(key[:index] for index, char in enumerate(key) if char == "."))
    return found


_LINEAGE: dict[str, tuple[str, tuple[str, ...]]] = {}


@cache
def _load() -> dict:
    return json.loads(resources.files("privlint.data").joinpath("taxonomy.json").read_text("utf-8"))


@cache
def keys(kind: str) -> frozenset[str]:
    return frozenset(entry["key"] for entry in _load()[kind])


def is_known(kind: str, key: str) -> bool:
    return key in keys(kind)


def suggest(kind: str, key: str, fuzzy) -> str | None:
    """The closest known key, for 'did you mean' messages; `fuzzy(key)` is the closest by
    spelling (a suggest.Suggester's `closest` over `keys(kind)`, which bounds the work)."""
    ordered = _sorted_keys(kind)
    start = bisect.bisect_left(ordered, key)
    extended = []  # known keys that extend `key`: `user.health` -> `user.health_and_medical`
    for known in ordered[start:]:
        if not known.startswith(key):
            break
        extended.append(known)
    if extended:
        return min(extended, key=len)  # the shortest, alphabetically first among equals
    close = fuzzy(key)
    if close:
        return close
    # A misspelt leaf under a known parent: suggest the deepest known ancestor. No known key
    # has more parts than _depth(kind): a key of 5,000 parts is not joined 5,000 times.
    parts = key.split(".", _depth(kind))
    for end in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:end]) in keys(kind):
            return ".".join(parts[:end])
    return None


@cache
def _depth(kind: str) -> int:
    return max(key.count(".") + 1 for key in keys(kind))


@cache
def _sorted_keys(kind: str) -> tuple[str, ...]:
    return tuple(sorted(keys(kind)))
