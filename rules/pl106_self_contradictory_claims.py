"""## PL106 self-contradictory-claims

**What it does.** Reports a policy that both discloses a data category as collected
(`policy.data_categories`) and denies collecting it (`policy.not_collected`): the same key, or
a disclosed key that lies under a denied one ("we collect email addresses" and "we do not
collect contact information"). Denying a narrower category than one disclosed ("we collect
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

ID = "PL106"
NAME = "self-contradictory-claims"
SEVERITY = "error"
SUMMARY = "the policy both discloses and denies a category (PolicyLint-style contradiction)"


def check(context):
    policy = context.inventory.policy
    denied = policy.get("not_collected") or ()
    contradictions = [
        (index, category, next(d for d in denied if taxonomy.covers(d, category)))
        for index, category in enumerate(policy.get("data_categories") or ())
        if taxonomy.covered_by_any(category, denied)
    ]
    if contradictions:
        reasons = [f"discloses {category} but says {denial} is not collected" for _, category, denial in contradictions]
        yield Violation.at(
            policy.location, "policy.data_categories", f"the policy {'; '.join(reasons)}", "data_categories",
            contradictions[0][0],
        )
