"""## PL203 undisclosed-transfer-mechanism

**What it does.** Reports a flow whose declared transfer basis (any of them, for a per-origin
basis, except entries for origins the flow does not carry) is not among
`policy.transfer_mechanisms`. Runs only when the inventory has a
`policy:` block.

**Why is this bad?** GDPR Art. 13(1)(f) and 14(1)(f) require the notice to state the intention
to transfer personal data to a third country and "reference to the appropriate or suitable
safeguards and the means by which to obtain a copy of them". A safeguard the policy does not
mention is an undisclosed one.

**Example**
```yaml
policy:
  transfer_mechanisms: [dpf]
flows:
  - {from: shop, to: support-desk, data_categories: [user.name], transfer_basis: scc}
```

**Fix.** Name the mechanism in the policy (`transfer_mechanisms: [dpf, scc]`).
"""

from privlint.lint.engine import Violation
from privlint.lint.transfers import basis_member, declared_bases

ID = "PL203"
NAME = "undisclosed-transfer-mechanism"
SEVERITY = "warning"
SUMMARY = "a flow's basis is not among `policy.transfer_mechanisms`"


def check(context):
    policy = context.inventory.policy
    if not policy.declared:
        return
    disclosed = set(policy.get("transfer_mechanisms") or ())
    for flow in context.data_map.flows:
        undisclosed = [(area, basis) for area, basis in declared_bases(flow, context.data_map) if basis not in disclosed]
        if undisclosed:
            names = ", ".join(dict.fromkeys(basis for _, basis in undisclosed))
            message = (
                f"{flow.entity} relies on {names}, which policy.transfer_mechanisms "
                "does not mention (GDPR Art. 13(1)(f))"
            )
            yield Violation.at(flow.location, flow.entity, message, *basis_member(flow, undisclosed[0][0]))
