"""## PL004 unknown-taxonomy-key

**What it does.** Checks every data category, purpose (data use) and data subject against the
fideslang taxonomy shipped with privlint, in collections, flows and the policy block, and
suggests the closest known key. Keys are hierarchical: `user.contact` is a valid key that
covers `user.contact.email`.

**Why is this bad?** Every disclosure, sale and sensitive-data rule reasons over taxonomy keys.
An unknown key (`user.contact.emial`) is not covered by the policy, is not recognised as
sensitive, and is not recognised as personal data: the rules cannot judge it, so it is
excluded from them until fixed.

**Example**
```yaml
flows:
  - from: storefront
    to: stripe
    data_categories: [user.financial.creditcard]     # not a fideslang key
```

**Fix.** Use the taxonomy's key: `user.financial.credit_card`. The full list is in
`data/taxonomy.json` (fideslang, CC BY 4.0).
"""

from functools import cache
from itertools import islice
from typing import NamedTuple

from privlint.lint import taxonomy
from privlint.lint.engine import Violation
from privlint.lint.model import Location
from privlint.lint.suggest import Budget, Suggester
from privlint.lint.wording import LISTED

ID = "PL004"
NAME = "unknown-taxonomy-key"
SEVERITY = "error"
SUMMARY = "a data category, purpose or subject is not in the taxonomy"

_LABEL = {"data_categories": "data category", "data_uses": "purpose", "data_subjects": "data subject"}


def check(context):
    inventory = context.inventory
    policy = inventory.policy
    # One spelling matcher per kind and check, the three sharing one budget: their work is
    # bounded over the whole inventory; and each unknown key is explained once, however many
    # flows list it.
    budget = Budget()
    matchers = {kind: Suggester(taxonomy.keys(kind), cutoff=0.6, budget=budget).closest for kind in _LABEL}
    explain = cache(lambda kind, key: _reason(kind, key, matchers[kind]))
    if policy.location is not None:
        for field, kind in (("data_categories", "data_categories"), ("not_collected", "data_categories"),
                            ("purposes", "data_uses")):
            yield from _report(_PolicyField(policy.location, f"policy.{field}"), [((field,), kind, policy.get(field))],
                               explain)
    for system in inventory.systems:
        members = []
        for index, collection in enumerate(system.raw.get("collects") or ()):
            members.append((("collects", index, "data_categories"), "data_categories", collection.get("data_categories")))
            members.append((("collects", index, "subjects"), "data_subjects", collection.get("subjects")))
        yield from _report(system, members, explain)
    for flow in inventory.flows:
        members = [(("data_categories",), "data_categories", flow.raw.get("data_categories")),
                   (("purposes",), "data_uses", flow.raw.get("purposes"))]
        yield from _report(flow, members, explain)


class _PolicyField(NamedTuple):
    location: Location
    entity: str


def _report(owner, members, explain):
    """The finding for the unknown keys of `owner`'s `members`, if any. The owner's name and
    location are made only then: a flow's name, once made, is kept (model.Flow.entity)."""
    unknown: dict[tuple[str, str], None] = {}  # (kind, key), each once, in order
    firsts = []  # the first unknown key's path in each member
    for member, kind, keys in members:
        first = None
        for index, key in enumerate(keys or ()):
            if not taxonomy.is_known(kind, key):
                unknown.setdefault((kind, key))
                first = first or member + (index,)
        if first:
            firsts.append(first)
    if not unknown:
        return
    # Like wording.capped, but only the keys named are looked up for a suggestion.
    listed = [explain(kind, key) for kind, key in islice(unknown, LISTED)]
    if len(unknown) > LISTED:  # a list of thousands of bad keys: name some, count the rest
        listed.append(f"and {len(unknown) - LISTED:,} more unknown keys")
    location = owner.location
    first = min(firsts, key=lambda path: location.position(*path))
    yield Violation.at(location, owner.entity, "; ".join(listed), *first)


def _reason(kind: str, key: str, fuzzy) -> str:
    close = taxonomy.suggest(kind, key, fuzzy)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown {_LABEL[kind]} '{key}'{hint}"
