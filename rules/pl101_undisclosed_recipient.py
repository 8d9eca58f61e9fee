"""## PL101 undisclosed-recipient

**What it does.** Finds every recipient that personal data (any category under `user`)
reaches, directly or through intermediate nodes, and checks that the policy either names it
(`policy.recipients`, matched on the recipient's name, aliases, or its catalog entry's name,
aliases and legal entity, ignoring case, punctuation and corporate suffixes: "Paypal" matches
PayPal, "HubSpot, Inc." matches HubSpot) or discloses its category (`policy.recipient_categories`).
Runs only when the inventory has a `policy:` block.

**Why is this bad?** GDPR Art. 13(1)(e) and 14(1)(e) require the notice to state "the
recipients or categories of recipients of the personal data"; CCPA §1798.110(c)(4) and
§1798.130(a)(5)(B)-(C) require the categories of third parties to whom personal information is
disclosed. A recipient the policy never mentions is an undisclosed disclosure.

**Example**
```yaml
policy:
  recipients: [Stripe]
recipients:
  - id: hubspot
    vendor: hubspot        # category crm; not named, category not disclosed
flows:
  - {from: storefront, to: hubspot, data_categories: [user.contact.email]}
```

**Fix.** Name the recipient in the published policy and the inventory
(`recipients: [Stripe, HubSpot]`), or disclose its category (`recipient_categories: [crm]`).
"""

from privlint.lint.engine import Violation

ID = "PL101"
NAME = "undisclosed-recipient"
SEVERITY = "error"
SUMMARY = (
    "personal data reaches a recipient, directly or through intermediate nodes, that the policy "
    "neither names nor covers by a disclosed recipient category"
)


def check(context):
    policy = context.inventory.policy
    if not policy.declared:
        return
    data_map = context.data_map
    for recipient_id, flows in sorted(data_map.recipients_reached.items()):
        recipient = data_map.node(recipient_id)
        if policy.discloses(recipient):
            continue
        path = data_map.route(recipient_id)  # a long one abridged: it is in every message
        if len(path) == 1:  # no collecting node reaches it: name the first flow's source
            path = [flows[0].source, recipient_id]
        route = " -> ".join(path)
        category = f"its category '{recipient.category}'" if recipient.category else "a category for it"
        message = (
            f"personal data reaches {recipient.name} ({route}), but the policy neither names it "
            f"nor discloses {category}; add it to policy.recipients or policy.recipient_categories"
        )
        yield Violation.at(recipient.location, recipient.entity, message)
