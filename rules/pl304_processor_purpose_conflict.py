"""## PL304 processor-purpose-conflict

**What it does.** Reports a flow of personal data to a recipient whose role is `processor`
for cross-context behavioral advertising (`marketing.advertising.third_party`) or
third-party sharing (`third_party_sharing`, except `third_party_sharing.legal_obligation`).

**Why is this bad?** Under CCPA §1798.140(ag)(1) and 11 CCR §7050(b), a service provider may
not provide cross-context behavioral advertising, and may not sell or share the data it
receives (§1798.100(d)); under GDPR Art. 28(3)(a) a processor acts only on the controller's
documented instructions, for the controller's purposes. A "processor" doing either is in fact
a third party, and the contract that calls it a processor does not protect the disclosure.

**Example**
```yaml
recipients:
  - {id: pixel, vendor: meta-pixel, role: processor}
flows:
  - {from: web, to: pixel, data_categories: [user.behavior],
     purposes: [marketing.advertising.third_party.targeted]}
```

**Fix.** Record the recipient's real role (`role: third_party`) and treat the flow as a
sale/share, or limit the flow to purposes a processor may serve.
"""

from privlint.lint import taxonomy
from privlint.lint.engine import Violation

ID = "PL304"
NAME = "processor-purpose-conflict"
SEVERITY = "error"
SUMMARY = "a `processor` recipient receives data for cross-context behavioral advertising or third-party sharing"

FORBIDDEN = (taxonomy.CROSS_CONTEXT_ADVERTISING, "third_party_sharing")
# A service provider may process data so the business can meet a legal obligation
# (CCPA §1798.145(a)(1)); that is not sharing with a third party.
LAWFUL = (taxonomy.LEGAL_OBLIGATION,)


def check(context):
    data_map = context.data_map
    for flow in data_map.disclosures():
        recipient = data_map.node(flow.target)
        if recipient.role != "processor":
            continue
        known = set(flow.purposes)
        purposes = [
            (index, purpose)
            for index, purpose in enumerate(flow.raw.get("purposes") or ())
            if purpose in known
            and taxonomy.covered_by_any(purpose, FORBIDDEN)
            and not taxonomy.covered_by_any(purpose, LAWFUL)
        ]
        if purposes:
            message = (
                f"{recipient.name} is recorded as a processor but receives personal data for "
                f"{', '.join(dict.fromkeys(purpose for _, purpose in purposes))}, which a processor or service provider may not do"
            )
            yield Violation.at(flow.location, flow.entity, message, "purposes", purposes[0][0])
