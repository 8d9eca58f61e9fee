"""## PL302 share-claim-conflict

**What it does.** When the policy says `shares_personal_data: false`, reports every flow of
personal data to a recipient for cross-context behavioral advertising: a purpose under
`marketing.advertising.third_party`, or any `marketing.advertising` purpose to an advertising
recipient whose role is not `processor`. Payment does not matter.

**Why is this bad?** CPRA added *sharing* to the CCPA: §1798.140(ah) defines it as disclosing
personal information to a third party for cross-context behavioral advertising, "whether or
not for monetary or other valuable consideration"; §1798.140(k) defines that advertising as
targeting based on activity across other businesses' sites and services. A policy that denies
sharing while feeding an ad network misstates the consumer's right to opt out (§1798.120).

**Example**
```yaml
policy: {shares_personal_data: false}
flows:
  - from: website
    to: meta-pixel
    data_categories: [user.behavior.browsing_history]
    purposes: [marketing.advertising.third_party.targeted]
```

**Fix.** Remove the advertising flow, or disclose sharing (`shares_personal_data: true`) and
honour opt-outs.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation

ID = "PL302"
NAME = "share-claim-conflict"
SEVERITY = "error"
SUMMARY = (
    "policy says no sharing, yet personal data flows for cross-context behavioral advertising "
    "(`marketing.advertising.third_party`, or any advertising purpose to a non-processor "
    "advertising recipient)"
)

CROSS_CONTEXT = taxonomy.CROSS_CONTEXT_ADVERTISING
ADVERTISING = "marketing.advertising"


def check(context):
    if not context.inventory.policy.claims_not("shares_personal_data"):
        return
    data_map = context.data_map
    for flow in data_map.disclosures():
        recipient = data_map.node(flow.target)
        ad_network = recipient.category == "advertising" and recipient.role != "processor"
        purposes = [
            purpose
            for purpose in flow.purposes
            if taxonomy.covers(CROSS_CONTEXT, purpose) or (ad_network and taxonomy.covers(ADVERTISING, purpose))
        ]
        if purposes:
            message = (
                f"the policy says personal data is not shared, but it goes to {recipient.name} for "
                f"{', '.join(purposes)}: sharing for cross-context behavioral advertising under "
                "CCPA §1798.140(ah)"
            )
            yield Violation.at(flow.location, flow.entity, message)
