"""## PL306 retention-claim-conflict

**What it does.** When the policy promises a longest retention period (`policy.retention`,
an ISO 8601 duration such as `P2Y`), reports every system or recipient holding personal data
whose `retention` is longer. Durations are compared by length (a year is 365.2425 days, so `P1Y` equals `P12M`).

**Why is this bad?** GDPR Art. 5(1)(e) (storage limitation) and Art. 13(2)(a) require the
notice to state the retention period; CCPA §1798.100(a)(3) requires the length of time each
category is retained and forbids keeping it longer than necessary. Keeping data longer than
the policy promises makes the notice false.

**Example**
```yaml
policy: {retention: P2Y}
systems:
  - {id: warehouse, retention: P7Y, collects: [{data_categories: [user.contact.email]}]}
```

**Fix.** Shorten the system's retention, or publish the real period.
"""

from privlint.lint import taxonomy
from privlint.lint.durations import seconds
from privlint.lint.engine import Violation

ID = "PL306"
NAME = "retention-claim-conflict"
SEVERITY = "warning"
SUMMARY = "a system or recipient keeps data longer than `policy.retention`"


def check(context):
    promised = context.inventory.policy.get("retention")
    limit = seconds(promised) if promised else None
    if limit is None:
        return
    data_map = context.data_map
    for node in context.inventory.nodes:
        if not any(taxonomy.is_personal(category) for category in data_map.categories_held(node.id)):
            continue  # storage limitation is about personal data
        kept = seconds(node.retention) if node.retention else None
        if kept is not None and kept > limit:
            message = f"{node.entity} keeps data for {node.retention}, longer than the {promised} the policy promises"
            yield Violation.at(node.location, node.entity, message, "retention")
