"""## PL205 misapplied-adequacy

**What it does.** Reports a flow that declares `adequacy` as the basis for EEA, UK or Swiss
data when the recipient's country is not adequate for that origin on the evaluation date
(`--as-of`), per the adequacy table shipped with privlint (EU Commission decisions, the UK's
adequacy regulations, the Swiss Federal Council's list). For the US, adequacy exists only for
recipients certified under the origin's DPF programme.

**Why is this bad?** GDPR Art. 45(1): a transfer may rely on adequacy only where the Commission
"has decided that the third country … ensures an adequate level of protection". Claiming it
for any other country leaves the transfer without a basis (Art. 44).

**Example**
```yaml
recipients:
  - {id: dev-shop, name: DevShop, country: IN}
flows:
  - {from: crm, to: dev-shop, data_categories: [user.name], transfer_basis: adequacy}
```

**Fix.** Use SCCs (`scc`) or another Art. 46 safeguard for that destination.
"""

from privlint.lint.engine import Violation
from privlint.lint.transfers import basis_member, by_flow, destination, transfers

ID = "PL205"
NAME = "misapplied-adequacy"
SEVERITY = "error"
SUMMARY = "basis `adequacy` where the destination is not adequate for the origin on the date"


def check(context):
    misapplied = [
        (transfer, transfer.area)
        for transfer in transfers(context.data_map, context.as_of)
        if transfer.basis == "adequacy" and transfer.restricted
    ]
    for entity, (transfer, areas) in by_flow(misapplied):
        message = (
            f"{entity} claims adequacy, but {destination(transfer.recipient)} is not adequate for "
            f"{', '.join(areas)} data as of {context.as_of.isoformat()}"
        )
        yield Violation.at(transfer.flow.location, entity, message, *basis_member(transfer.flow, areas[0]))
