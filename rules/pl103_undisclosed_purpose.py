"""## PL103 undisclosed-purpose

**What it does.** Checks every flow purpose against `policy.purposes` (hierarchically:
disclosing `marketing` covers `marketing.advertising.third_party.targeted`). One finding per
flow lists all its undisclosed purposes. Runs only when the inventory has a `policy:` block.

**Why is this bad?** GDPR Art. 5(1)(b) (purpose limitation) and Art. 13(1)(c)/14(1)(c) require
the notice to state the purposes of processing; CCPA §1798.100(a)(1) requires the purposes
for which each category is collected or used, and §1798.100(c) forbids using it for
purposes incompatible with the disclosed ones.

**Example**
```yaml
policy:
  purposes: [essential]
flows:
  - {from: shop, to: hubspot, data_categories: [user.contact.email],
     purposes: [marketing.communications.email]}
```

**Fix.** Disclose the purpose (`purposes: [essential, marketing.communications]`) or stop the use.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation

ID = "PL103"
NAME = "undisclosed-purpose"
SEVERITY = "warning"
SUMMARY = "a flow purpose is not covered by `policy.purposes`"


def check(context):
    policy = context.inventory.policy
    if not policy.declared:
        return
    disclosed = policy.keys("purposes")
    for flow in context.inventory.flows:
        undisclosed = [
            (index, purpose)
            for index, purpose in enumerate(flow.raw.get("purposes") or ())
            if taxonomy.is_known("data_uses", purpose) and not taxonomy.covered_by_any(purpose, disclosed)
        ]
        if undisclosed:
            names = ", ".join(dict.fromkeys(purpose for _, purpose in undisclosed))
            message = f"{flow.entity} serves {names}, not covered by policy.purposes; disclose the purpose or stop the use"
            yield Violation.at(flow.location, flow.entity, message, "purposes", undisclosed[0][0])
