"""## PL204 derogation-as-routine

**What it does.** Reports every flow that relies on an Art. 49 derogation (`derogation`, for
any origin the flow carries). An inventory flow is by nature regular and repeated, which is exactly what
derogations are not for.

**Why is this bad?** GDPR Art. 49 derogations (explicit consent, contract necessity, …) are
exceptions "to be interpreted restrictively"; EDPB Guidelines 2/2018 say they must not
become the rule and suit occasional, non-repetitive transfers. A routine flow needs an
adequacy decision or Art. 46 safeguards.

**Example**
```yaml
flows:
  - {from: crm, to: us-support, data_categories: [user.contact], transfer_basis: derogation}
```

**Fix.** Put SCCs (`scc`), UK IDTA/Addendum or BCRs in place, or use a DPF-certified recipient.
"""

from privlint.lint.engine import Violation
from privlint.lint.transfers import basis_member, declared_bases

ID = "PL204"
NAME = "derogation-as-routine"
SEVERITY = "warning"
SUMMARY = "a flow relies on an Art. 49 derogation"


def check(context):
    for flow in context.data_map.flows:
        areas = [area for area, basis in declared_bases(flow, context.data_map) if basis == "derogation"]
        if areas:
            message = (
                f"{flow.entity} relies on an Art. 49 derogation, which is for occasional transfers, "
                "not a regular flow; use SCCs, the IDTA/UK Addendum, BCRs or a DPF-certified recipient"
            )
            yield Violation.at(flow.location, flow.entity, message, *basis_member(flow, areas[0]))
