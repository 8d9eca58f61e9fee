"""## PL303 sensitive-data-claim-conflict

**What it does.** When the policy says `sensitive_data: false`, reports every system or flow
that collects or sends a sensitive category. Sensitive categories are shipped as data
(`data/sensitive.yaml`), mapping CCPA §1798.140(ae) sensitive personal information and GDPR
Art. 9/10 special categories to taxonomy keys: government ids, account credentials, financial
account and card numbers, precise geolocation, racial or ethnic origin, religious or
philosophical beliefs, union membership, private message contents, genetic, biometric and
health data, sex life or sexual orientation, criminal history.

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

from privlint.lint import reference, taxonomy
from privlint.lint.engine import Violation

ID = "PL303"
NAME = "sensitive-data-claim-conflict"
SEVERITY = "error"
SUMMARY = "policy says no sensitive data, yet a sensitive category is collected or flows"


def check(context):
    if not context.inventory.policy.claims_not("sensitive_data"):
        return
    sensitive = reference.sensitive_keys()
    for use in context.inventory.category_uses():
        found = use.matching(lambda category: any(taxonomy.covers(key, category) for key, _ in sensitive))
        if found:
            concepts = sorted({concept for category, _ in found for key, concept in sensitive
                               if taxonomy.covers(key, category)})
            message = (
                f"the policy says no sensitive personal information is processed, but {use.entity} "
                f"{use.verb} {use.names(found)} ({', '.join(concepts)})"
            )
            yield Violation.at(use.location, use.entity, message, *found[0][1])
