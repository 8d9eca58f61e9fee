"""## PL105 contradicted-non-collection

**What it does.** Reports every system or flow that collects or sends a category the policy
says is not collected (`policy.not_collected`), hierarchically: saying `user.biometric` is not
collected is contradicted by collecting `user.biometric.fingerprint`. One finding per system
or flow.

**Why is this bad?** A false statement in a privacy notice is a deceptive practice (FTC Act
§5; CCPA §1798.100 and the notice-at-collection rules, 11 CCR §7012) and breaches GDPR
Art. 5(1)(a) (lawfulness, fairness and transparency) and Art. 13/14.

**Example**
```yaml
policy:
  not_collected: [user.biometric]
systems:
  - id: app
    collects:
      - data_categories: [user.biometric.fingerprint]
```

**Fix.** Stop collecting the category, or correct the policy.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation
from privlint.lint.wording import capped

ID = "PL105"
NAME = "contradicted-non-collection"
SEVERITY = "error"
SUMMARY = "a category in `policy.not_collected` is collected or flows"


def check(context):
    denied = context.inventory.policy.keys("not_collected")
    if not denied:
        return
    for use in context.inventory.category_uses():
        contradicting = use.matching(lambda category: taxonomy.covered_by_any(category, denied))
        if contradicting:
            listed = dict.fromkeys(category for category, _ in contradicting)  # a list may repeat one 2,000,000 times
            denials = taxonomy.covering_some(denied, listed)
            message = (
                f"the policy says {', '.join(capped(denials, 'categories'))} {'is' if len(denials) == 1 else 'are'} not collected, "
                f"but {use.entity} {use.verb} {use.names(contradicting)}"
            )
            yield Violation.at(use.location, use.entity, message, *contradicting[0][1])
