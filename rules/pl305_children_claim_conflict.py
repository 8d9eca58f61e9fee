"""## PL305 children-claim-conflict

**What it does.** When the policy says `collects_from_children: false`, reports every system
or flow that collects or sends `user.childrens` data. A flow sends what its source holds under
the keys it lists: a flow listing `user` from a system holding `user.childrens` sends it.

**Why is this bad?** COPPA (15 U.S.C. §6502; 16 CFR §312.4-312.5) requires notice and
verifiable parental consent before collecting personal information from children under 13;
CCPA §1798.120(c) forbids selling or sharing the data of consumers under 16 without opt-in;
GDPR Art. 8 requires parental consent for information society services offered to children.
A policy denying it while the data map holds children's data is false.

**Example**
```yaml
policy: {collects_from_children: false}
systems:
  - id: kids-club
    collects:
      - data_categories: [user.childrens]
```

**Fix.** Stop collecting children's data, or disclose it and obtain the required consent.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation
from privlint.lint.model import CategoryUse

ID = "PL305"
NAME = "children-claim-conflict"
SEVERITY = "error"
SUMMARY = "policy says no children's data, yet `user.childrens` data is collected or flows"

CHILDREN = "user.childrens"


def check(context):
    if not context.inventory.policy.claims_not("collects_from_children"):
        return
    data_map = context.data_map
    for use in context.inventory.category_uses():
        found, named = data_map.judged(use, _children)
        if found:
            message = f"the policy says no children's data is collected, but {use.entity} {use.verb} {named}"
            yield Violation.at(use.location, use.entity, message, *found[0][1])


def _children(sent) -> tuple[list, str]:
    """The children's data among what a use sends, and how a message names it."""
    found = [(category, member) for category, member in sent if taxonomy.covers(CHILDREN, category)]
    return found, CategoryUse.names(found)
