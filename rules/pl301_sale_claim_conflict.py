"""## PL301 sale-claim-conflict

**What it does.** When the policy says `sells_personal_data: false`, reports every flow of
personal data to a recipient whose role is not `processor` that either brings the
organization money or other valuable consideration (`consideration: true`) or serves a purpose
under `marketing`, `analytics`, `personalize` or `third_party_sharing`. A processor
(service provider) receiving data under contract is not a sale; neither is a disclosure to an
independent controller for an essential purpose at the consumer's direction, such as payment
processing, nor one required by law (`third_party_sharing.legal_obligation`).

**Why is this bad?** CCPA §1798.140(ad) defines *selling* as disclosing personal information
to a third party for monetary or other valuable consideration. In *People v. Sephora* (2022)
the California Attorney General alleged, and Sephora settled for $1.2 million, that analytics
and advertising trackers that are not service providers, on a site saying "we do not sell",
were a sale: the data was exchanged for the tracker's analytics and advertising services.

**Example**
```yaml
policy: {sells_personal_data: false}
flows:
  - from: storefront
    to: google-ads             # role third_party
    data_categories: [user.device.cookie_id]
    purposes: [marketing.advertising.third_party.targeted]
```

**Fix.** Either stop the disclosure, make the recipient a service provider by contract
(`role: processor`, with a purpose a processor may serve), or change the policy to disclose the
sale and offer the opt-out (`sells_personal_data: true`).
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation

ID = "PL301"
NAME = "sale-claim-conflict"
SEVERITY = "error"
SUMMARY = (
    "policy says no sale, yet personal data goes to a recipient whose role is not `processor`, "
    "either with `consideration: true` or for a purpose under marketing, analytics, personalize "
    "or third_party_sharing"
)

SALE_PURPOSES = ("marketing", "analytics", "personalize", "third_party_sharing")
# Disclosures made to comply with the law are not sales (CCPA §1798.145(a)(1)).
LAWFUL = (taxonomy.LEGAL_OBLIGATION,)


def check(context):
    if not context.inventory.policy.claims_not("sells_personal_data"):
        return
    data_map = context.data_map
    for flow in data_map.disclosures():
        recipient = data_map.node(flow.target)
        if recipient.role == "processor":
            continue
        reasons = []
        if flow.consideration:
            reasons.append("the organization receives consideration for it")
        purposes = [
            p for p in flow.purposes
            if taxonomy.covered_by_any(p, SALE_PURPOSES) and not taxonomy.covered_by_any(p, LAWFUL)
        ]
        if purposes:
            reasons.append(f"it serves {', '.join(purposes)}")
        if reasons:
            role = recipient.role or "no role (not a service provider)"
            message = (
                f"the policy says personal data is not sold, but it goes to {recipient.name} "
                f"(role: {role}) and {' and '.join(reasons)}: a sale under CCPA §1798.140(ad)"
            )
            yield Violation.at(flow.location, flow.entity, message)
