"""## PL104 stale-disclosure

**What it does.** Reports names in `policy.recipients` that denote no recipient receiving
anything in the inventory: either no declared recipient has that name (or alias, catalog name,
catalog alias or legal entity), or the recipients it names receive no flow. All stale names
are reported in one finding on `policy.recipients`.

**Why is this bad?** Either the policy is out of date — naming a vendor the organization no
longer uses, which misinforms data subjects (GDPR Art. 5(1)(a) transparency, Art. 12(1)) — or
the inventory is incomplete and the flows to that vendor were never recorded, so no other rule
can check them.

**Example**
```yaml
policy:
  recipients: [Stripe, Mailchimp]    # nothing flows to Mailchimp
```

**Fix.** Record the flows to the recipient, or remove it from the published policy.
"""

from privlint.lint.engine import Violation
from privlint.lint.wording import capped

ID = "PL104"
NAME = "stale-disclosure"
SEVERITY = "info"
SUMMARY = "the policy names a recipient that receives nothing in the inventory"


def check(context):
    inventory = context.inventory
    policy = inventory.policy
    if not policy.declared:
        return
    stale = []
    received = inventory.identities_received()
    names = zip(policy.get("recipients") or (), policy.named_identities)
    for index, (name, identity) in enumerate(names):
        receives = received.get(identity)  # None: no declared recipient has the name
        if not receives:
            stale.append((index, name, receives is not None))
    if stale:
        reasons = capped(
            (f"'{name}' " + ("receives nothing in the inventory" if declared else "matches no declared recipient")
             for _, name, declared in stale),
            "recipients",
        )
        message = f"the policy names recipients the inventory does not use: {'; '.join(reasons)}"
        yield Violation.at(policy.location, "policy.recipients", message, "recipients", stale[0][0])
