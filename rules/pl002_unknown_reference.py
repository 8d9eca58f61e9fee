"""## PL002 unknown-reference

**What it does.** Reports a flow whose `from` or `to` names no declared system or recipient,
and a recipient whose `vendor` names no entry of the vendor catalog (built-in, or extended
under `vendors:`), suggesting the closest existing id or key.

**Why is this bad?** A dangling reference leaves part of the data map unchecked: a flow to a
misspelt recipient id never reaches the disclosure and transfer rules, so the data it carries
would escape every check.

**Example**
```yaml
recipients:
  - id: stripe
    vendor: stripe
flows:
  - from: storefront
    to: strpie            # no such node
```

**Fix.** Use the id of a declared node (`to: stripe`), declare the missing node, or use a
catalog key from `privlint explain PL002`'s list: stripe, paypal, google-analytics, google-ads,
google-adsense, microsoft-advertising, hubspot, quickbooks, mailchimp, salesforce, segment,
twilio, aws, meta-pixel, zendesk, shopify.
"""

from privlint.lint.engine import Violation
from privlint.lint.suggest import Budget, Suggester

ID = "PL002"
NAME = "unknown-reference"
SEVERITY = "error"
SUMMARY = "a flow endpoint or `vendor` key names nothing declared; suggests the closest"


def check(context):
    inventory = context.inventory
    node_ids = {node.id for node in inventory.nodes}
    budget = Budget()  # for both matchers
    closest_node, closest_vendor = Suggester(node_ids, budget=budget), Suggester(inventory.vendors, budget=budget)
    for recipient in inventory.recipients:
        key = recipient.raw.get("vendor")
        if key is not None and key not in inventory.vendors:
            message = f"recipient '{recipient.id}' names vendor '{key}', which is not in the vendor catalog"
            message += closest_vendor(key)
            yield Violation.at(recipient.location, recipient.entity, message, "vendor")
    for flow in inventory.flows:
        wrong = [(end, name) for end, name in (("from", flow.source), ("to", flow.target)) if name not in node_ids]
        if wrong:
            reasons = [f"'{end}: {name}' names no declared system or recipient{closest_node(name)}"
                       for end, name in wrong]
            yield Violation.at(flow.location, flow.entity, "; ".join(reasons), wrong[0][0])
