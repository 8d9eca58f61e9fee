"""## PL106 self-contradictory-claims

**What it does.** Reports a policy that both discloses a data category as collected
(`policy.data_categories`) and denies collecting it (`policy.not_collected`): the same key, or
a disclosed key that lies under a denied one ("we collect email addresses" and "we do not
collect contact information"). The finding is on the denial, `policy.not_collected`. Denying a narrower category than one disclosed ("we collect
contact information, but not your fax number") is a refinement, not a contradiction.

**Why is this bad?** A notice that says both is not "concise, transparent, intelligible" (GDPR
Art. 12(1)) and at least one of its statements is false (FTC Act §5). Andow et al.,
*PolicyLint* (USENIX Security 2019), found such contradictions in 14% of policies studied.

**Example**
```yaml
policy:
  data_categories: [user.contact.email]
  not_collected: [user.contact]
```

**Fix.** Decide which statement is true and correct the other.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation
from privlint.lint.wording import capped

ID = "PL106"
NAME = "self-contradictory-claims"
SEVERITY = "error"
SUMMARY = "the policy both discloses and denies a category (PolicyLint-style contradiction)"


def check(context):
    policy = context.inventory.policy
    disclosed = policy.keys("data_categories")
    denied = set(policy.keys("not_collected"))
    first: dict[str, int] = {}  # each denied key once, at its first position in the list
    for index, denial in enumerate(policy.get("not_collected") or ()):
        if denial in denied:
            first.setdefault(denial, index)
    contradictions = [
        (index, denial, [category for category in disclosed if taxonomy.covers(denial, category)])
        for denial, index in first.items()
    ]
    contradictions = [(index, denial, covered) for index, denial, covered in contradictions if covered]
    if contradictions:
        reasons = capped(
            (f"says {denial} is not collected but discloses {', '.join(capped(covered, 'categories'))} as collected"
             for _, denial, covered in contradictions),
            "contradictions",
        )
        yield Violation.at(
            policy.location, "policy.not_collected", f"the policy {'; '.join(reasons)}", "not_collected",
            contradictions[0][0],
        )
