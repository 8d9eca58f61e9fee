"""## PL303 sensitive-data-claim-conflict

**What it does.** When the policy says `sensitive_data: false`, reports every system or flow
that collects or sends a sensitive category. Sensitive categories are shipped as data
(`data/sensitive.yaml`), mapping CCPA §1798.140(ae) sensitive personal information and GDPR
Art. 9/10 special categories to taxonomy keys: government ids, account credentials, financial
account and card numbers, precise geolocation, racial or ethnic origin, religious or
philosophical beliefs, union membership, private message contents, genetic, biometric and
health data, sex life or sexual orientation, criminal history. A broad key that may contain them (`user.financial`,
`user.demographic`) counts too; the root `user` does not. A flow sends what its source holds
under the keys it lists: a flow listing `user` from a system holding
`user.demographic.race_ethnicity` sends sensitive data, and a flow listing `user.location`
from a system holding only `user.location.imprecise` does not.

**Why is this bad?** The CCPA gives consumers the right to limit the use of sensitive personal
information (§1798.121) and requires notice of it; GDPR Art. 9 prohibits processing special
categories without an Art. 9(2) condition. A policy that denies processing such data while
collecting card numbers or precise location misstates both.

**Example**
```yaml
policy: {sensitive_data: false}
systems:
  - id: checkout
    collects:
      - data_categories: [user.financial.credit_card]
```

**Fix.** Disclose the sensitive data and its purposes (`sensitive_data: true`), or stop
collecting it.
"""

from functools import cache

from privlint.lint import reference, taxonomy
from privlint.lint.engine import Violation
from privlint.lint.model import CategoryUse

ID = "PL303"
NAME = "sensitive-data-claim-conflict"
SEVERITY = "error"
SUMMARY = "policy says no sensitive data, yet a sensitive category is collected or flows"


def check(context):
    if not context.inventory.policy.claims_not("sensitive_data"):
        return
    data_map = context.data_map
    for use in context.inventory.category_uses():
        found, named = data_map.judged(use, _sensitive)
        if found:
            message = (
                f"the policy says no sensitive personal information is processed, but {use.entity} "
                f"{use.verb} {named}"
            )
            yield Violation.at(use.location, use.entity, message, *found[0][1])


def _sensitive(sent) -> tuple[list, str]:
    """The sensitive (category, member) pairs of what a use sends, and how a message names them."""
    found = [(category, member) for category, member in sent if _concepts(category)]
    if not found:
        return found, ""
    concepts = sorted({concept for category, _ in found for concept in _concepts(category)})
    return found, f"{CategoryUse.names(found)} ({', '.join(concepts)})"


@cache  # asked for every category of every collection and flow: a few dozen distinct keys
def _concepts(category: str) -> frozenset[str]:
    """The sensitive concepts `category` is, or may contain (a broad key such as
    `user.financial` may hold card numbers; the root `user` says nothing)."""
    if category == taxonomy.PERSONAL_ROOT:
        return frozenset()
    return frozenset(
        concept if taxonomy.covers(key, category) else f"may include {concept}"
        for key, concept in reference.sensitive_keys()
        if taxonomy.covers(key, category) or taxonomy.covers(category, key)
    )
