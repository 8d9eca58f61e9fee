"""## PL102 undisclosed-data-category

**What it does.** Checks every personal data category (under `user`) a system collects or a
flow sends against
`policy.data_categories`. A disclosed key covers its descendants: disclosing `user.contact`
covers `user.contact.email`, but disclosing `user.contact.email` does not cover `user.contact`.
One finding per system or flow lists all its undisclosed categories. Runs only when the
inventory has a `policy:` block.

**Why is this bad?** GDPR Art. 14(1)(d) requires the notice to state the categories of
personal data concerned, and Art. 13/14 transparency (Art. 12(1)) covers what is collected;
CCPA §1798.100(a)(1) and §1798.110 require disclosing the categories of personal information
collected "at or before the point of collection".

**Example**
```yaml
policy:
  data_categories: [user.contact]
systems:
  - id: checkout
    collects:
      - data_categories: [user.contact.email, user.financial.credit_card]   # card not disclosed
```

**Fix.** Disclose the category in the policy (`data_categories: [user.contact, user.financial]`)
or stop collecting it.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation

ID = "PL102"
NAME = "undisclosed-data-category"
SEVERITY = "error"
SUMMARY = "a collected or flowing category is not covered by `policy.data_categories`"


def check(context):
    policy = context.inventory.policy
    if not policy.declared:
        return
    disclosed = policy.keys("data_categories")
    for use in context.inventory.category_uses():
        undisclosed = use.matching(
            lambda category: taxonomy.is_personal(category) and not taxonomy.covered_by_any(category, disclosed)
        )
        if undisclosed:
            message = (
                f"{use.entity} {use.verb} {use.names(undisclosed)}, not covered by policy.data_categories; "
                "disclose it in the policy or stop collecting it"
            )
            yield Violation.at(use.location, use.entity, message, *undisclosed[0][1])
